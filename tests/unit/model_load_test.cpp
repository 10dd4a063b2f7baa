#include <sys/stat.h>
#include <unistd.h>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "model/example_model.hpp"
#include "model/load.hpp"

using namespace schemad;
using nlohmann::json;

namespace {

// Two tables with one of everything, so that every object kind has a path.
json rich() {
  return json::parse(R"({
    "version": 1,
    "enums": [{"name": "mood", "values": ["happy", "sad"]}],
    "tables": [
      {"name": "parent", "columns": [{"name": "id", "type": "integer", "primary_key": true}]},
      {"name": "t",
       "columns": [
         {"name": "id", "type": "integer", "primary_key": true},
         {"name": "a", "type": "text", "default": {"sql": "'x'"}},
         {"name": "parent_id", "type": "integer"},
         {"name": "m", "type": "mood", "default": "sad"}],
       "uniques": [{"name": "uq_t_a", "columns": ["a"]}],
       "indexes": [{"name": "ix_t_a", "columns": [{"column": "a"}]}],
       "foreign_keys": [{"name": "fk_t_parent", "columns": ["parent_id"],
                         "references": {"table": "parent", "columns": ["id"]}}],
       "checks": [{"name": "ck_t_a", "expression": "a <> ''"}]}
    ]})");
}

schema::Database load(const json& model) {
  return model::load_text(model.dump(), "model.json");
}

// The whole message of the load's ModelError, or "<loaded>".
std::string error_of_text(const std::string& text) {
  try {
    model::load_text(text, "model.json");
  } catch (const model::ModelError& e) {
    return e.what();
  }
  return "<loaded>";
}

std::string error_of(const json& model) {
  return error_of_text(model.dump());
}

json with(json model, const std::string& pointer, json value) {
  model[json::json_pointer(pointer)] = std::move(value);
  return model;
}

json without(json model, const std::string& parent, const std::string& key) {
  model[json::json_pointer(parent)].erase(key);
  return model;
}

// A model with one table "t" of the given columns.
json table_of(json columns) {
  return {{"version", 1}, {"tables", {{{"name", "t"}, {"columns", std::move(columns)}}}}};
}

std::string temp_path() {
  char name[] = "/tmp/schemad-model-test-XXXXXX";
  int fd = ::mkstemp(name);
  REQUIRE(fd >= 0);
  ::close(fd);
  return name;
}

}  // namespace

TEST_CASE("loads the example model", "[model][load]") {
  auto db = model::load_file(std::string(SCHEMAD_SOURCE_DIR) + "/config/model.example.json");
  CHECK(db.default_schema == "public");
  CHECK(db.schemas == std::vector<std::string>{"public"});
  CHECK(db.extensions == std::vector<std::string>{"pgcrypto"});
  CHECK(db.revision == "20261122_chat_baseline");
  REQUIRE(db.enums.size() == 2);
  CHECK(db.enums[0].name.display() == "public.message_role");
  CHECK(db.enums[0].values == std::vector<std::string>{"system", "user", "assistant", "tool"});
  CHECK(db.enums[1].path == "enums[1]");
  REQUIRE(db.tables.size() == 4);

  const schema::Table& users = db.tables[0];
  CHECK(users.name.display() == "public.users");
  CHECK(users.path == "tables[0]");
  CHECK(users.comment == std::optional<std::string>("people who sign in"));
  REQUIRE(users.columns.size() == 6);
  CHECK(users.columns[1].type.display() == "character varying(320)");
  CHECK_FALSE(users.columns[1].nullable);
  CHECK(users.columns[2].nullable);
  CHECK(users.columns[1].path == "tables[0].columns[1]");
  REQUIRE(users.constraints.size() == 2);
  CHECK(users.constraints[0].kind == schema::ConstraintKind::primary_key);
  CHECK(users.constraints[0].columns == std::vector<std::string>{"id"});
  CHECK(users.constraints[1].kind == schema::ConstraintKind::unique);
  CHECK(users.constraints[1].name.empty());
  CHECK(users.constraints[1].path == "tables[0].columns[1]");
  REQUIRE(users.indexes.size() == 1);
  CHECK(users.indexes[0].keys[0].expression == "lower((email)::text)");
  CHECK(users.indexes[0].path == "tables[0].indexes[0]");

  const schema::Table& messages = db.tables[2];
  CHECK(messages.columns[0].identity == schema::Identity::always);
  CHECK_FALSE(messages.columns[0].nullable);
  CHECK(messages.columns[3].type == schema::Type{"public", "message_role", "", false, true});
  CHECK(messages.columns[3].def.stored == "'user'::public.message_role");
  CHECK(messages.columns[5].def.stored == "'{}'::jsonb");
  REQUIRE(messages.constraints.size() == 4);
  CHECK(messages.constraints[0].kind == schema::ConstraintKind::primary_key);
  CHECK(messages.constraints[1].name == "uq_messages_conversation_seq");
  CHECK(messages.constraints[1].path == "tables[2].uniques[0]");
  CHECK(messages.constraints[2].kind == schema::ConstraintKind::foreign_key);
  CHECK(messages.constraints[2].ref_table.display() == "public.conversations");
  CHECK(messages.constraints[2].on_delete == schema::ReferentialAction::cascade);
  CHECK(messages.constraints[2].on_update == schema::ReferentialAction::no_action);
  CHECK(messages.constraints[3].kind == schema::ConstraintKind::check);
  CHECK(messages.constraints[3].expression == "tokens >= 0");
  CHECK(messages.indexes[0].where == "deleted_at IS NULL");

  const schema::Table& documents = db.tables[3];
  CHECK(documents.columns[6].type.display() == "character(64)");
  CHECK(documents.columns[7].type.display() == "text[]");
  CHECK(documents.indexes[1].method == "gin");
  CHECK(db.fingerprint.size() == 64);
}

TEST_CASE("the embedded example model is the example file", "[model][load]") {
  auto file = model::load_file(std::string(SCHEMAD_SOURCE_DIR) + "/config/model.example.json");
  auto embedded =
      model::load_text(model::example_model_json(), std::string(model::kEmbeddedModelName));
  CHECK(embedded.fingerprint == file.fingerprint);
}

TEST_CASE("error messages name the file, the path, then the problem", "[model][load]") {
  model::ModelError with_path("m.json", "tables[0].name", "must be a string");
  CHECK(std::string(with_path.what()) == "m.json: tables[0].name: must be a string");
  CHECK(with_path.file() == "m.json");
  CHECK(with_path.path() == "tables[0].name");
  CHECK(with_path.problem() == "must be a string");
  model::ModelError whole_file("m.json", "", "cannot read");
  CHECK(std::string(whole_file.what()) == "m.json: cannot read");
}

TEST_CASE("refuses an unknown key and names its path, on every object", "[model][load]") {
  const std::vector<std::pair<std::string, std::string>> places = {
      {"", ""},
      {"/enums/0", "enums[0]"},
      {"/tables/1", "tables[1]"},
      {"/tables/1/columns/1", "tables[1].columns[1]"},
      {"/tables/1/columns/1/default", "tables[1].columns[1].default"},
      {"/tables/1/uniques/0", "tables[1].uniques[0]"},
      {"/tables/1/indexes/0", "tables[1].indexes[0]"},
      {"/tables/1/indexes/0/columns/0", "tables[1].indexes[0].columns[0]"},
      {"/tables/1/foreign_keys/0", "tables[1].foreign_keys[0]"},
      {"/tables/1/foreign_keys/0/references", "tables[1].foreign_keys[0].references"},
      {"/tables/1/checks/0", "tables[1].checks[0]"},
  };
  for (const auto& [pointer, path] : places) {
    INFO(pointer);
    std::string prefix = path.empty() ? "model.json: " : "model.json: " + path + ": ";
    CHECK(error_of(with(rich(), pointer + "/nulable", true)) == prefix + "unknown key \"nulable\"");
    CHECK_NOTHROW(load(with(rich(), pointer + "/x-note", {{"anything", 1}})));
  }
}

TEST_CASE("refuses a key repeated in one JSON object, at the second one", "[model][load]") {
  CHECK(error_of_text(R"({"version": 1, "tables": [], "version": 1})") ==
        "model.json: version: duplicate key \"version\"");
  CHECK(error_of_text(
            R"({"version": 1, "tables": [{"name": "t", "columns": [
                 {"name": "a", "type": "text", "name": "b"}]}]})") ==
        "model.json: tables[0].columns[0].name: duplicate key \"name\"");
  CHECK(error_of_text(R"({"version": 1, "tables": [], "x-a": {"k": 1, "k": 2}})") ==
        "model.json: x-a.k: duplicate key \"k\"");
}

TEST_CASE("refuses nesting deeper than 64 levels, however deep, without crashing",
          "[model][load]") {
  auto nested = [](int arrays) {
    return R"({"version": 1, "tables": [], "x-deep": )" + std::string(arrays, '[') +
           std::string(arrays, ']') + "}";
  };
  // The top-level object is level 1.
  CHECK(error_of_text(nested(63)) == "<loaded>");
  std::string path = "x-deep";
  for (int i = 0; i < 63; ++i) path += "[0]";
  CHECK(error_of_text(nested(64)) == "model.json: " + path + ": nested deeper than 64 levels");
  CHECK_THAT(error_of_text(nested(1000000)), Catch::Contains("nested deeper than 64 levels"));
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\": ";
  CHECK_THAT(error_of_text(objects), Catch::Contains("nested deeper than 64 levels"));
}

TEST_CASE("refuses a model over 16 MiB, in memory and on disk", "[model][load]") {
  std::string model = R"({"version": 1, "tables": []})";
  std::string at_limit = model + std::string(model::kMaxModelBytes - model.size(), ' ');
  std::string over = at_limit + " ";
  CHECK(error_of_text(over) ==
        "model.json: the model is 16777217 bytes, more than the limit of 16777216 (16 MiB; "
        "model_max_bytes raises it)");

  std::string path = temp_path();
  { std::ofstream(path, std::ios::binary) << over; }
  CHECK_THROWS_WITH(model::load_file(path),
                    path +
                        ": the model is 16777217 bytes, more than the limit of 16777216 "
                        "(16 MiB; model_max_bytes raises it)");
  // Exactly at the limit is fine (and read whole).
  { std::ofstream(path, std::ios::binary) << at_limit; }
  CHECK_NOTHROW(model::load_file(path));
  // The configuration's model_max_bytes moves the limit, either way.
  { std::ofstream(path, std::ios::binary) << over; }
  CHECK_NOTHROW(model::load_file(path, model::kMaxModelBytes + 1));
  CHECK_THROWS_WITH(model::load_file(path, 1000),
                    path +
                        ": the model is 16777217 bytes, more than the limit of 1000 "
                        "(model_max_bytes)");
  CHECK_THROWS_WITH(model::load_text(model, "m.json", 10),
                    "m.json: the model is 28 bytes, more than the limit of 10 (model_max_bytes)");
  std::remove(path.c_str());
}

TEST_CASE("reports a file that cannot be read", "[model][load]") {
  CHECK_THROWS_WITH(model::load_file("/nonexistent/model.json"),
                    "/nonexistent/model.json: cannot read: No such file or directory");
  CHECK_THROWS_WITH(model::load_file("/tmp"), "/tmp: cannot read: not a regular file");
}

TEST_CASE("a model file that is a FIFO or a device is refused, never waited on or read",
          "[model][load]") {
  std::string fifo = temp_path();
  std::remove(fifo.c_str());
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH(model::load_file(fifo), fifo + ": cannot read: not a regular file");
  std::remove(fifo.c_str());

  std::string zero = temp_path();
  std::remove(zero.c_str());
  REQUIRE(::symlink("/dev/zero", zero.c_str()) == 0);
  CHECK_THROWS_WITH(model::load_file(zero), zero + ": cannot read: not a regular file");
  std::remove(zero.c_str());
}

TEST_CASE("reports JSON syntax errors with line and column", "[model][load]") {
  CHECK(error_of_text("{\"version\": 1,\n  \"tables\": [,]}") ==
        "model.json: invalid JSON: parse error at line 2, column 14: syntax error while parsing "
        "value - unexpected ','; expected '[', '{', or a literal");
  CHECK_THAT(error_of_text(""),
             Catch::StartsWith("model.json: invalid JSON: parse error at line 1"));
  CHECK_THAT(error_of_text(R"({"version": 1, "tables": []} extra)"),
             Catch::StartsWith("model.json: invalid JSON: parse error at line 1, column 30"));
  CHECK_THAT(error_of_text("{\"version\": 1, \"tables\": [], \"x\": \"\xff\"}"),
             Catch::Contains("invalid JSON"));
}

TEST_CASE("refuses NUL characters in strings and keys", "[model][load]") {
  CHECK(error_of_text(R"({"version": 1, "tables": [{"name": "a\u0000b", "columns": []}]})") ==
        "model.json: tables[0].name: a string must not contain a NUL character (\\u0000)");
  CHECK(error_of_text(R"({"version": 1, "tables": [], "x\u0000": 1})") ==
        "model.json: a key must not contain a NUL character (\\u0000)");
}

TEST_CASE("version must be the integer 1, checked before anything else", "[model][load]") {
  for (const auto& [version, found] :
       std::vector<std::pair<json, std::string>>{{json(2), "2"},
                                                 {json("1"), "\"1\""},
                                                 {json(1.0), "1.0"},
                                                 {json(nullptr), "null"},
                                                 {json(true), "true"},
                                                 {json::object(), "an empty object"},
                                                 {json::array({1, 2}), "an array of 2 items"}}) {
    INFO(version.dump());
    CHECK(error_of(with(rich(), "/version", version)) ==
          "model.json: version: must be the integer 1, not " + found);
  }
  CHECK(error_of_text(R"({"version": 2, "unknown": true})") ==
        "model.json: version: must be the integer 1, not 2");
  CHECK(error_of_text(R"({"tables": []})") == "model.json: missing required key \"version\"");
  CHECK(error_of_text("[]") == "model.json: the model must be a JSON object, not an empty array");
}

TEST_CASE("tables is required and may be empty", "[model][load]") {
  CHECK(error_of_text(R"({"version": 1})") == "model.json: missing required key \"tables\"");
  CHECK(error_of_text(R"({"version": 1, "tables": {}})") ==
        "model.json: tables: must be an array, not an empty object");
  auto db = model::load_text(R"({"version": 1, "tables": []})", "m.json");
  CHECK(db.tables.empty());
  CHECK(db.schemas == std::vector<std::string>{"public"});
  CHECK(db.revision.empty());
}

TEST_CASE("revision is 1 to 32 characters of [A-Za-z0-9_.-]", "[model][load]") {
  CHECK(load(with(rich(), "/revision", std::string(32, 'a'))).revision == std::string(32, 'a'));
  CHECK(load(with(rich(), "/revision", "2026.01_x-Y")).revision == "2026.01_x-Y");
  const std::string problem =
      "model.json: revision: must be 1 to 32 characters of A-Z, a-z, 0-9, '_', '.', '-', not ";
  CHECK(error_of(with(rich(), "/revision", std::string(33, 'a'))) ==
        problem + "\"" + std::string(33, 'a') + "\"");
  CHECK(error_of(with(rich(), "/revision", "a b")) == problem + "\"a b\"");
  CHECK(error_of(with(rich(), "/revision", "")) == problem + "\"\"");
  // A long value is cut, not repeated whole.
  CHECK(error_of(with(rich(), "/version", std::string(500, 'v'))).size() < 200);
  CHECK(error_of(with(rich(), "/revision", 20260101)) ==
        "model.json: revision: must be a string, not 20260101");
}

TEST_CASE("identifiers are non-empty strings of at most 63 bytes", "[model][load]") {
  CHECK(load(with(rich(), "/tables/1/name", std::string(63, 'n'))).tables[1].name.name.size() ==
        63);
  CHECK(error_of(with(rich(), "/tables/1/name", std::string(64, 'n'))) ==
        "model.json: tables[1].name: \"" + std::string(64, 'n') +
            "\" is 64 bytes long; PostgreSQL allows at most 63 bytes");
  // 32 characters, 64 bytes in UTF-8.
  std::string accented;
  for (int i = 0; i < 32; ++i) accented += "\xc3\xa9";
  CHECK_THAT(error_of(with(rich(), "/tables/1/columns/1/name", accented)),
             Catch::StartsWith("model.json: tables[1].columns[1].name: \"" + accented +
                               "\" is 64 bytes long"));
  CHECK(error_of(with(rich(), "/tables/1/name", "")) ==
        "model.json: tables[1].name: must not be empty");
  CHECK(error_of(with(rich(), "/tables/1/name", 5)) ==
        "model.json: tables[1].name: must be a string, not 5");
  CHECK(error_of(with(rich(), "/schema", "")) == "model.json: schema: must not be empty");
  CHECK(error_of(with(rich(), "/enums/0/schema", std::string(64, 's'))) ==
        "model.json: enums[0].schema: \"" + std::string(64, 's') +
            "\" is 64 bytes long; PostgreSQL allows at most 63 bytes");
  CHECK(error_of(with(rich(), "/tables/1/indexes/0/name", "")) ==
        "model.json: tables[1].indexes[0].name: must not be empty");
  CHECK(error_of(with(rich(), "/tables/1/foreign_keys/0/references/table", "")) ==
        "model.json: tables[1].foreign_keys[0].references.table: must not be empty");
}

TEST_CASE("required keys are named at the object's path", "[model][load]") {
  CHECK(error_of(without(rich(), "/tables/1/columns/1", "type")) ==
        "model.json: tables[1].columns[1]: missing required key \"type\"");
  CHECK(error_of(without(rich(), "/tables/1", "columns")) ==
        "model.json: tables[1]: missing required key \"columns\"");
  CHECK(error_of(without(rich(), "/enums/0", "values")) ==
        "model.json: enums[0]: missing required key \"values\"");
  CHECK(error_of(without(rich(), "/tables/1/checks/0", "expression")) ==
        "model.json: tables[1].checks[0]: missing required key \"expression\"");
  CHECK(error_of(without(rich(), "/tables/1/foreign_keys/0/references", "columns")) ==
        "model.json: tables[1].foreign_keys[0].references: missing required key \"columns\"");
}

TEST_CASE("values of the wrong JSON type are refused with what they must be", "[model][load]") {
  CHECK(error_of(with(rich(), "/tables/1/columns/1/nullable", "yes")) ==
        "model.json: tables[1].columns[1].nullable: must be true or false, not \"yes\"");
  CHECK(error_of(with(rich(), "/tables/1/columns/1/type", 5)) ==
        "model.json: tables[1].columns[1].type: must be a non-empty string, not 5");
  CHECK(error_of(with(rich(), "/tables/1/columns", json::object())) ==
        "model.json: tables[1].columns: must be an array, not an empty object");
  CHECK(error_of(with(rich(), "/tables/1/columns/0", "id")) ==
        "model.json: tables[1].columns[0]: must be an object, not \"id\"");
  CHECK(error_of(with(rich(), "/tables/1/uniques/0/columns", json::array())) ==
        "model.json: tables[1].uniques[0].columns: must be a non-empty array of strings, not an "
        "empty array");
  CHECK(error_of(with(rich(), "/tables/1/uniques/0/columns", {"a", 1})) ==
        "model.json: tables[1].uniques[0].columns[1]: must be a string, not 1");
  CHECK(error_of(with(rich(), "/extensions", "pgcrypto")) ==
        "model.json: extensions: must be an array of strings, not \"pgcrypto\"");
  CHECK(error_of(with(rich(), "/tables/1/comment", "")) ==
        "model.json: tables[1].comment: must be a non-empty string, not \"\"");
  CHECK(error_of(with(rich(), "/tables/1/checks/0/expression", "")) ==
        "model.json: tables[1].checks[0].expression: must be a non-empty string, not \"\"");
  CHECK(error_of(with(rich(), "/tables/1/indexes/0/where", true)) ==
        "model.json: tables[1].indexes[0].where: must be a non-empty string, not true");
  CHECK(error_of(with(rich(), "/tables/1/indexes/0/columns", json::array())) ==
        "model.json: tables[1].indexes[0].columns: must be a non-empty array of column names or "
        "key objects, not an empty array");
}

TEST_CASE("refuses duplicate tables, columns, enums, labels and extensions at the second",
          "[model][load]") {
  CHECK(error_of(with(rich(), "/tables/1/name", "parent")) ==
        "model.json: tables[1].name: duplicate table \"public.parent\" (first at tables[0])");
  json explicit_schema =
      with(with(rich(), "/tables/1/name", "parent"), "/tables/1/schema", "public");
  CHECK(error_of(explicit_schema) ==
        "model.json: tables[1].name: duplicate table \"public.parent\" (first at tables[0])");
  CHECK_NOTHROW(load(with(with(rich(), "/tables/1/name", "parent"), "/tables/1/schema", "app")));
  CHECK(error_of(with(rich(), "/tables/1/columns/2/name", "a")) ==
        "model.json: tables[1].columns[2].name: duplicate column \"a\" (first at "
        "tables[1].columns[1])");
  json enums = with(rich(), "/enums/1", {{"name", "mood"}, {"values", {"x"}}});
  CHECK(error_of(enums) ==
        "model.json: enums[1].name: duplicate enum \"public.mood\" (first at enums[0])");
  CHECK_NOTHROW(load(with(enums, "/enums/1/schema", "app")));
  CHECK(error_of(with(rich(), "/enums/0/values", {"a", "b", "a"})) ==
        "model.json: enums[0].values[2]: duplicate label \"a\" (first at enums[0].values[0])");
  CHECK(error_of(with(rich(), "/extensions", {"pgcrypto", "citext", "pgcrypto"})) ==
        "model.json: extensions[2]: duplicate extension \"pgcrypto\" (first at extensions[0])");
}

TEST_CASE("enum labels are 1 to 63 bytes, an enum may have none", "[model][load]") {
  CHECK(error_of(with(rich(), "/enums/0/values/1", std::string(64, 'v'))) ==
        "model.json: enums[0].values[1]: \"" + std::string(64, 'v') +
            "\" is 64 bytes long; PostgreSQL allows at most 63 bytes");
  CHECK(error_of(with(rich(), "/enums/0/values/1", "")) ==
        "model.json: enums[0].values[1]: must not be empty");
  json no_labels = with(rich(), "/enums/1", {{"name", "empty"}, {"values", json::array()}});
  CHECK(load(no_labels).enums[1].values.empty());
}

TEST_CASE("refuses two indexes or constraints with one name in a schema", "[model][load]") {
  CHECK(error_of(with(rich(), "/tables/1/indexes/0/name", "uq_t_a")) ==
        "model.json: tables[1].indexes[0].name: index name \"uq_t_a\" is already used in schema "
        "public by the unique constraint at tables[1].uniques[0]");
  CHECK(error_of(with(rich(), "/tables/1/checks/0/name", "fk_t_parent")) ==
        "model.json: tables[1].checks[0].name: check constraint name \"fk_t_parent\" is already "
        "used in schema public by the foreign key at tables[1].foreign_keys[0]");
  CHECK(error_of(with(rich(), "/tables/1/foreign_keys/0/name", "ix_t_a")) ==
        "model.json: tables[1].foreign_keys[0].name: foreign key name \"ix_t_a\" is already used "
        "in schema public by the index at tables[1].indexes[0]");
  // On two tables.
  json two = with(rich(), "/tables/0/indexes", {{{"name", "ix_t_a"}, {"columns", {"id"}}}});
  CHECK(error_of(two) ==
        "model.json: tables[1].indexes[0].name: index name \"ix_t_a\" is already used in schema "
        "public by the index at tables[0].indexes[0]");
  // In another schema the name is free.
  CHECK_NOTHROW(load(with(with(two, "/tables/0/schema", "app"),
                          "/tables/1/foreign_keys/0/references/schema", "app")));
}

TEST_CASE("refuses an index or unique named like a table of its schema", "[model][load]") {
  CHECK(error_of(with(rich(), "/tables/1/indexes/0/name", "parent")) ==
        "model.json: tables[1].indexes[0].name: index name \"parent\" is already used in schema "
        "public by the table at tables[0]");
  CHECK(error_of(with(rich(), "/tables/1/uniques/0/name", "t")) ==
        "model.json: tables[1].uniques[0].name: unique constraint name \"t\" is already used in "
        "schema public by the table at tables[1]");
  json later_table = with(rich(), "/tables/0/indexes", {{{"name", "t"}, {"columns", {"id"}}}});
  CHECK(error_of(later_table) ==
        "model.json: tables[1].name: table name \"t\" is already used in schema public by the "
        "index at tables[0].indexes[0]");
  // PostgreSQL keeps foreign key and check names apart from tables.
  CHECK_NOTHROW(load(with(rich(), "/tables/1/checks/0/name", "parent")));
}

TEST_CASE("refuses a table named like an enum of its schema", "[model][load]") {
  CHECK(error_of(with(rich(), "/tables/0/name", "mood")) ==
        "model.json: tables[0].name: table name \"mood\" is already used in schema public by the "
        "enum at enums[0] (every table has a type of its name)");
}

TEST_CASE("primary key on columns and on the table are one thing", "[model][load]") {
  json both = with(rich(), "/tables/1/primary_key", {"id"});
  CHECK(load(both).tables[1].constraints[0].columns == std::vector<std::string>{"id"});

  json two = table_of({{{"name", "a"}, {"type", "integer"}, {"primary_key", true}},
                       {{"name", "b"}, {"type", "integer"}, {"primary_key", true}}});
  CHECK(load(two).tables[0].constraints[0].columns == std::vector<std::string>{"a", "b"});
  // Same set: the list gives the order.
  auto reordered = load(with(two, "/tables/0/primary_key", {"b", "a"}));
  CHECK(reordered.tables[0].constraints[0].columns == std::vector<std::string>{"b", "a"});
  CHECK(reordered.tables[0].constraints[0].path == "tables[0].primary_key");
  CHECK(error_of(with(two, "/tables/0/primary_key", {"a"})) ==
        "model.json: tables[0].primary_key: lists a, but the columns marked \"primary_key\" are "
        "a, b");
  CHECK(error_of(with(rich(), "/tables/1/primary_key", {"id", "nope"})) ==
        "model.json: tables[1].primary_key[1]: column \"nope\" does not exist in table public.t");
  CHECK(error_of(with(rich(), "/tables/1/primary_key", {"id", "id"})) ==
        "model.json: tables[1].primary_key[1]: duplicate column \"id\" (first at "
        "tables[1].primary_key[0])");
}

TEST_CASE("a sequence gets PostgreSQL's defaults for what it leaves out", "[model][load]") {
  json model = table_of({{{"name", "id"}, {"type", "bigint"}}});
  model["sequences"] = {{{"name", "up"}},
                        {{"name", "down"}, {"type", "int4"}, {"increment", -2}},
                        {{"name", "owned"},
                         {"schema", "public"},
                         {"start", 100},
                         {"min", 10},
                         {"max", 1000},
                         {"cache", 20},
                         {"cycle", true},
                         {"owned_by", {{"table", "t"}, {"column", "id"}}}}};
  auto db = load(model);
  REQUIRE(db.sequences.size() == 3);
  const auto& up = db.sequences[0];
  CHECK(up.name.display() == "public.up");
  CHECK(up.type == "bigint");
  CHECK((up.start == 1 && up.increment == 1 && up.min == 1 && up.cache == 1 && !up.cycle));
  CHECK(up.max == 9223372036854775807LL);
  const auto& down = db.sequences[1];
  CHECK(down.type == "integer");
  CHECK((down.min == -2147483648LL && down.max == -1 && down.start == -1));
  const auto& owned = db.sequences[2];
  CHECK((owned.start == 100 && owned.min == 10 && owned.max == 1000 && owned.cache == 20));
  CHECK(owned.cycle);
  CHECK((owned.owned_table == "t" && owned.owned_column == "id"));
  // Models without sequences keep their fingerprint; the numbers count.
  CHECK(db.fingerprint != load(without(model, "", "sequences")).fingerprint);
  CHECK(load(with(model, "/sequences/0/start", 2)).fingerprint != db.fingerprint);
  // Spelled-out defaults are the same model.
  CHECK(load(with(model, "/sequences/0/increment", 1)).fingerprint == db.fingerprint);

  CHECK(error_of(with(model, "/sequences/0/increment", 0)) ==
        "model.json: sequences[0].increment: INCREMENT must not be zero");
  CHECK(error_of(with(model, "/sequences/0/type", "text")) ==
        "model.json: sequences[0].type: must be \"smallint\", \"integer\" or \"bigint\", not "
        "\"text\"");
  CHECK(error_of(with(model, "/sequences/1/min", -3000000000LL)) ==
        "model.json: sequences[1].min: -3000000000 is out of range for the sequence's type "
        "integer (-2147483648 to 2147483647)");
  CHECK(error_of(with(model, "/sequences/2/start", 5)) ==
        "model.json: sequences[2].start: START 5 must be from min (10) to max (1000)");
  CHECK(error_of(with(model, "/sequences/2/max", 10)) ==
        "model.json: sequences[2]: min (10) must be less than max (10)");
  CHECK(error_of(with(model, "/sequences/2/cache", 0)) ==
        "model.json: sequences[2].cache: CACHE must be at least 1");
  CHECK(error_of(with(model, "/sequences/0/start", 1.5)) ==
        "model.json: sequences[0].start: must be an integer from -9223372036854775808 to "
        "9223372036854775807, not 1.5");
  CHECK(error_of(with(model, "/sequences/2/owned_by/table", "nope")) ==
        "model.json: sequences[2].owned_by.table: table public.nope is not in the model (a "
        "sequence is owned by a column of its own schema)");
  CHECK(error_of(with(model, "/sequences/2/owned_by/column", "nope")) ==
        "model.json: sequences[2].owned_by.column: column \"nope\" does not exist in table "
        "public.t");
  CHECK(error_of(with(model, "/sequences/1/name", "t")) ==
        "model.json: tables[0].name: table name \"t\" is already used in schema public by the "
        "sequence at sequences[1]");
  CHECK(error_of(with(model, "/sequences/1/name", "up")) ==
        "model.json: sequences[1].name: sequence name \"up\" is already used in schema public "
        "by the sequence at sequences[0]");
}

TEST_CASE("a generated column has an expression and nothing that would fill it otherwise",
          "[model][load]") {
  json model = table_of({{{"name", "a"}, {"type", "integer"}},
                         {{"name", "b"}, {"type", "integer"}, {"generated", "a * 2"}}});
  auto db = load(model);
  CHECK(db.tables[0].columns[1].generated == "a * 2");
  CHECK(db.tables[0].columns[0].generated.empty());
  // A model without generated columns keeps its fingerprint; one with them
  // differs by them.
  CHECK(db.fingerprint != load(without(model, "/tables/0/columns/1", "generated")).fingerprint);
  CHECK(load(with(model, "/tables/0/columns/1/generated", "a * 3")).fingerprint != db.fingerprint);

  CHECK(error_of(with(model, "/tables/0/columns/1/generated", "")) ==
        "model.json: tables[0].columns[1].generated: must be a non-empty string, not \"\"");
  CHECK(error_of(with(model, "/tables/0/columns/1/default", 1)) ==
        "model.json: tables[0].columns[1].generated: a generated column cannot have a default");
  CHECK(error_of(with(model, "/tables/0/columns/1/identity", "always")) ==
        "model.json: tables[0].columns[1].generated: a generated column cannot be an identity "
        "column");
  CHECK(error_of(with(model, "/tables/0/columns/1/type", "serial")) ==
        "model.json: tables[0].columns[1].generated: a generated column cannot be serial");
}

TEST_CASE("a named primary key is the object form of the table's primary_key", "[model][load]") {
  json two = table_of({{{"name", "a"}, {"type", "integer"}}, {{"name", "b"}, {"type", "integer"}}});
  auto named = load(
      with(two, "/tables/0/primary_key", {{"name", "accounts_pkey"}, {"columns", {"b", "a"}}}));
  const auto& pk = named.tables[0].constraints[0];
  CHECK(pk.kind == schema::ConstraintKind::primary_key);
  CHECK(pk.name == "accounts_pkey");
  CHECK(pk.columns == std::vector<std::string>{"b", "a"});
  CHECK(pk.path == "tables[0].primary_key");
  CHECK_FALSE(named.tables[0].columns[0].nullable);

  // "columns" may be left to the columns marked "primary_key".
  auto marked = load(with(rich(), "/tables/1/primary_key", {{"name", "pk_t"}}));
  CHECK(marked.tables[1].constraints[0].name == "pk_t");
  CHECK(marked.tables[1].constraints[0].columns == std::vector<std::string>{"id"});
  // The name is part of what the model declares.
  CHECK(marked.fingerprint != load(rich()).fingerprint);

  CHECK(error_of(with(two, "/tables/0/primary_key", {{"name", "k"}})) ==
        "model.json: tables[0].primary_key: names no columns: list them in \"columns\", or mark "
        "them \"primary_key\"");
  CHECK(error_of(with(rich(), "/tables/1/primary_key", {{"name", "k"}, {"columns", {"a"}}})) ==
        "model.json: tables[1].primary_key.columns: lists a, but the columns marked "
        "\"primary_key\" are id");
  CHECK(error_of(with(two, "/tables/0/primary_key", {{"columns", {"a"}}})) ==
        "model.json: tables[0].primary_key: missing required key \"name\"");
  CHECK(error_of(with(two, "/tables/0/primary_key", {{"name", "k"}, {"column", {"a"}}})) ==
        "model.json: tables[0].primary_key: unknown key \"column\"");
  CHECK(error_of(with(two, "/tables/0/primary_key", {{"name", ""}, {"columns", {"a"}}})) ==
        "model.json: tables[0].primary_key.name: must not be empty");
}

TEST_CASE("a primary key's name is a relation name: no table, index or constraint may share it",
          "[model][load]") {
  CHECK(error_of(with(rich(), "/tables/1/primary_key", {{"name", "ix_t_a"}})) ==
        "model.json: tables[1].indexes[0].name: index name \"ix_t_a\" is already used in schema "
        "public by the primary key at tables[1].primary_key");
  CHECK(error_of(with(rich(), "/tables/1/primary_key", {{"name", "parent"}})) ==
        "model.json: tables[1].primary_key.name: primary key name \"parent\" is already used in "
        "schema public by the table at tables[0]");
  CHECK(error_of(with(rich(), "/tables/1/primary_key", {{"name", "ck_t_a"}})) ==
        "model.json: tables[1].checks[0].name: check constraint name \"ck_t_a\" is already "
        "used in schema public by the primary key at tables[1].primary_key");
}

TEST_CASE("primary-key columns are NOT NULL and cannot be declared nullable", "[model][load]") {
  json table_level =
      table_of({{{"name", "a"}, {"type", "integer"}}, {{"name", "b"}, {"type", "text"}}});
  table_level["tables"][0]["primary_key"] = {"a"};
  auto db = load(table_level);
  CHECK_FALSE(db.tables[0].columns[0].nullable);
  CHECK(db.tables[0].columns[1].nullable);
  CHECK(error_of(with(rich(), "/tables/1/columns/0/nullable", true)) ==
        "model.json: tables[1].columns[0].nullable: a primary-key column cannot be nullable");
  CHECK(error_of(with(table_level, "/tables/0/columns/0/nullable", true)) ==
        "model.json: tables[0].columns[0].nullable: a primary-key column cannot be nullable");
  CHECK_NOTHROW(load(with(rich(), "/tables/1/columns/0/nullable", false)));
}

TEST_CASE("identity columns are integer, NOT NULL and without default", "[model][load]") {
  json identity = table_of({{{"name", "id"}, {"type", "bigint"}, {"identity", "by default"}}});
  auto db = load(identity);
  CHECK(db.tables[0].columns[0].identity == schema::Identity::by_default);
  CHECK_FALSE(db.tables[0].columns[0].nullable);
  CHECK(error_of(with(identity, "/tables/0/columns/0/type", "text")) ==
        "model.json: tables[0].columns[0].identity: an identity column must be smallint, integer "
        "or bigint, not text");
  CHECK(error_of(with(identity, "/tables/0/columns/0/type", "serial")) ==
        "model.json: tables[0].columns[0].identity: an identity column must be smallint, integer "
        "or bigint, not serial");
  CHECK(error_of(with(identity, "/tables/0/columns/0/default", 1)) ==
        "model.json: tables[0].columns[0].default: an identity column cannot have a default");
  CHECK_NOTHROW(load(with(identity, "/tables/0/columns/0/default", nullptr)));
  CHECK(error_of(with(identity, "/tables/0/columns/0/nullable", true)) ==
        "model.json: tables[0].columns[0].nullable: an identity column is always NOT NULL");
  CHECK(error_of(with(identity, "/tables/0/columns/0/identity", "sometimes")) ==
        "model.json: tables[0].columns[0].identity: must be \"always\" or \"by default\", not "
        "\"sometimes\"");
}

TEST_CASE("serial columns are their integer type, NOT NULL, without default", "[model][load]") {
  json serial = table_of({{{"name", "id"}, {"type", "bigserial"}}});
  auto db = load(serial);
  const schema::Column& column = db.tables[0].columns[0];
  CHECK(column.type.display() == "bigint");
  CHECK(column.serial);
  CHECK_FALSE(column.nullable);
  CHECK(column.def.empty());
  CHECK(error_of(with(serial, "/tables/0/columns/0/default", 1)) ==
        "model.json: tables[0].columns[0].default: a serial column cannot have a default (its "
        "sequence supplies it)");
  CHECK(error_of(with(serial, "/tables/0/columns/0/nullable", true)) ==
        "model.json: tables[0].columns[0].nullable: a serial column is always NOT NULL");
}

TEST_CASE("columns are nullable unless said otherwise", "[model][load]") {
  auto db = load(rich());
  CHECK(db.tables[1].columns[1].nullable);
  CHECK_FALSE(
      load(with(rich(), "/tables/1/columns/1/nullable", false)).tables[1].columns[1].nullable);
}

TEST_CASE("column types are resolved and bad ones named at .type", "[model][load]") {
  CHECK(error_of(with(rich(), "/tables/1/columns/1/type", "varchar(0)")) ==
        "model.json: tables[1].columns[1].type: invalid type \"varchar(0)\": length for type "
        "varchar must be at least 1");
  CHECK(error_of(with(rich(), "/tables/1/columns/1/type", "vector(3)")) ==
        "model.json: tables[1].columns[1].type: unknown type \"vector(3)\" (declare the extension "
        "that provides it, or an enum)");
  json extensions =
      with(with(rich(), "/tables/1/columns/1/type", "vector(3)"), "/extensions", {"vector"});
  auto db = load(extensions);
  CHECK(db.tables[1].columns[1].type == schema::Type{"", "vector", "(3)", false, false});
  CHECK(db.tables[1].columns[3].type == schema::Type{"public", "mood", "", false, true});
}

TEST_CASE("enums resolve in the table's schema before the default schema", "[model][load]") {
  json model = rich();
  model["enums"].push_back({{"name", "mood"}, {"schema", "app"}, {"values", {"calm"}}});
  model["tables"][1]["schema"] = "app";
  model["tables"][1]["columns"][3]["default"] = "calm";
  auto db = load(model);
  CHECK(db.tables[1].columns[3].type == schema::Type{"app", "mood", "", false, true});
  CHECK(db.schemas == std::vector<std::string>{"app", "public"});
}

TEST_CASE("schemas lists the default schema, tables' and enums', sorted", "[model][load]") {
  json model = rich();
  model["schema"] = "main";
  model["enums"][0]["schema"] = "types";
  model["tables"][0]["schema"] = "audit";
  model["tables"][1]["columns"][3]["type"] = "types.mood";
  model["tables"][1]["foreign_keys"][0]["references"]["schema"] = "audit";
  model["tables"][1]["foreign_keys"].push_back(
      {{"columns", {"parent_id"}},
       {"references",
        {{"table", "elsewhere"}, {"schema", "outside"}, {"columns", {"id"}}, {"external", true}}}});
  auto db = load(model);
  CHECK(db.default_schema == "main");
  CHECK(db.tables[1].name.schema == "main");
  CHECK(db.schemas == std::vector<std::string>{"audit", "main", "types"});
}

TEST_CASE("extensions are sorted, an empty list declares none", "[model][load]") {
  CHECK(load(with(rich(), "/extensions", {"pg_trgm", "citext"})).extensions ==
        std::vector<std::string>{"citext", "pg_trgm"});
  CHECK(load(with(rich(), "/extensions", json::array())).extensions.empty());
}

TEST_CASE("keys, indexes and foreign keys name columns that exist", "[model][load]") {
  CHECK(error_of(with(rich(), "/tables/1/uniques/0/columns/0", "nope")) ==
        "model.json: tables[1].uniques[0].columns[0]: column \"nope\" does not exist in table "
        "public.t");
  CHECK(error_of(with(rich(), "/tables/1/indexes/0/columns/0", "nope")) ==
        "model.json: tables[1].indexes[0].columns[0]: column \"nope\" does not exist in table "
        "public.t");
  CHECK(error_of(with(rich(), "/tables/1/indexes/0/columns/0/column", "nope")) ==
        "model.json: tables[1].indexes[0].columns[0].column: column \"nope\" does not exist in "
        "table public.t");
  CHECK(error_of(with(rich(), "/tables/1/indexes/0/include", {"id", "nope"})) ==
        "model.json: tables[1].indexes[0].include[1]: column \"nope\" does not exist in table "
        "public.t");
  CHECK(error_of(with(rich(), "/tables/1/foreign_keys/0/columns/0", "nope")) ==
        "model.json: tables[1].foreign_keys[0].columns[0]: column \"nope\" does not exist in table "
        "public.t");
  CHECK(error_of(with(rich(), "/tables/1/uniques/0/columns", {"a", "a"})) ==
        "model.json: tables[1].uniques[0].columns[1]: duplicate column \"a\" (first at "
        "tables[1].uniques[0].columns[0])");
}

TEST_CASE("unique: true on a column is a one-column unnamed unique", "[model][load]") {
  auto db = load(with(rich(), "/tables/1/columns/2/unique", true));
  const auto& constraints = db.tables[1].constraints;
  REQUIRE(constraints.size() == 5);
  CHECK(constraints[1].kind == schema::ConstraintKind::unique);
  CHECK(constraints[1].name.empty());
  CHECK(constraints[1].columns == std::vector<std::string>{"parent_id"});
  CHECK(constraints[1].path == "tables[1].columns[2]");
  CHECK(constraints[2].name == "uq_t_a");
}

TEST_CASE("constraints are primary key, uniques, foreign keys, checks, with paths",
          "[model][load]") {
  auto db = load(rich());
  const auto& c = db.tables[1].constraints;
  REQUIRE(c.size() == 4);
  CHECK(c[0].kind == schema::ConstraintKind::primary_key);
  CHECK(c[0].name.empty());
  CHECK(c[0].path == "tables[1].columns[0]");
  CHECK(c[1].kind == schema::ConstraintKind::unique);
  CHECK(c[1].path == "tables[1].uniques[0]");
  CHECK(c[2].kind == schema::ConstraintKind::foreign_key);
  CHECK(c[2].path == "tables[1].foreign_keys[0]");
  CHECK(c[2].ref_columns == std::vector<std::string>{"id"});
  CHECK_FALSE(c[2].external);
  CHECK(c[3].kind == schema::ConstraintKind::check);
  CHECK(c[3].name == "ck_t_a");
  CHECK(c[3].path == "tables[1].checks[0]");
  CHECK(db.tables[0].constraints.size() == 1);
  CHECK(db.tables[1].indexes[0].keys[0].column == "a");
}

TEST_CASE("a foreign key targets a table of the model unless external", "[model][load]") {
  CHECK(error_of(with(rich(), "/tables/1/foreign_keys/0/references/table", "nope")) ==
        "model.json: tables[1].foreign_keys[0].references.table: table public.nope is not in the "
        "model (declare it, or set \"external\": true)");
  json external = with(with(rich(), "/tables/1/foreign_keys/0/references/table", "nope"),
                       "/tables/1/foreign_keys/0/references/external", true);
  auto db = load(external);
  CHECK(db.tables[1].constraints[2].external);
  CHECK(db.tables[1].constraints[2].ref_table.display() == "public.nope");
  CHECK(load(with(external, "/tables/1/foreign_keys/0/references/schema", "billing"))
            .tables[1]
            .constraints[2]
            .ref_table.display() == "billing.nope");
  CHECK(error_of(with(rich(), "/tables/1/foreign_keys/0/references/schema", "app")) ==
        "model.json: tables[1].foreign_keys[0].references.table: table app.parent is not in the "
        "model (declare it, or set \"external\": true)");
}

TEST_CASE("a foreign key references the target's primary key or a unique key", "[model][load]") {
  json model = rich();
  model["tables"][0]["columns"].push_back({{"name", "code"}, {"type", "text"}});
  model["tables"][0]["columns"].push_back({{"name", "region"}, {"type", "text"}});
  auto references = [&](json columns, json fk_columns) {
    json m = model;
    m["tables"][1]["columns"].push_back({{"name", "c1"}, {"type", "text"}});
    m["tables"][1]["foreign_keys"][0]["columns"] = std::move(fk_columns);
    m["tables"][1]["foreign_keys"][0]["references"]["columns"] = std::move(columns);
    return m;
  };
  CHECK(error_of(references({"code"}, {"a"})) ==
        "model.json: tables[1].foreign_keys[0].references.columns: (code) is neither the primary "
        "key nor a unique key of public.parent");
  CHECK(error_of(references({"nope"}, {"a"})) ==
        "model.json: tables[1].foreign_keys[0].references.columns[0]: column \"nope\" does not "
        "exist in table public.parent");
  CHECK(error_of(references({"id", "code"}, {"parent_id"})) ==
        "model.json: tables[1].foreign_keys[0].references.columns: names 2 columns, but the "
        "foreign key has 1");

  json unique_column = references({"code"}, {"a"});
  unique_column["tables"][0]["columns"][1]["unique"] = true;
  CHECK_NOTHROW(load(unique_column));

  json unique_pair = references({"region", "code"}, {"a", "c1"});
  unique_pair["tables"][0]["uniques"] = {{{"columns", {"code", "region"}}}};
  CHECK_NOTHROW(load(unique_pair));  // order-insensitive

  json unique_index = references({"code"}, {"a"});
  unique_index["tables"][0]["indexes"] = {{{"columns", {"code"}}, {"unique", true}}};
  CHECK_NOTHROW(load(unique_index));
  unique_index["tables"][0]["indexes"][0]["where"] = "code IS NOT NULL";
  CHECK_THAT(error_of(unique_index),
             Catch::Contains("is neither the primary key nor a unique key"));

  json self = rich();
  self["tables"][1]["foreign_keys"][0]["references"] = {{"table", "t"}, {"columns", {"id"}}};
  CHECK_NOTHROW(load(self));
}

TEST_CASE("referential actions are the five of PostgreSQL", "[model][load]") {
  const std::vector<std::pair<std::string, schema::ReferentialAction>> actions = {
      {"no action", schema::ReferentialAction::no_action},
      {"restrict", schema::ReferentialAction::restrict},
      {"cascade", schema::ReferentialAction::cascade},
      {"set null", schema::ReferentialAction::set_null},
      {"set default", schema::ReferentialAction::set_default}};
  for (const auto& [text, action] : actions) {
    auto db = load(with(with(rich(), "/tables/1/foreign_keys/0/on_delete", text),
                        "/tables/1/foreign_keys/0/on_update", text));
    CHECK(db.tables[1].constraints[2].on_delete == action);
    CHECK(db.tables[1].constraints[2].on_update == action);
  }
  CHECK(error_of(with(rich(), "/tables/1/foreign_keys/0/on_delete", "CASCADE")) ==
        "model.json: tables[1].foreign_keys[0].on_delete: must be one of \"no action\", "
        "\"restrict\", \"cascade\", \"set null\", \"set default\", not \"CASCADE\"");
}

TEST_CASE("indexes read every key form and option", "[model][load]") {
  json model = rich();
  model["tables"][1]["indexes"] = {
      {{"columns",
        {"a",
         {{"column", "id"}, {"opclass", "int4_ops"}, {"order", "desc"}, {"nulls", "first"}},
         {{"expression", "lower(a)"}, {"order", "asc"}, {"nulls", "last"}}}},
       {"unique", true},
       {"where", "a IS NOT NULL"},
       {"include", {"parent_id"}}},
      {{"name", "ix_gin"}, {"columns", {"a"}}, {"method", "gin"}}};
  auto db = load(model);
  const schema::Index& index = db.tables[1].indexes[0];
  CHECK(index.name.empty());
  CHECK(index.method == "btree");
  CHECK(index.unique);
  CHECK(index.where == "a IS NOT NULL");
  CHECK(index.include == std::vector<std::string>{"parent_id"});
  REQUIRE(index.keys.size() == 3);
  CHECK(index.keys[0] == schema::IndexKey{"a", "", "", schema::SortOrder::unspecified,
                                          schema::NullsOrder::unspecified, ""});
  CHECK(index.keys[1] == schema::IndexKey{"id", "", "int4_ops", schema::SortOrder::desc,
                                          schema::NullsOrder::first, ""});
  CHECK(index.keys[2] ==
        schema::IndexKey{"", "lower(a)", "", schema::SortOrder::asc, schema::NullsOrder::last, ""});
  CHECK(db.tables[1].indexes[1].method == "gin");
  CHECK(db.tables[1].indexes[1].path == "tables[1].indexes[1]");
}

TEST_CASE("index options PostgreSQL refuses are refused", "[model][load]") {
  CHECK(error_of(with(rich(), "/tables/1/indexes/0/method", "rtree")) ==
        "model.json: tables[1].indexes[0].method: must be one of btree, hash, gin, gist, brin, "
        "spgist, not \"rtree\"");
  json gin = with(rich(), "/tables/1/indexes/0/method", "gin");
  CHECK(error_of(with(gin, "/tables/1/indexes/0/unique", true)) ==
        "model.json: tables[1].indexes[0].unique: access method \"gin\" does not support unique "
        "indexes");
  CHECK(error_of(with(gin, "/tables/1/indexes/0/include", {"id"})) ==
        "model.json: tables[1].indexes[0].include: access method \"gin\" does not support "
        "included columns");
  CHECK_NOTHROW(load(with(with(rich(), "/tables/1/indexes/0/method", "gist"),
                          "/tables/1/indexes/0/include", {"id"})));
  CHECK(error_of(with(gin, "/tables/1/indexes/0/columns/0/order", "desc")) ==
        "model.json: tables[1].indexes[0].columns[0].order: access method \"gin\" does not "
        "support ASC/DESC/NULLS options");
  CHECK(error_of(with(rich(), "/tables/1/indexes/0/columns/0/order", "DESC")) ==
        "model.json: tables[1].indexes[0].columns[0].order: must be \"asc\" or \"desc\", not "
        "\"DESC\"");
  CHECK(error_of(with(rich(), "/tables/1/indexes/0/columns/0/nulls", "middle")) ==
        "model.json: tables[1].indexes[0].columns[0].nulls: must be \"first\" or \"last\", not "
        "\"middle\"");
  CHECK(error_of(with(rich(), "/tables/1/indexes/0/columns/0/expression", "lower(a)")) ==
        "model.json: tables[1].indexes[0].columns[0]: must have exactly one of \"column\" and "
        "\"expression\"");
  CHECK(error_of(with(rich(), "/tables/1/indexes/0/columns/0", {{"opclass", "x"}})) ==
        "model.json: tables[1].indexes[0].columns[0]: must have exactly one of \"column\" and "
        "\"expression\"");
  CHECK(error_of(with(rich(), "/tables/1/indexes/0/columns/0", 7)) ==
        "model.json: tables[1].indexes[0].columns[0]: must be a column name or an object with "
        "\"column\" or \"expression\", not 7");
}

TEST_CASE("comments are kept on tables and columns", "[model][load]") {
  auto db = load(
      with(with(rich(), "/tables/1/comment", "the t"), "/tables/1/columns/1/comment", "the a"));
  CHECK(db.tables[1].comment == std::optional<std::string>("the t"));
  CHECK(db.tables[1].columns[1].comment == std::optional<std::string>("the a"));
  CHECK_FALSE(db.tables[0].comment);
}

namespace {

// A model with a table "t" (columns id, body, updated_at), a trigger
// function, a trigger on "t" and a policy on it, for the tests of functions,
// triggers and policies to change one thing of.
json with_objects() {
  return json::parse(R"({
    "version": 1,
    "functions": [
      {"name": "touch",
       "sql": "CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"}],
    "tables": [
      {"name": "t",
       "columns": [
         {"name": "id", "type": "integer", "primary_key": true},
         {"name": "body", "type": "text"},
         {"name": "updated_at", "type": "timestamptz"}],
       "triggers": [
         {"name": "t_touch", "timing": "before", "events": ["update"], "function": "touch"}],
       "policies": [{"name": "p", "using": "true"}],
       "row_level_security": "enabled"}
    ]})");
}

}  // namespace

TEST_CASE("functions, triggers and policies are read with their defaults", "[model][load]") {
  json model = with_objects();
  model["functions"].push_back({{"name", "add"},
                                {"arguments", {"int4", "varchar", "mood", "int8[]"}},
                                {"sql",
                                 "CREATE FUNCTION add() RETURNS integer LANGUAGE sql AS "
                                 "'SELECT 1'"}});
  model["enums"] = {{{"name", "mood"}, {"values", {"happy"}}}};
  const auto db = load(model);
  REQUIRE(db.functions.size() == 2);
  CHECK(db.functions[0].name.display() == "public.touch");
  CHECK(db.functions[0].arguments.empty());
  CHECK(db.functions[0].signature() == "public.touch()");
  CHECK(db.functions[0].path == "functions[0]");
  // Argument types are canonical: "int4" is "integer", as format_type prints it.
  CHECK(db.functions[1].arguments ==
        std::vector<std::string>{"integer", "character varying", "public.mood", "bigint[]"});
  CHECK(db.functions[1].signature() ==
        "public.add(integer, character varying, public.mood, bigint[])");

  const auto& table = db.tables[0];
  REQUIRE(table.triggers.size() == 1);
  const auto& trigger = table.triggers[0];
  CHECK(trigger.timing == schema::Trigger::Timing::before);
  CHECK(trigger.events == schema::Trigger::kUpdate);
  CHECK(trigger.for_each_row);
  CHECK(trigger.function.display() == "public.touch");
  CHECK(trigger.when.empty());
  CHECK(trigger.path == "tables[0].triggers[0]");
  REQUIRE(table.policies.size() == 1);
  const auto& policy = table.policies[0];
  CHECK(policy.command == "all");
  CHECK(policy.permissive);
  CHECK(policy.roles == std::vector<std::string>{"public"});
  CHECK(policy.using_expr == "true");
  CHECK(policy.check_expr.empty());
  CHECK(table.row_security);
  CHECK_FALSE(table.force_row_security);
  CHECK(load(with(model, "/tables/0/row_level_security", "forced")).tables[0].force_row_security);

  // One signature, however its argument types are spelled; roles sorted.
  const auto same = load(
      with(model, "/functions/1/arguments", {"integer", "character varying", "mood", "bigint[]"}));
  CHECK(same.functions[1].arguments == db.functions[1].arguments);
  const auto roles = load(with(model, "/tables/0/policies/0/roles", {"writer", "reader"}));
  CHECK(roles.tables[0].policies[0].roles == std::vector<std::string>{"reader", "writer"});
  // The trigger function in another schema, by object.
  const auto elsewhere =
      load(with(model, "/tables/0/triggers/0/function", {{"schema", "util"}, {"name", "touch"}}));
  CHECK(elsewhere.tables[0].triggers[0].function.display() == "util.touch");
}

TEST_CASE("trigger errors name the trigger's path", "[model][load]") {
  const json model = with_objects();
  const std::string at = "model.json: tables[0].triggers[0].";
  CHECK(error_of(with(model, "/tables/0/triggers/0/events", {"insert", "upsert"})) ==
        at + "events[1]: must be \"insert\", \"update\", \"delete\" or \"truncate\", not "
             "\"upsert\"");
  CHECK(error_of(with(model, "/tables/0/triggers/0/events", json::array())) ==
        at + "events: must be a non-empty array of events, not an empty array");
  CHECK(error_of(with(model, "/tables/0/triggers/0/events", {"update", "update"})) ==
        at + "events[1]: duplicate event \"update\"");
  CHECK(error_of(with(model, "/tables/0/triggers/0/timing", "instead of")) ==
        at + "timing: INSTEAD OF triggers are for views, and public.t is a table");
  CHECK(error_of(with(model, "/tables/0/triggers/0/timing", "during")) ==
        at + "timing: must be \"before\" or \"after\", not \"during\"");
  // TRUNCATE fires for each statement; FOR EACH ROW is the default.
  CHECK(error_of(with(model, "/tables/0/triggers/0/events", {"truncate"})) ==
        at + "events: TRUNCATE triggers fire for each statement: add \"for_each\": \"statement\"");
  CHECK(error_of(with(with(model, "/tables/0/triggers/0/events", {"truncate"}),
                      "/tables/0/triggers/0/for_each", "row")) ==
        at + "events: TRUNCATE triggers fire for each statement: add \"for_each\": \"statement\"");
  CHECK(error_of(with(with(model, "/tables/0/triggers/0/events", {"truncate"}),
                      "/tables/0/triggers/0/for_each", "statement")) == "<loaded>");
  CHECK(error_of(with(model, "/tables/0/triggers/0/for_each", "table")) ==
        at + "for_each: must be \"row\" or \"statement\", not \"table\"");
  CHECK(error_of(with(with(model, "/tables/0/triggers/0/events", {"insert"}),
                      "/tables/0/triggers/0/columns", {"body"})) ==
        at + "columns: UPDATE OF columns need the \"update\" event");
  CHECK(error_of(with(model, "/tables/0/triggers/0/columns", {"body", "nope"})) ==
        at + "columns[1]: column \"nope\" does not exist in table public.t");
  CHECK(error_of(with(model, "/tables/0/triggers/0/columns", {"body"})) == "<loaded>");
  CHECK(error_of(with(model, "/tables/0/triggers/0/bogus", 1)) ==
        "model.json: tables[0].triggers[0]: unknown key \"bogus\"");

  json twice = model;
  twice["tables"][0]["triggers"].push_back(model["tables"][0]["triggers"][0]);
  CHECK(error_of(twice) ==
        "model.json: tables[0].triggers[1].name: duplicate trigger \"t_touch\" (first at "
        "tables[0].triggers[0])");
}

TEST_CASE("policy errors name the policy's path", "[model][load]") {
  const json model = with_objects();
  const std::string at = "model.json: tables[0].policies[0]";
  CHECK(error_of(with(model, "/tables/0/policies/0/command", "insert")) ==
        at + ".using: an INSERT policy has only a WITH CHECK expression (\"with_check\")");
  CHECK(error_of(with(with(model, "/tables/0/policies/0/command", "insert"), "/tables/0/policies/0",
                      {{"name", "p"}, {"command", "insert"}, {"with_check", "true"}})) ==
        "<loaded>");
  CHECK(error_of(with(with(model, "/tables/0/policies/0/command", "select"),
                      "/tables/0/policies/0/with_check", "true")) ==
        at + ".with_check: a SELECT policy has only a USING expression (\"using\")");
  CHECK(error_of(with(with(model, "/tables/0/policies/0/command", "delete"),
                      "/tables/0/policies/0/with_check", "true")) ==
        at + ".with_check: a DELETE policy has only a USING expression (\"using\")");
  CHECK(error_of(with(model, "/tables/0/policies/0", {{"name", "p"}, {"command", "update"}})) ==
        at + ": a policy needs \"using\" or \"with_check\"");
  CHECK(error_of(with(model, "/tables/0/policies/0/roles", {"reader", "public"})) ==
        at + ".roles: \"public\" is every role: name it alone");
  CHECK(error_of(with(model, "/tables/0/policies/0/roles", {"public"})) == "<loaded>");
  CHECK(error_of(with(model, "/tables/0/policies/0/command", "upsert")) ==
        at + ".command: must be \"all\", \"select\", \"insert\", \"update\" or \"delete\", not "
             "\"upsert\"");
  CHECK(error_of(with(model, "/tables/0/policies/0/as", "strict")) ==
        at + ".as: must be \"permissive\" or \"restrictive\", not \"strict\"");
  CHECK(error_of(with(model, "/tables/0/policies/0/using", "")) ==
        at + ".using: must be a non-empty string, not \"\"");

  json twice = model;
  twice["tables"][0]["policies"].push_back(model["tables"][0]["policies"][0]);
  CHECK(error_of(twice) ==
        "model.json: tables[0].policies[1].name: duplicate policy \"p\" (first at "
        "tables[0].policies[0])");
}

TEST_CASE("row_level_security is \"enabled\" or \"forced\"", "[model][load]") {
  const json model = with_objects();
  CHECK(error_of(with(model, "/tables/0/row_level_security", "on")) ==
        "model.json: tables[0].row_level_security: must be \"enabled\" or \"forced\", not \"on\"");
  CHECK(error_of(with(model, "/tables/0/row_level_security", true)) ==
        "model.json: tables[0].row_level_security: must be a string, not true");
  CHECK_FALSE(load(without(model, "/tables/0", "row_level_security")).tables[0].row_security);
}

TEST_CASE("function errors name the function's path", "[model][load]") {
  json model = with_objects();
  model["functions"].push_back({{"name", "add"},
                                {"arguments", {"integer"}},
                                {"sql",
                                 "CREATE FUNCTION add(integer) RETURNS integer LANGUAGE "
                                 "sql AS 'SELECT $1'"}});
  CHECK(error_of(model) == "<loaded>");
  // One signature twice, however spelled: int4 is integer.
  json twice = model;
  twice["functions"].push_back(with(model["functions"][1], "/arguments", {"int4"}));
  CHECK(error_of(twice) ==
        "model.json: functions[2]: duplicate function public.add(integer) (first at "
        "functions[1]); functions of one name need other argument types");
  // Another argument type is another function.
  twice["functions"][2]["arguments"] = {"bigint"};
  CHECK(error_of(twice) == "<loaded>");
  CHECK(error_of(with(model, "/functions/1/arguments", {"integer", "varchar(10)"})) ==
        "model.json: functions[1].arguments[1]: an argument's type carries no modifier "
        "(PostgreSQL ignores it): write \"varchar\"");
  CHECK(error_of(with(model, "/functions/1/sql", "")) ==
        "model.json: functions[1].sql: must be a non-empty string, not \"\"");
  CHECK(error_of(without(model, "/functions/1", "sql")) ==
        "model.json: functions[1]: missing required key \"sql\"");
  CHECK(error_of(with(model, "/functions/1/returns", "integer")) ==
        "model.json: functions[1]: unknown key \"returns\"");
}

TEST_CASE("a bpchar or char argument is format_type's \"character\"", "[model][load]") {
  // format_type(oid, NULL), which the catalog's signatures use, prints
  // bpchar as "character": the model's spellings of that type must read as
  // it, or a function of that argument is never found in the database.
  json model = with_objects();
  model["functions"][0]["arguments"] = {"bpchar", "char", "character", "bpchar[]"};
  const auto db = load(model);
  CHECK(db.functions[0].arguments ==
        std::vector<std::string>{"character", "character", "character", "character[]"});
}
