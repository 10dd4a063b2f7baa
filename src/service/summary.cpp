#include "service/summary.hpp"

namespace schemad::service {

namespace {

state::Outcome outcome_of(const engine::Report& report) {
  if (!report.errors.empty() || report.remaining.stamp.error()) return state::Outcome::error;
  return report.satisfied() ? state::Outcome::ok : state::Outcome::pending;
}

}  // namespace

Summary summarize(const engine::Report& report, const std::string& trigger, state::WallTime started,
                  double seconds) {
  Summary s;
  s.last.started = started;
  s.last.duration_seconds = seconds;
  s.last.trigger = trigger;
  s.last.outcome = outcome_of(report);
  s.last.stamp = report.remaining.stamp.message();
  s.last.error = report.error_text();
  if (s.last.error.empty() && report.remaining.stamp.error()) s.last.error = s.last.stamp;
  s.satisfied = report.satisfied();
  for (const auto& step : report.steps) {
    if (!step.ok()) continue;
    s.last.steps_applied.push_back(step.step.description);
    ++s.applied_by_kind[diff::to_string(step.step.kind)];
  }
  for (const auto& change : report.remaining.diff.changes) {
    s.last.pending_changes.push_back(change.description());
  }
  for (const auto& b : report.remaining.blocked) {
    s.last.pending_changes.push_back("blocked by the data: " + b.message());
  }
  if (report.remaining.stamp.pending()) s.last.pending_changes.push_back(s.last.stamp);
  for (const auto& d : report.remaining.diff.drift) {
    s.last.drift.emplace_back(diff::to_string(d.kind), d.message());
    ++s.drift_by_kind[diff::to_string(d.kind)];
  }
  return s;
}

std::string status_line(const state::Snapshot& snapshot) {
  if (snapshot.satisfied) {
    const auto drift = snapshot.last ? snapshot.last->drift.size() : 0;
    return "in sync with " + snapshot.model_path + " (" + std::to_string(drift) + " drift items)";
  }
  if (!snapshot.last) return state::to_string(snapshot.activity);
  const auto& last = *snapshot.last;
  return std::string(state::to_string(last.outcome)) + ": " +
         (last.error.empty() ? std::to_string(last.pending_changes.size()) + " changes pending"
                             : last.error.substr(0, 200));
}

metrics::Labels metric_labels() {
  metrics::Labels labels;
  for (auto outcome : state::kAllOutcomes) labels.outcomes.push_back(state::to_string(outcome));
  for (auto kind : diff::kAllChangeKinds) labels.change_kinds.push_back(diff::to_string(kind));
  for (auto kind : diff::kAllDriftKinds) labels.drift_kinds.push_back(diff::to_string(kind));
  return labels;
}

}  // namespace schemad::service
