#include <catch2/catch.hpp>

#include <filesystem>

#include "apply/alembic_stamp.hpp"
#include "apply/history.hpp"
#include "support/process.hpp"

using namespace schemad;
using Action = apply::StampDecision::Action;

namespace {

const std::string kProject = std::string(SCHEMAD_SOURCE_DIR) + "/tests/alembic/project/versions";
const std::string kBase = "1a2b3c4d5e6f", kProjects = "2b3c4d5e6f70", kAudit = "3c4d5e6f7081",
                  kMerge = "4d5e6f708192", kHead = "5e6f708192a3";

apply::StampState holding(const std::string& revision) {
  apply::StampState state;
  state.table_exists = true;
  state.revisions = {revision};
  return state;
}

}  // namespace

TEST_CASE("the baseline revision comes from the model, then the config, then the fingerprint",
          "[stamp]") {
  schema::Database model;
  model.fingerprint = std::string(64, 'a');
  apply::RevisionSource none;
  CHECK(apply::baseline_revision(model, none) == "schemad_" + std::string(24, 'a'));
  CHECK(apply::baseline_revision(model, none).size() == 32);
  apply::RevisionSource configured{"cfg_rev", "", nullptr};
  CHECK(apply::baseline_revision(model, configured) == "cfg_rev");
  model.revision = "20260120_x";
  CHECK(apply::baseline_revision(model, configured) == "20260120_x");
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

TEST_CASE("the versions folder's single head is the baseline after the model and the config",
          "[stamp]") {
  schema::Database model;
  model.fingerprint = std::string(64, 'b');
  auto source = apply::load_revision_source("", kProject);
  REQUIRE(source.graph);
  CHECK(apply::baseline_revision(model, source) == kHead);
  source.configured = "cfg_rev";
  CHECK(apply::baseline_revision(model, source) == "cfg_rev");
  model.revision = "model_rev";
  CHECK(apply::baseline_revision(model, source) == "model_rev");
  CHECK_FALSE(apply::load_revision_source("", "").graph);
}

TEST_CASE("a versions folder with several heads is an error naming them and the folder",
          "[stamp]") {
  std::string dir;
  for (const auto& [file, text] : std::vector<std::pair<std::string, std::string>>{
           {"a.py", "revision = 'a1'\ndown_revision = None\n"},
           {"b.py", "revision = 'b2'\ndown_revision = 'a1'\n"},
           {"c.py", "revision = 'c3'\ndown_revision = 'a1'\n"}}) {
    dir = std::filesystem::path(test::write_temp_file("two-heads/" + file, text))
              .parent_path()
              .string();
  }
  schema::Database model;
  model.fingerprint = std::string(64, 'b');
  auto source = apply::load_revision_source("", dir);
  CHECK_THROWS_WITH(
      apply::baseline_revision(model, source),
      "alembic.versions_dir " + dir + ": several heads: b2, c3; merge them with `alembic merge`");
  // A revision named elsewhere needs no single head.
  model.revision = "b2";
  CHECK(apply::baseline_revision(model, source) == "b2");
}

TEST_CASE("the versions graph moves an ancestor forward and never a descendant back", "[stamp]") {
  auto graph = alembic::load_graph(kProject);
  auto forward = apply::decide_stamp(holding(kProjects), kHead, &graph);
  CHECK(forward.action == Action::update);
  CHECK(forward.message() == "alembic_version: move revision " + kProjects + " forward to " +
                                 kHead + " (an ancestor in the versions folder)");
  CHECK(apply::decide_stamp(holding(kBase), kMerge, &graph).action == Action::update);

  auto back = apply::decide_stamp(holding(kHead), kMerge, &graph);
  CHECK(back.action == Action::leave_newer);
  CHECK(back.left_alone());
  CHECK_FALSE(back.pending());
  CHECK_FALSE(back.error());
  CHECK(back.message().find("never moved backwards") != std::string::npos);
  CHECK(apply::stamp_sql(back, "public").empty());

  auto sideways = apply::decide_stamp(holding(kProjects), kAudit, &graph);
  CHECK(sideways.action == Action::leave_unknown);
  CHECK(sideways.message().find("another branch") != std::string::npos);

  auto unknown = apply::decide_stamp(holding("ffffffffffff"), kHead, &graph);
  CHECK(unknown.action == Action::leave_unknown);
  CHECK(unknown.message().find("which alembic.versions_dir does not know") != std::string::npos);

  auto target_unknown = apply::decide_stamp(holding(kHead), "elsewhere", &graph);
  CHECK(target_unknown.action == Action::leave_unknown);
  CHECK(target_unknown.message().find("target is not in alembic.versions_dir") !=
        std::string::npos);

  // schemad's own fingerprint ids are never in a graph: always moved forward.
  CHECK(apply::decide_stamp(holding("schemad_0123456789abcdef01234567"), kHead, &graph).action ==
        Action::update);
}

TEST_CASE("a revision schemad stamped itself moves forward, unless the model rolled back",
          "[stamp]") {
  auto state = holding("r2");
  CHECK(apply::needs_history(state, "r3", nullptr));
  CHECK(apply::decide_stamp(state, "r3").action == Action::leave_unknown);

  state.current_recorded = 7;  // r2 stamped by schemad in history row 7
  auto d = apply::decide_stamp(state, "r3");
  CHECK(d.action == Action::update);
  CHECK(d.message().find("stamped by schemad earlier") != std::string::npos);

  state.target_recorded = 9;  // r3 stamped after r2, then r2 again by hand: forward
  CHECK(apply::decide_stamp(state, "r3").action == Action::update);

  state.target_recorded = 3;  // r3 stamped before r2: the model is older
  auto rollback = apply::decide_stamp(state, "r3");
  CHECK(rollback.action == Action::leave_newer);
  CHECK(rollback.message().find("the model is older than the database") != std::string::npos);
}

TEST_CASE("the history is read only when the decision depends on it", "[stamp]") {
  auto graph = alembic::load_graph(kProject);
  CHECK_FALSE(apply::needs_history({}, "r1", nullptr));                    // no row
  CHECK_FALSE(apply::needs_history(holding("r1"), "r1", nullptr));         // the target
  CHECK_FALSE(apply::needs_history({true, {"a", "b"}}, "r1", nullptr));    // several
  CHECK_FALSE(apply::needs_history(holding("schemad_x"), "r1", nullptr));  // made up
  CHECK_FALSE(apply::needs_history(holding(kProjects), kHead, &graph));    // graph decides
  CHECK(apply::needs_history(holding("r0"), kHead, &graph));               // graph cannot
  CHECK(apply::needs_history(holding(kProjects), "r9", &graph));
}

TEST_CASE("a forced stamp leaves exactly the revision", "[stamp]") {
  auto sql = apply::force_stamp_sql({true, {"a1", "b2"}}, "r3", "public");
  REQUIRE(sql.size() == 2);
  CHECK(sql[0] == "DELETE FROM \"public\".\"alembic_version\"");
  CHECK(sql[1] == "INSERT INTO \"public\".\"alembic_version\" (version_num) VALUES ('r3')");
  CHECK(apply::force_stamp_sql({false, {}}, "r3", "meta").size() == 3);  // schema, table, row
  CHECK(apply::force_stamp_sql({true, {}}, "r3", "public").size() == 1);
  CHECK(apply::force_stamp_sql({true, {"r3"}}, "r3", "public").empty());
}

TEST_CASE("a history row creates its table and records the steps as JSON", "[stamp][history]") {
  auto entry = apply::new_history_entry("apply", std::string(64, 'f'), "r'1");
  CHECK(entry.pid > 0);
  CHECK_FALSE(entry.host.empty());
  plan::Step step;
  step.phase = plan::Phase::transaction;
  step.kind = schemad::diff::ChangeKind::create_table;
  step.key = "table \"public\".\"t\"";
  step.description = "create table public.t";
  step.sql = "CREATE TABLE \"public\".\"t\" ()";
  entry.steps = apply::history_steps(std::vector<plan::Step>{step});
  entry.stamped = true;
  entry.outcome = apply::Outcome::applied;
  auto sql = apply::history_sql(entry, "meta");
  REQUIRE(sql.size() == 3);
  CHECK(sql[0] == "CREATE SCHEMA IF NOT EXISTS \"meta\"");
  CHECK_THAT(sql[1],
             Catch::StartsWith("CREATE TABLE IF NOT EXISTS \"meta\".\"schemad_history\" ("));
  CHECK_THAT(sql[2], Catch::Contains("'r''1'"));  // quoted
  CHECK_THAT(sql[2], Catch::Contains("\"ok\":true"));
  CHECK_THAT(sql[2], Catch::Contains("'apply'"));
  CHECK(entry.steps[0]["phase"] == "transaction");
}
