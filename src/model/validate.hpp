#pragma once

// The model's rules that span tables, checked once every table is read.

#include "schema/schema.hpp"

namespace schemad::model {

// Throws Invalid, at the path of the later of two clashing objects, when:
//  - two tables have the same schema-qualified name, or a table has the name
//    of an enum of its schema (PostgreSQL gives every table a type);
//  - an index or unique constraint has the name of a table of its schema
//    (they share pg_class);
//  - two named indexes or constraints (of any kind, on any tables) share a
//    name in one schema: stricter than PostgreSQL for foreign keys and
//    checks, so that a name always means one object;
//  - a foreign key names a table the model does not have, unless
//    references.external is true; or columns the target does not have; or
//    columns that are not the target's primary key, one of its unique
//    constraints or one of its non-partial unique indexes on plain columns
//    (as sets).
// Precondition: `db` comes from read_table (paths filled).
void validate_model(const schema::Database& db);

}  // namespace schemad::model
