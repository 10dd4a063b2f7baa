#pragma once

// The progress of a long online step, while it runs: the worker's thread is
// inside the statement (CREATE INDEX CONCURRENTLY, VALIDATE CONSTRAINT), so
// another thread asks the server about it through a connection of its own,
// every poll interval: pg_stat_progress_create_index for an index build's
// phase and blocks and tuples done of the total, pg_stat_activity for what
// the statement waits on. What it reads goes to the StateStore (/status
// "progress") and, every log interval, to the log; the running step's
// seconds become a metric at each scrape.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "config/config.hpp"
#include "state/snapshot.hpp"

namespace schemad::service {

// What the server says of the process running a step.
struct ProgressReading {
  std::string phase;  // pg_stat_progress_create_index.phase; "" when not an index build
  long long blocks_done = 0, blocks_total = 0;
  long long tuples_done = 0, tuples_total = 0;
  // The "waiting for ..." phases: the sessions to wait for, and the one
  // waited for now (0: none).
  long long lockers_done = 0, lockers_total = 0;
  int current_locker_pid = 0;
  std::string waiting_on;  // pg_stat_activity: "Lock: virtualxid"; "" when not waiting
};

// Reads what the server says of process `pid`. Throws on a database error.
class ProgressSource {
 public:
  virtual ~ProgressSource() = default;
  virtual ProgressReading read(int pid) = 0;
};

// The real one: its own connection to the configured database, opened on
// the first read (application_name "schemad-progress").
std::unique_ptr<ProgressSource> pg_progress_source(const config::Config& config);

// "building index: scanning table: blocks 1200 of 5000 (24%)"; in a
// "waiting for ..." phase the sessions waited for and the pid.
std::string describe(const ProgressReading& reading);

class ProgressMonitor {
 public:
  // `state` must outlive the monitor. A step is first asked about after
  // poll_every, then every poll_every.
  explicit ProgressMonitor(state::StateStore& state,
                           std::chrono::milliseconds poll_every = std::chrono::seconds(1));
  ~ProgressMonitor();
  ProgressMonitor(const ProgressMonitor&) = delete;
  ProgressMonitor& operator=(const ProgressMonitor&) = delete;

  // Any thread: a step started on server process `pid`, to be asked about
  // through `source` (null: its seconds only) and logged every `log_every`;
  // the step before it, if any, is over.
  void started(const std::string& step, const std::string& table, int pid,
               std::unique_ptr<ProgressSource> source, std::chrono::milliseconds log_every);
  // Any thread: the step ended; /status no longer shows it.
  void finished();

 private:
  void loop();

  state::StateStore& state_;
  const std::chrono::milliseconds poll_every_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<state::StepProgress> step_;  // guarded by mutex_
  std::unique_ptr<ProgressSource> source_;   // guarded by mutex_: the step's, until taken
  std::chrono::milliseconds log_every_{0};   // guarded by mutex_: the step's
  long generation_ = 0;                      // guarded by mutex_: one per started()
  bool stop_ = false;                        // guarded by mutex_
  std::thread thread_;
};

}  // namespace schemad::service
