#include "diff/uniques.hpp"

#include <algorithm>

namespace schemad::diff {

bool same_column_set(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

std::vector<std::string> plain_key_columns(const schema::Index& index) {
  if (!index.where.empty()) return {};
  std::vector<std::string> columns;
  for (const auto& key : index.keys) {
    if (key.column.empty() || !key.expression.empty()) return {};
    columns.push_back(key.column);
  }
  return columns;
}

bool index_enforces_unique(const schema::Index& index, const std::vector<std::string>& columns) {
  if (!index.unique || !index.valid) return false;
  std::vector<std::string> keys = plain_key_columns(index);
  return !keys.empty() && same_column_set(keys, columns);
}

const schema::Constraint* unique_constraint_on(const schema::Table& table,
                                               const std::vector<std::string>& columns) {
  for (const auto& c : table.constraints) {
    if (c.kind == schema::ConstraintKind::unique && same_column_set(c.columns, columns)) return &c;
  }
  return nullptr;
}

}  // namespace schemad::diff
