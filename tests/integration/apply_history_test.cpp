// Integration: schemad_history and the alembic_version rules against a real
// PostgreSQL: one row per reconcile that changed something, written with
// the change; the revision graph and the history decide what moves forward.

#include <catch2/catch.hpp>

#include "apply/history.hpp"
#include "db/connection.hpp"
#include "engine/engine.hpp"
#include "model/load.hpp"
#include "support/pg.hpp"

using namespace schemad;
using schemad::test::TempDatabase;

namespace {

const std::string kProject = std::string(SCHEMAD_SOURCE_DIR) + "/tests/alembic/project/versions";

engine::Report run(const TempDatabase& db, const std::string& model_json,
                   const engine::Settings& settings = {}, engine::Mode mode = engine::Mode::apply) {
  auto model = model::load_text(model_json, "model.json");
  db::ConnectionOptions options;
  options.conninfo = db.url();
  auto conn = db::connect(options);
  return engine::converge(*conn, model, mode, settings, util::system_clock());
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

// An apply whose steps give up waiting for a lock after 100 ms and retry
// for up to a minute; `on_wait` hears each time out, `on_wait_over` the end
// of a step's wait.
engine::Report apply_waiting(const TempDatabase& db, const std::string& model_json,
                             std::function<void(const apply::LockWait&)> on_wait,
                             std::function<void()> on_wait_over = {}) {
  auto model = model::load_text(model_json, "model.json");
  db::ConnectionOptions options;
  options.conninfo = db.url();
  options.lock_timeout_ms = 100;
  auto conn = db::connect(options);
  engine::Settings settings;
  settings.lock_retry = std::chrono::seconds(60);
  settings.on_wait = std::move(on_wait);
  settings.on_wait_over = std::move(on_wait_over);
  return engine::converge(*conn, model, engine::Mode::apply, settings, util::system_clock());
}

std::string stamp(const TempDatabase& db) {
  return db.scalar("SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version");
}

}  // namespace

TEST_CASE("a reconcile that changes something writes one history row with its steps",
          "[pg][history]") {
  TempDatabase db;
  auto report = run(db, items("r1"));
  REQUIRE(report.errors.empty());
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
  REQUIRE(report.errors.empty());
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

TEST_CASE("duplicates block a unique index: blocked with the reason, the rest applied, no stamp",
          "[pg][history]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE items (id integer PRIMARY KEY, sku text); "
      "INSERT INTO items VALUES (1, 'a'), (2, 'a')");
  const std::string model =
      items("r1", R"j(, "indexes": [{"name": "ux_sku", "columns": ["sku"], "unique": true},
                                    {"name": "ix_sku", "columns": ["sku"]}],
                    "uniques": [{"name": "uq_sku", "columns": ["sku"]}])j");
  auto report = run(db, model);
  // The rows, not schemad, are at fault: no error, the rest was built; but
  // the database lacks what the model declares.
  CHECK(report.errors.empty());
  CHECK_FALSE(report.satisfied());
  CHECK(db.scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_sku'::regclass") == "t");
  // Half-built unique indexes would go on checking new rows: none is left.
  CHECK(db.scalar("SELECT count(*) FROM pg_class WHERE relname IN ('ux_sku', 'uq_sku')") == "0");
  REQUIRE(report.remaining.blocked.size() == 2);
  for (const auto& b : report.remaining.blocked) {
    CHECK(b.kind == diff::DriftKind::data_conflict);
    CHECK_THAT(b.message(), Catch::Contains("Key (sku)=(a) is duplicated."));
  }
  CHECK(report.remaining.diff.changes.empty());
  // The database lacks what the model declares: the revision waits.
  CHECK(report.remaining.stamp.action == apply::StampDecision::Action::hold);
  CHECK(db.scalar("SELECT to_regclass('alembic_version') IS NULL") == "t");
  auto rows = history(db);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].outcome == "partial");
  CHECK_FALSE(rows[0].stamped);
  int ok = 0, failed = 0, skipped = 0;
  for (const auto& step : rows[0].steps) {
    if (step.value("skipped", false)) {
      ++skipped;
    } else if (step["ok"] == true) {
      ++ok;
    } else {
      ++failed;
      CHECK(step["sqlstate"] == "23505");
    }
  }
  CHECK(ok == 1);       // ix_sku
  CHECK(failed == 2);   // ux_sku, and uq_sku's index
  CHECK(skipped == 1);  // uq_sku's ADD CONSTRAINT ... USING INDEX

  // The timer does not try again: the history says the data blocks it.
  engine::Settings timer;
  timer.retry_conflicts = false;
  auto again = run(db, model, timer);
  CHECK(again.steps.empty());
  CHECK_FALSE(again.satisfied());
  CHECK(again.remaining.blocked.size() == 2);
  CHECK(again.lock_wait.count() == 0);  // nothing to do: not even the lock
  CHECK(history(db).size() == 1);
  // Nor does check, which agrees with the daemon.
  auto checked = run(db, model, {}, engine::Mode::check);
  CHECK(checked.found.diff.changes.empty());
  CHECK(checked.found.blocked.size() == 2);
  CHECK_FALSE(checked.found.satisfied());
  CHECK(checked.found.stamp.action == apply::StampDecision::Action::hold);

  // Once the rows are fixed, an explicit apply builds them and stamps.
  db.exec("UPDATE items SET sku = 'b' WHERE id = 2");
  auto fixed = run(db, model);
  CHECK(fixed.errors.empty());
  CHECK(fixed.remaining.diff.drift.empty());
  CHECK(fixed.stamped);
  CHECK(db.scalar("SELECT version_num FROM alembic_version") == "r1");
}

TEST_CASE("a change the data blocked is known by its key, however its description reads",
          "[pg][history]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE items (id integer PRIMARY KEY, sku text); "
      "INSERT INTO items VALUES (1, 'a'), (2, 'a')");
  const std::string model =
      items("r1", R"j(, "indexes": [{"name": "ux_sku", "columns": ["sku"], "unique": true}])j");
  REQUIRE(run(db, model).errors.empty());
  const auto blocked = [&] {
    auto checked = run(db, model, {}, engine::Mode::check);
    return checked.found.diff.changes.empty() && checked.found.blocked.size() == 1 &&
           checked.found.diff.drift.empty();
  };
  REQUIRE(blocked());
  const auto rewrite = [&](const std::string& step) {
    db.exec("UPDATE schemad_history SET steps = (SELECT jsonb_agg(" + step +
            ") FROM jsonb_array_elements(steps) s)");
  };
  // A later schemad words its descriptions otherwise: the key still finds it.
  rewrite(R"(s || '{"change": "build unique index ux_sku", "description": "x"}')");
  CHECK(blocked());
  // A row written before steps had keys: found by the description it names.
  rewrite(R"(s - 'key' || '{"change": "create index ux_sku on public.items"}')");
  CHECK(blocked());
  // Neither key nor a known description: nothing says it was blocked.
  rewrite(R"(s - 'key' || '{"change": "build unique index ux_sku"}')");
  CHECK_FALSE(blocked());
}

TEST_CASE("rows violating a new foreign key leave it NOT VALID with a sample, and the rest goes on",
          "[pg][history]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE parents (id integer PRIMARY KEY); INSERT INTO parents VALUES (1); "
      "CREATE TABLE items (id integer PRIMARY KEY, parent_id integer, sku text); "
      "INSERT INTO items VALUES (1, 1, 'a'), (2, 5, 'b')");
  auto report = run(db, R"j({"version": 1, "revision": "r1", "tables": [
    {"name": "parents", "columns": [{"name": "id", "type": "integer", "primary_key": true}]},
    {"name": "items", "columns": [{"name": "id", "type": "integer", "primary_key": true},
                                  {"name": "parent_id", "type": "integer"},
                                  {"name": "sku", "type": "text"}],
     "indexes": [{"name": "ix_items_sku", "columns": ["sku"]}],
     "foreign_keys": [{"name": "fk_items_parent", "columns": ["parent_id"],
                       "references": {"table": "parents", "columns": ["id"]}}]}]})j");
  CHECK(report.errors.empty());
  CHECK(db.scalar("SELECT convalidated FROM pg_constraint WHERE conname = 'fk_items_parent'") ==
        "f");
  CHECK(db.scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_items_sku'::regclass") ==
        "t");
  bool not_valid = false, why = false;
  for (const auto& d : report.remaining.diff.drift) {
    not_valid = not_valid || d.kind == diff::DriftKind::constraint_not_valid;
    why = why || (d.kind == diff::DriftKind::data_conflict &&
                  d.message().find("Key (parent_id)=(5) is not present") != std::string::npos);
  }
  CHECK(not_valid);
  CHECK(why);
  auto rows = history(db);
  REQUIRE(rows.size() == 1);
  bool sample = false;
  for (const auto& step : rows[0].steps) {
    if (step["ok"] == false) {
      CHECK(step["sqlstate"] == "23503");
      sample = step.value("detail", "").find("(parent_id)=(5)") != std::string::npos;
    }
  }
  CHECK(sample);
}

TEST_CASE("a failed transaction after an enum value was added leaves a failed row",
          "[pg][history]") {
  TempDatabase db;
  db.exec("CREATE TYPE mood AS ENUM ('sad')");
  auto report = run(db, R"j({"version": 1, "enums": [{"name": "mood", "values": ["sad", "happy"]}],
      "tables": [{"name": "t", "columns": [{"name": "id", "type": "integer", "primary_key": true}],
                  "checks": [{"name": "ck_t", "expression": "no_such_column > 0"}]}]})j");
  CHECK_FALSE(report.errors.empty());
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
  CHECK(report.errors.empty());
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
  engine::Settings settings;
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

TEST_CASE("a revision schemad stamped moves forward, a model rolled back does not move it back",
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
  engine::Settings settings;
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

TEST_CASE("a step blocked by another session's lock names it, retries, and completes once it ends",
          "[pg][locks]") {
  TempDatabase db;
  db.exec("CREATE TABLE items (id integer PRIMARY KEY)");
  // The application: a transaction left open after reading the table.
  pqxx::connection app(db.url() + "?application_name=blocking-app");
  const int app_pid = app.backendpid();
  auto blocker = std::make_unique<pqxx::work>(app);
  blocker->exec("SELECT count(*) FROM items");

  std::vector<apply::LockWait> waits;
  std::vector<std::size_t> over_after;  // waits heard when each wait was over
  auto report = apply_waiting(
      db, items("r1"),
      [&](const apply::LockWait& wait) {
        waits.push_back(wait);
        if (waits.size() == 3) blocker->commit();  // the application moves on
      },
      [&] { over_after.push_back(waits.size()); });
  INFO(report.error_text());
  CHECK(report.errors.empty());
  CHECK(report.satisfied());
  REQUIRE(waits.size() >= 3);
  // The step got its lock: the wait is over, once, after the last time out
  // (/status "waiting" and schemad_lock_waiting_seconds end there).
  CHECK(over_after == std::vector<std::size_t>{waits.size()});
  const auto& wait = waits.front();
  CHECK(wait.step == "add column public.items.sku");
  CHECK(wait.table == "\"public\".\"items\"");
  REQUIRE(wait.blockers.size() == 1);
  const auto& b = wait.blockers.front();
  CHECK(b.pid == app_pid);
  CHECK(b.application_name == "blocking-app");
  CHECK(b.state == "idle in transaction");
  CHECK_FALSE(b.xact_start.empty());
  CHECK_THAT(b.lock_modes, Catch::Contains("AccessShareLock"));
  CHECK_THAT(b.describe(),
             Catch::StartsWith("pid " + std::to_string(app_pid) +
                               " (application \"blocking-app\", idle in transaction"));
  // One transaction, retried as a whole: it ran more than once, committed once.
  REQUIRE(report.steps.size() == 1);
  CHECK(report.steps[0].attempts == static_cast<int>(waits.size()) + 1);
  CHECK(history(db).size() == 1);
}

TEST_CASE("a concurrent build that timed out waiting is retried without its leftover",
          "[pg][locks]") {
  TempDatabase db;
  db.exec("CREATE TABLE items (id integer PRIMARY KEY, sku text)");
  // An older transaction writing to the table: a concurrent build must wait for it.
  pqxx::connection app(db.url() + "?application_name=old-writer");
  auto open = std::make_unique<pqxx::work>(app);
  open->exec("INSERT INTO items VALUES (100, 'z')");

  std::vector<apply::LockWait> waits;
  std::string leftover;
  auto report = apply_waiting(
      db, items("r1", R"j(, "indexes": [{"name": "ix_sku", "columns": ["sku"]}])j"),
      [&](const apply::LockWait& wait) {
        waits.push_back(wait);
        if (waits.size() == 2) {
          leftover =
              db.scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('ix_sku')");
          open->commit();
        }
      });
  INFO(report.error_text());
  CHECK(report.errors.empty());
  CHECK(report.satisfied());
  REQUIRE(waits.size() >= 2);
  CHECK(waits.front().step == "create index ix_sku on public.items");
  CHECK(waits.front().blockers.size() == 1);
  CHECK(waits.front().blockers.front().application_name == "old-writer");
  // The timed-out build had left an invalid index; the retry replaced it.
  CHECK(leftover == "f");
  CHECK(db.scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_sku'::regclass") == "t");
}

TEST_CASE("a table that stays locked does not hold up the changes that do not touch it",
          "[pg][locks]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE items (id integer PRIMARY KEY); CREATE TABLE other (id integer PRIMARY KEY)");
  pqxx::connection app(db.url() + "?application_name=never-done");
  pqxx::work open(app);
  open.exec("SELECT count(*) FROM items");  // and never ends during the reconcile

  auto model = model::load_text(R"j({"version": 1, "tables": [
    {"name": "items", "columns": [{"name": "id", "type": "integer", "primary_key": true},
                                  {"name": "sku", "type": "text"}]},
    {"name": "other", "columns": [{"name": "id", "type": "integer", "primary_key": true},
                                  {"name": "note", "type": "text"}]},
    {"name": "fresh", "columns": [{"name": "id", "type": "integer", "primary_key": true},
                                  {"name": "item_id", "type": "integer"}],
     "foreign_keys": [{"name": "fk_fresh_item", "columns": ["item_id"],
                       "references": {"table": "items", "columns": ["id"]}}]}]})j",
                                "model.json");
  db::ConnectionOptions options;
  options.conninfo = db.url();
  options.lock_timeout_ms = 100;
  auto conn = db::connect(options);
  engine::Settings settings;
  settings.lock_retry = std::chrono::seconds(1);
  auto report = engine::converge(*conn, model, engine::Mode::apply, settings, util::system_clock());
  CHECK_THAT(report.error_text(), Catch::Contains("add column public.items.sku"));
  CHECK_THAT(report.error_text(), Catch::Contains("lock timeout"));
  CHECK_FALSE(report.satisfied());
  // What does not touch items went ahead.
  CHECK(db.scalar("SELECT count(*) FROM pg_attribute WHERE attrelid = 'other'::regclass AND "
                  "attname = 'note'") == "1");
  CHECK(db.scalar("SELECT to_regclass('fresh') IS NOT NULL") == "t");
  // What does, waits: the column, and the foreign key that references items.
  CHECK(db.scalar("SELECT count(*) FROM pg_attribute WHERE attrelid = 'items'::regclass AND "
                  "attname = 'sku'") == "0");
  CHECK(db.scalar("SELECT count(*) FROM pg_constraint WHERE conname = 'fk_fresh_item'") == "0");
  CHECK(db.scalar("SELECT to_regclass('alembic_version') IS NULL") == "t");
  auto rows = history(db);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].outcome == "partial");
  CHECK_FALSE(rows[0].stamped);

  open.commit();
  auto after = engine::converge(*conn, model, engine::Mode::apply, settings, util::system_clock());
  CHECK(after.errors.empty());
  CHECK(after.satisfied());
}
