// Integration: the probe asks PostgreSQL itself where schemad's pure
// predictions of the server's text may be wrong.

#include <catch2/catch.hpp>

#include "catalog/inspect.hpp"
#include "db/connection.hpp"
#include "engine/probe.hpp"
#include "model/load.hpp"
#include "support/pg.hpp"

using namespace schemad;
using schemad::test::TempDatabase;

namespace {

struct Probed {
  schema::Database desired;
  schema::Database actual;
  engine::ProbeStats stats;
};

Probed probe(const TempDatabase& db, const std::string& model_json) {
  Probed p;
  p.desired = model::load_text(model_json, "model.json");
  db::ConnectionOptions options;
  options.conninfo = db.url();
  auto conn = db::connect(options);
  p.actual = catalog::inspect(*conn, p.desired.schemas);
  engine::probe(*conn, p.desired, p.actual, {}, engine::Asking::when_needed, &p.stats);
  return p;
}

const schema::Column& column(const schema::Database& db, const std::string& name) {
  const schema::Column* c = db.tables.at(0).column(name);
  REQUIRE(c != nullptr);
  return *c;
}

}  // namespace

TEST_CASE("the server's own text replaces a default prediction that differs", "[pg][probe]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE t (d date DEFAULT '2020-01-01', ts timestamptz DEFAULT '2020-01-01 "
      "00:00:00+00', n numeric DEFAULT '0.50', s integer DEFAULT 1+1, "
      "l text DEFAULT lower('A' || 'b'))");
  auto p = probe(db, R"j({"version": 1, "tables": [{"name": "t", "columns": [
      {"name": "d", "type": "date", "default": "2020-01-01"},
      {"name": "ts", "type": "timestamptz", "default": "2020-01-01 00:00:00+00"},
      {"name": "n", "type": "numeric", "default": 0.50},
      {"name": "s", "type": "integer", "default": {"sql": "1+1"}},
      {"name": "l", "type": "text", "default": {"sql": "lower('A'||'b')"}}]}]})j");
  CHECK(column(p.desired, "s").def.stored == "(1 + 1)");
  for (const char* name : {"d", "ts", "n", "s", "l"}) {
    INFO(name);
    CHECK(column(p.desired, name).def.stored == column(p.actual, name).def.stored);
  }
  CHECK(p.stats.items >= 2);
  CHECK(p.stats.queries == 4);  // BEGIN, the scratch objects, the answers, ROLLBACK
}

TEST_CASE("nothing is asked when every prediction matches", "[pg][probe]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE t (id integer PRIMARY KEY, label text NOT NULL DEFAULT 'x', "
      "at timestamptz DEFAULT now(), CONSTRAINT ck_id CHECK (id > 0))");
  auto p = probe(db, R"j({"version": 1, "tables": [{"name": "t", "columns": [
      {"name": "id", "type": "integer", "primary_key": true},
      {"name": "label", "type": "text", "nullable": false, "default": "x"},
      {"name": "at", "type": "timestamptz", "default": {"sql": "now()"}}],
      "checks": [{"name": "ck_id", "expression": "id > 0"}]}]})j");
  CHECK(p.stats.items == 0);
  CHECK(p.stats.queries == 0);
}

TEST_CASE("PostgreSQL decides whether a default is volatile", "[pg][probe]") {
  TempDatabase db;
  db.exec("CREATE TABLE t (id integer)");
  auto p = probe(db, R"j({"version": 1, "tables": [{"name": "t", "columns": [
      {"name": "id", "type": "integer"},
      {"name": "a", "type": "timestamptz", "nullable": false, "default": {"sql": "now()"}},
      {"name": "b", "type": "double precision", "nullable": false, "default": {"sql": "random()"}},
      {"name": "c", "type": "timestamptz", "default": {"sql": "clock_timestamp()"}},
      {"name": "d", "type": "uuid", "nullable": false, "default": {"sql": "gen_random_uuid()"}},
      {"name": "e", "type": "text", "nullable": false, "default": {"sql": "upper('x')"}}]}]})j");
  auto volatility = [&](const char* name) {
    return p.desired.tables[0].column(name)->def.is_volatile;
  };
  CHECK(volatility("a") == false);
  CHECK(volatility("b") == true);
  CHECK(volatility("c") == true);
  CHECK(volatility("d") == true);
  CHECK(volatility("e") == false);
}

TEST_CASE("checks and index expressions are compared in the server's normalised form",
          "[pg][probe]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE t (email text, state text CHECK (state IN ('a', 'b')));"
      "CREATE INDEX ix_t_email ON t (lower(email)) WHERE state = 'a'");
  auto p = probe(db, R"j({"version": 1, "tables": [{"name": "t", "columns": [
      {"name": "email", "type": "text"}, {"name": "state", "type": "text"}],
      "checks": [{"expression": "state in ('a','b')"}],
      "indexes": [{"name": "ix_t_email", "columns": [{"expression": "LOWER(email)"}],
                   "where": "state='a'"}]}]})j");
  const auto& check = p.desired.tables[0].constraints.at(0);
  CHECK(check.normalized == p.actual.tables[0].constraints.at(0).expression);
  const auto& index = p.desired.tables[0].indexes.at(0);
  const auto& live = p.actual.tables[0].indexes.at(0);
  CHECK(index.where == live.where);
  CHECK(index.keys.at(0).expression == live.keys.at(0).expression);
}

TEST_CASE("an extension's type is resolved by the server", "[pg][probe]") {
  TempDatabase db;
  db.exec("CREATE EXTENSION citext; CREATE TABLE t (name citext)");
  auto p = probe(db, R"j({"version": 1, "extensions": ["citext"], "tables": [{"name": "t",
      "columns": [{"name": "name", "type": "citext"}, {"name": "tags", "type": "citext[]"}]}]})j");
  CHECK(column(p.desired, "name").type == column(p.actual, "name").type);
  CHECK(column(p.desired, "name").type.schema == "public");
  CHECK(column(p.desired, "tags").type.array);
}

TEST_CASE("a value the server refuses is an error naming the model path", "[pg][probe]") {
  TempDatabase db;
  db.exec("CREATE EXTENSION citext; CREATE TABLE t (n integer DEFAULT 0)");
  CHECK_THROWS_WITH(probe(db, R"j({"version": 1, "extensions": ["citext"], "tables": [{"name": "t",
      "columns": [{"name": "n", "type": "integer", "default": {"sql": "'zero'"}}]}]})j"),
                    Catch::StartsWith("tables[0].columns[0].default: invalid input syntax"));
  CHECK_THROWS_WITH(probe(db, R"j({"version": 1, "extensions": ["citext"], "tables": [{"name": "t",
      "columns": [{"name": "n", "type": "integer"}, {"name": "x", "type": "citex"}]}]})j"),
                    Catch::StartsWith("tables[0].columns[1].type: type \"citex\" does not exist"));
}
