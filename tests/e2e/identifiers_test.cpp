// End-to-end: any identifier the format allows (spaces, quotes, dots, mixed
// case, reserved words, multibyte characters) works in every position,
// through validate, plan, apply, check and export-sql. One row per
// position; each row puts the odd name there and nowhere else, on a table
// that is created and on one that exists (healed by ALTER TABLE).

#include <catch2/catch.hpp>
#include <functional>
#include <nlohmann/json.hpp>

#include "support/pg.hpp"
#include "support/process.hpp"

using namespace schemad::test;
using nlohmann::json;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The model of a row: a table "t" with an "id", and `extra` columns, in
// `schema` (null: the default); `edit` puts the odd name in its place.
struct Row {
  const char* position;
  std::function<void(json& model, const std::string& name)> edit;
};

json base_model() {
  return {{"version", 1},
          {"revision", "r1"},
          {"enums", json::array()},
          {"tables",
           json::array(
               {{{"name", "t"},
                 {"columns",
                  json::array({{{"name", "id"}, {"type", "bigint"}, {"primary_key", true}}})}}})}};
}

json& table(json& model) {
  return model["tables"][0];
}

void add_enum(json& model, const std::string& name, const std::string& label = "a") {
  model["enums"].push_back({{"name", name}, {"values", json::array({label, "b"})}});
}

void add_column(json& model, const std::string& name, const std::string& type) {
  table(model)["columns"].push_back({{"name", name}, {"type", type}});
}

const std::vector<Row>& rows() {
  static const std::vector<Row> kRows = {
      {"schema", [](json& m, const std::string& n) { m["schema"] = n; }},
      {"table", [](json& m, const std::string& n) { table(m)["name"] = n; }},
      {"column", [](json& m, const std::string& n) { add_column(m, n, "text"); }},
      {"enum as a column type",
       [](json& m, const std::string& n) {
         add_enum(m, n);
         add_column(m, "e", n);
       }},
      {"enum as a column type, schema-qualified",
       [](json& m, const std::string& n) {
         m["schema"] = "app";
         add_enum(m, n);
         std::string quoted = "\"";
         for (char c : n) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
         add_column(m, "e", "app." + quoted + "\"");
       }},
      {"enum in an array",
       [](json& m, const std::string& n) {
         add_enum(m, n);
         add_column(m, "e", n + "[]");
       }},
      {"enum label",
       [](json& m, const std::string& n) {
         add_enum(m, "mood", n);
         add_column(m, "e", "mood");
         table(m)["columns"].back()["default"] = n;
       }},
      {"index",
       [](json& m, const std::string& n) {
         add_column(m, "x", "text");
         table(m)["indexes"] = json::array({{{"name", n}, {"columns", json::array({"x"})}}});
       }},
      {"constraint",
       [](json& m, const std::string& n) {
         add_column(m, "x", "integer");
         table(m)["checks"] = json::array({{{"name", n}, {"expression", "x > 0"}}});
         table(m)["uniques"] = json::array({{{"name", n + " u"}, {"columns", json::array({"x"})}}});
       }},
      {"comment", [](json& m, const std::string& n) { table(m)["comment"] = n; }},
  };
  return kRows;
}

RunResult on(const TempDatabase& db, const std::string& model, std::vector<std::string> command) {
  std::vector<std::string> args{"--database-url", db.url(), "--model", model};
  args.insert(args.end(), command.begin(), command.end());
  return schemad_cmd(args);
}

void satisfied(const TempDatabase& db, const std::string& model) {
  const RunResult check = on(db, model, {"check", "--strict", "--full"});
  INFO("check: " << check.out << check.err);
  CHECK(check.exit_code == 0);
  CHECK(contains(check.out, "satisfies the model (0 drift items)"));
}

// Each row through validate, plan, apply, check and export-sql.
void every_position(const std::string& name) {
  {
    for (const Row& row : rows()) {
      INFO("position: " << row.position << ", name: " << name);
      json model = base_model();
      row.edit(model, name);
      const std::string path = write_temp_file("odd.json", model.dump(2));

      const RunResult valid = schemad_cmd({"--model", path, "validate"});
      INFO("validate: " << valid.out << valid.err);
      REQUIRE(valid.exit_code == 0);

      // Created from nothing.
      TempDatabase created;
      REQUIRE(on(created, path, {"plan"}).exit_code == 0);
      const RunResult apply = on(created, path, {"apply"});
      INFO("apply: " << apply.out << apply.err);
      REQUIRE(apply.exit_code == 0);
      satisfied(created, path);

      // Healed on a table that exists: only "t" with its "id" at first.
      json bare = base_model();
      if (model.contains("schema")) bare["schema"] = model["schema"];
      table(bare)["name"] = table(model)["name"];
      TempDatabase healed;
      REQUIRE(on(healed, write_temp_file("bare.json", bare.dump()), {"apply"}).exit_code == 0);
      const RunResult heal = on(healed, path, {"apply"});
      INFO("heal: " << heal.out << heal.err);
      REQUIRE(heal.exit_code == 0);
      satisfied(healed, path);

      // export-sql into an empty database gives the same database.
      const RunResult script = schemad_cmd({"--model", path, "export-sql", "--with-stamp"});
      REQUIRE(script.exit_code == 0);
      TempDatabase exported;
      exported.exec(script.out);
      satisfied(exported, path);
    }
  }
}

}  // namespace

TEST_CASE("a name with spaces, quotes, a dot, capitals and multibyte works in every position",
          "[e2e][pg]") {
  every_position("My \"Odd\".Näme 1");
}

TEST_CASE("a reserved word works as a name in every position", "[e2e][pg]") {
  every_position("order");
}

TEST_CASE("a mixed-case name works in every position", "[e2e][pg]") {
  every_position("MixedCase");
}
