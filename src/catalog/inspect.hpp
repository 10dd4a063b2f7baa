#pragma once

// Inspection: the live catalog -> schema::Database, in canonical form.
// Reads pg_catalog only, inside one REPEATABLE READ READ ONLY transaction, in
// a constant number of queries whatever the number of tables.

#include <optional>
#include <pqxx/connection_base>
#include <string>
#include <vector>

#include "schema/schema.hpp"

namespace schemad::catalog {

struct InspectStats {
  // Statements sent, BEGIN and COMMIT included: always 7 (BEGIN with its
  // SET TRANSACTION, which libpqxx sends as one command; SET LOCAL
  // search_path; four catalog queries; COMMIT).
  int queries = 0;
};

// Reads what exists of `schemas` (the model's): which of them exist, every
// installed extension, the enums, and the ordinary and partitioned tables in
// them with columns, constraints, indexes, comments, triggers, policies and
// row-level security, and the functions of the schemas (catalog/definitions.hpp). Objects are
// sorted by name (columns by attnum, enum labels by sort order).
//
// Canonical forms (see schema.hpp): types via format_type, defaults via
// pg_get_expr and checks via pg_get_constraintdef, all read with
// search_path = pg_catalog so that every non-built-in name is qualified.
// In detail:
//  - Column::def is kind sql with value = stored = pg_get_expr's text
//    ("'active'::text", "'-1'::integer", "nextval('public.t_id_seq'::regclass)");
//    a generated column's expression is not a default. Column::serial is set
//    when the default is nextval of a sequence OWNED BY that very column.
//  - Constraints are primary keys, uniques, foreign keys and checks (not
//    exclusion constraints, whose index alone is reported). A check's
//    expression is pg_get_constraintdef's text after "CHECK ", outer
//    parentheses kept, " NOT VALID" removed: "((tokens >= 0))";
//    " NO INHERIT" stays. Primary key first, the rest by name.
//  - Indexes include those backing a primary key, unique or exclusion
//    constraint (constraint_backed). A key is a column name, or the
//    expression as pg_get_indexdef(index, column, pretty) prints it
//    ("lower(email)", "(score + 1)"); opclass is empty for the default
//    operator class; order and nulls are unspecified where they are the
//    default (ASC; NULLS LAST after ASC, NULLS FIRST after DESC). `where` is
//    pg_get_expr of the predicate, not pretty: "(deleted_at IS NULL)".
// Every query reads one snapshot: an object created or dropped by another
// session while inspection runs shows in none of them. (The deparsing
// functions look names up as they run, so a rename committed meanwhile can
// show in an expression's text.)
//
// Precondition: `conn` is open and not inside a transaction. Throws
// pqxx exceptions on database errors, std::runtime_error on a catalog code
// this version does not know (a foreign key action of a future server).
schema::Database inspect(pqxx::connection_base& conn, const std::vector<std::string>& schemas,
                         InspectStats* stats = nullptr);

// A check's expression as inspection keeps it, from pg_get_constraintdef's
// text: "CHECK ((a > 0)) NOT VALID" -> "((a > 0))".
std::string check_expression(const std::string& definition);

// The same four queries (and SET LOCAL search_path) inside a transaction
// the caller holds open: the scratch build inspects what its own
// uncommitted statements made. `stats` counts those 5 statements.
schema::Database inspect_in(pqxx::transaction_base& tx, const std::vector<std::string>& schemas,
                            InspectStats* stats = nullptr);

// The sequence of a default that is exactly nextval('schema.name'::regclass)
// as the server prints it (search_path = pg_catalog), else nothing.
std::optional<schema::QualifiedName> nextval_sequence(const std::string& def);

}  // namespace schemad::catalog
