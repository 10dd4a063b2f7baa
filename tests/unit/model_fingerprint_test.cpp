#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "model/fingerprint.hpp"
#include "model/load.hpp"
#include "schema/json.hpp"
#include "util/sha256.hpp"

using namespace schemad;
using nlohmann::json;

namespace {

const char* const kModel = R"json({
  "version": 1,
  "revision": "r1",
  "extensions": ["pgcrypto"],
  "enums": [{"name": "mood", "values": ["happy", "sad"]}],
  "tables": [
    {"name": "a", "comment": "first",
     "columns": [{"name": "id", "type": "integer", "primary_key": true},
                 {"name": "m", "type": "mood", "default": "sad"},
                 {"name": "n", "type": "numeric(12,2)", "default": 2.25}],
     "indexes": [{"name": "ix_a_m", "columns": ["m"]}]},
    {"name": "b",
     "columns": [{"name": "id", "type": "bigint", "primary_key": true},
                 {"name": "a_id", "type": "integer", "nullable": false}],
     "foreign_keys": [{"columns": ["a_id"], "references": {"table": "a", "columns": ["id"]}}],
     "checks": [{"expression": "id > 0"}]}
  ]
})json";

std::string fingerprint_of_text(const std::string& text) {
  return model::load_text(text, "model.json").fingerprint;
}

std::string fingerprint_of(const json& model) {
  return fingerprint_of_text(model.dump());
}

json base() {
  return json::parse(kModel);
}

}  // namespace

TEST_CASE("the fingerprint is SHA-256 in lower-case hex", "[model][fingerprint]") {
  CHECK(util::sha256_hex("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string fp = fingerprint_of_text(kModel);
  CHECK(fp.size() == 64);
  CHECK(fp.find_first_not_of("0123456789abcdef") == std::string::npos);
  auto db = model::load_text(kModel, "model.json");
  CHECK(fp == model::fingerprint(db));
  // As documented: the hash of to_json's dump, fingerprint cleared (this
  // model's tables and enums are already in name order).
  db.fingerprint.clear();
  CHECK(fp == util::sha256_hex(schema::to_json(db).dump()));
}

TEST_CASE("the fingerprint ignores spelling: key order, whitespace, x- keys, aliases, file name",
          "[model][fingerprint]") {
  const std::string reference = fingerprint_of_text(kModel);
  CHECK(fingerprint_of_text(base().dump(2)) == reference);  // whitespace, and keys re-sorted
  CHECK(model::load_text(kModel, "other.json").fingerprint == reference);

  json annotated = base();
  annotated["x-owner"] = "team";
  annotated["tables"][0]["columns"][0]["x-note"] = {1, 2};
  CHECK(fingerprint_of(annotated) == reference);

  json aliases = base();
  aliases["tables"][0]["columns"][0]["type"] = "INT4";
  aliases["tables"][1]["columns"][0]["type"] = "int8";
  aliases["tables"][0]["columns"][2]["type"] = "decimal( 12, 2 )";
  CHECK(fingerprint_of(aliases) == reference);

  json spelled_out = base();
  spelled_out["schema"] = "public";
  spelled_out["tables"][0]["columns"][1]["nullable"] = true;
  spelled_out["tables"][1]["foreign_keys"][0]["on_delete"] = "no action";
  spelled_out["tables"][0]["indexes"][0]["method"] = "btree";
  spelled_out["tables"][0]["primary_key"] = {"id"};
  spelled_out["tables"][0]["columns"].push_back(
      {{"name", "z"}, {"type", "text"}, {"default", nullptr}});
  json without_default = base();
  without_default["tables"][0]["columns"].push_back({{"name", "z"}, {"type", "text"}});
  CHECK(fingerprint_of(spelled_out) == fingerprint_of(without_default));

  json reordered = base();
  std::swap(reordered["tables"][0], reordered["tables"][1]);
  CHECK(fingerprint_of(reordered) == reference);
}

TEST_CASE("the fingerprint changes with anything the model declares", "[model][fingerprint]") {
  const std::string reference = fingerprint_of_text(kModel);
  const std::vector<std::pair<std::string, json>> changes = {
      {"/revision", "r2"},
      {"/extensions/0", "citext"},
      {"/enums/0/values", {"sad", "happy"}},
      {"/tables/1/name", "b2"},
      {"/tables/0/comment", "changed"},
      {"/tables/0/columns/1/nullable", false},
      {"/tables/0/columns/2/type", "numeric(12,3)"},
      {"/tables/0/columns/2/default", 2.5},
      {"/tables/0/columns/1/default", "happy"},
      {"/tables/0/columns/1/comment", "a comment"},
      {"/tables/0/indexes/0/unique", true},
      {"/tables/0/indexes/0/name", "ix_other"},
      {"/tables/1/foreign_keys/0/on_delete", "cascade"},
      {"/tables/1/checks/0/expression", "id > 1"},
      {"/tables/1/columns/1/unique", true},
      {"/tables/1/schema", "app"},
      {"/schema", "app"},
  };
  for (const auto& [pointer, value] : changes) {
    INFO(pointer << " = " << value.dump());
    json changed = base();
    changed[json::json_pointer(pointer)] = value;
    CHECK(fingerprint_of(changed) != reference);
  }
  // numeric keeps the scale written: 2.250 is stored as 2.250, not 2.25.
  std::string scale = kModel;
  scale.replace(scale.find("2.25"), 4, "2.250");
  CHECK(fingerprint_of_text(scale) != reference);

  json column_order = base();
  std::swap(column_order["tables"][0]["columns"][1], column_order["tables"][0]["columns"][2]);
  CHECK(fingerprint_of(column_order) != reference);
}

TEST_CASE("to_json serialises the whole schema type, without paths", "[model][fingerprint]") {
  auto db = model::load_text(kModel, "model.json");
  json j = schema::to_json(db);
  CHECK(j["default_schema"] == "public");
  CHECK(j["revision"] == "r1");
  CHECK(j["fingerprint"] == db.fingerprint);
  CHECK(j["schemas"] == json({"public"}));
  CHECK(j["enums"][0] ==
        json({{"schema", "public"}, {"name", "mood"}, {"values", {"happy", "sad"}}}));

  const json& a = j["tables"][0];
  CHECK(a["comment"] == "first");
  CHECK(j["tables"][1]["comment"].is_null());
  CHECK(a["columns"][0]["type"] == json({{"schema", ""},
                                         {"name", "integer"},
                                         {"modifier", ""},
                                         {"array", false},
                                         {"resolved", true},
                                         {"display", "integer"}}));
  CHECK(a["columns"][0]["default"].is_null());
  CHECK(a["columns"][0]["identity"].is_null());
  CHECK(a["columns"][1]["default"] == json({{"kind", "literal"},
                                            {"value", "sad"},
                                            {"quoted", true},
                                            {"stored", "'sad'::public.mood"},
                                            {"volatile", false}}));
  CHECK(a["constraints"][0] ==
        json({{"kind", "primary key"}, {"name", ""}, {"validated", true}, {"columns", {"id"}}}));
  CHECK(a["indexes"][0] == json({{"name", "ix_a_m"},
                                 {"keys",
                                  {{{"column", "m"},
                                    {"expression", nullptr},
                                    {"opclass", nullptr},
                                    {"order", nullptr},
                                    {"nulls", nullptr}}}},
                                 {"include", json::array()},
                                 {"method", "btree"},
                                 {"unique", false},
                                 {"where", ""},
                                 {"valid", true},
                                 {"constraint_backed", false}}));
  const json& b = j["tables"][1];
  CHECK(b["constraints"][1] == json({{"kind", "foreign key"},
                                     {"name", ""},
                                     {"validated", true},
                                     {"columns", {"a_id"}},
                                     {"references",
                                      {{"schema", "public"},
                                       {"table", "a"},
                                       {"columns", {"id"}},
                                       {"external", false},
                                       {"on_delete", "NO ACTION"},
                                       {"on_update", "NO ACTION"}}}}));
  CHECK(b["constraints"][2] == json({{"kind", "check"},
                                     {"name", ""},
                                     {"validated", true},
                                     {"expression", "id > 0"},
                                     {"normalized", ""}}));
  CHECK(j.dump().find("tables[") == std::string::npos);
  CHECK(j.dump().find("\"path\"") == std::string::npos);
}

TEST_CASE("to_json is deterministic text", "[model][fingerprint]") {
  auto one = model::load_text(kModel, "model.json");
  auto two = model::load_text(base().dump(4), "model.json");
  CHECK(schema::to_json(one).dump() == schema::to_json(two).dump());
}

namespace {

// What the fingerprint is defined as: the compact dump of to_json with
// `fingerprint` cleared and tables and enums sorted.
std::string document_text(schema::Database db) {
  db.fingerprint.clear();
  std::sort(db.tables.begin(), db.tables.end(),
            [](const schema::Table& a, const schema::Table& b) { return a.name < b.name; });
  std::sort(db.enums.begin(), db.enums.end(),
            [](const schema::Enum& a, const schema::Enum& b) { return a.name < b.name; });
  return schema::to_json(db).dump();
}

}  // namespace

TEST_CASE("the streamed canonical text is byte for byte the JSON document's dump",
          "[model][fingerprint]") {
  const std::string source = SCHEMAD_SOURCE_DIR;
  for (const std::string& path :
       {source + "/config/model.example.json", source + "/tests/alembic/full_model.json",
        source + "/tests/alembic/project_model.json"}) {
    INFO(path);
    auto db = model::load_file(path);
    CHECK(model::canonical_text(db) == document_text(db));
  }
  // Strings that need escaping, tables out of order, every optional field.
  auto odd = model::load_text(R"j({"version": 1, "revision": "r.1",
    "enums": [{"name": "z_e", "values": ["a\"b", "c\\d"]}, {"name": "a_e", "values": ["é"]}],
    "tables": [
      {"name": "zeta", "comment": "tab\there\nnew \u0001 ctrl \"q\" é",
       "columns": [{"name": "id", "type": "integer", "identity": "always", "primary_key": true},
                   {"name": "s", "type": "text[]", "default": "it's \"x\"", "comment": "c"},
                   {"name": "j", "type": "jsonb", "default": {"json": {"k": [1, "v"]}}},
                   {"name": "e", "type": "z_e", "default": "a\"b"},
                   {"name": "t", "type": "timestamptz", "default": {"sql": "now()"}}],
       "indexes": [{"columns": [{"expression": "lower(s::text)"},
                                {"column": "t", "order": "desc", "nulls": "last"}],
                    "where": "id > 0", "include": ["j"]}],
       "checks": [{"name": "ck", "expression": "id <> 7"}]},
      {"name": "alpha", "columns": [{"name": "id", "type": "bigserial", "primary_key": true},
                                    {"name": "z", "type": "integer", "unique": true}],
       "foreign_keys": [{"columns": ["z"], "references": {"table": "zeta", "columns": ["id"]},
                         "on_delete": "set null"}]}]})j",
                              "odd.json");
  CHECK(model::canonical_text(odd) == document_text(odd));
  CHECK(odd.fingerprint == util::sha256_hex(document_text(odd)));
}

TEST_CASE("the fingerprint hashed in pieces equals the hash of the whole canonical text",
          "[model][fingerprint]") {
  std::string tables;
  for (int i = 0; i < 600; ++i) {
    tables += std::string(i == 0 ? "" : ",") + R"j({"name": "t)j" + std::to_string(i) +
              R"j(", "columns": [{"name": "id", "type": "bigint", "primary_key": true},
                 {"name": "note", "type": "text", "default": "n"}]})j";
  }
  auto db = model::load_text(R"j({"version": 1, "tables": [)j" + tables + "]}", "big.json");
  const std::string text = model::canonical_text(db);
  REQUIRE(text.size() > 3 * 64 * 1024);  // several pieces
  CHECK(db.fingerprint == util::sha256_hex(text));
  CHECK(db.fingerprint == util::sha256_hex(document_text(db)));
}
