// Integration: the verification a no-op apply records (engine/verified.hpp)
// answers a later check, plan or apply in three statements, and never once
// anything it depends on changed: every kind of DDL inspection would see,
// alembic_version's rows, the model, the revision, the settings.

#include <unistd.h>

#include <cstring>

#include <catch2/catch.hpp>

#include "catalog/version.hpp"
#include "db/connection.hpp"
#include "engine/engine.hpp"
#include "engine/heal.hpp"
#include "engine/verified.hpp"
#include "model/load.hpp"
#include "support/models.hpp"
#include "support/pg.hpp"

using namespace schemad;
using schemad::test::StatementWitness;
using schemad::test::TempDatabase;

namespace {

// The catalog version test's model, with a policy naming a role.
const char* kPolicy = R"j(, "policies": [{"name": "readers", "command": "select",
    "roles": ["verified_reader"], "using": "id > 0"}]}]})j";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// A role of the test's own (roles are the server's, and tests run side by
// side), dropped after the database that names it.
struct Role {
  std::string name;
  explicit Role(std::string n) : name(std::move(n)) {
    test::admin_exec("DROP ROLE IF EXISTS " + name + "; CREATE ROLE " + name);
  }
  ~Role() {
    try {
      test::admin_exec("DROP ROLE IF EXISTS " + name + "; DROP ROLE IF EXISTS " + name + "_2");
    } catch (...) {
    }
  }
};

struct Fixture {
  Role role{"vr_" + std::to_string(::getpid())};
  TempDatabase db;
  std::string text = replaced(
      std::string(test::kItemsModel).replace(std::strlen(test::kItemsModel) - 3, 3, kPolicy),
      "verified_reader", role.name);
  schema::Database model = model::load_text(text, "model.json");
  std::unique_ptr<pqxx::connection> conn;
  engine::Settings settings;

  Fixture() {
    db::ConnectionOptions options;
    options.conninfo = db.url();
    conn = db::connect(options);
  }
  engine::Report run(engine::Mode mode, bool trust) {
    engine::Settings s = settings;
    s.trust_record = trust;
    return engine::converge(*conn, model, mode, s, util::system_clock());
  }
  // Heals, then records: the state every case starts from.
  void settle() {
    auto healed = run(engine::Mode::apply, false);
    INFO(healed.error_text());
    REQUIRE(healed.satisfied());
    REQUIRE(run(engine::Mode::apply, false).satisfied());
  }
  bool trusted() { return !run(engine::Mode::check, true).verified_at.empty(); }
};

}  // namespace

TEST_CASE("a check trusts the verification a no-op apply recorded, in three statements",
          "[pg][verified]") {
  Fixture f;
  f.db.exec("CREATE TABLE items (id integer PRIMARY KEY, extra text)");  // drift: an extra column
  StatementWitness witness(f.db);  // first: it creates an extension (DDL)
  f.settle();
  auto full = f.run(engine::Mode::check, false);
  REQUIRE(full.found.diff.drift.size() == 1);

  witness.reset();
  auto check = f.run(engine::Mode::check, true);
  CHECK(witness.statements() == 3);  // the tables, the record and rows, the catalog version
  CHECK(witness.writes() == "");
  CHECK_FALSE(check.verified_at.empty());
  CHECK(check.observations == 0);
  CHECK(check.found.queries == 3);
  CHECK(check.satisfied());
  REQUIRE(check.found.diff.drift.size() == 1);
  CHECK(check.found.diff.drift[0].message() == full.found.diff.drift[0].message());
  CHECK(check.found.diff.drift[0].path == full.found.diff.drift[0].path);
  CHECK(check.found.stamp.action == full.found.stamp.action);

  // An apply that trusts it takes no lock and writes nothing either.
  witness.reset();
  auto apply = f.run(engine::Mode::apply, true);
  CHECK(witness.statements() == 3);
  CHECK(witness.writes() == "");
  CHECK_FALSE(apply.verified_at.empty());
  CHECK(apply.steps.empty());

  // Before a JSON model is read: found by the SHA-256 of its text.
  auto unread = engine::converge_recorded(*f.conn, f.model.source, engine::Mode::check, f.settings,
                                          util::system_clock());
  REQUIRE(unread.has_value());
  CHECK(unread->revision == "r1");
  CHECK(unread->found.diff.drift.size() == 1);
  CHECK_FALSE(engine::converge_recorded(*f.conn, std::string(64, '0'), engine::Mode::check,
                                        f.settings, util::system_clock())
                  .has_value());
}

TEST_CASE("a heal after a recorded verification reads the catalog version once before comparing",
          "[pg][verified]") {
  Fixture f;
  StatementWitness witness(f.db);
  f.settle();
  f.db.exec("ALTER TABLE items DROP COLUMN sku");
  const std::string dbid =
      f.db.scalar("SELECT oid FROM pg_database WHERE datname = current_database()");
  witness.reset();
  auto healed = f.run(engine::Mode::apply, true);
  INFO(healed.error_text());
  REQUIRE(healed.satisfied());
  CHECK_FALSE(healed.steps.empty());
  // Reading the record (which then does not hold) and under the lock before
  // healing: the version read with the record serves as the one taken
  // before the comparison.
  CHECK(f.db.scalar("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE dbid = " + dbid +
                    " AND query LIKE '%SELECT oid, xmin FROM pg_namespace%'") == "2");
  // The next no-op apply records again, and a check trusts it.
  REQUIRE(f.run(engine::Mode::apply, true).satisfied());
  CHECK(f.trusted());
}

TEST_CASE("every change inspection would see makes the next check inspect in full",
          "[pg][verified]") {
  Fixture f;
  f.settle();
  REQUIRE(f.trusted());
  const char* changes[] = {
      "ALTER TABLE items DROP COLUMN mood",
      "ALTER TABLE items ADD COLUMN extra integer",
      "ALTER TABLE items ALTER COLUMN sku SET DEFAULT 'y'",
      "ALTER TABLE items ALTER COLUMN sku DROP DEFAULT",
      "ALTER TABLE items ALTER COLUMN sku SET NOT NULL",
      "ALTER TABLE items ALTER COLUMN sku TYPE varchar(20)",
      "COMMENT ON TABLE items IS 'other'",
      "COMMENT ON TABLE items IS NULL",
      "COMMENT ON COLUMN items.sku IS 'stock keeping unit'",
      "DROP INDEX ix_items_sku",
      "CREATE INDEX ix_other ON items (id, sku)",
      "ALTER INDEX ix_items_sku RENAME TO ix_renamed",
      "ALTER TYPE mood ADD VALUE 'great'",
      "ALTER TYPE mood RENAME VALUE 'meh' TO 'fine'",
      "ALTER TABLE items ADD CONSTRAINT ck_id CHECK (id > 0) NOT VALID",
      "ALTER TABLE items VALIDATE CONSTRAINT ck_id",
      "ALTER TABLE items DROP CONSTRAINT items_pkey",
      "CREATE TABLE stray (id integer)",
      "DROP TABLE stray",
      "CREATE EXTENSION IF NOT EXISTS pgcrypto",
      "ALTER TABLE items RENAME COLUMN sku TO code",
      "ALTER TABLE items RENAME TO things",
      "CREATE SEQUENCE counter",
      "ALTER SEQUENCE counter INCREMENT BY 5",
      "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
      "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS "
      "$$BEGIN RETURN NULL; END$$",
      "CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch()",
      "ALTER TABLE items DISABLE TRIGGER items_touch",
      "DROP TRIGGER items_touch ON items",
      "ALTER POLICY readers ON items USING (id > 1)",
      "DROP POLICY readers ON items",
      "ALTER ROLE verified_reader RENAME TO verified_reader_2",
      "ALTER TABLE items ENABLE ROW LEVEL SECURITY",
      "ALTER TABLE items FORCE ROW LEVEL SECURITY",
      "CREATE VIEW item_ids AS SELECT id FROM items",
      "CREATE OR REPLACE VIEW item_ids AS SELECT id FROM items WHERE id > 0",
      "CREATE MATERIALIZED VIEW item_count AS SELECT count(*) AS n FROM items",
      "CREATE UNIQUE INDEX item_count_n ON item_count (n)",
      "DROP FUNCTION touch() CASCADE",
      "UPDATE alembic_version SET version_num = 'by_hand'",
      "DELETE FROM alembic_version",
  };
  for (const char* sql : changes) {
    const std::string change = replaced(sql, "verified_reader", f.role.name);
    INFO(change);
    f.db.exec(change);
    auto check = f.run(engine::Mode::check, true);
    CHECK(check.verified_at.empty());
    CHECK(check.observations == 1);
    // Back to a state the model is satisfied with, recorded again.
    if (change.find(f.role.name + "_2") != std::string::npos) {
      f.db.exec("ALTER ROLE " + f.role.name + "_2 RENAME TO " + f.role.name);
    }
    if (change.find("'by_hand'") != std::string::npos) {
      // An unknown revision is left alone, and a check reads the history
      // about it: never answered from a record. Back to the model's.
      f.db.exec("UPDATE alembic_version SET version_num = 'r1'");
    }
    if (change.find("RENAME TO things") != std::string::npos) {
      f.db.exec("DROP TABLE things CASCADE");
    }
    f.settle();
    CHECK(f.trusted());
  }
}

TEST_CASE("a record is not trusted for another model, revision, settings or a hand edit",
          "[pg][verified]") {
  Fixture f;
  f.settle();
  REQUIRE(f.trusted());

  f.settings.replace.views = true;
  CHECK_FALSE(f.trusted());
  f.settle();
  CHECK(f.trusted());

  f.settings.revisions.configured = "other";  // the model's own revision still wins
  CHECK_FALSE(f.trusted());
  f.settle();
  CHECK(f.trusted());

  f.model = model::load_text(replaced(f.text, "\"r1\"", "\"r2\""), "model.json");
  auto changed = f.run(engine::Mode::check, true);
  CHECK(changed.verified_at.empty());
  CHECK(changed.found.stamp.pending());  // r2 is not recorded yet
  f.settle();
  CHECK(f.trusted());

  f.db.exec("UPDATE schemad_memo SET answer = '{\"layout\": 1}' WHERE question LIKE 'verified %'");
  CHECK_FALSE(f.trusted());
  f.settle();  // a no-op apply replaces what it cannot read
  CHECK(f.trusted());
}

TEST_CASE("no record is written by a check, nor while something is missing or blocked",
          "[pg][verified]") {
  Fixture f;
  auto check = f.run(engine::Mode::check, true);
  CHECK(check.verified_at.empty());
  CHECK(f.db.scalar("SELECT to_regclass('schemad_memo') IS NULL") == "t");
  f.settle();
  f.db.exec("DROP INDEX ix_items_sku; DELETE FROM schemad_memo WHERE question LIKE 'verified %'");
  CHECK(f.run(engine::Mode::check, false).found.diff.changes.size() == 1);
  CHECK(f.db.scalar("SELECT count(*) FROM schemad_memo WHERE question LIKE 'verified %'") == "0");
  // The heal itself does not record (its remaining state is derived, not
  // inspected); the next no-op does.
  REQUIRE(f.run(engine::Mode::apply, false).satisfied());
  CHECK(f.db.scalar("SELECT count(*) FROM schemad_memo WHERE question LIKE 'verified %'") == "0");
  REQUIRE(f.run(engine::Mode::apply, false).satisfied());
  CHECK(f.db.scalar("SELECT count(*) FROM schemad_memo WHERE question LIKE 'verified %'") == "1");
}

TEST_CASE("a heal observes again under the lock when the catalog changed since its look",
          "[pg][verified]") {
  TempDatabase db;
  db::ConnectionOptions options;
  options.conninfo = db.url();
  auto conn = db::connect(options);
  const auto model = model::load_text(R"j({"version": 1, "revision": "r1", "tables": [
      {"name": "a", "columns": [{"name": "id", "type": "integer"}]},
      {"name": "b", "columns": [{"name": "id", "type": "integer"}]}]})j",
                                      "model.json");
  engine::Settings settings;
  engine::Report report;
  report.mode = engine::Mode::apply;
  report.revision = "r1";
  const std::string looked_at = catalog::catalog_version(*conn, model.schemas);
  report.found = engine::observe(*conn, model, engine::baseline_of(settings, "r1"),
                                 {false, true, true, settings.replace});
  report.plan = plan::render(report.found.diff);
  REQUIRE(report.plan.steps.size() == 2);
  // Another session creates one of the two while this one waits for the lock.
  db.exec("CREATE TABLE a (id integer)");
  engine::heal(*conn, model, settings, util::system_clock(), report, looked_at);
  INFO(report.error_text());
  CHECK(report.errors.empty());
  CHECK(report.observations == 1);  // the one under the lock
  CHECK(report.steps.size() == 1);  // only b: the look's plan would have failed on a
  CHECK(report.satisfied());
}
