// Integration: schemad_history and the alembic_version rules against a real
// PostgreSQL: one row per reconcile that changed something, written with
// the change; the revision graph and the history decide what moves forward.

#include <catch2/catch.hpp>

#include "apply/connection.hpp"
#include "apply/history.hpp"
#include "apply/reconcile.hpp"
#include "model/load.hpp"
#include "support/pg.hpp"

using namespace schemad;
using schemad::test::TempDatabase;

namespace {

const std::string kProject = std::string(SCHEMAD_SOURCE_DIR) + "/tests/alembic/project/versions";

apply::Report run(const TempDatabase& db, const std::string& model_json,
                  const apply::Settings& settings = {}, apply::Mode mode = apply::Mode::apply) {
  auto model = model::load_text(model_json, "model.json");
  apply::ConnectionOptions options;
  options.conninfo = db.url();
  auto conn = apply::connect(options);
  return apply::reconcile(*conn, model, mode, settings, util::system_clock());
}

std::vector<apply::HistoryRow> history(const TempDatabase& db,
                                       const std::string& schema = "public") {
  pqxx::connection conn(db.url());
  pqxx::read_transaction tx(conn);
  return apply::read_history(tx, schema, 0);
}

std::string items(const std::string& revision, const std::string& extra = "") {
  std::string top = revision.empty() ? "" : R"j("revision": ")j" + revision + R"j(", )j";
  return R"j({"version": 1, )j" + top + R"j("tables": [{"name": "items", "columns": [
      {"name": "id", "type": "integer", "primary_key": true},
      {"name": "sku", "type": "text"}])j" +
         extra + "}]}";
}

std::string stamp(const TempDatabase& db) {
  return db.scalar("SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version");
}

}  // namespace

TEST_CASE("a reconcile that changes something writes one history row with its steps",
          "[pg][history]") {
  TempDatabase db;
  auto report = run(db, items("r1"));
  REQUIRE(report.error.empty());
  CHECK(report.recorded);
  auto rows = history(db);
  REQUIRE(rows.size() == 1);
  const auto& row = rows.front();
  CHECK(row.outcome == "applied");
  CHECK(row.stamped);
  CHECK(row.revision == "r1");
  CHECK(row.trigger == "apply");
  CHECK(row.pid > 0);
  CHECK_FALSE(row.host.empty());
  CHECK(row.fingerprint.size() == 64);
  CHECK(row.schemad_version == SCHEMAD_VERSION);
  CHECK(row.duration_seconds >= 0);
  REQUIRE(row.steps.size() == report.steps.size());
  CHECK(row.steps[0]["description"] == report.steps[0].step.description);
  CHECK(row.steps[0]["ok"] == true);
  // The same commit: the row's transaction also created the table.
  CHECK(db.scalar("SELECT xmin = (SELECT xmin FROM pg_class WHERE relname = 'items') FROM "
                  "schemad_history") == "t");

  // Nothing to do: no row. The history table is bookkeeping, not drift.
  auto again = run(db, items("r1"));
  CHECK(again.steps.empty());
  CHECK_FALSE(again.recorded);
  CHECK(again.remaining.diff.drift.empty());
  CHECK(history(db).size() == 1);
}

TEST_CASE("after online steps, the stamp and the history row come in a final transaction",
          "[pg][history]") {
  TempDatabase db;
  db.exec("CREATE TABLE items (id integer PRIMARY KEY, sku text)");
  auto report = run(db, items("r1", R"j(, "indexes": [{"name": "ix_sku", "columns": ["sku"]}])j"));
  REQUIRE(report.error.empty());
  REQUIRE(report.satisfied());
  CHECK(report.stamped);
  CHECK(stamp(db) == "r1");
  auto rows = history(db);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].outcome == "applied");
  CHECK(rows[0].stamped);
  REQUIRE(rows[0].steps.size() == 1);
  CHECK(rows[0].steps[0]["phase"] == "after");
  CHECK(rows[0].steps[0]["ok"] == true);
  CHECK(rows[0].steps[0]["attempts"] == 1);
}

TEST_CASE("a failing online step is recorded as partial and nothing is stamped", "[pg][history]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE items (id integer PRIMARY KEY, sku text); "
      "INSERT INTO items VALUES (1, 'a'), (2, 'a')");
  auto report =
      run(db, items("r1", R"j(, "indexes": [{"name": "ux_sku", "columns": ["sku"], "unique": true},
                                        {"name": "ix_sku", "columns": ["sku"]}])j"));
  CHECK_FALSE(report.error.empty());
  CHECK_FALSE(report.stamped);
  CHECK(db.scalar("SELECT to_regclass('alembic_version') IS NULL") == "t");
  auto rows = history(db);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].outcome == "partial");
  CHECK_FALSE(rows[0].stamped);
  CHECK_THAT(rows[0].error, Catch::Contains("ux_sku"));
  int ok = 0, failed = 0;
  for (const auto& step : rows[0].steps) (step["ok"] == true ? ok : failed) += 1;
  CHECK(ok == 1);  // the other index was still built
  CHECK(failed == 1);
}

TEST_CASE("a failed transaction after an enum value was added leaves a failed row",
          "[pg][history]") {
  TempDatabase db;
  db.exec("CREATE TYPE mood AS ENUM ('sad')");
  auto report = run(db, R"j({"version": 1, "enums": [{"name": "mood", "values": ["sad", "happy"]}],
      "tables": [{"name": "t", "columns": [{"name": "id", "type": "integer", "primary_key": true}],
                  "checks": [{"name": "ck_t", "expression": "no_such_column > 0"}]}]})j");
  CHECK_FALSE(report.error.empty());
  CHECK(db.scalar("SELECT count(*) FROM pg_enum WHERE enumlabel = 'happy'") == "1");
  CHECK(db.scalar("SELECT to_regclass('t') IS NULL") == "t");
  auto rows = history(db);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].outcome == "failed");
  CHECK_FALSE(rows[0].stamped);
  CHECK_FALSE(rows[0].error.empty());
}

TEST_CASE("several heads in alembic_version: the schema is healed, the rows left alone",
          "[pg][history]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY); "
      "INSERT INTO alembic_version VALUES ('a1'), ('b2')");
  auto report = run(db, items("r1"));
  CHECK(report.error.empty());
  CHECK(report.remaining.diff.satisfied());
  CHECK(report.remaining.stamp.error());
  CHECK_FALSE(report.satisfied());
  CHECK(db.scalar("SELECT to_regclass('items') IS NOT NULL") == "t");
  CHECK(stamp(db) == "a1,b2");
  auto rows = history(db);
  REQUIRE(rows.size() == 1);
  CHECK_FALSE(rows[0].stamped);
}

TEST_CASE("the history lives beside alembic_version in version_table_schema", "[pg][history]") {
  TempDatabase db;
  apply::Settings settings;
  settings.version_table_schema = "meta";
  settings.trigger = "startup";
  auto report = run(db, items("r1"), settings);
  REQUIRE(report.satisfied());
  CHECK(db.scalar("SELECT version_num FROM meta.alembic_version") == "r1");
  auto rows = history(db, "meta");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].trigger == "startup");
  CHECK(history(db, "public").empty());
}

TEST_CASE("a revision schemad stamped moves forward; a model rolled back does not move it back",
          "[pg][history]") {
  TempDatabase db;
  REQUIRE(run(db, items("r1")).satisfied());
  auto forward = run(db, items("r2"));
  CHECK(forward.satisfied());
  CHECK(stamp(db) == "r2");
  auto rollback = run(db, items("r1"));
  CHECK(rollback.satisfied());  // left alone is not an error
  CHECK(rollback.remaining.stamp.action == apply::StampDecision::Action::leave_newer);
  CHECK(stamp(db) == "r2");
  CHECK(history(db).size() == 2);

  // A revision schemad never stamped is left alone.
  db.exec("UPDATE alembic_version SET version_num = 'by_hand'");
  auto unknown = run(db, items("r3"));
  CHECK(unknown.remaining.stamp.action == apply::StampDecision::Action::leave_unknown);
  CHECK(stamp(db) == "by_hand");
}

TEST_CASE("the versions folder's graph moves an Alembic revision forward to its head",
          "[pg][history]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE alembic_version (version_num varchar(32) NOT NULL, CONSTRAINT "
      "alembic_version_pkc PRIMARY KEY (version_num)); "
      "INSERT INTO alembic_version VALUES ('2b3c4d5e6f70')");
  apply::Settings settings;
  settings.revisions = apply::load_revision_source("", kProject);
  auto report = run(db, items(""), settings);
  REQUIRE(report.satisfied());
  CHECK(report.revision == "5e6f708192a3");
  CHECK(stamp(db) == "5e6f708192a3");

  // A model naming an ancestor of what the database holds: left alone.
  auto older = run(db, items("4d5e6f708192"), settings);
  CHECK(older.remaining.stamp.action == apply::StampDecision::Action::leave_newer);
  CHECK(stamp(db) == "5e6f708192a3");
}
