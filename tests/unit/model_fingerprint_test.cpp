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

TEST_CASE("the fingerprint is SHA-256 in lower-case hex of the canonical JSON",
          "[model][fingerprint]") {
  CHECK(util::sha256_hex("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string fp = fingerprint_of_text(kModel);
  CHECK(fp.size() == 64);
  CHECK(fp.find_first_not_of("0123456789abcdef") == std::string::npos);
  auto db = model::load_text(kModel, "model.json");
  CHECK(fp == model::fingerprint(db));
  CHECK(fp == util::sha256_hex(model::canonical_text(db)));
  // As documented: the canonical JSON with the fingerprint cleared (this
  // model's tables and enums are already in name order).
  db.fingerprint.clear();
  CHECK(model::canonical_text(db) == schema::to_json_text(db));
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

  json two_enums = base();
  two_enums["enums"].push_back({{"name", "colour"}, {"values", {"red"}}});
  json enums_reordered = two_enums;
  std::swap(enums_reordered["enums"][0], enums_reordered["enums"][1]);
  CHECK(fingerprint_of(enums_reordered) == fingerprint_of(two_enums));
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

TEST_CASE("the canonical text is the model's whole schema, without paths", "[model][fingerprint]") {
  auto db = model::load_text(kModel, "model.json");
  const std::string text = model::canonical_text(db);
  json j = json::parse(text);
  CHECK(j["default_schema"] == "public");
  CHECK(j["revision"] == "r1");
  CHECK(j["fingerprint"] == "");
  CHECK(j["schemas"] == json({"public"}));
  CHECK(j["extensions"] == json({"pgcrypto"}));
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
  CHECK(a["columns"][2]["default"]["stored"] == "2.25");
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
  CHECK(text.find("tables[") == std::string::npos);
  CHECK(text.find("\"path\"") == std::string::npos);
}

TEST_CASE("the canonical text is the same for every spelling of a model", "[model][fingerprint]") {
  auto one = model::load_text(kModel, "model.json");
  auto two = model::load_text(base().dump(4), "other.json");
  CHECK(model::canonical_text(one) == model::canonical_text(two));
}

namespace {

// Strings that need escaping, non-ASCII text, tables and enums out of
// order, every optional field the model can spell.
const char* const kOddModel =
    R"j({"version": 1, "revision": "r.1-x_2", "schema": "app", "extensions": ["pgcrypto", "citext"],
 "enums": [{"name": "z_e", "values": ["a\"b", "c\\d", "tab\tx"]}, {"name": "a_e", "schema": "other", "values": ["é", "日本"]}],
 "tables": [
  {"name": "zeta", "comment": "tab\there\nnew \u0001 ctrl \u001f \"q\" é \b \f \r / 😀",
   "columns": [{"name": "id", "type": "integer", "identity": "by default", "primary_key": true},
               {"name": "s", "type": "text[]", "default": "it's \"x\"", "comment": "c\u0002"},
               {"name": "j", "type": "jsonb", "default": {"json": {"k": [1, "v"], "é": null}}},
               {"name": "e", "type": "z_e", "default": "a\"b"},
               {"name": "b", "type": "boolean", "default": true, "nullable": false},
               {"name": "n", "type": "numeric(10,3)", "default": 1.250},
               {"name": "t", "type": "timestamptz", "default": {"sql": "now()"}},
               {"name": "weird \"col\" é", "type": "varchar(20)", "unique": true}],
   "uniques": [{"name": "uq_zeta_s_t", "columns": ["s", "t"]}],
   "indexes": [{"columns": [{"expression": "lower(s::text)"},
                            {"column": "t", "order": "desc", "nulls": "last"},
                            {"column": "e", "order": "asc", "nulls": "first"}],
                "where": "id > 0 AND s <> '\"'", "include": ["j"], "unique": true},
               {"name": "ix_zeta_s", "columns": [{"column": "s", "opclass": "text_pattern_ops"}], "method": "btree"},
               {"name": "ix_zeta_j", "columns": ["j"], "method": "gin"}],
   "checks": [{"name": "ck", "expression": "id <> 7"}, {"expression": "n >= 0"}]},
  {"name": "alpha", "schema": "public", "columns": [{"name": "id", "type": "bigserial", "primary_key": true},
                                {"name": "z", "type": "integer", "unique": true},
                                {"name": "r", "type": "integer"}],
   "foreign_keys": [{"columns": ["z"], "references": {"table": "zeta", "schema": "app", "columns": ["id"]},
                     "on_delete": "set null", "on_update": "cascade"},
                    {"name": "fk_ext", "columns": ["r"], "references": {"table": "ext", "schema": "outside", "columns": ["id"], "external": true},
                     "on_delete": "restrict", "on_update": "set default"}]}]})j";

}  // namespace

TEST_CASE("the canonical text is nlohmann's compact dump of itself, tables and enums in name order",
          "[model][fingerprint]") {
  // Parsing and dumping again gives the same bytes only when every object's
  // keys are in byte order, there is no whitespace and every string is
  // escaped as nlohmann's dump() escapes it.
  const std::string source = SCHEMAD_SOURCE_DIR;
  const std::vector<std::string> names = {"config/model.example.json",
                                          "tests/alembic/full_model.json",
                                          "tests/alembic/project_model.json", "kOddModel"};
  std::vector<schema::Database> models;
  for (std::size_t i = 0; i + 1 < names.size(); ++i) {
    models.push_back(model::load_file(source + "/" + names[i]));
  }
  models.push_back(model::load_text(kOddModel, "odd.json"));
  for (std::size_t i = 0; i < models.size(); ++i) {
    const schema::Database& db = models[i];
    INFO(names[i]);
    const std::string text = model::canonical_text(db);
    const json parsed = json::parse(text);
    CHECK(parsed.dump() == text);
    CHECK(parsed["fingerprint"] == "");
    std::vector<std::pair<std::string, std::string>> tables, enums;
    for (const auto& t : parsed["tables"]) tables.emplace_back(t["schema"], t["name"]);
    for (const auto& e : parsed["enums"]) enums.emplace_back(e["schema"], e["name"]);
    CHECK(std::is_sorted(tables.begin(), tables.end()));
    CHECK(std::is_sorted(enums.begin(), enums.end()));
    CHECK(tables.size() == db.tables.size());
    CHECK(enums.size() == db.enums.size());
  }
  const json odd = json::parse(model::canonical_text(models.back()));
  CHECK(odd["tables"][0]["schema"] == "app");
  CHECK(odd["tables"][0]["name"] == "zeta");
  CHECK(odd["tables"][0]["comment"] == "tab\there\nnew \x01 ctrl \x1f \"q\" é \b \f \r / 😀");
  CHECK(odd["tables"][1]["schema"] == "public");
  CHECK(odd["enums"][0]["name"] == "z_e");
  CHECK(odd["enums"][1]["name"] == "a_e");
}

TEST_CASE("fingerprints do not change across versions", "[model][fingerprint]") {
  // Revisions schemad_<first 24 hex digits> are stored in users' databases.
  // These values were computed by schemad 0.1.0 at commit 47d4586, before
  // schema/json.hpp became the one writer of the canonical JSON: a change to
  // that JSON that changes them breaks every deployed model. The two files
  // are fixtures: when one is edited on purpose, update its value here
  // (`schemad -m FILE validate` prints it).
  const std::string source = SCHEMAD_SOURCE_DIR;
  CHECK(model::load_file(source + "/config/model.example.json").fingerprint ==
        "6c868a91c316e3fc190f20877bf1d5722605231134d89084b952cbd22a5bf5e5");
  CHECK(model::load_file(source + "/tests/alembic/full_model.json").fingerprint ==
        "0c8aa64618db8dcc2180e7f343fd9d641c7e70a737db57df9f741a039752ba41");
  // Escaping, non-ASCII text and every optional field, pinned in place.
  CHECK(model::load_text(kOddModel, "odd.json").fingerprint ==
        "85518717c3a33a2315242daddc71570e96d3adc1735c529205e60d711ec28d37");
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
  CHECK(model::fingerprint(db) == db.fingerprint);
}
