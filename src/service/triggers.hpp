#pragma once

// The reconcile queue between the event loop (which produces triggers) and
// the worker (which runs reconciles one at a time). Triggers that arrive
// while a reconcile runs coalesce into exactly one more run.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>

namespace schemad::service {

struct Trigger {
  std::string reason;          // "startup", "sighup", "model-change", "interval", "http", "retry"
  bool reload_model = false;   // read the model file again first
  bool reload_config = false;  // read the configuration again first (SIGHUP)
};

class TriggerQueue {
 public:
  // Queues a reconcile. While one is queued, later triggers merge into it:
  // the first reason is kept, reload flags accumulate. Thread-safe.
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
