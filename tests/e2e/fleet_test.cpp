// End-to-end: fleet mode over tenant schemas. The built binary against a
// real server: every tenant built in a transaction of its own, a lock on
// one tenant reported with its blocker while the others are healed, kill -9
// in the middle and a second run, shards, the failure policy and canaries.

#include <signal.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "support/daemon.hpp"
#include "support/pg.hpp"
#include "support/process.hpp"

using namespace schemad::test;
using nlohmann::json;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A template schema "tenant" with two tables (a foreign key between them,
// one to a shared table), a tenant enum and a shared one; `extra` adds
// columns to tenant.items.
std::string fleet_model(const std::string& extra = "") {
  return R"j({"version": 1, "schema": "tenant", "revision": "fleet1",
  "enums": [{"schema": "public", "name": "plan_kind", "values": ["free", "paid"]},
            {"name": "status", "values": ["open", "done"]}],
  "tables": [
    {"schema": "public", "name": "plans",
     "columns": [{"name": "id", "type": "integer", "primary_key": true},
                 {"name": "kind", "type": "public.plan_kind", "nullable": false}]},
    {"name": "accounts",
     "columns": [{"name": "id", "type": "serial", "primary_key": true},
                 {"name": "plan_id", "type": "integer"}],
     "foreign_keys": [{"columns": ["plan_id"],
                       "references": {"schema": "public", "table": "plans", "columns": ["id"]}}]},
    {"name": "items",
     "columns": [{"name": "id", "type": "bigint", "primary_key": true},
                 {"name": "account_id", "type": "integer", "nullable": false},
                 {"name": "status", "type": "status", "default": "open"})j" +
         extra + R"j(],
     "foreign_keys": [{"columns": ["account_id"],
                       "references": {"table": "accounts", "columns": ["id"]}}],
     "indexes": [{"name": "ix_items_account", "columns": ["account_id"]}]}]})j";
}

std::string fleet_config(const TempDatabase& db, const std::string& model,
                         const std::string& fleet_extra = "", int lock_retry_seconds = 2) {
  return write_temp_file("fleet.json", R"j({"database_url": ")j" + db.url() + R"j(", "model": ")j" +
                                           model + R"j(",
    "http": {"listen": ""},
    "reconcile": {"lock_timeout_ms": 200, "lock_retry_seconds": )j" +
                                           std::to_string(lock_retry_seconds) + R"j(},
    "fleet": {"tenants": {"template": "tenant", "like": "tenant\\_%"},
              "retry_backoff_ms": 100)j" + fleet_extra +
                                           "}}");
}

RunResult fleet(const std::string& config, std::vector<std::string> command) {
  std::vector<std::string> args{"--config", config};
  args.insert(args.end(), command.begin(), command.end());
  return schemad_cmd(args);
}

json report(const RunResult& r) {
  INFO(r.out << r.err);
  REQUIRE_NOTHROW(json::parse(r.out));
  return json::parse(r.out);
}

const json& target(const json& j, const std::string& key) {
  for (const auto& t : j.at("targets")) {
    if (t.at("key") == key) return t;
  }
  FAIL("no target " << key << " in " << j.dump());
  throw;
}

int count(const TempDatabase& db, const std::string& sql) {
  return std::stoi(db.scalar(sql));
}

// The model's tables in `schema` (0, or 2 when built).
int tenant_tables(const TempDatabase& db, const std::string& schema) {
  return count(db, "SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema +
                       "' AND tablename IN ('accounts', 'items')");
}

bool has_column(const TempDatabase& db, const std::string& schema, const std::string& table,
                const std::string& column) {
  return count(db, "SELECT count(*) FROM information_schema.columns WHERE table_schema = '" +
                       schema + "' AND table_name = '" + table + "' AND column_name = '" + column +
                       "'") == 1;
}

}  // namespace

TEST_CASE("fleet apply builds every tenant schema and its shared objects once", "[e2e][fleet]") {
  TempDatabase db;
  db.exec(
      "CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b; CREATE SCHEMA tenant_c; "
      "CREATE SCHEMA other");
  const std::string model = write_temp_file("fleet_model.json", fleet_model());
  const std::string config = fleet_config(db, model);

  const RunResult check0 = fleet(config, {"check"});
  INFO(check0.out << check0.err);
  CHECK(check0.exit_code == 3);
  CHECK(contains(check0.out, "3 targets and 1 shared part: 0 ok, 0 drift, 4 pending"));

  const RunResult apply = fleet(config, {"apply", "--format", "json"});
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_code == 0);
  const json j = report(apply);
  CHECK(j.at("counts").at("ok") == 4);
  CHECK(j.at("shared").size() == 1);
  CHECK(j.at("shared")[0].at("key") == db.name() + " (shared)");
  for (const std::string t : {"tenant_a", "tenant_b", "tenant_c"}) {
    CHECK(tenant_tables(db, t) == 2);
    CHECK(target(j, db.name() + "/" + t).at("applied").get<int>() > 0);
    // Each tenant records the model's revision in an alembic_version of its own.
    CHECK(db.scalar("SELECT version_num FROM " + t + ".alembic_version") == "fleet1");
    // A tenant's enum is its own; the foreign key reaches the shared table.
    CHECK(count(db,
                "SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = typnamespace "
                "WHERE nspname = '" +
                    t + "' AND typname = 'status'") == 1);
  }
  CHECK(count(db, "SELECT count(*) FROM pg_tables WHERE tablename = 'plans'") == 1);
  CHECK(db.scalar("SELECT version_num FROM public.alembic_version") == "fleet1");
  // Neither the template schema nor a schema the pattern does not match.
  CHECK(count(db, "SELECT count(*) FROM pg_namespace WHERE nspname = 'tenant'") == 0);
  CHECK(tenant_tables(db, "other") == 0);
  // A foreign key of tenant_b points to tenant_b's own accounts.
  CHECK(db.scalar("SELECT confrelid::regclass::text FROM pg_constraint WHERE conrelid = "
                  "'tenant_b.items'::regclass AND contype = 'f'") == "tenant_b.accounts");

  const RunResult check = fleet(config, {"check"});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  CHECK(contains(check.out, "3 targets and 1 shared part: 4 ok, 0 drift, 0 pending, 0 failed"));
}

TEST_CASE("fleet apply: a lock on one tenant's table leaves that tenant locked, heals the others",
          "[e2e][fleet]") {
  TempDatabase db;
  db.exec("CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b; CREATE SCHEMA tenant_c");
  const std::string v1 = write_temp_file("fleet_v1.json", fleet_model());
  REQUIRE(fleet(fleet_config(db, v1, R"j(, "retries": 0)j"), {"apply"}).exit_code == 0);

  const std::string v2 =
      write_temp_file("fleet_v2.json", fleet_model(R"j(, {"name": "note", "type": "text"})j"));
  const std::string config = fleet_config(db, v2, R"j(, "retries": 0)j");
  pqxx::connection holder(db.url());
  pqxx::work tx(holder);
  tx.exec("SET application_name = 'holder_app'");
  tx.exec("LOCK TABLE tenant_b.items IN ACCESS SHARE MODE");

  const RunResult apply = fleet(config, {"apply", "--format", "json"});
  INFO(apply.out << apply.err);
  CHECK(apply.exit_code == 6);
  const json j = report(apply);
  const json& b = target(j, db.name() + "/tenant_b");
  CHECK(b.at("state") == "locked");
  CHECK(b.at("error_kind") == "lock_timeout");
  REQUIRE(b.contains("blockers"));
  CHECK(contains(b.at("blockers")[0].get<std::string>(), "holder_app"));
  CHECK(target(j, db.name() + "/tenant_a").at("state") == "ok");
  CHECK(target(j, db.name() + "/tenant_c").at("state") == "ok");
  CHECK(j.at("counts").at("locked") == 1);
  CHECK(has_column(db, "tenant_a", "items", "note"));
  CHECK(has_column(db, "tenant_c", "items", "note"));
  CHECK_FALSE(has_column(db, "tenant_b", "items", "note"));

  // The text table names the locked tenant and who holds it up.
  const RunResult text = fleet(config, {"check"});
  CHECK(text.exit_code == 3);
  CHECK(contains(text.out, db.name() + "/tenant_b"));

  tx.abort();
  const RunResult again = fleet(config, {"apply"});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK(has_column(db, "tenant_b", "items", "note"));
}

TEST_CASE("fleet apply killed with SIGKILL in the middle leaves no tenant half-applied",
          "[e2e][fleet]") {
  TempDatabase db;
  std::string schemas;
  for (int i = 0; i < 8; ++i) schemas += "CREATE SCHEMA tenant_" + std::to_string(i) + ";";
  db.exec(schemas);
  // tenant_5 already has items (v1's accounts and items, nothing else):
  // holding a lock on it stops the run there, in the middle of the fleet.
  db.exec("CREATE TABLE tenant_5.items (id bigint PRIMARY KEY)");
  const std::string model = write_temp_file("fleet_model.json", fleet_model());
  const std::string config = fleet_config(db, model, R"j(, "concurrency": 1, "retries": 0)j", 60);
  pqxx::connection holder(db.url());
  pqxx::work tx(holder);
  tx.exec("LOCK TABLE tenant_5.items IN ACCESS SHARE MODE");

  SchemadProcess run({"--config", config, "apply"});
  // Wait until the run waits for the lock on tenant_5.
  bool waiting = false;
  for (int i = 0; i < 400 && !waiting; ++i) {
    waiting = count(db,
                    "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = "
                    "'tenant_5.items'::regclass") > 0;
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  INFO(run.err());
  REQUIRE(waiting);
  CHECK(run.kill() == 128 + 9);
  // Every tenant is complete or untouched: its transaction committed or not.
  int built = 0;
  for (int i = 0; i < 8; ++i) {
    const std::string t = "tenant_" + std::to_string(i);
    const int accounts = count(db, "SELECT count(*) FROM pg_tables WHERE schemaname = '" + t +
                                       "' AND tablename = 'accounts'");
    const int stamped = count(db, "SELECT count(*) FROM pg_tables WHERE schemaname = '" + t +
                                      "' AND tablename = 'alembic_version'");
    INFO(t);
    CHECK(accounts == stamped);
    built += accounts;
  }
  CHECK(built == 5);  // tenant_0 .. tenant_4, in order, before tenant_5

  tx.abort();
  const RunResult again = fleet(config, {"apply"});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  for (int i = 0; i < 8; ++i) {
    const std::string t = "tenant_" + std::to_string(i);
    CHECK(tenant_tables(db, t) == 2);
    CHECK(has_column(db, t, "items", "status"));
    CHECK(db.scalar("SELECT version_num FROM " + t + ".alembic_version") == "fleet1");
  }
}

TEST_CASE("fleet shards heal disjoint sets, and replicas claiming every tenant never overlap",
          "[e2e][fleet]") {
  TempDatabase db;
  std::string schemas;
  for (int i = 0; i < 12; ++i) schemas += "CREATE SCHEMA tenant_" + std::to_string(i) + ";";
  db.exec(schemas);
  const std::string model = write_temp_file("fleet_model.json", fleet_model());
  std::set<std::string> seen;
  std::size_t total = 0;
  for (const std::string shard : {"0/2", "1/2"}) {
    const std::string config = fleet_config(db, model, R"j(, "shard": ")j" + shard + R"j(")j");
    const RunResult r = fleet(config, {"apply", "--format", "json"});
    INFO(shard << "\n" << r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const json j = report(r);
    CHECK(j.at("targets").size() + j.at("elsewhere").get<std::size_t>() == 12);
    CHECK(j.at("targets").size() > 0);
    for (const auto& t : j.at("targets")) {
      seen.insert(t.at("key").get<std::string>());
      ++total;
    }
  }
  CHECK(seen.size() == 12);  // together every tenant
  CHECK(total == 12);        // and none twice

  // Both replicas claim every tenant: each tenant's change is made once,
  // under its advisory lock; the other replica finds it done.
  const std::string v2 =
      write_temp_file("fleet_v2.json", fleet_model(R"j(, {"name": "note", "type": "text"})j"));
  const std::string config = fleet_config(db, v2, R"j(, "concurrency": 3)j");
  StartGate gate;
  SchemadProcess one({"--config", config, "apply"}, {}, &gate);
  SchemadProcess two({"--config", config, "apply"}, {}, &gate);
  gate.open();
  CHECK(one.wait(std::chrono::seconds(60)) == 0);
  CHECK(two.wait(std::chrono::seconds(60)) == 0);
  INFO(one.err() << two.err());
  for (int i = 0; i < 12; ++i) {
    const std::string t = "tenant_" + std::to_string(i);
    CHECK(has_column(db, t, "items", "note"));
    CHECK(count(db, "SELECT count(*) FROM " + t +
                        ".schemad_history WHERE outcome = 'applied' AND steps::text LIKE "
                        "'%note%'") == 1);
  }
}

TEST_CASE("fleet failure policy: stop, the failure budget and a failing canary", "[e2e][fleet]") {
  TempDatabase db;
  db.exec(
      "CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b; CREATE SCHEMA tenant_c; "
      "CREATE SCHEMA tenant_d");
  // A view where the model wants a table: CREATE TABLE fails there.
  db.exec("CREATE VIEW tenant_b.accounts AS SELECT 1 AS id");
  const std::string model = write_temp_file("fleet_model.json", fleet_model());

  SECTION("continue, no budget: every other tenant is built") {
    const RunResult r =
        fleet(fleet_config(db, model, R"j(, "retries": 0)j"), {"apply", "--format", "json"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 6);
    const json j = report(r);
    CHECK(target(j, db.name() + "/tenant_b").at("state") == "failed");
    CHECK(contains(target(j, db.name() + "/tenant_b").at("error").get<std::string>(), "accounts"));
    CHECK(j.at("counts").at("ok") == 4);  // three tenants and the shared part
    CHECK(j.at("stopped") == "");
  }
  SECTION("stop: the tenants after the first failure are not attempted") {
    const RunResult r = fleet(
        fleet_config(db, model, R"j(, "retries": 0, "concurrency": 1, "on_failure": "stop")j"),
        {"apply", "--format", "json"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 6);
    const json j = report(r);
    CHECK(target(j, db.name() + "/tenant_a").at("state") == "ok");
    CHECK(target(j, db.name() + "/tenant_b").at("state") == "failed");
    CHECK(target(j, db.name() + "/tenant_c").at("state") == "skipped");
    CHECK(target(j, db.name() + "/tenant_d").at("state") == "skipped");
    CHECK(contains(j.at("stopped").get<std::string>(), "on_failure is \"stop\""));
    CHECK(tenant_tables(db, "tenant_c") == 0);
  }
  SECTION("a failing canary: nothing else is attempted") {
    const RunResult r =
        fleet(fleet_config(db, model, R"j(, "retries": 0, "canary": ["tenant_b"])j"), {"apply"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 6);
    CHECK(contains(r.out, "stopped early: canary " + db.name() + "/tenant_b failed"));
    CHECK(contains(r.out, "1 failed, 0 locked, 3 skipped"));
    for (const std::string t : {"tenant_a", "tenant_c", "tenant_d"}) {
      CHECK(tenant_tables(db, t) == 0);
    }
  }
}

TEST_CASE("fleet: a model the template cannot instantiate is refused before anything runs",
          "[e2e][fleet]") {
  TempDatabase db;
  db.exec("CREATE SCHEMA tenant_a");
  const std::string model = write_temp_file("fleet_bad.json", R"j({"version": 1,
    "schema": "tenant",
    "tables": [{"name": "t", "columns": [{"name": "n", "type": "integer"}],
                "checks": [{"name": "positive", "expression": "tenant.f(n) > 0"}]}]})j");
  const RunResult r = fleet(fleet_config(db, model), {"apply"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "fleet_bad.json: tables[0]"));
  CHECK(contains(r.err, "tenant template schema \"tenant\""));
  CHECK(tenant_tables(db, "tenant_a") == 0);
  CHECK(count(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'tenant_a'") == 0);
}

TEST_CASE(
    "fleet daemon: a new tenant is built within one interval, and /status, /status/targets and "
    "/metrics aggregate",
    "[e2e][fleet]") {
  TempDatabase db;
  db.exec("CREATE SCHEMA tenant_a");
  const std::string model = write_temp_file("fleet_model.json", fleet_model());
  const std::string config =
      write_temp_file("fleet_daemon.json",
                      R"j({"database_url": ")j" + db.url() + R"j(", "model": ")j" + model + R"j(",
    "reconcile": {"interval_seconds": 1, "lock_timeout_ms": 200, "lock_retry_seconds": 1},
    "fleet": {"tenants": {"template": "tenant", "like": "tenant\\_%"}, "retries": 0}})j");
  Daemon d({"--config", config}, {});
  REQUIRE(d.wait_ready());
  json s = json::parse(d.get("/status").body);
  CHECK(s.at("fleet").at("counts").at("ok") == 2);  // tenant_a and the shared part
  CHECK(tenant_tables(db, "tenant_a") == 2);

  db.exec("CREATE SCHEMA tenant_new");
  const auto created = std::chrono::steady_clock::now();
  bool built = false;
  while (!built && std::chrono::steady_clock::now() - created < std::chrono::seconds(20)) {
    built = tenant_tables(db, "tenant_new") == 2;
    if (!built) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  INFO(d.log());
  REQUIRE(built);
  // The next interval's run builds it (1 s here; the bound leaves room for
  // a loaded machine and a sanitizer build, not for a missed interval of a
  // run that never lists it).
  CHECK(std::chrono::steady_clock::now() - created < std::chrono::seconds(15));

  // A tenant that cannot be built: the daemon is not ready, and says why.
  db.exec("CREATE SCHEMA tenant_bad; CREATE VIEW tenant_bad.accounts AS SELECT 1 AS id");
  REQUIRE(d.wait_for("/readyz", [](const HttpReply& r) { return r.status == 503; }));
  const json ready = json::parse(d.get("/readyz").body);
  CHECK(ready.at("reason") == "1 of 4 fleet targets do not satisfy the model");
  const json failed = json::parse(d.get("/status/targets?state=failed").body);
  CHECK(failed.at("total") == 1);
  CHECK(failed.at("targets")[0].at("key") == db.name() + "/tenant_bad");
  CHECK(failed.at("targets")[0].at("error_kind") == "duplicate_object");
  s = json::parse(d.get("/status").body);
  CHECK(s.at("fleet").at("worst")[0].at("key") == db.name() + "/tenant_bad");
  CHECK(json::parse(d.get("/status/targets?limit=2").body).at("targets").size() == 2);
  CHECK(d.get("/status/targets?state=gone").status == 400);
  const std::string metrics = d.get("/metrics").body;
  CHECK(contains(metrics, "schemad_fleet_targets{state=\"failed\"} 1"));
  CHECK(contains(metrics, "schemad_fleet_targets{state=\"ok\"} 3"));
  CHECK(contains(metrics, "schemad_fleet_failures_total{kind=\"duplicate_object\"}"));
  CHECK_FALSE(contains(metrics, "tenant_"));  // no label per tenant

  // A tenant that goes away is reported, never dropped.
  db.exec("DROP SCHEMA tenant_bad CASCADE");
  REQUIRE(d.wait_for("/status", [&](const HttpReply& r) {
    if (r.status != 200) return false;
    const json j = json::parse(r.body);
    return !j.at("fleet").is_null() &&
           j.at("fleet").at("vanished") == json::array({db.name() + "/tenant_bad"});
  }));
  CHECK(d.wait_ready());
  d.signal(SIGTERM);
  CHECK(d.wait(std::chrono::seconds(20)) == 0);
}

TEST_CASE("fleet over databases: a list of URLs, every database LIKE a pattern, or a query's",
          "[e2e][fleet]") {
  TempDatabase a, b;
  b.exec("CREATE SCHEMA tenant_1; CREATE SCHEMA tenant_2");
  const std::string model = write_temp_file("fleet_model.json", fleet_model());

  SECTION("URLs, each with its tenant schemas") {
    const std::string config = write_temp_file(
        "fleet_dbs.json", R"j({"database_url": ")j" + a.url() + R"j(", "model": ")j" + model +
                              R"j(", "fleet": {"databases": {"urls": [")j" + a.url() + R"j(", ")j" +
                              b.url() + R"j("]},
          "tenants": {"template": "tenant", "like": "tenant\\_%"}}})j");
    const RunResult r = fleet(config, {"apply", "--format", "json"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    const json j = report(r);
    // a has no tenant: nothing to do there, not even its shared part.
    CHECK(j.at("targets").size() == 2);
    CHECK(target(j, b.name() + "/tenant_1").at("state") == "ok");
    CHECK(target(j, b.name() + "/tenant_2").at("state") == "ok");
    CHECK(j.at("shared").size() == 1);
    CHECK(tenant_tables(b, "tenant_2") == 2);
    CHECK(count(a,
                "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN "
                "('pg_catalog', 'information_schema')") == 0);

    const std::string twice =
        write_temp_file("fleet_twice.json",
                        R"j({"model": ")j" + model + R"j(", "fleet": {"databases": {"urls": [")j" +
                            a.url() + R"j(", ")j" + a.url() + R"j(?application_name=x"]}}})j");
    const RunResult dup = fleet(twice, {"check"});
    CHECK(dup.exit_code == 1);
    CHECK(contains(dup.err, "database \"" + a.name() + "\" is listed twice"));
  }
  SECTION("every database LIKE a pattern, whole") {
    // schemad_t_ in the name: other tests that list databases skip those of tests.
    const std::string prefix = "schemad_t_fleetlike_" + std::to_string(::getpid()) + "_";
    admin_exec("CREATE DATABASE " + prefix + "1");
    admin_exec("CREATE DATABASE " + prefix + "2");
    const std::string config = write_temp_file(
        "fleet_like.json", R"j({"database_url": ")j" + a.url() + R"j(", "model": ")j" + model +
                               R"j(", "fleet": {"databases": {"like": ")j" + prefix + R"j(%"},
          "concurrency": 2}})j");
    const RunResult r = fleet(config, {"apply", "--format", "json"});
    const RunResult again = fleet(config, {"check"});
    admin_exec("DROP DATABASE " + prefix + "1 WITH (FORCE)");
    admin_exec("DROP DATABASE " + prefix + "2 WITH (FORCE)");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    const json j = report(r);
    REQUIRE(j.at("targets").size() == 2);
    CHECK(j.at("targets")[0].at("key") == prefix + "1");
    CHECK(j.at("targets")[1].at("key") == prefix + "2");
    CHECK(j.at("targets")[1].at("schema") == "");
    CHECK(again.exit_code == 0);
    CHECK(contains(again.out, "2 targets: 2 ok"));
  }
  SECTION("the databases a query on database_url names") {
    const std::string name = "schemad_t_fleetquery_" + std::to_string(::getpid());
    admin_exec("CREATE DATABASE " + name);
    a.exec("CREATE TABLE customers (db text, active boolean); INSERT INTO customers VALUES ('" +
           name + "', true), ('" + name + "_gone', false)");
    const std::string config = write_temp_file(
        "fleet_query.json", R"j({"database_url": ")j" + a.url() + R"j(", "model": ")j" + model +
                                R"j(", "fleet": {"databases": {"query":
          "SELECT db FROM customers WHERE active"}}})j");
    const RunResult r = fleet(config, {"apply", "--format", "json"});
    const RunResult none = fleet(
        write_temp_file(
            "fleet_query2.json",
            R"j({"database_url": ")j" + a.url() + R"j(", "model": ")j" + model +
                R"j(", "fleet": {"databases": {"query": "SELECT db, active FROM customers"}}})j"),
        {"check"});
    admin_exec("DROP DATABASE " + name + " WITH (FORCE)");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    const json j = report(r);
    REQUIRE(j.at("targets").size() == 1);
    CHECK(j.at("targets")[0].at("key") == name);
    CHECK(none.exit_code == 1);
    CHECK(contains(none.err,
                   "fleet.databases.query: must return one column (the database name), "
                   "not 2"));
  }
}

TEST_CASE("fleet: a malformed shard is a usage error before anything runs", "[e2e][fleet]") {
  TempDatabase db;
  db.exec("CREATE SCHEMA tenant_a");
  const std::string model = write_temp_file("fleet_model.json", fleet_model());
  for (const std::string shard : {"3/3", "ordinal/0", "1/x"}) {
    const std::string config = fleet_config(db, model, R"j(, "shard": ")j" + shard + R"j(")j");
    for (const std::string command : {"check", "run"}) {
      const RunResult r = schemad_cmd({"--config", config, command});
      INFO(shard << " " << command << ": " << r.out << r.err);
      CHECK(r.exit_code == 2);
      CHECK(contains(r.err, "fleet.shard: \"" + shard + "\""));
    }
  }
  CHECK(tenant_tables(db, "tenant_a") == 0);
}

TEST_CASE(
    "fleet check after a no-op apply answers every tenant from its record, and check --full "
    "inspects them at once, in as many statements for 20 tenants as for 10",
    "[e2e][fleet]") {
  TempDatabase db;
  db.exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  StatementWitness witness(db);
  const std::string model = write_temp_file("fleet_model.json", fleet_model());
  const std::string config = fleet_config(db, model);
  auto tenants = [&](int from, int to) {
    std::string sql;
    for (int i = from; i < to; ++i) sql += "CREATE SCHEMA tenant_" + std::to_string(i) + ";";
    db.exec(sql);
    REQUIRE(fleet(config, {"apply"}).exit_code == 0);
    REQUIRE(fleet(config, {"apply"}).exit_code == 0);  // a no-op: records
  };
  auto noop_check = [&](bool full) {
    witness.reset();
    const RunResult r =
        fleet(config, full ? std::vector<std::string>{"check", "--full", "--format", "json"}
                           : std::vector<std::string>{"check", "--format", "json"});
    const long sent = witness.statements();
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    const json j = report(r);  // kept: the loop reads into it
    for (const auto& t : j.at("targets")) CHECK(t.at("verified") == !full);
    return sent;
  };
  tenants(0, 10);
  const long ten = noop_check(false);
  const long ten_full = noop_check(true);
  tenants(10, 20);
  const long twenty = noop_check(false);
  const long twenty_full = noop_check(true);
  CHECK(ten == twenty);
  CHECK(ten < 20);
  // In full too: one inspection of every tenant's schema at once.
  CHECK(ten_full == twenty_full);
  CHECK(ten_full < 30);

  // Anything that changes a tenant: that one is compared in full, and says so.
  db.exec("ALTER TABLE tenant_7.items DROP COLUMN status");
  const RunResult r = fleet(config, {"check", "--format", "json"});
  CHECK(r.exit_code == 3);
  const json j = report(r);
  CHECK(target(j, db.name() + "/tenant_7").at("verified") == false);
  CHECK(target(j, db.name() + "/tenant_7").at("state") == "pending");
  CHECK(target(j, db.name() + "/tenant_8").at("verified") == true);
}

TEST_CASE("fleet check --strict=differs lets ahead tenants through, not a retyped column",
          "[e2e][fleet][drift-class]") {
  TempDatabase db;
  db.exec("CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b");
  const std::string model = write_temp_file("fleet_model.json", fleet_model());
  const std::string config = fleet_config(db, model);
  REQUIRE(fleet(config, {"apply"}).exit_code == 0);
  // A newer model's column in one tenant: ahead.
  db.exec("ALTER TABLE tenant_a.items ADD COLUMN note text");
  const json ahead = report(fleet(config, {"check", "--format", "json"}));
  CHECK(target(ahead, db.name() + "/tenant_a").at("state") == "drift");
  CHECK(target(ahead, db.name() + "/tenant_a").at("drift_by_class") ==
        json{{"ahead", 1}, {"differs", 0}, {"weaker", 0}});
  CHECK(fleet(config, {"check", "--strict"}).exit_code == 4);
  CHECK(fleet(config, {"check", "--strict=differs"}).exit_code == 0);
  // A column retyped by hand in the other: differs.
  db.exec("ALTER TABLE tenant_b.items ALTER COLUMN id TYPE numeric");
  CHECK(fleet(config, {"check", "--strict=differs"}).exit_code == 4);
}
