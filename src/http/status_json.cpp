#include "http/status_json.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace schemad::http {

namespace {

using nlohmann::json;

json time_or_null(const std::optional<state::WallTime>& time) {
  return time ? json(format_rfc3339(*time)) : json(nullptr);
}

json text_or_null(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

json to_json(const state::ReconcileSummary& r) {
  json drift = json::array();
  for (const auto& d : r.drift) {
    drift.push_back(
        {{"kind", d.kind}, {"class", text_or_null(d.drift_class)}, {"message", d.message}});
  }
  return {{"started", format_rfc3339(r.started)},
          {"duration_seconds", r.duration_seconds},
          {"outcome", state::to_string(r.outcome)},
          {"trigger", r.trigger},
          {"steps_applied", r.steps_applied},
          {"pending_changes", r.pending_changes},
          {"drift", std::move(drift)},
          {"drift_by_class", r.drift_by_class},
          {"stamp", text_or_null(r.stamp)},
          {"stamp_class", text_or_null(r.stamp_class)},
          {"error", text_or_null(r.error)}};
}

json to_json(const state::LockWaitState& w) {
  json blockers = json::array();
  for (std::size_t i = 0; i < w.blockers.size(); ++i) {
    blockers.push_back({{"pid", i < w.blocker_pids.size() ? w.blocker_pids[i] : 0},
                        {"description", w.blockers[i]}});
  }
  return {{"step", w.step},
          {"table", text_or_null(w.table)},
          {"attempt", w.attempt},
          {"since", format_rfc3339(w.since)},
          {"blockers", std::move(blockers)}};
}

json to_json(const state::StepProgress& p, state::WallTime now) {
  const std::chrono::duration<double> running = now - p.started;
  return {{"step", p.step},
          {"table", text_or_null(p.table)},
          {"started", format_rfc3339(p.started)},
          {"seconds", std::max(0.0, running.count())},
          {"pid", p.pid},
          {"phase", text_or_null(p.phase)},
          {"blocks_done", p.blocks_done},
          {"blocks_total", p.blocks_total},
          {"tuples_done", p.tuples_done},
          {"tuples_total", p.tuples_total},
          {"lockers_done", p.lockers_done},
          {"lockers_total", p.lockers_total},
          {"current_locker_pid",
           p.current_locker_pid == 0 ? json(nullptr) : json(p.current_locker_pid)}};
}

json to_json(const std::vector<state::HistoryEntry>& history) {
  json out = json::array();
  for (const auto& h : history) {
    out.push_back({{"started", format_rfc3339(h.started)},
                   {"duration_seconds", h.duration_seconds},
                   {"trigger", h.trigger},
                   {"outcome", state::to_string(h.outcome)},
                   {"applied", h.applied},
                   {"pending", h.pending},
                   {"drift", h.drift},
                   {"error", text_or_null(h.error)}});
  }
  return out;
}

json to_json(const state::FleetState& f) {
  json worst = json::array();
  for (const auto& t : f.targets) {
    if (worst.size() == kWorstTargets || t.state == "ok" || t.state == "drift") break;
    worst.push_back(http::to_json(t));
  }
  return {{"counts", f.counts},
          {"elsewhere", f.elsewhere},
          {"stopped", text_or_null(f.stopped)},
          {"vanished", f.vanished},
          {"worst", std::move(worst)}};
}

}  // namespace

json to_json(const state::FleetTarget& t) {
  return {{"key", t.key},
          {"state", t.state},
          {"error", text_or_null(t.error)},
          {"error_kind", text_or_null(t.error_kind)},
          {"blockers", t.blockers},
          {"applied", t.applied},
          {"pending", t.pending},
          {"drift", t.drift},
          {"drift_by_class", t.drift_by_class},
          {"attempts", t.attempts},
          {"seconds", t.seconds}};
}

std::string format_rfc3339(state::WallTime time) {
  using namespace std::chrono;
  // floor, not duration_cast: times before 1970 must not round up.
  const auto ms = floor<milliseconds>(time.time_since_epoch()).count();
  const auto seconds = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  const auto millis = static_cast<int>(ms - static_cast<long long>(seconds) * 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  const auto length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + length, sizeof text - length, ".%03dZ", millis);
  return text;
}

json to_json(const state::Snapshot& s, state::WallTime now, std::chrono::seconds readiness_window) {
  const state::Readiness ready = state::readiness(s, now, readiness_window);
  return {
      {"version", s.version},
      {"model",
       {{"path", s.model_path},
        {"fingerprint", s.model_fingerprint},
        {"error", text_or_null(s.model_error)},
        {"reload_errors", s.model_reload_errors},
        {"not_managed", s.model_not_managed}}},
      {"revision", s.revision},
      {"database",
       {{"target", s.target}, {"up", s.database_up}, {"last_seen", time_or_null(s.database_seen)}}},
      {"ready", {{"ready", ready.ready}, {"reason", text_or_null(ready.reason)}}},
      {"satisfied", s.satisfied},
      {"last_reconcile", s.last ? to_json(*s.last) : json(nullptr)},
      {"last_success", time_or_null(s.last_success)},
      {"activity", state::to_string(s.activity)},
      {"current_trigger", text_or_null(s.current_trigger)},
      {"rerun_queued", s.rerun_queued},
      {"next_retry", time_or_null(s.next_retry)},
      {"waiting", s.waiting ? to_json(*s.waiting) : json(nullptr)},
      {"progress", s.progress ? to_json(*s.progress, now) : json(nullptr)},
      {"history", to_json(s.history)},
      {"fleet", s.fleet ? to_json(*s.fleet) : json(nullptr)},
  };
}

}  // namespace schemad::http
