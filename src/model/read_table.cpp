#include "model/read_table.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "model/read_column.hpp"
#include "model/read_index.hpp"
#include "model/read_objects.hpp"

namespace schemad::model {

namespace {

using schema::Constraint;
using schema::ConstraintKind;

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

std::vector<std::string> sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<ColumnEntry> read_columns(const Node& table_node, schema::Table& table,
                                      const ModelScope& scope) {
  TypeScope types{scope.enums, table.name.schema, scope.default_schema, scope.has_extensions};
  std::vector<ColumnEntry> entries;
  std::map<std::string, std::string> first_at;
  const std::vector<Node> items = table_node.at("columns").items();
  entries.reserve(items.size());
  table.columns.reserve(items.size());  // a model holds many: no slack
  for (const Node& item : items) {
    entries.push_back(read_column(item, types));
    const schema::Column& column = entries.back().column;
    auto [it, inserted] = first_at.emplace(column.name, column.path);
    if (!inserted) {
      item.at("name").fail("duplicate column \"" + column.name + "\" (first at " + it->second +
                           ")");
    }
    table.columns.push_back(column);
  }
  return entries;
}

void add_primary_key(const Node& node, schema::Table& table,
                     const std::vector<ColumnEntry>& entries) {
  Constraint pk;
  pk.kind = ConstraintKind::primary_key;
  for (const ColumnEntry& entry : entries) {
    if (!entry.primary_key) continue;
    pk.columns.push_back(entry.column.name);
    if (pk.path.empty()) pk.path = entry.column.path;
  }
  if (auto key = node.find("primary_key")) {
    // ["a", "b"], or {"name": "…", "columns": ["a", "b"]} ("columns" may
    // be left to the columns marked "primary_key").
    std::optional<Node> list = key;
    if (key->json().is_object()) {
      key->expect_object({"name", "columns"});
      pk.name = key->at("name").identifier();
      list = key->find("columns");
      if (!list && pk.columns.empty()) {
        key->fail("names no columns: list them in \"columns\", or mark them \"primary_key\"");
      }
    }
    if (list) {
      std::vector<std::string> listed = column_list(*list, table);
      if (!pk.columns.empty() && sorted(listed) != sorted(pk.columns)) {
        list->fail("lists " + joined(listed) + ", but the columns marked \"primary_key\" are " +
                   joined(pk.columns));
      }
      pk.columns = std::move(listed);
    }
    pk.path = key->path();
  }
  if (pk.columns.empty()) return;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string& name = entries[i].column.name;
    if (std::find(pk.columns.begin(), pk.columns.end(), name) == pk.columns.end()) continue;
    if (entries[i].nullable_written) {
      Node column_node = node.at("columns").items()[i];
      column_node.at("nullable").fail("a primary-key column cannot be nullable");
    }
    table.columns[i].nullable = false;
  }
  table.constraints.push_back(std::move(pk));
}

void add_uniques(const Node& node, schema::Table& table, const std::vector<ColumnEntry>& entries) {
  for (const ColumnEntry& entry : entries) {
    if (!entry.unique) continue;
    Constraint unique;
    unique.kind = ConstraintKind::unique;
    unique.columns = {entry.column.name};
    unique.path = entry.column.path;
    table.constraints.push_back(std::move(unique));
  }
  auto list = node.find("uniques");
  if (!list) return;
  for (const Node& item : list->items()) {
    item.expect_object({"name", "columns"});
    Constraint unique;
    unique.kind = ConstraintKind::unique;
    unique.path = item.path();
    if (auto name = item.find("name")) unique.name = name->identifier();
    unique.columns = column_list(item.at("columns"), table);
    table.constraints.push_back(std::move(unique));
  }
}

schema::ReferentialAction read_action(const Node& node) {
  static const std::map<std::string, schema::ReferentialAction> actions = {
      {"no action", schema::ReferentialAction::no_action},
      {"restrict", schema::ReferentialAction::restrict},
      {"cascade", schema::ReferentialAction::cascade},
      {"set null", schema::ReferentialAction::set_null},
      {"set default", schema::ReferentialAction::set_default}};
  auto it = actions.find(node.string());
  if (it == actions.end()) {
    node.expected(
        "must be one of \"no action\", \"restrict\", \"cascade\", \"set null\", "
        "\"set default\"");
  }
  return it->second;
}

Constraint read_foreign_key(const Node& node, const schema::Table& table, const ModelScope& scope) {
  node.expect_object({"name", "columns", "references", "on_delete", "on_update"});
  Constraint fk;
  fk.kind = ConstraintKind::foreign_key;
  fk.path = node.path();
  if (auto name = node.find("name")) fk.name = name->identifier();
  fk.columns = column_list(node.at("columns"), table);
  Node ref = node.at("references");
  ref.expect_object({"table", "schema", "columns", "external"});
  fk.ref_table.name = ref.at("table").identifier();
  auto schema = ref.find("schema");
  fk.ref_table.schema = schema ? schema->identifier() : scope.default_schema;
  Node ref_columns = ref.at("columns");
  fk.ref_columns = ref_columns.identifier_list("column");
  if (fk.ref_columns.size() != fk.columns.size()) {
    ref_columns.fail("names " + std::to_string(fk.ref_columns.size()) +
                     " columns, but the foreign key has " + std::to_string(fk.columns.size()));
  }
  if (auto external = ref.find("external")) fk.external = external->boolean();
  if (auto action = node.find("on_delete")) fk.on_delete = read_action(*action);
  if (auto action = node.find("on_update")) fk.on_update = read_action(*action);
  return fk;
}

Constraint read_check(const Node& node) {
  node.expect_object({"name", "expression"});
  Constraint check;
  check.kind = ConstraintKind::check;
  check.path = node.path();
  if (auto name = node.find("name")) check.name = name->identifier();
  check.expression = node.at("expression").non_empty_string();
  return check;
}

}  // namespace

schema::Table read_table(const Node& node, const ModelScope& scope) {
  node.expect_object({"name", "schema", "comment", "columns", "primary_key", "uniques", "indexes",
                      "foreign_keys", "checks", "triggers", "policies", "row_level_security"});
  schema::Table table;
  table.path = node.path();
  table.name.name = node.at("name").identifier();
  auto schema = node.find("schema");
  table.name.schema = schema ? schema->identifier() : scope.default_schema;
  if (auto comment = node.find("comment")) table.comment = comment->non_empty_string();

  std::vector<ColumnEntry> entries = read_columns(node, table, scope);
  add_primary_key(node, table, entries);
  add_uniques(node, table, entries);
  if (auto list = node.find("indexes")) {
    for (const Node& item : list->items()) table.indexes.push_back(read_index(item, table));
  }
  if (auto list = node.find("foreign_keys")) {
    for (const Node& item : list->items()) {
      table.constraints.push_back(read_foreign_key(item, table, scope));
    }
  }
  if (auto list = node.find("checks")) {
    for (const Node& item : list->items()) table.constraints.push_back(read_check(item));
  }
  read_table_objects(node, table, scope.default_schema);
  return table;
}

}  // namespace schemad::model
