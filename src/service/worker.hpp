#pragma once

// The reconcile worker: the daemon's only thread that talks to the database.
// It waits for triggers, runs one reconcile at a time, checks between runs
// that the database still answers, retries with backoff while it does not,
// and publishes every change of state as a new snapshot.
//
// Its parts: the model and the database through a Backend (backend.hpp),
// when to wake up on its own (schedule.hpp), what a finished reconcile
// amounts to (summary.hpp). Time comes only from the injected Clock.
//
// Threads: run() is the worker thread's body. Shared with the event loop,
// and so thread-safe: set_config() (the next configuration, under
// config_mutex_), cancel() (the session pointer, under session_mutex_),
// stuck() (two atomics), the published snapshot (state::StateStore) and the
// metrics (metrics::Metrics). Everything else belongs to the worker thread.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "config/config.hpp"
#include "engine/cache.hpp"
#include "fleet/run.hpp"
#include "metrics/metrics.hpp"
#include "service/backend.hpp"
#include "service/notify.hpp"
#include "service/progress.hpp"
#include "service/schedule.hpp"
#include "service/summary.hpp"
#include "service/triggers.hpp"
#include "state/snapshot.hpp"
#include "util/clock.hpp"

namespace schemad::service {

class Worker {
 public:
  // All references must outlive the worker.
  Worker(config::Config config, Backend& backend, state::StateStore& state,
         metrics::Metrics& metrics, const Notifier& notifier, util::Clock& clock);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // The thread body: handles wake-ups until `queue` is stopped and the
  // reconcile in progress, if any, has ended. Waits on the queue in real
  // time, so it needs the real clock.
  void run(TriggerQueue& queue);

  // One wake-up: a reconcile for `trigger`, else the retry or the health
  // check that is due (nothing when none is). run() calls it; unit tests
  // call it directly, with a fake clock.
  void handle(const std::optional<Trigger>& trigger);

  // When the worker next has something to do without a trigger.
  std::chrono::steady_clock::time_point next_wake() const { return schedule_.next_wake(); }

  // Thread-safe: the configuration the next reconcile uses (after SIGHUP).
  void set_config(const config::Config& config);

  // Thread-safe: asks the server to cancel the statement in progress, so a
  // stop need not wait for a long statement; its transaction rolls back.
  void cancel();

  // Thread-safe: the daemon is stopping. A fleet run in progress starts no
  // further target (those running finish, or cancel() cancels them).
  void stopping() { cancelled_ = true; }

  // Thread-safe: a reconcile has been running for longer than any healthy
  // one can (lock waits and retries included), by the worker's clock.
  bool stuck() const;

 private:
  void converge(const Trigger& trigger);
  // Fleet mode (config fleet): the fleet run in place of one reconcile.
  void converge_fleet(const Trigger& trigger, std::chrono::steady_clock::time_point start,
                      state::WallTime started);
  void finish_fleet(const Trigger& trigger, const fleet::Summary* summary, const std::string& error,
                    std::chrono::steady_clock::time_point start, state::WallTime started);
  engine::Report attempt(const Trigger& trigger);
  engine::Settings settings_for(const Trigger& trigger);
  void finish(const Trigger& trigger, const engine::Report& report,
              std::chrono::steady_clock::time_point start, state::WallTime started);
  // What every finished reconcile publishes: satisfied, the schedule (the
  // retry backoff when `failed`), the last summary.
  void settle(Summary summary, bool failed);
  void log_outcome(const Trigger& trigger, const engine::Report& report, const Summary& summary);
  void take_pending_config();
  bool reload(bool reload_model);
  bool ensure_session();
  void database_down(const std::string& error);
  void database_answered();
  void check_health();
  void waiting(const apply::LockWait& wait);
  // The step that waited got its locks (or gave up): /status "waiting" and
  // the activity "waiting-for-lock" end.
  void wait_over();
  void set_retry(std::chrono::steady_clock::time_point at);
  void publish();

  Backend& backend_;
  state::StateStore& state_;
  metrics::Metrics& metrics_;
  const Notifier& notifier_;
  util::Clock& clock_;

  mutable std::mutex config_mutex_;
  config::Config pending_config_;  // guarded by config_mutex_
  bool config_changed_ = false;    // guarded by config_mutex_

  // Worker thread only.
  config::Config config_;
  state::Snapshot snapshot_;
  std::optional<schema::Database> model_;
  apply::RevisionSource revisions_;  // read with the model, kept with it
  engine::ObservationCache cache_;
  Schedule schedule_;
  std::string drift_seen_;  // the last drift reported, to log changes only

  std::mutex session_mutex_;  // guards the session_ pointer, for cancel()
  std::unique_ptr<Session> session_;

  // Fleet mode: set by stopping() and cancel(), so that a stop skips the
  // targets not started yet.
  std::atomic<bool> cancelled_{false};
  // Fleet mode, worker thread only: every key listed so far, with its
  // database, and those that vanished since.
  std::map<std::string, std::string> fleet_keys_;
  std::set<std::string> vanished_;

  std::atomic<std::int64_t> busy_since_{0};  // clock_ ticks; 0: idle
  std::atomic<std::int64_t> busy_limit_{0};

  // The progress of the online step running (single database only: a
  // fleet runs many at once). Last: its thread stops first.
  ProgressMonitor progress_;
};

}  // namespace schemad::service
