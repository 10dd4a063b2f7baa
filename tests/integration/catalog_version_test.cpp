// Integration: the daemon's shortcut for a timer-triggered reconcile. The
// catalog version must change with every DDL that inspection would see, and
// a reconcile reuses its last observation only while nothing changed.

#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "catalog/version.hpp"
#include "db/connection.hpp"
#include "engine/cache.hpp"
#include "engine/engine.hpp"
#include "model/load.hpp"
#include "support/models.hpp"
#include "support/pg.hpp"

using namespace schemad;
using schemad::test::TempDatabase;

namespace {

struct Fixture {
  TempDatabase db;
  schema::Database model = model::load_text(test::kItemsModel, "model.json");
  std::unique_ptr<pqxx::connection> conn;
  engine::ObservationCache cache;

  Fixture() {
    db::ConnectionOptions options;
    options.conninfo = db.url();
    conn = db::connect(options);
  }
  engine::Report run(bool reuse, engine::Mode mode = engine::Mode::check) {
    engine::Settings settings;
    settings.cache = &cache;
    settings.reuse = reuse;
    return engine::converge(*conn, model, mode, settings, util::system_clock());
  }
  std::string version() { return catalog::catalog_version(*conn, model.schemas); }
};

}  // namespace

TEST_CASE("a timer reconcile with nothing changed reuses the last inspection in two statements",
          "[pg][cache]") {
  Fixture f;
  REQUIRE(f.run(false, engine::Mode::apply).satisfied());
  auto full = f.run(false);
  REQUIRE(full.found.satisfied());
  CHECK(f.cache.valid);
  CHECK(full.found.queries > 2);
  auto reused = f.run(true);
  CHECK(reused.found.satisfied());
  CHECK(reused.found.queries == 2);  // catalog version, alembic_version rows
  CHECK(reused.found.diff.drift.size() == full.found.diff.drift.size());
  // Never more than kMaxReuses in a row.
  for (int i = 1; i < engine::ObservationCache::kMaxReuses; ++i) {
    CHECK(f.run(true).found.queries == 2);
  }
  CHECK(f.run(true).found.queries > 2);
  CHECK(f.run(true).found.queries == 2);
}

TEST_CASE("every change that inspection would see changes the catalog version", "[pg][cache]") {
  Fixture f;
  REQUIRE(f.run(false, engine::Mode::apply).satisfied());
  const char* changes[] = {
      "ALTER TABLE items DROP COLUMN mood",
      "ALTER TABLE items ADD COLUMN extra integer",
      "ALTER TABLE items ALTER COLUMN sku SET DEFAULT 'y'",
      "ALTER TABLE items ALTER COLUMN sku SET NOT NULL",
      "ALTER TABLE items ALTER COLUMN sku TYPE varchar(20)",
      "COMMENT ON TABLE items IS 'other'",
      "COMMENT ON COLUMN items.sku IS 'stock keeping unit'",
      "DROP INDEX ix_items_sku",
      "CREATE INDEX ix_other ON items (id, sku)",
      "ALTER TYPE mood ADD VALUE 'great'",
      "ALTER TABLE items ADD CONSTRAINT ck_id CHECK (id > 0) NOT VALID",
      "CREATE TABLE stray (id integer)",
      "CREATE EXTENSION IF NOT EXISTS pgcrypto",
      "ALTER TABLE items RENAME COLUMN sku TO code",
      "CREATE SEQUENCE counter",
      "ALTER SEQUENCE counter INCREMENT BY 5",
      "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
      "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS "
      "$$BEGIN RETURN NULL; END$$",
      "CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch()",
      "DROP TRIGGER items_touch ON items",
      "CREATE POLICY everyone ON items USING (true)",
      "ALTER POLICY everyone ON items USING (id > 0)",
      "ALTER TABLE items ENABLE ROW LEVEL SECURITY",
      "ALTER TABLE items FORCE ROW LEVEL SECURITY",
      "CREATE VIEW item_ids AS SELECT id FROM items",
      "CREATE OR REPLACE VIEW item_ids AS SELECT id FROM items WHERE id > 0",
      "CREATE MATERIALIZED VIEW item_count AS SELECT count(*) AS n FROM items",
      "CREATE UNIQUE INDEX item_count_n ON item_count (n)",
      "DROP FUNCTION touch()",
  };
  for (const char* change : changes) {
    INFO(change);
    const std::string before = f.version();
    f.db.exec(change);
    CHECK(f.version() != before);
  }
  // And the reconcile sees it rather than reusing.
  f.db.exec("DROP TABLE items CASCADE");
  f.run(false);
  auto after = f.run(true);
  CHECK_FALSE(after.found.satisfied());
}

TEST_CASE("the catalog version is each catalog's row count and sum of xmin, as it always was",
          "[pg][cache]") {
  // Recorded verifications (schemad_memo) hold this text: a schemad that
  // computes it otherwise must still write the same text for the same
  // catalog, or every record would be taken for a change.
  Fixture f;
  REQUIRE(f.run(false, engine::Mode::apply).satisfied());
  f.db.exec("ALTER TABLE items ADD COLUMN extra integer");  // rows of another transaction
  f.db.exec("ALTER TABLE items ADD COLUMN more text DEFAULT 'x'");
  std::vector<std::string> parts;
  std::istringstream words(f.version());
  for (std::string w; words >> w;) parts.push_back(w);
  REQUIRE(parts.size() == 17);
  const std::string tables =
      "(SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p'))";
  auto plain = [&](const std::string& from, const std::string& where) {
    return f.db.scalar("SELECT count(*) || ':' || coalesce(sum(xmin::text::int8), 0) FROM " + from +
                       " WHERE " + where);
  };
  CHECK(parts[1] == plain("pg_class", "relnamespace = 'public'::regnamespace"));
  CHECK(parts[2] == plain("pg_attribute", "attrelid IN " + tables));
  CHECK(parts[3] == plain("pg_attrdef", "adrelid IN " + tables));
  CHECK(parts[9] ==
        plain("pg_depend", "refclassid = 'pg_class'::regclass AND refobjid IN " + tables));
  CHECK(std::stol(f.db.scalar("SELECT count(DISTINCT xmin::text) FROM pg_attribute WHERE "
                              "attrelid IN " +
                              tables)) > 1);
}

TEST_CASE("the cache is not reused when alembic_version or the model changes", "[pg][cache]") {
  Fixture f;
  REQUIRE(f.run(false, engine::Mode::apply).satisfied());
  REQUIRE(f.run(false).found.satisfied());
  f.db.exec("UPDATE alembic_version SET version_num = 'by_hand'");
  auto stamp_changed = f.run(true);
  CHECK(stamp_changed.found.queries > 2);
  CHECK(stamp_changed.found.stamp.action == apply::StampDecision::Action::leave_unknown);

  f.run(false);
  f.model =
      model::load_text(std::string(test::kItemsModel)
                           .replace(std::string(test::kItemsModel).find("\"r1\""), 4, "\"r2\""),
                       "model.json");
  auto model_changed = f.run(true);
  CHECK(model_changed.found.queries > 2);
}
