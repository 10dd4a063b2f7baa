#pragma once

// A finished reconcile, summarised for the snapshot (/status), the metrics
// and the logs. Pure.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.hpp"
#include "fleet/run.hpp"
#include "metrics/metrics.hpp"
#include "state/snapshot.hpp"

namespace schemad::service {

struct Summary {
  state::ReconcileSummary last;                // what /status shows as last_reconcile
  std::map<std::string, int> applied_by_kind;  // steps that succeeded, by change kind label
  std::map<std::string, int> drift_by_kind;    // by drift kind label
  // apply::to_string of the alembic_version decision; "" when the reconcile
  // ended in error (or in fleet mode: each tenant has its own)
  std::string stamp_action;
  bool satisfied = false;  // the database satisfies the model
};

// The summary of `report`, a reconcile asked for by `trigger` that started
// at `started` and took `seconds`. Outcome: error when the report has
// errors or alembic_version holds several heads (the schema may be healed,
// but check exits 1), ok when the database satisfies the model, pending
// otherwise.
Summary summarize(const engine::Report& report, const std::string& trigger, state::WallTime started,
                  double seconds);

// A fleet run, summarised: outcome error when the fleet could not be
// listed or run (`error`, and `run` null) or some target failed or was
// locked; ok when every target satisfies the model; pending otherwise.
// steps_applied, pending_changes and drift name their target
// ("db/tenant_1: 3 steps applied"), kMaxFleetLines lines each at most.
inline constexpr std::size_t kMaxFleetLines = 100;
Summary summarize_fleet(const fleet::Summary* run, const std::string& error,
                        const std::string& trigger, state::WallTime started, double seconds);

// Every target and shared part of `run`, worst first, for /status.
std::shared_ptr<const state::FleetState> fleet_state(const fleet::Summary& run,
                                                     std::vector<std::string> vanished,
                                                     state::WallTime started);

// The service manager's status line: "in sync with MODEL (N drift items)",
// or "OUTCOME: ERROR" / "OUTCOME: N changes pending".
std::string status_line(const state::Snapshot& snapshot);

// The label values the metrics export from the start: every outcome, change
// kind and drift kind; with `fleet`, every fleet state and failure kind.
metrics::Labels metric_labels(bool fleet = false);

}  // namespace schemad::service
