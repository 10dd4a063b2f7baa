#pragma once

// A finished reconcile, summarised for the snapshot (/status), the metrics
// and the logs. Pure.

#include <map>
#include <string>

#include "engine/engine.hpp"
#include "metrics/metrics.hpp"
#include "state/snapshot.hpp"

namespace schemad::service {

struct Summary {
  state::ReconcileSummary last;                // what /status shows as last_reconcile
  std::map<std::string, int> applied_by_kind;  // steps that succeeded, by change kind label
  std::map<std::string, int> drift_by_kind;    // by drift kind label
  bool satisfied = false;                      // the database satisfies the model
};

// The summary of `report`, a reconcile asked for by `trigger` that started
// at `started` and took `seconds`. Outcome: error when the report has
// errors or alembic_version holds several heads (the schema may be healed,
// but check exits 1), ok when the database satisfies the model, pending
// otherwise.
Summary summarize(const engine::Report& report, const std::string& trigger, state::WallTime started,
                  double seconds);

// The service manager's status line: "in sync with MODEL (N drift items)",
// or "OUTCOME: ERROR" / "OUTCOME: N changes pending".
std::string status_line(const state::Snapshot& snapshot);

// The label values the metrics export from the start: every outcome, change
// kind and drift kind.
metrics::Labels metric_labels();

}  // namespace schemad::service
