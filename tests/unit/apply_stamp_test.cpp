#include <catch2/catch.hpp>

#include "apply/alembic_stamp.hpp"

using namespace schemad;
using Action = apply::StampDecision::Action;

TEST_CASE("the baseline revision comes from the model, then the config, then the fingerprint",
          "[stamp]") {
  schema::Database model;
  model.fingerprint = std::string(64, 'a');
  CHECK(apply::baseline_revision(model, "") == "schemad_" + std::string(24, 'a'));
  CHECK(apply::baseline_revision(model, "").size() == 32);
  CHECK(apply::baseline_revision(model, "cfg_rev") == "cfg_rev");
  model.revision = "20260120_x";
  CHECK(apply::baseline_revision(model, "cfg_rev") == "20260120_x");
}

TEST_CASE("a missing stamp is recorded, creating the table as Alembic does", "[stamp]") {
  auto d = apply::decide_stamp({}, "rev2");
  CHECK(d.action == Action::insert);
  CHECK(d.pending());
  auto sql = apply::stamp_sql(d, "public");
  REQUIRE(sql.size() == 3);
  CHECK(sql[1] ==
        "CREATE TABLE IF NOT EXISTS \"public\".\"alembic_version\" (version_num VARCHAR(32) NOT "
        "NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))");
  CHECK(sql[2] == "INSERT INTO \"public\".\"alembic_version\" (version_num) VALUES ('rev2')");
}

TEST_CASE("the same revision needs nothing", "[stamp]") {
  auto d = apply::decide_stamp({true, {"rev2"}}, "rev2");
  CHECK(d.action == Action::none);
  CHECK_FALSE(d.pending());
  CHECK(apply::stamp_sql(d, "public").empty());
}

TEST_CASE("a revision schemad recorded is moved forward", "[stamp]") {
  auto d = apply::decide_stamp({true, {"schemad_0123456789abcdef01234567"}}, "rev3");
  CHECK(d.action == Action::update);
  auto sql = apply::stamp_sql(d, "meta");
  REQUIRE(sql.size() == 1);
  CHECK(sql[0] ==
        "UPDATE \"meta\".\"alembic_version\" SET version_num = 'rev3' WHERE version_num = "
        "'schemad_0123456789abcdef01234567'");
}

TEST_CASE("an unknown revision is left alone and reported, not pending", "[stamp]") {
  auto d = apply::decide_stamp({true, {"ae1027a6acf"}}, "rev3");
  CHECK(d.action == Action::leave_unknown);
  CHECK_FALSE(d.pending());
  CHECK_FALSE(d.error());
  CHECK(d.message().find("ae1027a6acf") != std::string::npos);
}

TEST_CASE("several heads are left alone and are an error naming them", "[stamp]") {
  auto d = apply::decide_stamp({true, {"a1", "b2"}}, "rev3");
  CHECK(d.action == Action::leave_several);
  CHECK(d.error());
  CHECK(d.message().find("a1, b2") != std::string::npos);
  CHECK(apply::stamp_sql(d, "public").empty());
}
