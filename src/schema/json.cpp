#include "schema/json.hpp"

namespace schemad::schema {

namespace {

using nlohmann::json;

json optional_text(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

template <typename T>
json array_of(const std::vector<T>& items) {
  json out = json::array();
  for (const T& item : items) out.push_back(to_json(item));
  return out;
}

json identity_json(Identity identity) {
  switch (identity) {
    case Identity::none:
      return nullptr;
    case Identity::always:
      return "always";
    case Identity::by_default:
      return "by default";
  }
  return nullptr;
}

json order_json(SortOrder order) {
  switch (order) {
    case SortOrder::unspecified:
      return nullptr;
    case SortOrder::asc:
      return "asc";
    case SortOrder::desc:
      return "desc";
  }
  return nullptr;
}

json nulls_json(NullsOrder nulls) {
  switch (nulls) {
    case NullsOrder::unspecified:
      return nullptr;
    case NullsOrder::first:
      return "first";
    case NullsOrder::last:
      return "last";
  }
  return nullptr;
}

}  // namespace

json to_json(const Type& type) {
  return {{"schema", type.schema}, {"name", type.name},         {"modifier", type.modifier},
          {"array", type.array},   {"resolved", type.resolved}, {"display", type.display()}};
}

json to_json(const Default& def) {
  if (def.empty()) return nullptr;
  json is_volatile = def.is_volatile ? json(*def.is_volatile) : json(nullptr);
  return {{"kind", to_string(def.kind)},
          {"value", def.value},
          {"quoted", def.quoted},
          {"stored", def.stored},
          {"volatile", is_volatile}};
}

json to_json(const Column& column) {
  return {{"name", column.name},
          {"type", to_json(column.type)},
          {"nullable", column.nullable},
          {"default", to_json(column.def)},
          {"identity", identity_json(column.identity)},
          {"serial", column.serial},
          {"comment", column.comment ? json(*column.comment) : json(nullptr)}};
}

json to_json(const Constraint& c) {
  json out = {{"kind", to_string(c.kind)}, {"name", c.name}, {"validated", c.validated}};
  if (c.kind != ConstraintKind::check) out["columns"] = c.columns;
  if (c.kind == ConstraintKind::foreign_key) {
    out["references"] = {{"schema", c.ref_table.schema},     {"table", c.ref_table.name},
                         {"columns", c.ref_columns},         {"external", c.external},
                         {"on_delete", to_sql(c.on_delete)}, {"on_update", to_sql(c.on_update)}};
  }
  if (c.kind == ConstraintKind::check) {
    out["expression"] = c.expression;
    out["normalized"] = c.normalized;
  }
  return out;
}

json to_json(const IndexKey& key) {
  return {{"column", optional_text(key.column)},
          {"expression", optional_text(key.expression)},
          {"opclass", optional_text(key.opclass)},
          {"order", order_json(key.order)},
          {"nulls", nulls_json(key.nulls)}};
}

json to_json(const Index& index) {
  return {{"name", index.name},       {"keys", array_of(index.keys)},
          {"include", index.include}, {"method", index.method},
          {"unique", index.unique},   {"where", index.where},
          {"valid", index.valid},     {"constraint_backed", index.constraint_backed}};
}

json to_json(const Table& table) {
  return {{"schema", table.name.schema},
          {"name", table.name.name},
          {"comment", table.comment ? json(*table.comment) : json(nullptr)},
          {"columns", array_of(table.columns)},
          {"constraints", array_of(table.constraints)},
          {"indexes", array_of(table.indexes)}};
}

json to_json(const Enum& e) {
  return {{"schema", e.name.schema}, {"name", e.name.name}, {"values", e.values}};
}

json to_json(const Database& db) {
  return {{"default_schema", db.default_schema}, {"schemas", db.schemas},
          {"extensions", db.extensions},         {"enums", array_of(db.enums)},
          {"tables", array_of(db.tables)},       {"revision", db.revision},
          {"fingerprint", db.fingerprint}};
}

}  // namespace schemad::schema
