// Unit: the recorded verification's text (engine/verified.hpp) reads back as
// written, and anything else reads as no record.

#include <catch2/catch.hpp>

#include "engine/verified.hpp"

using namespace schemad;

TEST_CASE("a verification reads back as written, drift included", "[verified]") {
  engine::Verification v;
  v.schemas = {"public", "sales"};
  v.catalog_version = "1:517 10:47167";
  v.fingerprint = std::string(64, 'a');
  v.source = std::string(64, 'b');
  v.revision = "r1";
  v.revision_source = "configured: heads:abc";
  v.revisions = {"r1"};
  v.settings = engine::settings_key({true, false, true});
  v.schemad_version = "0.1.0";
  diff::Drift d;
  d.kind = diff::DriftKind::policy_weaker;
  d.object = "public.items.readers";
  d.expected = "restrictive";
  d.actual = "permissive \"quoted\"\n";
  d.path = "tables[0].policies[0]";
  v.drift.push_back(d);

  auto back = engine::parse_verification(engine::to_text(v));
  REQUIRE(back.has_value());
  CHECK(back->schemas == v.schemas);
  CHECK(back->catalog_version == v.catalog_version);
  CHECK(back->fingerprint == v.fingerprint);
  CHECK(back->source == v.source);
  CHECK(back->revision == v.revision);
  CHECK(back->revision_source == v.revision_source);
  CHECK(back->revisions == v.revisions);
  CHECK(back->settings == "replace:functions,triggers,");
  CHECK(back->schemad_version == v.schemad_version);
  REQUIRE(back->drift.size() == 1);
  CHECK(back->drift[0].kind == d.kind);
  CHECK(back->drift[0].message() == d.message());
  CHECK(back->drift[0].path == d.path);
  CHECK(engine::to_text(*back) == engine::to_text(v));  // deterministic
}

TEST_CASE("what is not a verification of this layout is no record", "[verified]") {
  CHECK_FALSE(engine::parse_verification("").has_value());
  CHECK_FALSE(engine::parse_verification("not json").has_value());
  CHECK_FALSE(engine::parse_verification(R"({"layout": 1})").has_value());
  engine::Verification v;
  v.schemas = {"public"};
  std::string text = engine::to_text(v);
  REQUIRE(engine::parse_verification(text).has_value());
  CHECK_FALSE(engine::parse_verification(
                  std::string(text).replace(text.find("\"layout\":1"), 10, "\"layout\":2"))
                  .has_value());
  // A drift kind this version does not know (written by a newer one).
  diff::Drift d;
  v.drift.push_back(d);
  text = engine::to_text(v);
  const auto at = text.find("column_type");
  REQUIRE(at != std::string::npos);
  CHECK_FALSE(engine::parse_verification(text.replace(at, 11, "future_kind")).has_value());
  // No schemas: nothing to read the catalog version of.
  engine::Verification empty;
  CHECK_FALSE(engine::parse_verification(engine::to_text(empty)).has_value());
}

TEST_CASE("a model's record is kept under its sorted schemas", "[verified]") {
  CHECK(engine::verification_question({"sales", "public"}) == "verified public,sales");
  CHECK(engine::verification_question({"public"}) == "verified public");
  CHECK(engine::settings_key({}) == "replace:");
}
