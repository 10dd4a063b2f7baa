#pragma once

// The daemon's Prometheus metrics, in base units, and their text exposition
// for GET /metrics.
//
//   schemad_build_info{version}                     gauge, always 1
//   schemad_reconcile_total{outcome}                counter: ok, pending, error
//   schemad_reconcile_duration_seconds              histogram, 5 ms .. 60 s
//   schemad_changes_applied_total{kind}             counter, per kind of change
//   schemad_pending_changes                         gauge, after the last reconcile
//   schemad_drift_items{kind}                       gauge, per kind of drift
//   schemad_database_up                             gauge, 0 or 1
//   schemad_last_success_timestamp_seconds          gauge, unix time (0: never)
//   schemad_model_reload_errors_total               counter
//   schemad_lock_wait_seconds                       histogram, 1 ms .. 120 s
//   schemad_drift_class_items{class}                gauge: ahead, differs, weaker
//   schemad_stamp_action{action}                    gauge: 1 for the last decision
//   schemad_ready                                   gauge, 1 when /readyz answers 200
//   schemad_lock_waiting_seconds                    gauge, the wait going on (0: none)
//   schemad_step_running_seconds                    gauge, the online step running (0: none)
// Fleet mode only (Labels::fleet_states not empty), aggregates: no label
// per tenant, which thousands of tenants would make thousands of series:
//   schemad_fleet_targets{state}                    gauge, after the last run
//   schemad_fleet_failures_total{kind}              counter, targets failed or locked, by error
//   schemad_fleet_target_duration_seconds           histogram, each target's reconcile
//
// Every label value the caller declares (Labels: the outcomes, the change
// and drift kinds) exists from construction with value 0, so a series never
// appears out of nowhere and rate() works from the first scrape.
//
// Thread safety: every member function may be called from any thread at any
// time. The metrics themselves are prometheus-cpp's atomics; a mutex also
// makes record_reconcile() atomic with respect to text(), so a scrape never
// sees half of a reconcile (the counter without its drift, say).

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace schemad::metrics {

// The label values to export from the start.
struct Labels {
  std::vector<std::string> outcomes;       // schemad_reconcile_total{outcome}
  std::vector<std::string> change_kinds;   // schemad_changes_applied_total{kind}
  std::vector<std::string> drift_kinds;    // schemad_drift_items{kind}
  std::vector<std::string> drift_classes;  // schemad_drift_class_items{class}
  std::vector<std::string> stamp_actions;  // schemad_stamp_action{action}
  // Fleet mode: schemad_fleet_targets{state}, schemad_fleet_failures_total{kind}.
  // No state: no fleet metrics at all.
  std::vector<std::string> fleet_states;
  std::vector<std::string> fleet_failure_kinds;
};

class Metrics {
 public:
  // `version` becomes the label of schemad_build_info.
  Metrics(const std::string& version, const Labels& labels);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // After each reconcile, whatever its outcome:
  // - counts one reconcile with `outcome` ("ok", "pending" or "error"; any
  //   other value gets its own series) and observes `seconds`;
  // - adds applied_by_kind (label "table", "column", ...; counts <= 0 add
  //   nothing) to schemad_changes_applied_total;
  // - sets schemad_pending_changes to `pending`;
  // - sets schemad_drift_items to drift_by_kind: every kind absent from the
  //   map, known or seen in an earlier call, goes back to 0;
  // - sets schemad_drift_class_items to drift_by_class, the same way;
  // - sets schemad_stamp_action{action=stamp_action} to 1 and every other
  //   action to 0 (all 0 for "": no decision).
  // The gauges take the arguments as given: the caller decides what an
  // error reconcile reports (what it found before failing, or nothing).
  void record_reconcile(const std::string& outcome, double seconds,
                        const std::map<std::string, int>& applied_by_kind, int pending,
                        const std::map<std::string, int>& drift_by_kind,
                        const std::map<std::string, std::size_t>& drift_by_class = {},
                        const std::string& stamp_action = "");

  // What is going on now, set just before a scrape: whether /readyz would
  // answer 200, how long the running step has waited for other sessions'
  // locks, and how long the online step running now has run (0: none).
  void set_current(bool ready, double lock_waiting_seconds, double step_running_seconds);

  void set_database_up(bool up);
  void set_last_success(std::chrono::system_clock::time_point when);
  void count_model_reload_error();
  // The time taken to acquire the advisory lock.
  void observe_lock_wait(double seconds);

  // After each fleet run (fleet mode only; nothing otherwise): the targets
  // by state (every state absent from the map, known or seen before, goes
  // back to 0), the failures by kind added, each target's duration observed.
  void record_fleet(const std::map<std::string, std::size_t>& by_state,
                    const std::map<std::string, int>& failures_by_kind,
                    const std::vector<double>& target_seconds);

  // The whole exposition, Prometheus text format 0.0.4 (prometheus-cpp's
  // TextSerializer), for Content-Type "text/plain; version=0.0.4".
  std::string text() const;

 private:
  using CounterFamily = prometheus::Family<prometheus::Counter>;
  using GaugeFamily = prometheus::Family<prometheus::Gauge>;

  // The child of `family` labelled {label=value}, created on first use.
  // Requires mutex_.
  static prometheus::Counter& child(CounterFamily& family,
                                    std::map<std::string, prometheus::Counter*>& children,
                                    const std::string& label, const std::string& value);
  static prometheus::Gauge& child(GaugeFamily& family,
                                  std::map<std::string, prometheus::Gauge*>& children,
                                  const std::string& label, const std::string& value);

  std::unique_ptr<prometheus::Registry> registry_;
  mutable std::mutex mutex_;  // guards the maps; serialises record_reconcile and text

  CounterFamily* reconcile_total_;
  std::map<std::string, prometheus::Counter*> reconcile_by_outcome_;
  prometheus::Histogram* reconcile_duration_;
  CounterFamily* changes_applied_;
  std::map<std::string, prometheus::Counter*> applied_by_kind_;
  prometheus::Gauge* pending_changes_;
  GaugeFamily* drift_items_;
  std::map<std::string, prometheus::Gauge*> drift_by_kind_;
  prometheus::Gauge* database_up_;
  prometheus::Gauge* last_success_;
  prometheus::Counter* model_reload_errors_;
  prometheus::Histogram* lock_wait_;
  GaugeFamily* drift_class_items_;
  std::map<std::string, prometheus::Gauge*> drift_by_class_;
  GaugeFamily* stamp_action_;
  std::map<std::string, prometheus::Gauge*> stamp_by_action_;
  prometheus::Gauge* ready_;
  prometheus::Gauge* lock_waiting_;
  prometheus::Gauge* step_running_;
  GaugeFamily* fleet_targets_ = nullptr;
  std::map<std::string, prometheus::Gauge*> fleet_by_state_;
  CounterFamily* fleet_failures_ = nullptr;
  std::map<std::string, prometheus::Counter*> fleet_failures_by_kind_;
  prometheus::Histogram* fleet_duration_ = nullptr;
};

}  // namespace schemad::metrics
