#include "diff/definitions.hpp"

#include "diff/expressions.hpp"

namespace schemad::diff {

namespace {

std::string key_text(const schema::IndexKey& key) {
  std::string out = key.expression.empty() ? key.column : "(" + key.expression + ")";
  if (!key.opclass.empty()) out += " " + key.opclass;
  if (key.order == schema::SortOrder::asc) out += " ASC";
  if (key.order == schema::SortOrder::desc) out += " DESC";
  if (key.nulls == schema::NullsOrder::first) out += " NULLS FIRST";
  if (key.nulls == schema::NullsOrder::last) out += " NULLS LAST";
  return out;
}

std::string actions_text(const schema::Constraint& c) {
  std::string out;
  if (c.on_delete != schema::ReferentialAction::no_action) {
    out += " ON DELETE " + schema::to_sql(c.on_delete);
  }
  if (c.on_update != schema::ReferentialAction::no_action) {
    out += " ON UPDATE " + schema::to_sql(c.on_update);
  }
  return out;
}

}  // namespace

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

std::string object_name(const schema::QualifiedName& table, const std::string& name) {
  return table.display() + "." + name;
}

std::string constraint_text(const schema::Constraint& c) {
  switch (c.kind) {
    case schema::ConstraintKind::primary_key:
      return "PRIMARY KEY (" + join(c.columns) + ")";
    case schema::ConstraintKind::unique:
      return "UNIQUE (" + join(c.columns) + ")";
    case schema::ConstraintKind::foreign_key:
      return "FOREIGN KEY (" + join(c.columns) + ") REFERENCES " + c.ref_table.display() + " (" +
             join(c.ref_columns) + ")" + actions_text(c);
    case schema::ConstraintKind::check:
      return "CHECK " + parenthesized(c.normalized.empty() ? c.expression : c.normalized);
  }
  return "";
}

std::string index_text(const schema::Index& index) {
  std::vector<std::string> keys;
  for (const auto& key : index.keys) keys.push_back(key_text(key));
  std::string out = index.unique ? "UNIQUE " : "";
  out += index.method + " (" + join(keys) + ")";
  if (!index.include.empty()) out += " INCLUDE (" + join(index.include) + ")";
  if (!index.where.empty()) out += " WHERE " + index.where;
  return out;
}

}  // namespace schemad::diff
