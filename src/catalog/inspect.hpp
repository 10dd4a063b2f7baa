#pragma once

// Inspection: the live catalog -> schema::Database, in canonical form.
// Reads pg_catalog only, inside one REPEATABLE READ READ ONLY transaction, in
// a constant number of queries whatever the number of tables.

#include <pqxx/connection_base>
#include <string>
#include <vector>

#include "schema/schema.hpp"

namespace schemad::catalog {

struct InspectStats {
  int queries = 0;  // statements sent, BEGIN and COMMIT included
};

// Reads what exists of `schemas` (the model's): which of them exist, every
// installed extension, the enums, and the ordinary and partitioned tables in
// them with columns, constraints, indexes and comments. Objects are sorted by
// name (columns by attnum, enum labels by sort order).
//
// Canonical forms (see schema.hpp): types via format_type, defaults via
// pg_get_expr and checks via pg_get_constraintdef, all read with
// search_path = pg_catalog so that every non-built-in name is qualified.
//
// Precondition: `conn` is open and not inside a transaction. Throws
// pqxx exceptions on database errors.
schema::Database inspect(pqxx::connection_base& conn, const std::vector<std::string>& schemas,
                         InspectStats* stats = nullptr);

}  // namespace schemad::catalog
