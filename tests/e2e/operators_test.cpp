// End-to-end, for the people on call: drift classes on a rolling deploy
// (check, its JSON, --strict=differs, the daemon's /status and metrics),
// and the progress of a long online step in /status while it runs.

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "support/daemon.hpp"
#include "support/pg.hpp"
#include "support/process.hpp"

using namespace schemad::test;
using nlohmann::json;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Version 1 of an application's model, and version 2: a column, an index
// and a table more, recorded as a newer revision.
constexpr const char* kV1 = R"j({
  "version": 1,
  "revision": "rev_v1",
  "tables": [
    {"name": "accounts", "columns": [
      {"name": "id", "type": "bigint", "primary_key": true},
      {"name": "email", "type": "text", "nullable": false},
      {"name": "balance", "type": "integer", "nullable": false, "default": 0}]}
  ]
})j";

constexpr const char* kV2 = R"j({
  "version": 1,
  "revision": "rev_v2",
  "tables": [
    {"name": "accounts", "columns": [
      {"name": "id", "type": "bigint", "primary_key": true},
      {"name": "email", "type": "text", "nullable": false},
      {"name": "balance", "type": "integer", "nullable": false, "default": 0},
      {"name": "nickname", "type": "text"}],
     "indexes": [{"name": "ix_accounts_nickname", "columns": ["nickname"]}]},
    {"name": "audit", "columns": [
      {"name": "id", "type": "bigint", "primary_key": true},
      {"name": "note", "type": "text"}]}
  ]
})j";

// The value of the series `name` (with its labels) in a /metrics text; -1
// when absent.
double metric(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

}  // namespace

TEST_CASE("drift classes: a replica with the older model sees the newer one's objects as ahead",
          "[e2e][pg][drift-class]") {
  TempDatabase db;
  const auto v1 = write_temp_file("v1.json", kV1);
  const auto v2 = write_temp_file("v2.json", kV2);
  REQUIRE(schemad_cmd({"--database-url", db.url(), "--model", v1, "apply"}).exit_code == 0);
  REQUIRE(schemad_cmd({"--database-url", db.url(), "--model", v2, "apply"}).exit_code == 0);
  const std::vector<std::string> old_replica{"--database-url", db.url(), "--model", v1};
  auto check = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = old_replica;
    args.push_back("check");
    args.insert(args.end(), extra.begin(), extra.end());
    return schemad_cmd(args);
  };

  // The rollout: only "ahead", which --strict=differs lets through.
  auto report = check({"--format", "json"});
  REQUIRE(report.exit_code == 0);
  const json found = json::parse(report.out);
  REQUIRE(found["drift"].size() == 3);  // the column, the index, the table
  for (const auto& d : found["drift"]) {
    INFO(d.dump());
    CHECK(d["class"] == "ahead");
  }
  CHECK(found["stamp"]["action"] == "leave_newer");
  CHECK(found["stamp"]["class"] == "ahead");
  CHECK(found["drift_by_class"] == json{{"ahead", 4}, {"differs", 0}, {"weaker", 0}});
  CHECK(check({"--strict"}).exit_code == 4);
  CHECK(check({"--strict=differs"}).exit_code == 0);
  auto text = check({});
  CHECK(contains(text.out, "drift: public.accounts.nickname: column not in the model [ahead]"));
  CHECK(contains(text.out, "drift: alembic_version holds revision rev_v2, "));
  CHECK(contains(text.out, "; left alone, never moved backwards (target rev_v1) [ahead]\n"));
  CHECK(check({"--strict=sometimes"}).exit_code == 2);

  // A revision whose relation to the model's nobody knows: it differs, and
  // --strict=differs counts it (--strict looks at drift items only).
  db.exec("UPDATE alembic_version SET version_num = 'rev_elsewhere'");
  auto unknown = check({"--format", "json", "--strict=differs"});
  CHECK(unknown.exit_code == 4);
  const json unknown_found = json::parse(unknown.out);
  CHECK(unknown_found["stamp"]["action"] == "leave_unknown");
  CHECK(unknown_found["stamp"]["class"] == "differs");
  CHECK(unknown_found["drift_by_class"] == json{{"ahead", 3}, {"differs", 1}, {"weaker", 0}});
  // The text says why it exits 4.
  auto unknown_text = check({"--strict=differs"});
  CHECK(unknown_text.exit_code == 4);
  CHECK(contains(unknown_text.out, "drift: alembic_version holds revision rev_elsewhere, "));
  CHECK(contains(unknown_text.out, "(target rev_v1) [differs]\n"));
  db.exec("UPDATE alembic_version SET version_num = 'rev_v2'");
  CHECK(check({"--strict=differs"}).exit_code == 0);

  // Someone changes a column's type by hand: that contradicts the model.
  db.exec("ALTER TABLE accounts ALTER COLUMN balance TYPE bigint");
  auto differs = check({"--format", "json", "--strict=differs"});
  CHECK(differs.exit_code == 4);
  bool seen = false;
  const json differs_found = json::parse(differs.out);
  for (const auto& d : differs_found["drift"]) {
    if (d["object"] != "public.accounts.balance") continue;
    seen = true;
    CHECK(d["kind"] == "column_type");
    CHECK(d["class"] == "differs");
  }
  CHECK(seen);

  // And drops a NOT NULL: the database is weaker than the model.
  db.exec("ALTER TABLE accounts ALTER COLUMN balance TYPE integer");
  db.exec("ALTER TABLE accounts ALTER COLUMN email DROP NOT NULL");
  auto weaker = check({"--format", "json", "--strict=differs"});
  CHECK(weaker.exit_code == 4);
  CHECK(json::parse(weaker.out)["drift_by_class"] ==
        json{{"ahead", 4}, {"differs", 0}, {"weaker", 1}});

  // plan carries the class too.
  auto plan = schemad_cmd({"--database-url", db.url(), "--model", v1, "plan", "--format", "json"});
  REQUIRE(plan.exit_code == 0);
  bool weaker_in_plan = false;
  const json planned = json::parse(plan.out);
  for (const auto& d : planned["drift"]) {
    if (d["object"] == "public.accounts.email") weaker_in_plan = d["class"] == "weaker";
  }
  CHECK(weaker_in_plan);
}

TEST_CASE("drift classes: the daemon's /status and metrics carry them, readiness ignores them",
          "[e2e][pg][drift-class]") {
  TempDatabase db;
  const auto v1 = write_temp_file("v1.json", kV1);
  const auto v2 = write_temp_file("v2.json", kV2);
  REQUIRE(schemad_cmd({"--database-url", db.url(), "--model", v1, "apply"}).exit_code == 0);
  REQUIRE(schemad_cmd({"--database-url", db.url(), "--model", v2, "apply"}).exit_code == 0);
  db.exec("ALTER TABLE accounts ALTER COLUMN balance TYPE bigint");
  Daemon d({"--database-url", db.url(), "--model", v1}, {});
  REQUIRE(d.wait_ready());  // drift never makes it unready
  const json status = json::parse(d.get("/status").body);
  const auto& last = status["last_reconcile"];
  CHECK(last["drift_by_class"] == json{{"ahead", 4}, {"differs", 1}, {"weaker", 0}});
  CHECK(last["stamp_class"] == "ahead");
  for (const auto& item : last["drift"]) {
    INFO(item.dump());
    CHECK(item["class"] == (contains(item["message"], "balance") ? "differs" : "ahead"));
  }
  REQUIRE(status["history"].size() == 1);
  CHECK(status["history"][0]["drift"] == 5);
  CHECK(status["history"][0]["outcome"] == "ok");
  const std::string metrics = d.get("/metrics").body;
  CHECK(metric(metrics, "schemad_drift_class_items{class=\"ahead\"}") == 4);
  CHECK(metric(metrics, "schemad_drift_class_items{class=\"differs\"}") == 1);
  CHECK(metric(metrics, "schemad_drift_class_items{class=\"weaker\"}") == 0);
  CHECK(metric(metrics, "schemad_stamp_action{action=\"leave_newer\"}") == 1);
  CHECK(metric(metrics, "schemad_stamp_action{action=\"none\"}") == 0);
  CHECK(metric(metrics, "schemad_lock_waiting_seconds") == 0);
  CHECK(metric(metrics, "schemad_ready") == 1);
  CHECK(metric(metrics, "schemad_step_running_seconds") == 0);
  CHECK(contains(d.log(),
                 "drift: public.accounts.balance: type is bigint, model says integer [differs]"));
  d.signal(SIGTERM);
  CHECK(d.wait(std::chrono::seconds(20)) == 0);
}

TEST_CASE("progress: /status shows a concurrent index build's phase and blocks while it runs",
          "[e2e][pg][progress]") {
  TempDatabase db;
  // Large enough for the build to take a second or more: 2 million rows.
  db.exec("CREATE TABLE big (id bigint PRIMARY KEY, payload text NOT NULL)");
  db.exec("INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 2000000) g");
  db.exec("ANALYZE big");
  const auto model = write_temp_file("big.json", R"j({
    "version": 1,
    "tables": [{"name": "big", "columns": [
      {"name": "id", "type": "bigint", "primary_key": true},
      {"name": "payload", "type": "text", "nullable": false}],
      "indexes": [{"name": "ix_big_payload", "columns": ["payload"]}]}]
  })j");
  const auto config =
      write_temp_file("progress.json", R"j({"reconcile": {"progress_log_seconds": 1}})j");
  // Another session holds a snapshot, as a long report would: the build
  // scans and sorts, then waits for it in a phase of its own (and times out
  // on lock_timeout, and is retried) until it ends.
  pqxx::connection holder(db.url());
  pqxx::work open(holder);
  open.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  open.exec("SELECT 1");
  Daemon d({"--config", config, "--database-url", db.url(), "--model", model}, {});
  json building, waiting;
  const bool seen = d.wait_for(
      "/status",
      [&](const HttpReply& r) {
        if (r.status != 200) return false;
        const json s = json::parse(r.body);
        const json& p = s["progress"];
        if (p.is_null() || p["phase"].is_null()) return false;
        if (p["blocks_total"].get<long long>() > 0) building = p;
        if (contains(p["phase"].get<std::string>(), "waiting for old snapshots")) waiting = p;
        return !waiting.is_null();
      },
      std::chrono::seconds(90));
  REQUIRE(seen);
  INFO(waiting.dump());
  CHECK(contains(waiting["step"].get<std::string>(), "ix_big_payload"));
  CHECK(waiting["pid"].get<int>() > 0);
  CHECK(waiting["seconds"].get<double>() >= 1.0);
  CHECK(waiting["lockers_total"].get<long long>() >= 1);
  CHECK(waiting["current_locker_pid"].get<int>() > 0);
  if (!building.is_null()) {  // a fast machine may scan between two polls
    CHECK(building["blocks_done"].get<long long>() <= building["blocks_total"].get<long long>());
  }
  const std::string metrics = d.get("/metrics").body;
  CHECK(metric(metrics, "schemad_step_running_seconds") >= 1.0);
  open.commit();
  REQUIRE(d.wait_ready(std::chrono::seconds(150)));
  const json status = json::parse(d.get("/status").body);
  CHECK(status["progress"].is_null());
  CHECK(metric(d.get("/metrics").body, "schemad_step_running_seconds") == 0);
  CHECK(contains(d.log(), "still running after"));
  CHECK(contains(d.log(), "waiting for old snapshots"));
  CHECK(
      db.scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_big_payload'::regclass") ==
      "t");
  d.signal(SIGTERM);
  CHECK(d.wait(std::chrono::seconds(20)) == 0);
}
