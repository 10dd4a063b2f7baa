#include "service/summary.hpp"

#include <algorithm>
#include <iterator>

#include "fleet/run.hpp"

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
    s.last.drift.push_back(
        {diff::to_string(d.kind), diff::to_string(d.drift_class()), d.message()});
    ++s.drift_by_kind[diff::to_string(d.kind)];
  }
  s.last.drift_by_class = engine::drift_by_class(report.remaining);
  if (auto c = engine::stamp_drift_class(report.remaining.stamp)) {
    s.last.stamp_class = diff::to_string(*c);
  }
  if (report.errors.empty()) s.stamp_action = apply::to_string(report.remaining.stamp.action);
  return s;
}

namespace {

// Worst first: what needs a person before what will settle by itself.
int severity(fleet::State s) {
  using S = fleet::State;
  static constexpr S kWorstFirst[] = {S::failed,  S::locked, S::pending,
                                      S::skipped, S::drift,  S::ok};
  return static_cast<int>(std::find(std::begin(kWorstFirst), std::end(kWorstFirst), s) -
                          std::begin(kWorstFirst));
}

// `line` when fewer than kMaxFleetLines are there; "... and N more" once.
void add_line(std::vector<std::string>& lines, std::size_t& dropped, std::string line) {
  if (lines.size() < kMaxFleetLines) {
    lines.push_back(std::move(line));
  } else {
    ++dropped;
  }
}

}  // namespace

Summary summarize_fleet(const fleet::Summary* run, const std::string& error,
                        const std::string& trigger, state::WallTime started, double seconds) {
  Summary s;
  s.last.started = started;
  s.last.duration_seconds = seconds;
  s.last.trigger = trigger;
  for (auto c : diff::kAllDriftClasses) s.last.drift_by_class[diff::to_string(c)] = 0;
  if (run == nullptr) {
    s.last.outcome = state::Outcome::error;
    s.last.error = error;
    return s;
  }
  std::size_t applied_dropped = 0, pending_dropped = 0, drift_dropped = 0;
  std::string first_failure;
  std::size_t failures = 0;
  for (const auto* list : {&run->shared, &run->targets}) {
    for (const auto& t : *list) {
      for (const auto& [kind, n] : t.applied_by_kind) s.applied_by_kind[kind] += n;
      if (t.applied > 0) {
        add_line(s.last.steps_applied, applied_dropped,
                 t.key + ": " + std::to_string(t.applied) + " steps applied");
      }
      if (t.pending > 0 || t.state == fleet::State::skipped) {
        add_line(s.last.pending_changes, pending_dropped,
                 t.key + ": " +
                     (t.state == fleet::State::skipped
                          ? t.error
                          : std::to_string(t.pending) + " changes pending"));
      }
      for (const auto& [c, n] : t.drift_by_class) s.last.drift_by_class[c] += n;
      for (const auto& d : t.drift_items) {
        if (s.last.drift.size() < kMaxFleetLines) {
          s.last.drift.push_back(
              {"fleet", diff::to_string(d.drift_class()), t.key + ": " + d.message()});
        } else {
          ++drift_dropped;
        }
      }
      if (t.state == fleet::State::failed || t.state == fleet::State::locked) {
        if (failures++ == 0) first_failure = t.key + ": " + t.error;
      }
    }
  }
  if (applied_dropped > 0) {
    s.last.steps_applied.push_back("... and " + std::to_string(applied_dropped) + " more targets");
  }
  if (pending_dropped > 0) {
    s.last.pending_changes.push_back("... and " + std::to_string(pending_dropped) +
                                     " more targets");
  }
  if (drift_dropped > 0) {
    s.last.drift.push_back({"fleet", "", "... and " + std::to_string(drift_dropped) + " more"});
  }
  s.satisfied = run->satisfied();
  if (failures > 0) {
    s.last.outcome = state::Outcome::error;
    s.last.error =
        std::to_string(failures) + " targets failed or were locked (first: " + first_failure + ")";
  } else {
    s.last.outcome = s.satisfied ? state::Outcome::ok : state::Outcome::pending;
  }
  if (!run->stopped.empty()) s.last.stamp = "stopped early: " + run->stopped;
  return s;
}

std::shared_ptr<const state::FleetState> fleet_state(const fleet::Summary& run,
                                                     std::vector<std::string> vanished,
                                                     state::WallTime started) {
  auto out = std::make_shared<state::FleetState>();
  for (const auto& [state, n] : run.counts()) out->counts[fleet::to_string(state)] = n;
  std::vector<const fleet::TargetResult*> all;
  for (const auto* list : {&run.shared, &run.targets}) {
    for (const auto& t : *list) all.push_back(&t);
  }
  std::stable_sort(all.begin(), all.end(), [](const auto* a, const auto* b) {
    return severity(a->state) < severity(b->state);
  });
  out->targets.reserve(all.size());
  for (const auto* t : all) {
    out->targets.push_back({t->key, fleet::to_string(t->state), t->error, t->error_kind,
                            t->blockers, t->applied, t->pending, t->drift, t->attempts, t->seconds,
                            t->drift_by_class});
  }
  out->vanished = std::move(vanished);
  out->elsewhere = run.elsewhere.size();
  out->stopped = run.stopped;
  out->started = started;
  return out;
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

metrics::Labels metric_labels(bool fleet) {
  metrics::Labels labels;
  for (auto outcome : state::kAllOutcomes) labels.outcomes.push_back(state::to_string(outcome));
  for (auto kind : diff::kAllChangeKinds) labels.change_kinds.push_back(diff::to_string(kind));
  for (auto kind : diff::kAllDriftKinds) labels.drift_kinds.push_back(diff::to_string(kind));
  for (auto c : diff::kAllDriftClasses) labels.drift_classes.push_back(diff::to_string(c));
  for (auto action : apply::kAllStampActions)
    labels.stamp_actions.push_back(apply::to_string(action));
  if (fleet) {
    for (auto state : fleet::kStates) labels.fleet_states.push_back(fleet::to_string(state));
    labels.fleet_failure_kinds = fleet::failure_kinds();
  }
  return labels;
}

}  // namespace schemad::service
