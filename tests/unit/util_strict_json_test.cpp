// Unit: strict JSON parsing that streams the elements of one top-level array
// (a large model's tables), as model loading uses it.

#include <catch2/catch.hpp>
#include <vector>

#include "model/load.hpp"
#include "util/strict_json.hpp"

using namespace schemad;

TEST_CASE("the elements of the streamed array are handed over one by one and not kept", "[json]") {
  const std::string text = R"j({"enums": [1.50], "tables": [{"a": 1.50, "b": {"c": [2.0]}}, 7,
    [], {"tables": [1]}], "after": {"tables": 3.25}})j";
  std::vector<std::size_t> indexes;
  std::vector<util::JsonDocument> elements;
  const util::JsonDocument top = util::parse_strict_json(
      text, 64, "tables", [&](std::size_t index, util::JsonDocument&& element) {
        indexes.push_back(index);
        elements.push_back(std::move(element));
      });
  CHECK(indexes == std::vector<std::size_t>{0, 1, 2, 3});
  REQUIRE(elements.size() == 4);
  CHECK(elements[0].root.dump() == R"j({"a":1.5,"b":{"c":[2.0]}})j");
  // Each element keeps the spellings of its numbers, under its own paths.
  CHECK(elements[0].number_text ==
        std::map<std::string, std::string>{{"tables[0].a", "1.50"}, {"tables[0].b.c[0]", "2.0"}});
  CHECK(elements[1].root == 7);
  CHECK(elements[2].root.dump() == "[]");
  CHECK(elements[3].root.dump() == R"j({"tables":[1]})j");  // only the top-level key streams
  // The document keeps the rest, and null where each element was.
  CHECK(top.root["tables"].dump() == "[null,null,null,null]");
  CHECK(top.root["after"]["tables"] == 3.25);
  CHECK(top.number_text ==
        std::map<std::string, std::string>{{"enums[0]", "1.50"}, {"after.tables", "3.25"}});
}

TEST_CASE("what the element handler throws stops the parse, and builder errors keep their path",
          "[json]") {
  const std::string text = R"j({"tables": [{"a": 1}, {"a": 2}, {"a": 3}]})j";
  int seen = 0;
  CHECK_THROWS_WITH(util::parse_strict_json(text, 64, "tables",
                                            [&](std::size_t index, util::JsonDocument&&) {
                                              ++seen;
                                              if (index == 1) throw std::runtime_error("stop");
                                            }),
                    "stop");
  CHECK(seen == 2);
  CHECK_THROWS_WITH(
      util::parse_strict_json(R"j({"tables": [{"a": 1, "a": 2}]})j", 64, "tables", {}),
      "tables[0].a: duplicate key \"a\"");
}

TEST_CASE("a model read table by table gives the same model and the same errors", "[json]") {
  const std::string model = R"j({"version": 1, "tables": [
      {"name": "a", "columns": [{"name": "id", "type": "mood", "default": "ok"}]},
      {"name": "b", "columns": [{"name": "id", "type": "numeric(4,2)", "default": 1.50}]}],
    "enums": [{"name": "mood", "values": ["ok"]}]})j";
  // The enums come after the tables in the file: the tables still see them.
  const schema::Database db = model::load_text(model, "m.json");
  REQUIRE(db.tables.size() == 2);
  CHECK(db.tables[0].columns[0].type.name == "mood");
  CHECK(db.tables[1].columns[0].def.value == "1.50");  // the number as written
  CHECK_THROWS_WITH(model::load_text(R"j({"version": 1, "tables": [{"name": "a", "columns": []},
        {"name": "b", "columns": [{"name": "x", "type": "no_such_type"}]}]})j",
                                     "m.json"),
                    Catch::Contains("m.json: tables[1].columns[0].type"));
}
