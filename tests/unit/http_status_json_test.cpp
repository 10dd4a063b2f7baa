#include <catch2/catch.hpp>

#include "http/status_json.hpp"

using namespace schemad;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

state::WallTime at_ms(long long ms) {
  return state::WallTime(milliseconds(ms));
}

// 2024-05-01T12:34:56.789Z
const state::WallTime kNow = at_ms(1714566896789);

}  // namespace

TEST_CASE("times are RFC 3339 UTC with milliseconds, truncated toward the past", "[http]") {
  CHECK(http::format_rfc3339(at_ms(0)) == "1970-01-01T00:00:00.000Z");
  CHECK(http::format_rfc3339(kNow) == "2024-05-01T12:34:56.789Z");
  CHECK(http::format_rfc3339(kNow + std::chrono::microseconds(999)) == "2024-05-01T12:34:56.789Z");
  CHECK(http::format_rfc3339(at_ms(-1)) == "1969-12-31T23:59:59.999Z");
  CHECK(http::format_rfc3339(at_ms(-1000)) == "1969-12-31T23:59:59.000Z");
}

TEST_CASE("a starting snapshot has nulls where nothing happened yet", "[http]") {
  state::Snapshot s;
  s.version = "0.1.0";
  const auto j = http::to_json(s, kNow, seconds(60));
  CHECK(j["version"] == "0.1.0");
  CHECK(j["activity"] == "starting");
  CHECK(j["last_reconcile"].is_null());
  CHECK(j["last_success"].is_null());
  CHECK(j["next_retry"].is_null());
  CHECK(j["current_trigger"].is_null());
  CHECK(j["database"]["last_seen"].is_null());
  CHECK(j["database"]["up"] == false);
  CHECK(j["model"]["error"].is_null());
  CHECK(j["model"]["reload_errors"] == 0);
  CHECK(j["ready"]["ready"] == false);
  CHECK(j["ready"]["reason"] == "no reconcile has finished yet");
  CHECK(j["satisfied"] == false);
  CHECK(j["rerun_queued"] == false);
}

TEST_CASE("the status JSON carries every field of the snapshot", "[http]") {
  state::Snapshot s;
  s.version = "0.1.0";
  s.model_path = "/etc/schemad/model.json";
  s.model_fingerprint = "abc123";
  s.model_error = "model.json: tables[0]: unknown key \"x\"";
  s.model_reload_errors = 2;
  s.revision = "schemad_abc";
  s.target = "postgresql://app@db:5432/app";
  s.database_up = true;
  s.database_seen = kNow - seconds(5);
  s.satisfied = true;
  state::ReconcileSummary r;
  r.started = kNow - seconds(10);
  r.duration_seconds = 0.25;
  r.outcome = schemad::state::Outcome::ok;
  r.trigger = "sighup";
  r.steps_applied = {"create table public.users"};
  r.pending_changes = {"index public.users_email_idx"};
  r.drift = {{"column_type", "differs", "public.users.name is text, the model says varchar(10)"}};
  r.drift_by_class = {{"ahead", 0}, {"differs", 1}, {"weaker", 0}};
  r.stamp = "stamped schemad_abc";
  s.last = r;
  s.last_success = kNow - seconds(10);
  s.activity = schemad::state::Activity::reconciling;
  s.current_trigger = "http";
  s.rerun_queued = true;
  s.next_retry = kNow + seconds(30);

  const auto j = http::to_json(s, kNow, seconds(60));
  CHECK(j["model"]["path"] == "/etc/schemad/model.json");
  CHECK(j["model"]["fingerprint"] == "abc123");
  CHECK(j["model"]["error"] == s.model_error);
  CHECK(j["model"]["reload_errors"] == 2);
  CHECK(j["revision"] == "schemad_abc");
  CHECK(j["database"]["target"] == "postgresql://app@db:5432/app");
  CHECK(j["database"]["up"] == true);
  CHECK(j["database"]["last_seen"] == "2024-05-01T12:34:51.789Z");
  CHECK(j["ready"]["ready"] == true);
  CHECK(j["ready"]["reason"].is_null());
  CHECK(j["satisfied"] == true);
  const auto& last = j["last_reconcile"];
  CHECK(last["started"] == "2024-05-01T12:34:46.789Z");
  CHECK(last["duration_seconds"] == 0.25);
  CHECK(last["outcome"] == "ok");
  CHECK(last["trigger"] == "sighup");
  CHECK(last["steps_applied"] == nlohmann::json::array({"create table public.users"}));
  CHECK(last["pending_changes"] == nlohmann::json::array({"index public.users_email_idx"}));
  REQUIRE(last["drift"].size() == 1);
  CHECK(last["drift"][0]["kind"] == "column_type");
  CHECK(last["drift"][0]["class"] == "differs");
  CHECK(last["drift"][0]["message"] == r.drift[0].message);
  CHECK(last["drift_by_class"] == nlohmann::json{{"ahead", 0}, {"differs", 1}, {"weaker", 0}});
  CHECK(last["stamp"] == "stamped schemad_abc");
  CHECK(last["stamp_class"].is_null());
  CHECK(last["error"].is_null());
  CHECK(j["last_success"] == "2024-05-01T12:34:46.789Z");
  CHECK(j["activity"] == "reconciling");
  CHECK(j["current_trigger"] == "http");
  CHECK(j["rerun_queued"] == true);
  CHECK(j["next_retry"] == "2024-05-01T12:35:26.789Z");
  CHECK(j["progress"].is_null());
  CHECK(j["history"] == nlohmann::json::array());
}

TEST_CASE("the status JSON shows the running step's progress and the history", "[http]") {
  state::Snapshot s;
  state::StepProgress p;
  p.step = "create index public.items_sku_idx";
  p.table = "\"public\".\"items\"";
  p.started = kNow - seconds(12);
  p.pid = 4242;
  p.phase = "building index: scanning table";
  p.blocks_done = 250;
  p.blocks_total = 1000;
  s.progress = p;
  s.history.push_back({kNow - seconds(20), 1.5, "startup", state::Outcome::pending, 3, 1, 2, ""});
  const auto j = http::to_json(s, kNow, seconds(60));
  const auto& progress = j["progress"];
  CHECK(progress["step"] == "create index public.items_sku_idx");
  CHECK(progress["table"] == "\"public\".\"items\"");
  CHECK(progress["started"] == "2024-05-01T12:34:44.789Z");
  CHECK(progress["seconds"] == 12.0);
  CHECK(progress["pid"] == 4242);
  CHECK(progress["phase"] == "building index: scanning table");
  CHECK(progress["blocks_done"] == 250);
  CHECK(progress["blocks_total"] == 1000);
  CHECK(progress["tuples_total"] == 0);
  REQUIRE(j["history"].size() == 1);
  const auto& h = j["history"][0];
  CHECK(h["started"] == "2024-05-01T12:34:36.789Z");
  CHECK(h["outcome"] == "pending");
  CHECK(h["trigger"] == "startup");
  CHECK(h["applied"] == 3);
  CHECK(h["pending"] == 1);
  CHECK(h["drift"] == 2);
  CHECK(h["error"].is_null());
}

TEST_CASE("the status JSON judges readiness with the given clock and window", "[http]") {
  state::Snapshot s;
  s.last = state::ReconcileSummary{};
  s.satisfied = true;
  s.database_up = true;
  s.database_seen = kNow - seconds(90);
  CHECK(http::to_json(s, kNow, seconds(60))["ready"]["reason"] ==
        "database not heard from recently");
  CHECK(http::to_json(s, kNow, seconds(120))["ready"]["ready"] == true);
}

TEST_CASE("a drift item's label: the message and its class, the message alone without one",
          "[http][status]") {
  CHECK(state::DriftItem{"column_type", "differs", "public.t.c: type is text"}.labelled() ==
        "public.t.c: type is text [differs]");
  CHECK(state::DriftItem{"fleet", "", "... and 3 more"}.labelled() == "... and 3 more");
}
