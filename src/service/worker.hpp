#pragma once

// The reconcile worker: the daemon's only thread that talks to the database.
// It waits for triggers, runs one reconcile at a time, checks between runs
// that the database still answers, retries with backoff while it does not,
// and publishes every change of state as a new snapshot.

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/connection>
#include <string>

#include "apply/alembic_stamp.hpp"
#include "config/config.hpp"
#include "engine/engine.hpp"
#include "metrics/metrics.hpp"
#include "schema/schema.hpp"
#include "service/notify.hpp"
#include "service/triggers.hpp"
#include "state/snapshot.hpp"
#include "util/clock.hpp"

namespace schemad::service {

using state::LockWaitState;
using state::ReconcileSummary;
using state::Snapshot;
using state::StateStore;

class Worker {
 public:
  // All references must outlive the worker.
  Worker(config::Config config, StateStore& state, metrics::Metrics& metrics, Notifier& notifier,
         util::Clock& clock);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // The thread body: returns once `queue` is stopped and the reconcile in
  // progress, if any, has ended.
  void run(TriggerQueue& queue);

  // Thread-safe: the configuration the next reconcile uses (after SIGHUP).
  void set_config(const config::Config& config);

  // Thread-safe: asks the server to cancel the statement in progress, so a
  // stop need not wait for a long statement; its transaction rolls back.
  void cancel();

  // Thread-safe: a reconcile has been running for longer than any healthy
  // one can (lock waits and retries included).
  bool stuck(std::chrono::steady_clock::time_point now) const;

 private:
  void reconcile(const Trigger& trigger);
  void check_health();
  bool reload(const Trigger& trigger);
  bool ensure_connection();
  void database_down(const std::string& error);
  void publish();
  std::chrono::steady_clock::time_point next_wake() const;

  StateStore& state_;
  metrics::Metrics& metrics_;
  Notifier& notifier_;
  util::Clock& clock_;

  mutable std::mutex config_mutex_;
  config::Config pending_config_;  // guarded by config_mutex_
  bool config_changed_ = false;    // guarded by config_mutex_

  // Worker thread only.
  config::Config config_;
  Snapshot snapshot_;
  std::optional<schema::Database> model_;
  apply::RevisionSource revisions_;  // read with the model
  engine::ObservationCache cache_;
  std::unique_ptr<pqxx::connection> conn_;
  util::Backoff retry_backoff_;
  std::optional<std::chrono::steady_clock::time_point> retry_at_;
  std::chrono::steady_clock::time_point next_health_;
  std::string drift_seen_;  // the last drift reported, to log changes only

  // Shared with other threads.
  std::atomic<std::int64_t> busy_since_ns_{0};  // 0: idle
  std::atomic<std::int64_t> busy_limit_ns_{0};
  std::mutex conn_mutex_;  // guards conn_ pointer for cancel()
};

}  // namespace schemad::service
