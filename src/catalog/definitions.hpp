#pragma once

// Inspection's rows of queries::definitions -> the functions of a
// schema::Database and the triggers, policies and row-level security of its
// tables.

#include <pqxx/result>

#include "schema/schema.hpp"

namespace schemad::catalog {

// Adds what `rows` describe to `db`, whose tables are already read (a
// trigger or policy of a table that is not there is a table created since
// the snapshot: impossible, as every query reads one snapshot, so it is
// a logic_error). Functions sorted by signature, triggers and policies by
// name. Throws std::runtime_error on a code this version does not know.
void add_definitions(const pqxx::result& rows, schema::Database& db);

// The views of `rows` ('view' rows; add_definitions skips them), by level
// then name: before the indexes are read, which belong to them too.
void add_views(const pqxx::result& rows, schema::Database& db);

// Splits "a\x1fb" -> {"a", "b"}; "" -> {}.
std::vector<std::string> split_list(const std::string& joined);

// pg_trigger.tgargs (hex): each argument ends with a NUL byte.
std::vector<std::string> trigger_arguments(const std::string& hex);

}  // namespace schemad::catalog
