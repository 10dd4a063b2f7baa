#include "model/read_column.hpp"

#include "model/defaults.hpp"

namespace schemad::model {

namespace {

ColumnType read_type(const Node& node, const TypeScope& scope) {
  std::string text = node.non_empty_string();
  try {
    return resolve_type(text, scope);
  } catch (const TypeError& error) {
    node.fail(error.what());
  }
}

schema::Identity read_identity(const Node& node, const ColumnType& type) {
  std::string text = node.string();
  schema::Identity identity;
  if (text == "always") {
    identity = schema::Identity::always;
  } else if (text == "by default") {
    identity = schema::Identity::by_default;
  } else {
    node.expected("must be \"always\" or \"by default\"");
  }
  bool integer = type.builtin && !type.type.array && !type.builtin->serial &&
                 type.builtin->family == TypeFamily::integer;
  if (!integer) {
    node.fail("an identity column must be smallint, integer or bigint, not " +
              (type.builtin && type.builtin->serial ? "serial" : type.type.display()));
  }
  return identity;
}

}  // namespace

ColumnEntry read_column(const Node& node, const TypeScope& scope) {
  node.expect_object({"name", "type", "nullable", "default", "primary_key", "unique", "identity",
                      "generated", "comment"});
  ColumnEntry entry;
  schema::Column& column = entry.column;
  column.path = node.path();
  column.name = node.at("name").identifier();
  ColumnType type = read_type(node.at("type"), scope);
  column.type = type.type;
  column.serial = type.builtin && type.builtin->serial;
  if (auto flag = node.find("primary_key")) entry.primary_key = flag->boolean();
  if (auto flag = node.find("unique")) entry.unique = flag->boolean();
  if (auto identity = node.find("identity")) column.identity = read_identity(*identity, type);
  if (auto comment = node.find("comment")) column.comment = comment->non_empty_string();

  if (auto def = node.find("default")) {
    column.def = read_default(*def, type);
    if (!column.def.empty() && column.identity != schema::Identity::none) {
      def->fail("an identity column cannot have a default");
    }
    if (!column.def.empty() && column.serial) {
      def->fail("a serial column cannot have a default (its sequence supplies it)");
    }
  }

  if (auto generated = node.find("generated")) {
    column.generated = generated->non_empty_string();
    if (!column.def.empty()) generated->fail("a generated column cannot have a default");
    if (column.identity != schema::Identity::none) {
      generated->fail("a generated column cannot be an identity column");
    }
    if (column.serial) generated->fail("a generated column cannot be serial");
  }

  bool not_null = entry.primary_key || column.serial || column.identity != schema::Identity::none;
  column.nullable = !not_null;
  if (auto nullable = node.find("nullable")) {
    bool value = nullable->boolean();
    entry.nullable_written = value;
    if (value && column.identity != schema::Identity::none) {
      nullable->fail("an identity column is always NOT NULL");
    }
    if (value && column.serial) nullable->fail("a serial column is always NOT NULL");
    if (value && entry.primary_key) nullable->fail("a primary-key column cannot be nullable");
    column.nullable = value;
  }
  return entry;
}

void require_column(const Node& node, const schema::Table& table, const std::string& column) {
  if (!table.column(column)) {
    node.fail("column \"" + column + "\" does not exist in table " + table.name.display());
  }
}

std::vector<std::string> column_list(const Node& node, const schema::Table& table) {
  std::vector<std::string> names = node.identifier_list("column");
  std::vector<Node> items = node.items();
  for (std::size_t i = 0; i < names.size(); ++i) require_column(items[i], table, names[i]);
  return names;
}

}  // namespace schemad::model
