#include "model/read_objects.hpp"

#include <algorithm>
#include <map>

#include "model/invalid.hpp"
#include "model/read_index.hpp"
#include "model/types.hpp"

namespace schemad::model {

namespace {

// A function argument's type as format_type(oid, NULL) prints it.
std::string argument_type(const Node& node, const std::string& default_schema) {
  const std::string text = node.non_empty_string();
  if (text.find('(') != std::string::npos) {
    node.fail("an argument's type carries no modifier (PostgreSQL ignores it): write \"" +
              text.substr(0, text.find('(')) + "\"");
  }
  std::optional<schema::Type> builtin;
  try {
    builtin = parse_builtin_type(text);
  } catch (const std::exception& e) {
    node.fail(e.what());
  }
  if (builtin) {
    std::string name = builtin->name;
    // char and bit mean char(1) and bit(1) in a column; as an argument the
    // type has no length. A column's bpchar without length prints as such;
    // format_type without a typmod prints "character".
    const std::string one = "(1)";
    if (name.size() > one.size() && name.compare(name.size() - one.size(), one.size(), one) == 0) {
      name.erase(name.size() - one.size());
    }
    if (name == "bpchar") name = "character";
    return name + (builtin->array ? "[]" : "");
  }
  if (text.find('.') != std::string::npos) return text;
  return default_schema + "." + text;
}

schema::QualifiedName function_name(const Node& node, const std::string& default_schema) {
  if (node.json().is_string()) return {default_schema, node.identifier()};
  node.expect_object({"schema", "name"});
  auto schema = node.find("schema");
  return {schema ? schema->identifier() : default_schema, node.at("name").identifier()};
}

int event_bit(const Node& node) {
  static const std::map<std::string, int> events{{"insert", schema::Trigger::kInsert},
                                                 {"update", schema::Trigger::kUpdate},
                                                 {"delete", schema::Trigger::kDelete},
                                                 {"truncate", schema::Trigger::kTruncate}};
  auto it = events.find(node.string());
  if (it == events.end())
    node.expected("must be \"insert\", \"update\", \"delete\" or \"truncate\"");
  return it->second;
}

template <typename T>
void check_distinct(const std::vector<T>& items, const char* what) {
  std::map<std::string, std::string> first;
  for (const T& item : items) {
    auto [it, inserted] = first.emplace(item.name, item.path);
    if (!inserted) {
      throw Invalid(item.path + ".name", std::string("duplicate ") + what + " \"" + item.name +
                                             "\" (first at " + it->second + ")");
    }
  }
}

}  // namespace

schema::Function read_function(const Node& node, const std::string& default_schema) {
  node.expect_object({"name", "schema", "arguments", "sql"});
  schema::Function f;
  f.path = node.path();
  f.name.name = node.at("name").identifier();
  auto schema = node.find("schema");
  f.name.schema = schema ? schema->identifier() : default_schema;
  if (auto list = node.find("arguments")) {
    for (const Node& item : list->items())
      f.arguments.push_back(argument_type(item, default_schema));
  }
  f.sql = node.at("sql").non_empty_string();
  return f;
}

schema::Trigger read_trigger(const Node& node, const schema::Table& table,
                             const std::string& default_schema) {
  node.expect_object(
      {"name", "timing", "events", "columns", "for_each", "when", "function", "arguments"});
  schema::Trigger t;
  t.path = node.path();
  t.name = node.at("name").identifier();
  const Node timing = node.at("timing");
  const std::string when = timing.string();
  if (when == "before") {
    t.timing = schema::Trigger::Timing::before;
  } else if (when == "after") {
    t.timing = schema::Trigger::Timing::after;
  } else if (when == "instead of") {
    timing.fail("INSTEAD OF triggers are for views, and " + table.name.display() + " is a table");
  } else {
    timing.expected("must be \"before\" or \"after\"");
  }
  const Node events = node.at("events");
  if (!events.json().is_array() || events.json().empty()) {
    events.expected("must be a non-empty array of events");
  }
  for (const Node& item : events.items()) {
    const int bit = event_bit(item);
    if (t.events & bit) item.fail("duplicate event \"" + item.string() + "\"");
    t.events |= bit;
  }
  if (auto level = node.find("for_each")) {
    const std::string text = level->string();
    if (text != "row" && text != "statement") level->expected("must be \"row\" or \"statement\"");
    t.for_each_row = text == "row";
  }
  if ((t.events & schema::Trigger::kTruncate) && t.for_each_row) {
    events.fail("TRUNCATE triggers fire for each statement: add \"for_each\": \"statement\"");
  }
  if (auto columns = node.find("columns")) {
    if (!(t.events & schema::Trigger::kUpdate)) {
      columns->fail("UPDATE OF columns need the \"update\" event");
    }
    t.columns = columns->identifier_list("column");
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
      if (table.column(t.columns[i]) == nullptr) {
        throw Invalid(
            columns->path() + "[" + std::to_string(i) + "]",
            "column \"" + t.columns[i] + "\" does not exist in table " + table.name.display());
      }
    }
  }
  if (auto condition = node.find("when")) t.when = condition->non_empty_string();
  t.function = function_name(node.at("function"), default_schema);
  if (auto list = node.find("arguments")) {
    for (const Node& item : list->items()) t.arguments.push_back(item.string());
  }
  return t;
}

schema::Policy read_policy(const Node& node) {
  node.expect_object({"name", "command", "as", "roles", "using", "with_check"});
  schema::Policy p;
  p.path = node.path();
  p.name = node.at("name").identifier();
  if (auto command = node.find("command")) {
    p.command = command->string();
    static const char* const commands[] = {"all", "select", "insert", "update", "delete"};
    if (std::find(std::begin(commands), std::end(commands), p.command) == std::end(commands)) {
      command->expected("must be \"all\", \"select\", \"insert\", \"update\" or \"delete\"");
    }
  }
  if (auto as = node.find("as")) {
    const std::string text = as->string();
    if (text != "permissive" && text != "restrictive") {
      as->expected("must be \"permissive\" or \"restrictive\"");
    }
    p.permissive = text == "permissive";
  }
  if (auto roles = node.find("roles")) {
    p.roles = roles->identifier_list("role");
    std::sort(p.roles.begin(), p.roles.end());
    if (p.roles.size() > 1 && std::binary_search(p.roles.begin(), p.roles.end(), "public")) {
      roles->fail("\"public\" is every role: name it alone");
    }
  }
  auto using_node = node.find("using");
  auto check_node = node.find("with_check");
  if (using_node) p.using_expr = using_node->non_empty_string();
  if (check_node) p.check_expr = check_node->non_empty_string();
  if (using_node && p.command == "insert") {
    using_node->fail("an INSERT policy has only a WITH CHECK expression (\"with_check\")");
  }
  if (check_node && (p.command == "select" || p.command == "delete")) {
    check_node->fail("a " + std::string(p.command == "select" ? "SELECT" : "DELETE") +
                     " policy has only a USING expression (\"using\")");
  }
  if (!using_node && !check_node) node.fail("a policy needs \"using\" or \"with_check\"");
  return p;
}

schema::View read_view(const Node& node, const std::string& default_schema) {
  node.expect_object({"name", "schema", "query", "materialized", "indexes"});
  schema::View v;
  v.path = node.path();
  v.name.name = node.at("name").identifier();
  auto schema = node.find("schema");
  v.name.schema = schema ? schema->identifier() : default_schema;
  v.query = node.at("query").non_empty_string();
  if (auto materialized = node.find("materialized")) v.materialized = materialized->boolean();
  if (auto list = node.find("indexes")) {
    if (!v.materialized) list->fail("only a materialized view has indexes");
    schema::Table pseudo;
    pseudo.name = v.name;
    for (const Node& item : list->items()) v.indexes.push_back(read_index(item, pseudo, false));
  }
  return v;
}

void read_table_objects(const Node& table_node, schema::Table& table,
                        const std::string& default_schema) {
  if (auto list = table_node.find("triggers")) {
    for (const Node& item : list->items()) {
      table.triggers.push_back(read_trigger(item, table, default_schema));
    }
    check_distinct(table.triggers, "trigger");
  }
  if (auto list = table_node.find("policies")) {
    for (const Node& item : list->items()) table.policies.push_back(read_policy(item));
    check_distinct(table.policies, "policy");
  }
  if (auto rls = table_node.find("row_level_security")) {
    const std::string text = rls->string();
    if (text != "enabled" && text != "forced") rls->expected("must be \"enabled\" or \"forced\"");
    table.row_security = true;
    table.force_row_security = text == "forced";
  }
}

}  // namespace schemad::model
