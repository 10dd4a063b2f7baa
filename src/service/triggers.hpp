#pragma once

// Why a reconcile runs, how that decides the way it runs, and the queue
// between the event loop (which produces triggers) and the worker (which
// runs reconciles one at a time). Triggers that arrive while a reconcile
// runs coalesce into exactly one more run.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

namespace schemad::service {

enum class Reason {
  interval,      // the timer
  retry,         // the worker's own retry after a failure
  startup,       // the daemon started
  sighup,        // the configuration and the model read again
  model_change,  // the model file changed
  http,          // POST /reconcile
};

// "interval", "retry", "startup", "sighup", "model-change", "http": the
// label of /status, the logs and schemad_history.
const char* to_string(Reason reason);

// How a reconcile runs.
struct Policy {
  // Try again what the data blocked (history): only when someone asks.
  bool retry_conflicts = true;
  // Reuse the last observation when nothing changed (two statements): only
  // the timer; everything else looks at the whole catalog again.
  bool reuse_observation = false;
};

// Explicit requests (start-up, SIGHUP, a model change, POST /reconcile)
// retry blocked changes and look at everything; the worker's own retries
// neither retry blocked changes nor reuse; the timer reuses.
Policy policy_of(Reason reason);

struct Trigger {
  Reason reason = Reason::startup;
  bool reload_model = false;  // read the model file (and versions folder) again first

  Policy policy() const { return policy_of(reason); }
};

class TriggerQueue {
 public:
  // Queues a reconcile. While one is queued, later triggers merge into it:
  // the stronger reason is kept (an explicit request over the worker's
  // retry over the timer, so that a SIGHUP merged into a queued tick runs
  // with the SIGHUP's policy; between two explicit requests, the first),
  // reload flags accumulate. Thread-safe.
  void push(const Trigger& trigger);

  // Waits until a trigger is queued (returns it, the queue then empty), until
  // `deadline` (returns nullopt), or until stop() (returns nullopt).
  std::optional<Trigger> wait_until(std::chrono::steady_clock::time_point deadline);

  // Wakes the waiter for good; later pushes are ignored.
  void stop();
  bool stopped() const;
  bool queued() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<Trigger> queued_;
  bool stopped_ = false;
};

}  // namespace schemad::service
