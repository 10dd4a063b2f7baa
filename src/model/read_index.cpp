#include "model/read_index.hpp"

#include <set>

#include "model/read_column.hpp"

namespace schemad::model {

namespace {

const std::set<std::string> kMethods = {"btree", "hash", "gin", "gist", "brin", "spgist"};

template <typename Enum>
Enum read_choice(const Node& node, const char* first, Enum first_value, const char* second,
                 Enum second_value) {
  std::string text = node.string();
  if (text == first) return first_value;
  if (text == second) return second_value;
  node.expected(std::string("must be \"") + first + "\" or \"" + second + "\"");
}

schema::IndexKey read_key(const Node& node, const schema::Table* table, const std::string& method) {
  schema::IndexKey key;
  if (node.json().is_string()) {
    key.column = node.identifier();
    if (table != nullptr) require_column(node, *table, key.column);
    return key;
  }
  if (!node.json().is_object()) {
    node.expected("must be a column name or an object with \"column\" or \"expression\"");
  }
  node.expect_object({"column", "expression", "opclass", "order", "nulls"});
  if (node.has("column") == node.has("expression")) {
    node.fail("must have exactly one of \"column\" and \"expression\"");
  }
  if (auto column = node.find("column")) {
    key.column = column->identifier();
    if (table != nullptr) require_column(*column, *table, key.column);
  } else {
    key.expression = node.at("expression").non_empty_string();
  }
  if (auto opclass = node.find("opclass")) key.opclass = opclass->non_empty_string();
  for (const char* option : {"order", "nulls"}) {
    auto value = node.find(option);
    if (value && method != "btree") {
      value->fail("access method \"" + method + "\" does not support ASC/DESC/NULLS options");
    }
  }
  if (auto order = node.find("order")) {
    key.order = read_choice(*order, "asc", schema::SortOrder::asc, "desc", schema::SortOrder::desc);
  }
  if (auto nulls = node.find("nulls")) {
    key.nulls =
        read_choice(*nulls, "first", schema::NullsOrder::first, "last", schema::NullsOrder::last);
  }
  return key;
}

}  // namespace

schema::Index read_index(const Node& node, const schema::Table& table, bool check_columns) {
  const schema::Table* checked = check_columns ? &table : nullptr;
  node.expect_object({"name", "columns", "method", "unique", "where", "include"});
  schema::Index index;
  index.path = node.path();
  if (auto name = node.find("name")) index.name = name->identifier();
  if (auto method = node.find("method")) {
    index.method = method->string();
    if (kMethods.count(index.method) == 0) {
      method->expected("must be one of btree, hash, gin, gist, brin, spgist");
    }
  }
  Node columns = node.at("columns");
  if (!columns.json().is_array() || columns.json().empty()) {
    columns.expected("must be a non-empty array of column names or key objects");
  }
  for (const Node& item : columns.items())
    index.keys.push_back(read_key(item, checked, index.method));
  if (auto unique = node.find("unique")) {
    index.unique = unique->boolean();
    if (index.unique && index.method != "btree") {
      unique->fail("access method \"" + index.method + "\" does not support unique indexes");
    }
  }
  if (auto where = node.find("where")) index.where = where->non_empty_string();
  if (auto include = node.find("include")) {
    if (index.method != "btree" && index.method != "gist" && index.method != "spgist") {
      include->fail("access method \"" + index.method + "\" does not support included columns");
    }
    index.include =
        checked != nullptr ? column_list(*include, table) : include->identifier_list("column");
  }
  return index;
}

}  // namespace schemad::model
