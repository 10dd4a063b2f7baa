#pragma once

// The state the daemon publishes: one immutable snapshot, written by the
// reconcile worker after every change of state and read by the HTTP
// handlers (/status, /readyz). It is the only state they share; what else
// crosses threads is listed in service/worker.hpp.

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace schemad::state {

using WallTime = std::chrono::system_clock::time_point;

// How a reconcile ended.
enum class Outcome {
  ok,       // the database satisfies the model
  pending,  // something could not be created
  error,    // the reconcile failed: database, lock, model, several Alembic heads
};

// Every outcome, for the metrics to export from the start.
inline constexpr Outcome kAllOutcomes[] = {Outcome::ok, Outcome::pending, Outcome::error};

// "ok", "pending", "error": /status and the metrics' label.
inline const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok:
      return "ok";
    case Outcome::pending:
      return "pending";
    case Outcome::error:
      return "error";
  }
  return "error";
}

// What the worker is doing now.
enum class Activity { starting, reconciling, waiting_for_lock, idle, backoff, stopping };

// "starting", "reconciling", "waiting-for-lock", "idle", "backoff", "stopping".
inline const char* to_string(Activity activity) {
  switch (activity) {
    case Activity::starting:
      return "starting";
    case Activity::reconciling:
      return "reconciling";
    case Activity::waiting_for_lock:
      return "waiting-for-lock";
    case Activity::idle:
      return "idle";
    case Activity::backoff:
      return "backoff";
    case Activity::stopping:
      return "stopping";
  }
  return "idle";
}

// One drift item, as /status shows it.
struct DriftItem {
  std::string kind;         // diff::to_string(DriftKind); "fleet" for a target's line
  std::string drift_class;  // "ahead", "differs", "weaker"; "" on a fleet's "... and N more"
  std::string message;

  // "message [class]", as diff::Drift::labelled; the message alone without a class.
  std::string labelled() const {
    return drift_class.empty() ? message : message + " [" + drift_class + "]";
  }
};

// What the last finished reconcile did.
struct ReconcileSummary {
  WallTime started;
  double duration_seconds = 0;
  Outcome outcome = Outcome::ok;
  std::string trigger;  // "startup", "sighup", "model-change", "interval", "http", "retry"
  std::vector<std::string> steps_applied;    // descriptions
  std::vector<std::string> pending_changes;  // descriptions of what is still missing
  std::vector<DriftItem> drift;
  // Drift items by class ("ahead", "differs", "weaker"), every class present.
  std::map<std::string, std::size_t> drift_by_class;
  std::string stamp;  // the alembic_version note, "" when nothing to say
  // A revision left alone in alembic_version, as drift: "ahead" (a
  // descendant of the model's), "differs" (unknown relation), "" otherwise.
  std::string stamp_class;
  std::string error;
};

// One line of the daemon's recent history (/status "history").
struct HistoryEntry {
  WallTime started;
  double duration_seconds = 0;
  std::string trigger;
  Outcome outcome = Outcome::ok;
  std::size_t applied = 0;
  std::size_t pending = 0;
  std::size_t drift = 0;
  std::string error;
};
inline constexpr std::size_t kHistoryEntries = 20;

// The online step running now (CREATE INDEX CONCURRENTLY, VALIDATE
// CONSTRAINT, ...), and what pg_stat_progress_create_index says of it.
struct StepProgress {
  std::string step;   // its description
  std::string table;  // as SQL, "" when none
  WallTime started;
  int pid = 0;        // the backend that runs it
  std::string phase;  // "" when the server reports no progress for it
  long long blocks_done = 0, blocks_total = 0;
  long long tuples_done = 0, tuples_total = 0;
  long long lockers_done = 0, lockers_total = 0;  // the "waiting for ..." phases
  int current_locker_pid = 0;                     // the session waited for (0: none)
};

// A step of the reconcile in progress waiting for other sessions' locks.
struct LockWaitState {
  std::string step;                   // its description
  std::string table;                  // as SQL, "" when none
  int attempt = 0;                    // the attempt that last timed out
  WallTime since;                     // the first time out of this step
  std::vector<std::string> blockers;  // Blocker::describe() of each
  std::vector<int> blocker_pids;
};

// Fleet mode (docs/fleet.md): one target's last result, as /status and
// /status/targets show it.
struct FleetTarget {
  std::string key;    // "db/schema", "db", or "db (shared)"
  std::string state;  // ok, drift, pending, failed, locked, skipped
  std::string error;
  std::string error_kind;
  std::vector<std::string> blockers;  // locked: who is in the way
  std::size_t applied = 0;
  std::size_t pending = 0;
  std::size_t drift = 0;
  int attempts = 0;
  double seconds = 0;
  // drift by class ("ahead", "differs", "weaker"); empty before a comparison
  std::map<std::string, std::size_t> drift_by_class;
};

// The fleet as the last run left it. Shared, immutable: a snapshot is
// copied on every publish, thousands of targets are not.
struct FleetState {
  std::map<std::string, std::size_t> counts;  // by state, every state present
  // Every target and shared part, worst first (failed, locked, pending,
  // skipped, drift, ok), then by key.
  std::vector<FleetTarget> targets;
  // Keys an earlier run listed that this one did not (never dropped:
  // reported until they are listed again or the daemon restarts).
  std::vector<std::string> vanished;
  std::size_t elsewhere = 0;  // targets of other shards
  std::string stopped;        // why the last run stopped early
  WallTime started;           // when the run that listed these started
};

struct Snapshot {
  std::string version;
  std::string model_path;
  std::string model_fingerprint;
  std::string revision;
  std::string target;  // masked database URL

  // The model: the last load error ("" when the model in force loaded
  // cleanly from the current file) and how many reloads failed.
  std::string model_error;
  long model_reload_errors = 0;
  // A SQL model's statements that make what schemad does not manage
  // ("schema.sql:40:1: view public.v is not managed by schemad: ...").
  std::vector<std::string> model_not_managed;

  bool database_up = false;
  std::optional<WallTime> database_seen;  // last time the database answered
  bool satisfied = false;                 // per the last reconcile
  std::optional<ReconcileSummary> last;
  std::optional<WallTime> last_success;

  Activity activity = Activity::starting;   // what is happening now
  std::string current_trigger;              // while reconciling
  bool rerun_queued = false;                // a trigger arrived during the run
  std::optional<WallTime> next_retry;       // in backoff: when the next attempt is
  std::optional<LockWaitState> waiting;     // activity "waiting-for-lock": who is in the way
  std::shared_ptr<const FleetState> fleet;  // fleet mode: after the first run
  std::optional<StepProgress> progress;     // an online step is running (publish_progress)
  std::vector<HistoryEntry> history;        // finished reconciles, newest first
};

struct Readiness {
  bool ready = false;
  std::string reason;  // why not, in a few words ("database unreachable"); "" when ready
};

// Ready when the last reconcile left the database satisfying the model and
// the database answered within `window` before `now`.
inline Readiness readiness(const Snapshot& s, WallTime now, std::chrono::seconds window) {
  if (!s.last) return {false, "no reconcile has finished yet"};
  if (!s.database_up) return {false, "database unreachable"};
  if (!s.database_seen || now - *s.database_seen > window) {
    return {false, "database not heard from recently"};
  }
  // The last run listed the fleet: say how much of it is not there.
  if (!s.satisfied && s.fleet && s.fleet->started == s.last->started) {
    std::size_t total = 0;
    for (const auto& entry : s.fleet->counts) total += entry.second;
    const auto good = s.fleet->counts.count("ok") ? s.fleet->counts.at("ok") : 0;
    const auto drift = s.fleet->counts.count("drift") ? s.fleet->counts.at("drift") : 0;
    return {false, std::to_string(total - good - drift) + " of " + std::to_string(total) +
                       " fleet targets do not satisfy the model"};
  }
  if (!s.satisfied) {
    return {false, s.last->error.empty() ? "changes pending" : "last reconcile failed"};
  }
  return {true, ""};
}

// Thread-safe holder of the current snapshot.
// The progress of the step running now comes from another thread than the
// worker's (service/progress.hpp): the store keeps it and puts it into every
// snapshot it holds, when either changes (about once a second while a step
// runs), so that get() stays a pointer copy.
class StateStore {
 public:
  std::shared_ptr<const Snapshot> get() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return current_;
  }
  // `next` with the store's progress (publish_progress), whatever its own.
  void publish(Snapshot next) {
    std::lock_guard<std::mutex> lock(mutex_);
    next.progress = progress_;
    current_ = std::make_shared<const Snapshot>(std::move(next));
  }
  // The online step running now; nullopt when none is.
  void publish_progress(std::optional<StepProgress> progress) {
    std::lock_guard<std::mutex> lock(mutex_);
    progress_ = std::move(progress);
    auto with = std::make_shared<Snapshot>(*current_);
    with->progress = progress_;
    current_ = std::move(with);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> current_ = std::make_shared<const Snapshot>();
  std::optional<StepProgress> progress_;
};

}  // namespace schemad::state
