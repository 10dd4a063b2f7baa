// Integration: the whole reconcile (inspect, probe, diff, plan, execute,
// stamp) against a real PostgreSQL, one row of the spec's table at a time.

#include <catch2/catch.hpp>

#include "db/connection.hpp"
#include "engine/engine.hpp"
#include "model/load.hpp"
#include "support/models.hpp"
#include "support/pg.hpp"

using namespace schemad;
using schemad::test::TempDatabase;

namespace {

engine::Report run(const TempDatabase& db, const std::string& model_json,
                   engine::Mode mode = engine::Mode::apply) {
  auto model = model::load_text(model_json, "model.json");
  db::ConnectionOptions options;
  options.conninfo = db.url();
  auto conn = db::connect(options);
  return engine::converge(*conn, model, mode, engine::Settings{}, util::system_clock());
}

engine::Report apply_ok(const TempDatabase& db, const std::string& model_json) {
  auto report = run(db, model_json);
  INFO("error: " << report.error_text());
  for (const auto& s : report.steps) INFO(s.step.sql << " -> " << (s.ok() ? "ok" : s.why()));
  REQUIRE(report.errors.empty());
  REQUIRE(report.satisfied());
  return report;
}

std::vector<std::string> drift_messages(const engine::Observation& o) {
  std::vector<std::string> out;
  for (const auto& d : o.diff.drift) out.push_back(diff::to_string(d.kind) + " " + d.message());
  return out;
}

std::vector<std::string> change_keys(const engine::Observation& o) {
  std::vector<std::string> out;
  for (const auto& c : o.diff.changes) out.push_back(c.key());
  return out;
}

bool has_drift(const engine::Report& r, diff::DriftKind kind, const std::string& object) {
  for (const auto& d : r.remaining.diff.drift) {
    if (d.kind == kind && d.object == object) return true;
  }
  return false;
}

// A model with one table "items"; `extra` goes into the table object,
// `top` into the top-level object.
std::string one_table(const std::string& columns, const std::string& extra = "",
                      const std::string& top = "") {
  return R"j({"version": 1, "revision": "r1", )j" + top +
         R"j("tables": [{"name": "items", "columns": [)j" + columns + "]" + extra + "}]}";
}

}  // namespace

TEST_CASE("creates a missing schema, extension, enum and table", "[pg][reconcile]") {
  TempDatabase db;
  auto report = apply_ok(db, R"j({"version": 1, "schema": "shop", "extensions": ["pgcrypto"],
    "enums": [{"name": "state", "values": ["new", "paid"]}],
    "tables": [{"name": "orders", "columns": [
      {"name": "id", "type": "uuid", "primary_key": true, "default": {"sql": "gen_random_uuid()"}},
      {"name": "state", "type": "state", "nullable": false, "default": "new"},
      {"name": "digest", "type": "bytea", "default": {"sql": "digest('x', 'sha256')"}}]}]})j");
  CHECK(db.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'shop'") == "1");
  CHECK(db.scalar("SELECT count(*) FROM pg_extension WHERE extname = 'pgcrypto'") == "1");
  CHECK(db.scalar("SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE "
                  "enumtypid = 'shop.state'::regtype") == "new,paid");
  CHECK(db.scalar("SELECT to_regclass('shop.orders') IS NOT NULL") == "t");
  CHECK(report.remaining.diff.drift.empty());
  // And it is then in sync: nothing pending, no drift from canonical forms.
  auto again = run(db, R"j({"version": 1, "schema": "shop", "extensions": ["pgcrypto"],
    "enums": [{"name": "state", "values": ["new", "paid"]}],
    "tables": [{"name": "orders", "columns": [
      {"name": "id", "type": "uuid", "primary_key": true, "default": {"sql": "gen_random_uuid()"}},
      {"name": "state", "type": "state", "nullable": false, "default": "new"},
      {"name": "digest", "type": "bytea", "default": {"sql": "digest('x', 'sha256')"}}]}]})j",
                   engine::Mode::check);
  CHECK(again.found.satisfied());
  INFO(Catch::Detail::stringify(drift_messages(again.found)));
  CHECK(again.found.diff.drift.empty());
}

TEST_CASE("adds a missing enum value in the model's order", "[pg][reconcile]") {
  TempDatabase db;
  db.exec("CREATE TYPE mood AS ENUM ('sad', 'happy')");
  apply_ok(db, R"j({"version": 1, "enums": [{"name": "mood", "values": ["sad", "ok", "happy"]}],
                   "tables": []})j");
  CHECK(db.scalar("SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE "
                  "enumtypid = 'mood'::regtype") == "sad,ok,happy");
}

TEST_CASE("adds a missing nullable column", "[pg][reconcile]") {
  TempDatabase db;
  db.exec("CREATE TABLE items (id integer PRIMARY KEY); INSERT INTO items VALUES (1)");
  apply_ok(db, one_table(R"j({"name": "id", "type": "integer", "primary_key": true},
                            {"name": "note", "type": "text"})j"));
  CHECK(db.scalar("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'items'::regclass AND "
                  "attname = 'note'") == "f");
}

TEST_CASE(
    "adds a NOT NULL column with a constant default to a table with rows without rewriting it",
    "[pg][reconcile]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE items (id integer PRIMARY KEY);"
      "INSERT INTO items SELECT g FROM generate_series(1, 1000) g");
  const std::string before = db.scalar("SELECT relfilenode FROM pg_class WHERE relname = 'items'");
  apply_ok(db, one_table(R"j({"name": "id", "type": "integer", "primary_key": true},
                            {"name": "qty", "type": "integer", "nullable": false, "default": 1},
                            {"name": "label", "type": "text", "nullable": false, "default": "none"},
                            {"name": "added", "type": "timestamptz", "nullable": false,
                             "default": {"sql": "now()"}})j"));
  CHECK(db.scalar("SELECT relfilenode FROM pg_class WHERE relname = 'items'") == before);
  CHECK(db.scalar("SELECT count(*) FROM items WHERE qty = 1 AND label = 'none'") == "1000");
  CHECK(db.scalar("SELECT bool_and(attnotnull) FROM pg_attribute WHERE attrelid = "
                  "'items'::regclass AND attname IN ('qty', 'label', 'added')") == "t");
}

TEST_CASE("a NOT NULL column with a volatile default is added nullable and reported",
          "[pg][reconcile]") {
  TempDatabase db;
  db.exec("CREATE TABLE items (id integer PRIMARY KEY); INSERT INTO items VALUES (1), (2)");
  const std::string before = db.scalar("SELECT relfilenode FROM pg_class WHERE relname = 'items'");
  auto report = apply_ok(db, one_table(R"j({"name": "id", "type": "integer", "primary_key": true},
      {"name": "token", "type": "double precision", "nullable": false, "default": {"sql": "random()"}})j"));
  CHECK(db.scalar("SELECT relfilenode FROM pg_class WHERE relname = 'items'") == before);
  CHECK(db.scalar("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'items'::regclass AND "
                  "attname = 'token'") == "f");
  CHECK(db.scalar("SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = "
                  "'items'::regclass") == "random()");
  CHECK(has_drift(report, diff::DriftKind::column_nullability, "public.items.token"));
}

TEST_CASE("creates a missing index on an existing table concurrently", "[pg][reconcile]") {
  TempDatabase db;
  db.exec("CREATE TABLE items (id integer PRIMARY KEY, sku text)");
  auto report =
      apply_ok(db, one_table(R"j({"name": "id", "type": "integer", "primary_key": true},
                                          {"name": "sku", "type": "text"})j",
                             R"j(, "indexes": [{"name": "ix_items_sku", "columns": ["sku"]}])j"));
  CHECK(db.scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_items_sku'::regclass") ==
        "t");
  bool concurrent = false;
  for (const auto& s : report.steps) {
    concurrent = concurrent || s.step.sql.find("CONCURRENTLY") != std::string::npos;
  }
  CHECK(concurrent);
}

TEST_CASE("adds a missing foreign key to an existing table, validated", "[pg][reconcile]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE parents (id integer PRIMARY KEY); CREATE TABLE items (id integer PRIMARY "
      "KEY, parent_id integer); INSERT INTO parents VALUES (1); INSERT INTO items VALUES (1, 1)");
  apply_ok(db, R"j({"version": 1, "tables": [
    {"name": "parents", "columns": [{"name": "id", "type": "integer", "primary_key": true}]},
    {"name": "items", "columns": [{"name": "id", "type": "integer", "primary_key": true},
                                  {"name": "parent_id", "type": "integer"}],
     "foreign_keys": [{"name": "fk_items_parent", "columns": ["parent_id"],
                       "references": {"table": "parents", "columns": ["id"]}}]}]})j");
  CHECK(db.scalar("SELECT convalidated FROM pg_constraint WHERE conname = 'fk_items_parent'") ==
        "t");
}

TEST_CASE("creates two tables whose foreign keys point at each other", "[pg][reconcile]") {
  TempDatabase db;
  apply_ok(db, R"j({"version": 1, "tables": [
    {"name": "a", "columns": [{"name": "id", "type": "integer", "primary_key": true},
                              {"name": "b_id", "type": "integer"}],
     "foreign_keys": [{"columns": ["b_id"], "references": {"table": "b", "columns": ["id"]}}]},
    {"name": "b", "columns": [{"name": "id", "type": "integer", "primary_key": true},
                              {"name": "a_id", "type": "integer"}],
     "foreign_keys": [{"columns": ["a_id"], "references": {"table": "a", "columns": ["id"]}}]}]})j");
  CHECK(db.scalar("SELECT count(*) FROM pg_constraint WHERE contype = 'f'") == "2");
}

TEST_CASE("drift is reported and left untouched", "[pg][reconcile]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE items (id integer PRIMARY KEY, name varchar(10), extra text);"
      "CREATE TABLE legacy (id integer)");
  auto report = apply_ok(db, one_table(R"j({"name": "id", "type": "integer", "primary_key": true},
                                          {"name": "name", "type": "text", "nullable": false})j"));
  CHECK(has_drift(report, diff::DriftKind::column_type, "public.items.name"));
  CHECK(has_drift(report, diff::DriftKind::column_nullability, "public.items.name"));
  CHECK(has_drift(report, diff::DriftKind::extra_column, "public.items.extra"));
  CHECK(has_drift(report, diff::DriftKind::extra_table, "public.legacy"));
  CHECK(db.scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                  "'items'::regclass AND attname = 'name'") == "character varying(10)");
  CHECK(db.scalar("SELECT to_regclass('legacy') IS NOT NULL") == "t");
}

TEST_CASE("aliases and PostgreSQL's own spelling of defaults are not drift", "[pg][reconcile]") {
  TempDatabase db;
  db.exec(
      "CREATE TYPE status AS ENUM ('on', 'off');"
      "CREATE TABLE items (id int4 PRIMARY KEY, a int8 DEFAULT -1, b varchar(255) DEFAULT 'x', "
      "c timestamptz DEFAULT CURRENT_TIMESTAMP, d numeric(12,2) DEFAULT 1.5, e bool DEFAULT "
      "true, f jsonb DEFAULT '{\"k\": [1, 2]}', g status DEFAULT 'on', h text[] DEFAULT "
      "'{}', i serial, j float8 DEFAULT 2)");
  auto report = run(db,
                    one_table(R"j(
      {"name": "id", "type": "integer", "primary_key": true},
      {"name": "a", "type": "bigint", "default": -1},
      {"name": "b", "type": "character varying(255)", "default": "x"},
      {"name": "c", "type": "timestamp with time zone", "default": {"sql": "current_timestamp"}},
      {"name": "d", "type": "decimal(12, 2)", "default": 1.5},
      {"name": "e", "type": "boolean", "default": true},
      {"name": "f", "type": "jsonb", "default": {"json": {"k": [1, 2]}}},
      {"name": "g", "type": "status", "default": "on"},
      {"name": "h", "type": "text[]", "default": {"sql": "'{}'"}},
      {"name": "i", "type": "serial", "nullable": false},
      {"name": "j", "type": "double precision", "default": 2})j",
                              "", R"j("enums": [{"name": "status", "values": ["on", "off"]}], )j"),
                    engine::Mode::check);
  INFO(report.error_text());
  for (const auto& d : report.found.diff.drift) INFO(d.message());
  for (const auto& c : report.found.diff.changes) INFO(c.description());
  CHECK(report.errors.empty());
  CHECK(report.found.diff.changes.empty());
  CHECK(report.found.diff.drift.empty());
}

TEST_CASE("an unknown extension type is an error naming its path, and nothing changes",
          "[pg][reconcile]") {
  TempDatabase db;
  auto report = run(db, R"j({"version": 1, "extensions": ["pgcrypto"], "tables": [
      {"name": "docs", "columns": [{"name": "id", "type": "integer", "primary_key": true},
                                   {"name": "v", "type": "vectr(3)"}]}]})j");
  CHECK_FALSE(report.errors.empty());
  CHECK(report.error_text().find("tables[0].columns[1].type") != std::string::npos);
  CHECK(db.scalar("SELECT count(*) FROM pg_class WHERE relname = 'docs'") == "0");
  CHECK(db.scalar("SELECT count(*) FROM pg_extension WHERE extname = 'pgcrypto'") == "0");
}

TEST_CASE("a failing step rolls the whole transaction back", "[pg][reconcile]") {
  TempDatabase db;
  const std::string model = R"j({"version": 1, "tables": [
      {"name": "good", "columns": [{"name": "id", "type": "integer", "primary_key": true}]},
      {"name": "bad", "columns": [{"name": "id", "type": "integer", "primary_key": true}],
       "checks": [{"name": "ck_bad", "expression": "no_such_column > 0"}]}]})j";
  auto report = run(db, model);
  CHECK_FALSE(report.errors.empty());
  CHECK_FALSE(report.satisfied());
  CHECK(db.scalar("SELECT count(*) FROM pg_class WHERE relname IN ('good', 'bad')") == "0");
  CHECK(db.scalar("SELECT to_regclass('alembic_version') IS NULL") == "t");
  // Nothing changed while it waited for the lock: the look is used again;
  // nothing changed after, and the run knows it without looking again.
  CHECK(report.observations == 1);
  CHECK(change_keys(report.remaining) == change_keys(report.found));
  CHECK(report.pending.steps.size() == report.plan.steps.size());
  auto check = run(db, model, engine::Mode::check);
  CHECK(change_keys(report.remaining) == change_keys(check.found));
}

TEST_CASE("a healing run that succeeds observes once and knows exactly what remains",
          "[pg][reconcile]") {
  TempDatabase db;
  db.exec("CREATE TABLE items (id integer PRIMARY KEY, note text); INSERT INTO items VALUES (1)");
  // New tables, a column that must stay nullable (a volatile default), an
  // online index and a validated foreign key, a comment, extra columns.
  const std::string model = R"j({"version": 1, "revision": "r1", "tables": [
      {"name": "items", "comment": "things",
       "columns": [{"name": "id", "type": "integer", "primary_key": true},
                   {"name": "token", "type": "double precision", "nullable": false,
                    "default": {"sql": "random()"}},
                   {"name": "sku", "type": "text", "default": "x", "nullable": false}],
       "indexes": [{"name": "ix_items_sku", "columns": ["sku"]}]},
      {"name": "orders", "columns": [{"name": "id", "type": "bigint", "identity": "always",
                                      "primary_key": true},
                                     {"name": "item_id", "type": "integer"}],
       "foreign_keys": [{"columns": ["item_id"],
                         "references": {"table": "items", "columns": ["id"]}}]}]})j";
  auto report = apply_ok(db, model);
  CHECK(report.observations == 1);  // nothing changed between the look and the lock
  CHECK(report.stamped);
  CHECK(report.pending.steps.empty());
  auto check = run(db, model, engine::Mode::check);
  CHECK(check.observations == 1);
  CHECK(check.found.satisfied());
  CHECK(drift_messages(report.remaining) == drift_messages(check.found));
  CHECK(report.remaining.stamp.action == check.found.stamp.action);
  CHECK(has_drift(report, diff::DriftKind::column_nullability, "public.items.token"));
  CHECK(has_drift(report, diff::DriftKind::extra_column, "public.items.note"));

  // Nothing to do: one observation, no lock.
  auto again = apply_ok(db, model);
  CHECK(again.observations == 1);
  CHECK(again.lock_wait.count() == 0);
}

TEST_CASE("an online step that fails makes the run look at the catalog again", "[pg][reconcile]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE items (id integer PRIMARY KEY, sku text); "
      "INSERT INTO items VALUES (1, 'a'), (2, 'a')");
  auto report = run(db, one_table(R"j({"name": "id", "type": "integer", "primary_key": true},
                                      {"name": "sku", "type": "text"})j",
                                  R"j(, "uniques": [{"name": "uq_sku", "columns": ["sku"]}])j"));
  CHECK(report.errors.empty());
  CHECK(report.observations == 2);
  REQUIRE(report.remaining.blocked.size() == 1);
  CHECK(report.remaining.blocked[0].object == "add unique uq_sku on public.items");
  CHECK_FALSE(report.satisfied());
}

TEST_CASE("a no-op apply sends a constant, small number of statements", "[pg][reconcile]") {
  TempDatabase db;
  apply_ok(db, schemad::test::kThreeTableModel);
  schemad::test::StatementWitness witness(db);
  apply_ok(db, schemad::test::kThreeTableModel);  // the first no-op records its verification
  witness.reset();
  auto report = apply_ok(db, schemad::test::kThreeTableModel);
  CHECK(report.steps.empty());
  CHECK(report.verified_at.empty());  // apply_ok does not trust records
  const std::string sent = std::to_string(witness.statements());
  CHECK(witness.writes() == "");
  // No lock is taken when nothing is missing: the catalog version, BEGIN and
  // SET TRANSACTION, the search_path, four catalog queries, COMMIT,
  // alembic_version's rows and the memo.
  WARN("no-op apply: " << sent << " statements seen by the server, " << report.found.queries
                       << " counted by schemad");
  CHECK(std::stoi(sent) == 10);
}

TEST_CASE("an unnamed check copied from pg_get_constraintdef matches, and is not added again",
          "[pg][reconcile]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE items (id integer PRIMARY KEY, status varchar(16) NOT NULL, "
      "CHECK (status IN ('a', 'b')))");
  // As the server prints it, less the CHECK keyword: what a user copies.
  std::string printed = db.scalar(
      "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'items'::regclass "
      "AND contype = 'c'");
  REQUIRE(printed.rfind("CHECK ", 0) == 0);
  printed = printed.substr(6);
  std::string escaped;
  for (char c : printed) escaped += c == '"' ? std::string("\\\"") : std::string(1, c);
  const std::string model = one_table(R"j({"name": "id", "type": "integer", "primary_key": true},
                    {"name": "status", "type": "varchar(16)", "nullable": false})j",
                                      R"j(, "checks": [{"expression": ")j" + escaped + R"j("}])j");
  for (const auto mode : {engine::Mode::check, engine::Mode::apply}) {
    auto report = run(db, model, mode);
    INFO(Catch::Detail::stringify(change_keys(report.found)));
    CHECK(report.errors.empty());
    CHECK(report.found.diff.changes.empty());
    CHECK(report.found.diff.drift.empty());
  }
  CHECK(db.scalar("SELECT count(*) FROM pg_constraint WHERE conrelid = 'items'::regclass AND "
                  "contype = 'c'") == "1");
}

TEST_CASE("an unnamed unique index matches the table's own unique index, not the constraint's",
          "[pg][reconcile]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE items (id integer PRIMARY KEY, sku text UNIQUE); "
      "CREATE UNIQUE INDEX ux_items_sku ON items (sku)");
  const std::string model = one_table(R"j({"name": "id", "type": "integer", "primary_key": true},
                                          {"name": "sku", "type": "text", "unique": true})j",
                                      R"j(, "indexes": [{"columns": ["sku"], "unique": true}])j");
  auto report = run(db, model, engine::Mode::check);
  INFO(Catch::Detail::stringify(drift_messages(report.found)));
  CHECK(report.errors.empty());
  CHECK(report.found.diff.changes.empty());  // only the stamp is pending
  CHECK(report.found.diff.drift.empty());
}

namespace {

// Three tables: "a" gets a primary key, "b" a column, "c" is created.
const char* kKeyModel = R"j({"version": 1, "revision": "r1", "tables": [
  {"name": "a", "columns": [{"name": "id", "type": "integer", "primary_key": true},
                            {"name": "v", "type": "text"}]},
  {"name": "b", "columns": [{"name": "id", "type": "integer"}, {"name": "z", "type": "text"}]},
  {"name": "c", "columns": [{"name": "id", "type": "integer"}]}]})j";

std::string primary_key_of(const TempDatabase& db, const std::string& table) {
  return db.scalar("SELECT conname FROM pg_constraint WHERE contype = 'p' AND conrelid = '" +
                   table + "'::regclass");
}

}  // namespace

TEST_CASE("a missing primary key on a table with rows is built online", "[pg][reconcile]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE a (id integer NOT NULL, v text); CREATE TABLE b (id integer); "
      "INSERT INTO a SELECT g, 'x' FROM generate_series(1, 5000) g");
  const std::string relfilenode = db.scalar("SELECT relfilenode FROM pg_class WHERE relname = 'a'");
  auto report = apply_ok(db, kKeyModel);
  std::vector<std::string> sql;
  for (const auto& s : report.steps) sql.push_back(s.step.sql);
  INFO(Catch::Detail::stringify(sql));
  CHECK(primary_key_of(db, "a") == "a_pkey");
  CHECK(std::find(sql.begin(), sql.end(),
                  "CREATE UNIQUE INDEX CONCURRENTLY \"a_pkey\" ON \"public\".\"a\" (\"id\")") !=
        sql.end());
  CHECK(db.scalar("SELECT relfilenode FROM pg_class WHERE relname = 'a'") == relfilenode);
  auto again = run(db, kKeyModel, engine::Mode::check);
  CHECK(again.found.satisfied());
  CHECK(again.found.diff.drift.empty());
}

TEST_CASE("a primary key on a nullable column is reported, nothing is tightened, the rest heals",
          "[pg][reconcile]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE a (id integer, v text); CREATE TABLE b (id integer); "
      "INSERT INTO a VALUES (1, 'x'), (NULL, 'y')");
  auto report = run(db, kKeyModel);
  INFO(report.error_text());
  CHECK(report.errors.empty());
  CHECK(report.satisfied());  // what is left is drift, reported
  CHECK(primary_key_of(db, "a") == "");
  CHECK(db.scalar("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'a'::regclass AND "
                  "attname = 'id'") == "f");
  CHECK(db.scalar("SELECT to_regclass('c') IS NOT NULL") == "t");
  CHECK(db.scalar("SELECT count(*) FROM pg_attribute WHERE attrelid = 'b'::regclass AND attname = "
                  "'z'") == "1");
  bool reported = false;
  for (const auto& d : report.remaining.diff.drift) {
    if (d.kind == diff::DriftKind::not_applied && d.object == "public.a.primary key") {
      reported = true;
      CHECK(d.message() ==
            "public.a.primary key: column id is nullable in the database, and adding the key would "
            "make it NOT NULL: "
            "make it NOT NULL (after fixing any NULL rows), then apply again");
    }
  }
  CHECK(reported);
  // Once the column is made NOT NULL by its owners, the key follows.
  db.exec("DELETE FROM a WHERE id IS NULL; ALTER TABLE a ALTER COLUMN id SET NOT NULL");
  apply_ok(db, kKeyModel);
  CHECK(primary_key_of(db, "a") == "a_pkey");
}

TEST_CASE("duplicate rows block only the primary key, and every other change heals",
          "[pg][reconcile]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE a (id integer NOT NULL, v text); CREATE TABLE b (id integer); "
      "INSERT INTO a VALUES (1, 'x'), (1, 'y'), (2, 'z')");
  for (int attempt = 0; attempt < 2; ++attempt) {  // and the next reconcile alike
    auto report = run(db, kKeyModel);
    INFO(report.error_text());
    CHECK(report.errors.empty());
    CHECK_FALSE(report.satisfied());
    REQUIRE(report.remaining.blocked.size() == 1);
    CHECK(report.remaining.blocked[0].kind == diff::DriftKind::data_conflict);
    CHECK(report.remaining.blocked[0].message().find("(id)=(1)") != std::string::npos);
  }
  CHECK(primary_key_of(db, "a") == "");
  CHECK(db.scalar("SELECT count(*) FROM pg_index WHERE indrelid = 'a'::regclass") == "0");
  CHECK(db.scalar("SELECT to_regclass('c') IS NOT NULL") == "t");
  CHECK(db.scalar("SELECT count(*) FROM pg_attribute WHERE attrelid = 'b'::regclass AND attname = "
                  "'z'") == "1");
  // The rows fixed, the key is built.
  db.exec("DELETE FROM a WHERE v = 'y'");
  apply_ok(db, kKeyModel);
  CHECK(primary_key_of(db, "a") == "a_pkey");
}
