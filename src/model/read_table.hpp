#pragma once

// One entry of the model's "tables" -> schema::Table.

#include <string>
#include <vector>

#include "model/node.hpp"
#include "schema/schema.hpp"

namespace schemad::model {

// What a table's reader needs from the rest of the model.
struct ModelScope {
  std::string default_schema;
  const std::vector<schema::Enum>* enums = nullptr;
  bool has_extensions = false;
};

// Reads a table object (keys name, schema, comment, columns, primary_key,
// uniques, indexes, foreign_keys, checks) and checks what needs only this
// table: column names are distinct; every column that a key, index or
// foreign key names exists; the columns marked "primary_key" and the
// table's "primary_key" list, when both are given, are the same set (the
// list then gives the order); primary-key columns are not nullable; a
// foreign key has as many referenced columns as columns. Foreign-key targets
// and names across tables are checked by validate_model.
//
// The result's constraints are the primary key (named when "primary_key"
// is the object form), then the columns' "unique": true in column order, then
// "uniques", "foreign_keys" and "checks" in model order; foreign keys
// reference `references.schema`, else the model's default schema.
// Throws Invalid.
schema::Table read_table(const Node& node, const ModelScope& scope);

}  // namespace schemad::model
