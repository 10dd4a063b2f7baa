#include <catch2/catch.hpp>

#include "diff/diff.hpp"
#include "diff_fixtures.hpp"

using namespace schemad;
using namespace fixtures;
using Strings = std::vector<std::string>;

namespace {

schema::Database with_enum(const std::vector<std::string>& values) {
  schema::Database db = database({});
  db.enums.push_back(enum_type("public", "message_role", values));
  db.enums.back().path = "enums[0]";
  return db;
}

// "value AFTER neighbour", "value BEFORE neighbour", "value" (at the end).
Strings placements(const diff::Result& result) {
  Strings out;
  for (const auto& change : result.changes) {
    REQUIRE(change.kind == diff::ChangeKind::add_enum_value);
    std::string where =
        change.neighbour.empty() ? "" : (change.before ? " BEFORE " : " AFTER ") + change.neighbour;
    out.push_back(change.value + where);
  }
  return out;
}

}  // namespace

TEST_CASE("creates a missing enum whole", "[diff][enums]") {
  diff::Result result = diff::compare(with_enum({"system", "user"}), database({}));
  REQUIRE(result.changes.size() == 1);
  CHECK(result.changes[0].kind == diff::ChangeKind::create_enum);
  CHECK(result.changes[0].enum_type.values == Strings{"system", "user"});
  CHECK(result.changes[0].path == "enums[0]");
  CHECK(result.changes[0].description() == "create enum public.message_role");
}

TEST_CASE("adds a missing enum value after its model predecessor", "[diff][enums]") {
  diff::Result result = diff::compare(with_enum({"system", "user", "assistant", "tool"}),
                                      with_enum({"system", "user", "tool"}));
  CHECK(placements(result) == Strings{"assistant AFTER user"});
  CHECK(result.changes[0].path == "enums[0].values[2]");
  CHECK(result.changes[0].description() == "add value 'assistant' to enum public.message_role");
  CHECK(result.drift.empty());
}

TEST_CASE("missing enum values in a row follow each other", "[diff][enums]") {
  diff::Result result = diff::compare(with_enum({"a", "b", "c", "d"}), with_enum({"a", "d"}));
  CHECK(placements(result) == Strings{"b AFTER a", "c AFTER b"});
}

TEST_CASE("a missing first enum value goes before the first label the database has",
          "[diff][enums]") {
  diff::Result result = diff::compare(with_enum({"a", "b", "c"}), with_enum({"c"}));
  CHECK(placements(result) == Strings{"a BEFORE c", "b AFTER a"});
}

TEST_CASE("enum values go at the end when the database has none of the model's", "[diff][enums]") {
  diff::Result result = diff::compare(with_enum({"a", "b"}), with_enum({"legacy"}));
  CHECK(placements(result) == Strings{"a", "b AFTER a"});
  CHECK(messages(result) == Strings{"public.message_role: value 'legacy' not in the model"});
}

TEST_CASE("reports extra enum values and another order as drift only", "[diff][enums]") {
  diff::Result result = diff::compare(with_enum({"a", "b", "c"}), with_enum({"a", "c", "x", "b"}));
  CHECK(result.changes.empty());
  REQUIRE(result.drift.size() == 2);
  CHECK(result.drift[0].kind == diff::DriftKind::enum_extra_value);
  CHECK(result.drift[0].message() == "public.message_role: value 'x' not in the model");
  CHECK(result.drift[1].kind == diff::DriftKind::enum_order);
  CHECK(result.drift[1].message() ==
        "public.message_role: values are in the order a, c, b, model says a, b, c");
}

TEST_CASE("enums the model does not declare are left alone", "[diff][enums]") {
  schema::Database have = with_enum({"a"});
  have.enums.push_back(enum_type("public", "legacy", {"x"}));
  diff::Result result = diff::compare(with_enum({"a"}), have);
  CHECK(result.changes.empty());
  CHECK(result.drift.empty());
}
