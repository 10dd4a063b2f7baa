#pragma once

// The published snapshot as JSON, for GET /status. Keys are stable: tools
// and people parse them.
//
// {"version", "model": {"path", "fingerprint", "error", "reload_errors"},
//  "revision", "database": {"target", "up", "last_seen"},
//  "ready": {"ready", "reason"}, "satisfied",
//  "last_reconcile": null | {"started", "duration_seconds", "outcome",
//      "trigger", "steps_applied": [..], "pending_changes": [..],
//      "drift": [{"kind", "class", "message"}],
//      "drift_by_class": {"ahead", "differs", "weaker"}, "stamp",
//      "stamp_class", "error"},
//  "last_success", "activity", "current_trigger", "rerun_queued", "next_retry",
//  "waiting": null | {"step", "table", "attempt", "since", "blockers":
//      [{"pid", "description"}]},
//  "progress": null | {"step", "table", "started", "seconds", "pid", "phase",
//      "blocks_done", "blocks_total", "tuples_done", "tuples_total",
//      "lockers_done", "lockers_total", "current_locker_pid"},
//  "history": [{"started", "duration_seconds", "trigger", "outcome",
//      "applied", "pending", "drift", "error"}] (newest first),
//  "fleet": null | {"counts": {state: n}, "elsewhere", "stopped",
//      "vanished": [key..], "worst": [target..] (at most kWorstTargets, not
//      ok nor drift, worst first)}}
// A fleet target: {"key", "state", "error", "error_kind", "blockers",
//  "applied", "pending", "drift", "attempts", "seconds", "drift_by_class"}.
//
// Times are RFC 3339 UTC strings with milliseconds, null when absent. Texts
// that are empty when there is nothing to say (model.error, ready.reason,
// last_reconcile.stamp, .stamp_class and .error, current_trigger, a
// progress's phase, a history entry's error) are null then.

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "state/snapshot.hpp"

namespace schemad::http {

// The fleet's targets /status lists, the worst first.
inline constexpr std::size_t kWorstTargets = 10;

nlohmann::json to_json(const state::FleetTarget& target);

// "2024-05-01T12:34:56.789Z": UTC, milliseconds, truncated toward the past.
std::string format_rfc3339(state::WallTime time);

// "ready" is state::readiness(snapshot, now, readiness_window).
nlohmann::json to_json(const state::Snapshot& snapshot,
                       state::WallTime now = std::chrono::system_clock::now(),
                       std::chrono::seconds readiness_window = std::chrono::seconds(60));

}  // namespace schemad::http
