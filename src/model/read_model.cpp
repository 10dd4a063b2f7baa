#include "model/read_model.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "model/node.hpp"
#include "model/read_objects.hpp"
#include "model/read_sequence.hpp"
#include "model/read_table.hpp"
#include "model/validate.hpp"

namespace schemad::model {

namespace {

constexpr std::size_t kMaxRevisionLength = 32;

void check_version(const Node& root) {
  if (!root.json().is_object()) root.expected("the model must be a JSON object");
  Node version = root.at("version");
  if (!version.json().is_number_integer() || version.json().get<long long>() != 1) {
    version.expected("must be the integer 1");
  }
}

std::string read_revision(const Node& node) {
  std::string revision = node.string();
  bool valid_chars = std::all_of(revision.begin(), revision.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
  if (revision.empty() || revision.size() > kMaxRevisionLength || !valid_chars) {
    node.expected("must be 1 to 32 characters of A-Z, a-z, 0-9, '_', '.', '-'");
  }
  return revision;
}

// A possibly empty array of distinct identifiers.
std::vector<std::string> distinct_names(const Node& node, const std::string& what) {
  if (node.json().is_array() && node.json().empty()) return {};
  if (!node.json().is_array()) node.expected("must be an array of strings");
  return node.identifier_list(what);
}

std::vector<schema::Enum> read_enums(const Node& list, const std::string& default_schema) {
  std::vector<schema::Enum> enums;
  std::map<schema::QualifiedName, std::string> first_at;
  for (const Node& item : list.items()) {
    item.expect_object({"name", "schema", "values"});
    schema::Enum e;
    e.path = item.path();
    e.name.name = item.at("name").identifier();
    auto schema = item.find("schema");
    e.name.schema = schema ? schema->identifier() : default_schema;
    auto [it, inserted] = first_at.emplace(e.name, e.path);
    if (!inserted) {
      item.at("name").fail("duplicate enum \"" + e.name.display() + "\" (first at " + it->second +
                           ")");
    }
    e.values = distinct_names(item.at("values"), "label");
    enums.push_back(std::move(e));
  }
  return enums;
}

std::vector<std::string> used_schemas(const schema::Database& db) {
  std::set<std::string> schemas = {db.default_schema};
  for (const schema::Enum& e : db.enums) schemas.insert(e.name.schema);
  for (const schema::Table& t : db.tables) schemas.insert(t.name.schema);
  for (const schema::Sequence& s : db.sequences) schemas.insert(s.name.schema);
  for (const schema::Function& f : db.functions) schemas.insert(f.name.schema);
  for (const schema::View& v : db.views) schemas.insert(v.name.schema);
  return {schemas.begin(), schemas.end()};
}

}  // namespace

schema::Database read_model(const Document& doc, const TablesReader* tables) {
  Node root(doc.root, "", doc);
  check_version(root);
  root.expect_object({"version", "schema", "revision", "extensions", "enums", "sequences",
                      "functions", "tables", "views"});

  schema::Database db;
  if (auto schema = root.find("schema")) db.default_schema = schema->identifier();
  if (auto revision = root.find("revision")) db.revision = read_revision(*revision);
  if (auto extensions = root.find("extensions")) {
    db.extensions = distinct_names(*extensions, "extension");
    std::sort(db.extensions.begin(), db.extensions.end());
  }
  if (auto enums = root.find("enums")) db.enums = read_enums(*enums, db.default_schema);

  if (auto sequences = root.find("sequences")) {
    for (const Node& item : sequences->items()) {
      db.sequences.push_back(read_sequence(item, db.default_schema));
    }
  }

  if (auto functions = root.find("functions")) {
    for (const Node& item : functions->items()) {
      db.functions.push_back(read_function(item, db.default_schema));
    }
  }

  ModelScope scope{db.default_schema, &db.enums, !db.extensions.empty()};
  const std::vector<Node> table_items = root.at("tables").items();  // an array, or it says so
  if (tables != nullptr) {
    db.tables.reserve(table_items.size());
    (*tables)(scope, db.tables);
  } else {
    for (const Node& item : table_items) db.tables.push_back(read_table(item, scope));
  }
  if (auto views = root.find("views")) {
    for (const Node& item : views->items()) db.views.push_back(read_view(item, db.default_schema));
  }
  validate_model(db);
  db.schemas = used_schemas(db);
  return db;
}

}  // namespace schemad::model
