#pragma once

// One entry of a table's "columns" -> schema::Column.

#include <string>
#include <vector>

#include "model/node.hpp"
#include "model/type_resolve.hpp"
#include "schema/schema.hpp"

namespace schemad::model {

struct ColumnEntry {
  schema::Column column;
  bool primary_key = false;       // "primary_key": true
  bool unique = false;            // "unique": true
  bool nullable_written = false;  // the model wrote "nullable": true
};

// Reads a column object (keys name, type, nullable, default, primary_key,
// unique, identity, comment). Throws Invalid at the offending key's path for
// a wrong shape, an invalid or unknown type, a default that does not fit
// (defaults.hpp), and for the column rules of the model format: an identity
// column is smallint, integer or bigint, NOT NULL, without default; a serial
// column has no default and is NOT NULL; a primary-key column is NOT NULL.
// `nullable` defaults to true except for those three.
// Fills column.path with `node`'s path.
ColumnEntry read_column(const Node& node, const TypeScope& scope);

// Throws at `node` (where the model names `column`) unless `table` has it.
void require_column(const Node& node, const schema::Table& table, const std::string& column);

// A non-empty list of distinct column names of `table`; throws at the
// offending item otherwise.
std::vector<std::string> column_list(const Node& node, const schema::Table& table);

}  // namespace schemad::model
