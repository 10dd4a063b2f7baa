#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "model/load.hpp"
#include "model/pg_input.hpp"
#include "model/pg_text.hpp"

using namespace schemad;
using nlohmann::json;

namespace {

// Every default kind on many column types. The expectations below are what
// PostgreSQL 15 printed for them: the columns were created with the defaults
// rendered from this model (literals quoted or as written, json as
// '<value>'::<type>, sql as written) under search_path = pg_catalog, then
// read back with pg_get_expr(adbin, adrelid).
const char* const kDefaultsModel = R"json({
  "version": 1,
  "enums": [
    {"name": "message_role", "values": ["system", "user", "it's"]},
    {"name": "Weird Enum", "schema": "app", "values": ["a"]},
    {"name": "user", "values": ["a"]},
    {"name": "status", "values": ["a"]}
  ],
  "tables": [
    {"name": "t", "columns": [
      {"name": "s_text", "type": "text", "default": "it's"},
      {"name": "s_text_bs", "type": "text", "default": "a\\b"},
      {"name": "s_text_empty", "type": "text", "default": ""},
      {"name": "s_text_utf", "type": "text", "default": "héllo ✓"},
      {"name": "s_vc", "type": "varchar(10)", "default": "abc"},
      {"name": "s_vc2", "type": "character varying", "default": "abc"},
      {"name": "s_ch", "type": "char(3)", "default": "ab"},
      {"name": "s_ch1", "type": "char", "default": "a"},
      {"name": "s_bpchar", "type": "bpchar", "default": "ab"},
      {"name": "s_qchar", "type": "\"char\"", "default": "a"},
      {"name": "s_name", "type": "name", "default": "nm"},
      {"name": "s_enum", "type": "message_role", "default": "it's"},
      {"name": "s_enum2", "type": "app.\"Weird Enum\"", "default": "a"},
      {"name": "s_enum3", "type": "user", "default": "a"},
      {"name": "s_enum4", "type": "status", "default": "a"},
      {"name": "s_enumarr", "type": "message_role[]", "default": "{user}"},
      {"name": "s_uuid", "type": "uuid", "default": "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"},
      {"name": "s_uuid2", "type": "uuid", "default": "{a0eebc999c0b4ef8bb6d6bb9bd380a11}"},
      {"name": "s_date", "type": "date", "default": "2020-01-01"},
      {"name": "s_tstz", "type": "timestamptz", "default": "2020-01-01 00:00:00+00"},
      {"name": "s_int", "type": "integer", "default": "5"},
      {"name": "s_int_plus", "type": "int4", "default": " +007 "},
      {"name": "s_int_neg", "type": "integer", "default": "-5"},
      {"name": "s_big", "type": "bigint", "default": "5"},
      {"name": "s_small", "type": "smallint", "default": "-5"},
      {"name": "s_num", "type": "numeric", "default": "5"},
      {"name": "s_num2", "type": "numeric(12,2)", "default": "1.5"},
      {"name": "s_num3", "type": "numeric", "default": "1e3"},
      {"name": "s_num4", "type": "numeric", "default": "-1.5"},
      {"name": "s_real", "type": "real", "default": "1.5"},
      {"name": "s_dbl", "type": "float8", "default": "1.5"},
      {"name": "s_bool", "type": "boolean", "default": "yes"},
      {"name": "s_bool2", "type": "bool", "default": "of"},
      {"name": "s_textarr", "type": "text[]", "default": "{}"},
      {"name": "s_vcarr", "type": "varchar(5)[]", "default": "{}"},
      {"name": "s_bit", "type": "bit(3)", "default": "101"},
      {"name": "s_varbit", "type": "varbit", "default": "101"},
      {"name": "s_interval3", "type": "interval(3)", "default": "1 day"},
      {"name": "s_interval", "type": "interval", "default": "1 day"},
      {"name": "s_jsonb", "type": "jsonb", "default": "{\"b\":1, \"a\":[1,2]}"},
      {"name": "s_json", "type": "json", "default": "{\"b\":1, \"a\":[1,2]}"},
      {"name": "s_ts3", "type": "timestamp(3)", "default": "2020-01-01 00:00:00"},
      {"name": "s_inet", "type": "inet", "default": "10.0.0.1"},
      {"name": "n_int", "type": "integer", "default": 0},
      {"name": "n_int42", "type": "integer", "default": 42},
      {"name": "n_intneg", "type": "integer", "default": -1},
      {"name": "n_intmin", "type": "integer", "default": -2147483648},
      {"name": "n_big", "type": "bigint", "default": 0},
      {"name": "n_bigneg", "type": "bigint", "default": -1},
      {"name": "n_bigbig", "type": "bigint", "default": 3000000000},
      {"name": "n_bigbigneg", "type": "bigint", "default": -3000000000},
      {"name": "n_bigmin", "type": "bigint", "default": -9223372036854775808},
      {"name": "n_small", "type": "smallint", "default": 1},
      {"name": "n_smallneg", "type": "smallint", "default": -1},
      {"name": "n_num", "type": "numeric", "default": 0},
      {"name": "n_num122", "type": "numeric(12,2)", "default": 0},
      {"name": "n_numf", "type": "decimal(12,2)", "default": 1.5},
      {"name": "n_numf2", "type": "numeric", "default": 1.50},
      {"name": "n_numneg", "type": "numeric", "default": -1.5},
      {"name": "n_numexp", "type": "numeric", "default": 1e3},
      {"name": "n_numexp2", "type": "numeric", "default": 1.5e-2},
      {"name": "n_numexp3", "type": "numeric", "default": 1.50E+1},
      {"name": "n_numzero", "type": "numeric", "default": 0.0},
      {"name": "n_numnegzero", "type": "numeric", "default": -0.0},
      {"name": "n_numhuge", "type": "numeric", "default": 123456789012345678901234567890},
      {"name": "n_numbig", "type": "numeric", "default": 18446744073709551615},
      {"name": "n_real", "type": "real", "default": 1.5},
      {"name": "n_real0", "type": "float4", "default": 0},
      {"name": "n_realneg", "type": "real", "default": -1.5},
      {"name": "n_dbl", "type": "double precision", "default": 1.5},
      {"name": "n_dblneg", "type": "double precision", "default": -2},
      {"name": "n_dblsmall", "type": "double precision", "default": 1e-7},
      {"name": "n_text", "type": "text", "default": 5},
      {"name": "n_textf", "type": "text", "default": 1.5},
      {"name": "n_money", "type": "money", "default": 5},
      {"name": "n_oid", "type": "oid", "default": 5},
      {"name": "b_bool", "type": "boolean", "default": true},
      {"name": "b_boolf", "type": "boolean", "default": false},
      {"name": "b_text", "type": "text", "default": true},
      {"name": "b_vc", "type": "varchar", "default": false},
      {"name": "j_jsonb", "type": "jsonb", "default": {"json": {"b": [1, 2.50, 1e3], "aa": {"x": "q'\"\\\n\u0001"}, "a": null, "é": "é"}}},
      {"name": "j_json", "type": "json", "default": {"json": {"b": [1, 2.50], "a": 1}}},
      {"name": "j_empty", "type": "jsonb", "default": {"json": {}}},
      {"name": "j_emptyarr", "type": "jsonb", "default": {"json": []}},
      {"name": "j_str", "type": "jsonb", "default": {"json": "x"}},
      {"name": "j_null", "type": "jsonb", "default": {"json": null}},
      {"name": "j_num", "type": "jsonb", "default": {"json": 1.0}},
      {"name": "j_small", "type": "jsonb", "default": {"json": [1e-7, 1e20, -0.5, 123456789012345678]}},
      {"name": "q_now", "type": "timestamptz", "default": {"sql": "now()"}},
      {"name": "q_arr", "type": "text[]", "default": {"sql": "'{}'::text[]"}}
    ]}
  ]
}
)json";

const std::vector<std::pair<std::string, std::string>> kServerPrinted = {
    {"s_text", "'it''s'::text"},
    {"s_text_bs", "'a\\b'::text"},
    {"s_text_empty", "''::text"},
    {"s_text_utf", "'héllo ✓'::text"},
    {"s_vc", "'abc'::character varying"},
    {"s_vc2", "'abc'::character varying"},
    {"s_ch", "'ab'::bpchar"},
    {"s_ch1", "'a'::bpchar"},
    {"s_bpchar", "'ab'::bpchar"},
    {"s_qchar", "'a'::\"char\""},
    {"s_name", "'nm'::name"},
    {"s_enum", "'it''s'::public.message_role"},
    {"s_enum2", "'a'::app.\"Weird Enum\""},
    {"s_enum3", "'a'::public.\"user\""},
    {"s_enum4", "'a'::public.status"},
    {"s_enumarr", "'{user}'::public.message_role[]"},
    {"s_uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid"},
    {"s_uuid2", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid"},
    {"s_date", "'2020-01-01'::date"},
    {"s_tstz", "'2020-01-01 00:00:00+00'::timestamp with time zone"},
    {"s_int", "5"},
    {"s_int_plus", "7"},
    {"s_int_neg", "'-5'::integer"},
    {"s_big", "'5'::bigint"},
    {"s_small", "'-5'::smallint"},
    {"s_num", "'5'::numeric"},
    {"s_num2", "1.5"},
    {"s_num3", "'1000'::numeric"},
    {"s_num4", "'-1.5'::numeric"},
    {"s_real", "'1.5'::real"},
    {"s_dbl", "'1.5'::double precision"},
    {"s_bool", "true"},
    {"s_bool2", "false"},
    {"s_textarr", "'{}'::text[]"},
    {"s_vcarr", "'{}'::character varying[]"},
    {"s_bit", "'101'::\"bit\""},
    {"s_varbit", "'101'::bit varying"},
    {"s_interval3", "'1 day'::interval(3)"},
    {"s_interval", "'1 day'::interval"},
    {"s_jsonb", "'{\"a\": [1, 2], \"b\": 1}'::jsonb"},
    {"s_json", "'{\"b\":1, \"a\":[1,2]}'::json"},
    {"s_ts3", "'2020-01-01 00:00:00'::timestamp without time zone"},
    {"s_inet", "'10.0.0.1'::inet"},
    {"n_int", "0"},
    {"n_int42", "42"},
    {"n_intneg", "'-1'::integer"},
    {"n_intmin", "'-2147483648'::integer"},
    {"n_big", "0"},
    {"n_bigneg", "'-1'::integer"},
    {"n_bigbig", "'3000000000'::bigint"},
    {"n_bigbigneg", "'-3000000000'::bigint"},
    {"n_bigmin", "'-9223372036854775808'::bigint"},
    {"n_small", "1"},
    {"n_smallneg", "'-1'::integer"},
    {"n_num", "0"},
    {"n_num122", "0"},
    {"n_numf", "1.5"},
    {"n_numf2", "1.50"},
    {"n_numneg", "'-1.5'::numeric"},
    {"n_numexp", "'1000'::numeric"},
    {"n_numexp2", "0.015"},
    {"n_numexp3", "15.0"},
    {"n_numzero", "0.0"},
    {"n_numnegzero", "0.0"},
    {"n_numhuge", "'123456789012345678901234567890'::numeric"},
    {"n_numbig", "'18446744073709551615'::numeric"},
    {"n_real", "1.5"},
    {"n_real0", "0"},
    {"n_realneg", "'-1.5'::numeric"},
    {"n_dbl", "1.5"},
    {"n_dblneg", "'-2'::integer"},
    {"n_dblsmall", "0.0000001"},
    {"n_text", "5"},
    {"n_textf", "1.5"},
    {"n_money", "5"},
    {"n_oid", "5"},
    {"b_bool", "true"},
    {"b_boolf", "false"},
    {"b_text", "true"},
    {"b_vc", "false"},
    {"j_jsonb",
     "'{\"a\": null, \"b\": [1, 2.5, 1000.0], \"aa\": {\"x\": \"q''\\\"\\\\\\n\\u0001\"}, \"é\": "
     "\"é\"}'::jsonb"},
    {"j_json", "'{\"a\":1,\"b\":[1,2.5]}'::json"},
    {"j_empty", "'{}'::jsonb"},
    {"j_emptyarr", "'[]'::jsonb"},
    {"j_str", "'\"x\"'::jsonb"},
    {"j_null", "'null'::jsonb"},
    {"j_num", "'1.0'::jsonb"},
    {"j_small", "'[0.0000001, 100000000000000000000, -0.5, 123456789012345678]'::jsonb"},
    {"q_now", "now()"},
    {"q_arr", "'{}'::text[]"},
};

std::map<std::string, schema::Column> columns_of(const schema::Database& db) {
  std::map<std::string, schema::Column> out;
  for (const schema::Column& column : db.tables.at(0).columns) out[column.name] = column;
  return out;
}

json table_of(json column, json extra = json::object()) {
  json model = {{"version", 1}, {"tables", {{{"name", "t"}, {"columns", {std::move(column)}}}}}};
  model.update(extra);
  return model;
}

std::string error_of(const json& model) {
  try {
    model::load_text(model.dump(), "model.json");
  } catch (const model::ModelError& e) {
    return e.what();
  }
  return "<loaded>";
}

schema::Default default_of(const std::string& type, json value) {
  json model = table_of({{"name", "c"}, {"type", type}, {"default", std::move(value)}});
  model["enums"] = {{{"name", "mood"}, {"values", {"happy", "sad"}}}};
  return model::load_text(model.dump(), "model.json").tables[0].columns[0].def;
}

std::string default_error(const std::string& type, json value) {
  json model = table_of({{"name", "c"}, {"type", type}, {"default", std::move(value)}});
  model["enums"] = {{{"name", "mood"}, {"values", {"happy", "sad"}}}};
  return error_of(model);
}

}  // namespace

TEST_CASE("predicts the stored default exactly as PostgreSQL 15 prints it", "[model][defaults]") {
  auto columns = columns_of(model::load_text(kDefaultsModel, "defaults.json"));
  REQUIRE(columns.size() == kServerPrinted.size());
  for (const auto& [name, printed] : kServerPrinted) {
    INFO("column " << name);
    REQUIRE(columns.count(name) == 1);
    CHECK(columns[name].def.stored == printed);
  }
}

TEST_CASE("literal defaults keep the model's text, strings are marked quoted",
          "[model][defaults]") {
  auto text = default_of("text", "it's");
  CHECK(text.kind == schema::Default::Kind::literal);
  CHECK(text.value == "it's");
  CHECK(text.quoted);
  CHECK(text.is_volatile == std::optional<bool>(false));

  auto number = model::load_text(
      R"({"version": 1, "tables": [{"name": "t", "columns": [
           {"name": "n", "type": "numeric", "default": 1.50},
           {"name": "e", "type": "numeric", "default": 1E+3},
           {"name": "i", "type": "bigint", "default": -7}]}]})",
      "m.json");
  const auto& cols = number.tables[0].columns;
  CHECK(cols[0].def.value == "1.50");
  CHECK_FALSE(cols[0].def.quoted);
  CHECK(cols[1].def.value == "1E+3");
  CHECK(cols[1].def.stored == "'1000'::numeric");
  CHECK(cols[2].def.value == "-7");

  auto boolean = default_of("boolean", true);
  CHECK(boolean.value == "true");
  CHECK_FALSE(boolean.quoted);
}

TEST_CASE("json defaults are compact JSON, sql defaults are as written, volatility unknown",
          "[model][defaults]") {
  auto jsonb = default_of("jsonb", {{"json", {{"b", 1}, {"a", {true, nullptr}}}}});
  CHECK(jsonb.kind == schema::Default::Kind::json);
  CHECK(jsonb.value == R"({"a":[true,null],"b":1})");
  CHECK(jsonb.stored == R"('{"a": [true, null], "b": 1}'::jsonb)");
  CHECK(jsonb.is_volatile == std::optional<bool>(false));

  auto sql = default_of("timestamptz", {{"sql", "now()"}});
  CHECK(sql.kind == schema::Default::Kind::sql);
  CHECK(sql.value == "now()");
  CHECK(sql.stored == "now()");
  CHECK_FALSE(sql.is_volatile.has_value());
}

TEST_CASE("a null default is no default", "[model][defaults]") {
  auto none = default_of("text", nullptr);
  CHECK(none.empty());
  CHECK(none.stored.empty());
  CHECK_FALSE(none.is_volatile.has_value());
}

TEST_CASE("an object default has exactly one key, sql or json", "[model][defaults]") {
  CHECK(default_error("jsonb", {{"sql", "now()"}, {"json", 1}}) ==
        "model.json: tables[0].columns[0].default: a default object has exactly one key, \"sql\" "
        "or \"json\"");
  CHECK(default_error("jsonb", json::object()) ==
        "model.json: tables[0].columns[0].default: a default object has exactly one key, \"sql\" "
        "or \"json\"");
  CHECK(default_error("jsonb", {{"expr", "now()"}}) ==
        "model.json: tables[0].columns[0].default: unknown key \"expr\"");
  CHECK(default_of("jsonb", {{"sql", "'{}'"}, {"x-why", "documented"}}).value == "'{}'");
  CHECK(default_error("text", {{"sql", ""}}) ==
        "model.json: tables[0].columns[0].default.sql: must be a non-empty string, not \"\"");
  CHECK(default_error("text", json::array({1})) ==
        "model.json: tables[0].columns[0].default: must be a string, number, boolean, null, or an "
        "object {\"sql\": ...} or {\"json\": ...}, not an array of 1 item");
}

TEST_CASE("json defaults only on json and jsonb columns", "[model][defaults]") {
  CHECK(default_error("text", {{"json", {}}}) ==
        "model.json: tables[0].columns[0].default: a {\"json\": ...} default needs a json or "
        "jsonb column, not text");
  CHECK(default_error("jsonb[]", {{"json", {}}}) ==
        "model.json: tables[0].columns[0].default: a {\"json\": ...} default needs a json or "
        "jsonb column, not jsonb[]");
  CHECK(default_of("json", {{"json", {1, 2}}}).stored == "'[1,2]'::json");
}

TEST_CASE("an enum default must be one of the enum's values", "[model][defaults]") {
  CHECK(default_of("mood", "sad").stored == "'sad'::public.mood");
  CHECK(default_error("mood", "angry") ==
        "model.json: tables[0].columns[0].default: default \"angry\" is not a value of enum "
        "public.mood");
  CHECK(default_error("mood", 1) ==
        "model.json: tables[0].columns[0].default: a number default does not fit a column of "
        "type public.mood");
  // Arrays of enums take array literals, which are not labels.
  CHECK(default_of("mood[]", "{sad}").stored == "'{sad}'::public.mood[]");
}

TEST_CASE("defaults that PostgreSQL would refuse or could never store are refused",
          "[model][defaults]") {
  const std::string at = "model.json: tables[0].columns[0].default: ";
  CHECK(default_error("integer", "abc") == at + "default \"abc\" is not a valid integer");
  CHECK(default_error("smallint", "40000") ==
        at + "default \"40000\" is out of range for smallint");
  CHECK(default_error("smallint", 40000) == at + "default 40000 is out of range for smallint");
  CHECK(default_error("integer", 2147483648) ==
        at + "default 2147483648 is out of range for integer");
  CHECK(default_of("integer", -2147483648).stored == "'-2147483648'::integer");
  CHECK(default_error("bigint", 9223372036854775808u) ==
        at + "default 9223372036854775808 is out of range for bigint");
  CHECK(default_error("integer", 1.5) ==
        at + "default 1.5 is not an integer, the column is integer");
  CHECK(default_error("numeric", "many") == at + "default \"many\" is not a valid numeric");
  CHECK(default_of("double precision", "NaN").stored == "'NaN'::double precision");
  CHECK(default_error("boolean", "maybe") == at + "default \"maybe\" is not a valid boolean");
  CHECK(default_error("boolean", 1) ==
        at + "a number default does not fit a column of type boolean");
  CHECK(default_error("uuid", 1) == at + "a number default does not fit a column of type uuid");
  CHECK(default_error("integer[]", 1) ==
        at + "a number default does not fit a column of type integer[]");
  CHECK(default_error("integer", true) ==
        at + "a boolean default does not fit a column of type integer");
  CHECK(default_error("varchar(3)", "abcd") ==
        at + "default \"abcd\" is longer than character varying(3) allows");
  CHECK(default_of("varchar(3)", "abc  ").stored == "'abc  '::character varying");
  CHECK(default_of("char(2)", "\xc3\xa9\xc3\xa9").stored == "'\xc3\xa9\xc3\xa9'::bpchar");
  CHECK(default_error("char(2)", 123) == at + "default 123 is longer than character(2) allows");
  CHECK(default_error("varchar(4)", false) ==
        at + "default false is longer than character varying(4) allows");
  CHECK(default_error("jsonb", std::string(100000, '[') + std::string(100000, ']')) ==
        at + "default is nested deeper than 64 levels");
  CHECK(default_of("jsonb", "[\"[[[[\", [[1]]]").stored == "'[\"[[[[\", [[1]]]'::jsonb");
  CHECK(default_error("jsonb", "{not json") ==
        at + "default \"{not json\" is not valid JSON (write {\"json\": ...} for a jsonb value)");
}

TEST_CASE("defaults on extension types are left to the server", "[model][defaults]") {
  json model = table_of({{"name", "c"}, {"type", "vector(3)"}, {"default", "[1,2,3]"}},
                        {{"extensions", {"vector"}}});
  auto def = model::load_text(model.dump(), "m.json").tables[0].columns[0].def;
  CHECK(def.stored == "'[1,2,3]'::vector");
  model["tables"][0]["columns"][0]["default"] = 5;
  CHECK(error_of(model) == "<loaded>");
}

TEST_CASE("numeric_text prints numbers as numeric_out does", "[model][defaults]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"0", "0"},          {"1.50", "1.50"},   {"1e3", "1000"},       {"1.5e-2", "0.015"},
      {"1.50E+1", "15.0"}, {"-0.0", "0.0"},    {"-1.5", "-1.5"},      {" +007.10 ", "7.10"},
      {".5", "0.5"},       {"5.", "5"},        {"1e-7", "0.0000001"}, {"12e-1", "1.2"},
      {"0.000", "0.000"},  {"100e-2", "1.00"},
  };
  for (const auto& [input, output] : cases) {
    INFO(input);
    CHECK(model::numeric_text(input) == std::optional<std::string>(output));
  }
  for (const char* bad :
       {"", "-", "NaN", "Infinity", "1e", "1e+", "abc", "1.2.3", "1e99999", "0x10"}) {
    INFO(bad);
    CHECK_FALSE(model::numeric_text(bad));
  }
}

TEST_CASE("quote_identifier quotes like PostgreSQL's", "[model][defaults]") {
  CHECK(model::quote_identifier("status") == "status");
  CHECK(model::quote_identifier("_x1") == "_x1");
  CHECK(model::quote_identifier("user") == "\"user\"");
  CHECK(model::quote_identifier("bit") == "\"bit\"");
  CHECK(model::quote_identifier("Weird Enum") == "\"Weird Enum\"");
  CHECK(model::quote_identifier("a$b") == "\"a$b\"");
  CHECK(model::quote_identifier("1a") == "\"1a\"");
  CHECK(model::quote_identifier("we\"ird") == "\"we\"\"ird\"");
  CHECK(model::quote_identifier("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
  // Unreserved keywords stay bare.
  CHECK(model::quote_identifier("name") == "name");
  CHECK(model::quote_identifier("text") == "text");
}

TEST_CASE("jsonb_text orders keys by length then bytes and spaces separators",
          "[model][defaults]") {
  CHECK(model::jsonb_text(json::parse(R"({"bb": 1, "a": {"y": [], "x": {}}, "c": "\t"})")) ==
        R"({"a": {"x": {}, "y": []}, "c": "\t", "bb": 1})");
  CHECK(model::jsonb_text(json::parse("[1.0, -0.5, 1e2, \"\\u001f\", \"/\"]")) ==
        "[1.0, -0.5, 100.0, \"\\u001f\", \"/\"]");
  CHECK(model::jsonb_text(json::parse("null")) == "null");
}

TEST_CASE("integers, booleans, lengths and uuids are read as PostgreSQL's input functions do",
          "[model][defaults]") {
  auto integer = model::parse_integer("  -007 ");
  REQUIRE(integer);
  CHECK(integer->text() == "-7");
  CHECK(model::parse_integer("-0")->text() == "0");
  CHECK_FALSE(model::parse_integer("1.0"));
  CHECK_FALSE(model::parse_integer("- 1"));
  CHECK(model::parse_integer("32767")->fits("smallint"));
  CHECK_FALSE(model::parse_integer("32768")->fits("smallint"));
  CHECK(model::parse_integer("-32768")->fits("smallint"));
  CHECK(model::parse_integer("-9223372036854775808")->fits("bigint"));
  CHECK_FALSE(model::parse_integer("9223372036854775808")->fits("bigint"));
  CHECK_FALSE(model::parse_integer("99999999999999999999")->fits("bigint"));

  for (const char* yes : {"t", "TRUE", " yes ", "y", "on", "1"}) {
    INFO(yes);
    CHECK(model::parse_boolean(yes) == std::optional<bool>(true));
  }
  for (const char* no : {"f", "fal", "No", "of", "off", "0"}) {
    INFO(no);
    CHECK(model::parse_boolean(no) == std::optional<bool>(false));
  }
  for (const char* neither : {"o", "truex", "2", "", "onn"}) {
    INFO(neither);
    CHECK_FALSE(model::parse_boolean(neither));
  }

  CHECK(model::fits_length("abc", 3));
  CHECK(model::fits_length("abc   ", 3));
  CHECK_FALSE(model::fits_length("abcd", 3));
  CHECK(model::fits_length("\xc3\xa9\xc3\xa9\xc3\xa9", 3));
  CHECK_FALSE(model::fits_length("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 3));

  CHECK(model::canonical_uuid("{A0EEBC999C0B4EF8BB6D6BB9BD380A11}") ==
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  CHECK(model::canonical_uuid("not-a-uuid") == "not-a-uuid");
}
