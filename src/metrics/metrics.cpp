#include "metrics/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <vector>

namespace schemad::metrics {

namespace {

// x2 to x3 per step: a no-op reconcile in the warm daemon takes tens of
// milliseconds, a cold creation or a concurrent index build up to minutes.
const prometheus::Histogram::BucketBoundaries kReconcileBuckets = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

// Uncontended, the lock takes a round trip; contended, up to
// reconcile.lock_retry_seconds (120 s by default).
const prometheus::Histogram::BucketBoundaries kLockWaitBuckets = {
    0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120};

template <typename T>
T& single(prometheus::detail::Builder<T> builder, prometheus::Registry& registry,
          const std::string& name, const std::string& help) {
  return builder.Name(name).Help(help).Register(registry).Add({});
}

}  // namespace

Metrics::Metrics(const std::string& version, const Labels& labels)
    : registry_(std::make_unique<prometheus::Registry>()) {
  prometheus::Registry& r = *registry_;
  prometheus::BuildGauge()
      .Name("schemad_build_info")
      .Help("Always 1; the label carries the version of schemad.")
      .Register(r)
      .Add({{"version", version}})
      .Set(1);

  reconcile_total_ = &prometheus::BuildCounter()
                          .Name("schemad_reconcile_total")
                          .Help(
                              "Finished reconciles, by outcome: ok (the database satisfies the "
                              "model), pending (something is still missing), error.")
                          .Register(r);
  reconcile_duration_ = &prometheus::BuildHistogram()
                             .Name("schemad_reconcile_duration_seconds")
                             .Help("Wall time of each reconcile, whatever its outcome.")
                             .Register(r)
                             .Add({}, kReconcileBuckets);
  changes_applied_ = &prometheus::BuildCounter()
                          .Name("schemad_changes_applied_total")
                          .Help("Changes schemad applied to the database, by kind.")
                          .Register(r);
  pending_changes_ = &single(prometheus::BuildGauge(), r, "schemad_pending_changes",
                             "Changes the model asks for that the last reconcile left missing.");
  drift_items_ = &prometheus::BuildGauge()
                      .Name("schemad_drift_items")
                      .Help(
                          "Drift found by the last reconcile (reported, never changed), by "
                          "kind.")
                      .Register(r);
  database_up_ = &single(prometheus::BuildGauge(), r, "schemad_database_up",
                         "1 when the last attempt to reach the database succeeded, else 0.");
  last_success_ =
      &single(prometheus::BuildGauge(), r, "schemad_last_success_timestamp_seconds",
              "Unix time of the last reconcile that left the database satisfying the model; 0 "
              "before the first.");
  model_reload_errors_ = &single(prometheus::BuildCounter(), r, "schemad_model_reload_errors_total",
                                 "Model reloads that failed to load or validate (the last good "
                                 "model stays in force).");
  lock_wait_ = &prometheus::BuildHistogram()
                    .Name("schemad_lock_wait_seconds")
                    .Help("Time taken to acquire the advisory lock.")
                    .Register(r)
                    .Add({}, kLockWaitBuckets);

  drift_class_items_ = &prometheus::BuildGauge()
                            .Name("schemad_drift_class_items")
                            .Help(
                                "Drift found by the last reconcile, by class: ahead (the database "
                                "has what the model lacks), differs, weaker (less strict than the "
                                "model). A revision left alone in alembic_version counts too.")
                            .Register(r);
  stamp_action_ = &prometheus::BuildGauge()
                       .Name("schemad_stamp_action")
                       .Help(
                           "1 for what the last reconcile decided about alembic_version: none "
                           "(recorded), insert or update (to be written), leave_newer, "
                           "leave_unknown, leave_several, hold; all 0 without a decision.")
                       .Register(r);
  ready_ = &single(prometheus::BuildGauge(), r, "schemad_ready",
                   "1 when GET /readyz answers 200 (the last reconcile left the database "
                   "satisfying the model, and the database answered recently), else 0.");
  lock_waiting_ = &single(prometheus::BuildGauge(), r, "schemad_lock_waiting_seconds",
                          "How long the running step has been waiting for other sessions' "
                          "locks; 0 when it is not waiting.");
  step_running_ = &single(prometheus::BuildGauge(), r, "schemad_step_running_seconds",
                          "How long the online step running now (CREATE INDEX CONCURRENTLY, "
                          "VALIDATE CONSTRAINT) has run; 0 when none is.");
  for (const auto& c : labels.drift_classes)
    child(*drift_class_items_, drift_by_class_, "class", c);
  for (const auto& a : labels.stamp_actions) child(*stamp_action_, stamp_by_action_, "action", a);
  for (const auto& outcome : labels.outcomes) {
    child(*reconcile_total_, reconcile_by_outcome_, "outcome", outcome);
  }
  for (const auto& kind : labels.change_kinds) {
    child(*changes_applied_, applied_by_kind_, "kind", kind);
  }
  for (const auto& kind : labels.drift_kinds) child(*drift_items_, drift_by_kind_, "kind", kind);
  if (labels.fleet_states.empty()) return;
  fleet_targets_ = &prometheus::BuildGauge()
                        .Name("schemad_fleet_targets")
                        .Help(
                            "Fleet targets (tenant schemas, databases, shared parts) by the "
                            "state the last run left them in.")
                        .Register(r);
  fleet_failures_ = &prometheus::BuildCounter()
                         .Name("schemad_fleet_failures_total")
                         .Help("Fleet targets a run left failed or locked, by error kind.")
                         .Register(r);
  fleet_duration_ = &prometheus::BuildHistogram()
                         .Name("schemad_fleet_target_duration_seconds")
                         .Help("Wall time of each fleet target's reconcile, retries included.")
                         .Register(r)
                         .Add({}, kReconcileBuckets);
  for (const auto& state : labels.fleet_states) {
    child(*fleet_targets_, fleet_by_state_, "state", state);
  }
  for (const auto& kind : labels.fleet_failure_kinds) {
    child(*fleet_failures_, fleet_failures_by_kind_, "kind", kind);
  }
}

Metrics::~Metrics() = default;

prometheus::Counter& Metrics::child(CounterFamily& family,
                                    std::map<std::string, prometheus::Counter*>& children,
                                    const std::string& label, const std::string& value) {
  auto found = children.find(value);
  if (found != children.end()) return *found->second;
  prometheus::Counter& created = family.Add({{label, value}});
  children.emplace(value, &created);
  return created;
}

prometheus::Gauge& Metrics::child(GaugeFamily& family,
                                  std::map<std::string, prometheus::Gauge*>& children,
                                  const std::string& label, const std::string& value) {
  auto found = children.find(value);
  if (found != children.end()) return *found->second;
  prometheus::Gauge& created = family.Add({{label, value}});
  children.emplace(value, &created);
  return created;
}

void Metrics::record_reconcile(const std::string& outcome, double seconds,
                               const std::map<std::string, int>& applied_by_kind, int pending,
                               const std::map<std::string, int>& drift_by_kind,
                               const std::map<std::string, std::size_t>& drift_by_class,
                               const std::string& stamp_action) {
  std::lock_guard<std::mutex> lock(mutex_);
  child(*reconcile_total_, reconcile_by_outcome_, "outcome", outcome).Increment();
  reconcile_duration_->Observe(seconds);
  for (const auto& [kind, count] : applied_by_kind) {
    if (count > 0) child(*changes_applied_, applied_by_kind_, "kind", kind).Increment(count);
  }
  pending_changes_->Set(pending);
  // Create the new kinds first, then set every kind: one that disappeared
  // since the last reconcile must read 0, not its stale value.
  for (const auto& entry : drift_by_kind) child(*drift_items_, drift_by_kind_, "kind", entry.first);
  for (const auto& [kind, gauge] : drift_by_kind_) {
    auto found = drift_by_kind.find(kind);
    gauge->Set(found == drift_by_kind.end() ? 0 : found->second);
  }
  for (const auto& entry : drift_by_class) {
    child(*drift_class_items_, drift_by_class_, "class", entry.first);
  }
  for (const auto& [c, gauge] : drift_by_class_) {
    auto found = drift_by_class.find(c);
    gauge->Set(found == drift_by_class.end() ? 0 : static_cast<double>(found->second));
  }
  if (!stamp_action.empty()) child(*stamp_action_, stamp_by_action_, "action", stamp_action);
  for (const auto& [action, gauge] : stamp_by_action_) gauge->Set(action == stamp_action ? 1 : 0);
}

void Metrics::set_current(bool ready, double lock_waiting_seconds, double step_running_seconds) {
  ready_->Set(ready ? 1 : 0);
  lock_waiting_->Set(lock_waiting_seconds);
  step_running_->Set(step_running_seconds);
}

void Metrics::set_database_up(bool up) {
  database_up_->Set(up ? 1 : 0);
}

void Metrics::set_last_success(std::chrono::system_clock::time_point when) {
  last_success_->Set(std::chrono::duration<double>(when.time_since_epoch()).count());
}

void Metrics::count_model_reload_error() {
  model_reload_errors_->Increment();
}

void Metrics::observe_lock_wait(double seconds) {
  lock_wait_->Observe(seconds);
}

void Metrics::record_fleet(const std::map<std::string, std::size_t>& by_state,
                           const std::map<std::string, int>& failures_by_kind,
                           const std::vector<double>& target_seconds) {
  if (fleet_targets_ == nullptr) return;
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& entry : by_state) child(*fleet_targets_, fleet_by_state_, "state", entry.first);
  for (const auto& [state, gauge] : fleet_by_state_) {
    auto found = by_state.find(state);
    gauge->Set(found == by_state.end() ? 0 : static_cast<double>(found->second));
  }
  for (const auto& [kind, count] : failures_by_kind) {
    if (count > 0) child(*fleet_failures_, fleet_failures_by_kind_, "kind", kind).Increment(count);
  }
  for (double seconds : target_seconds) fleet_duration_->Observe(seconds);
}

std::string Metrics::text() const {
  std::vector<prometheus::MetricFamily> families;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    families = registry_->Collect();
  }
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace schemad::metrics
