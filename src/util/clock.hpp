#pragma once

// Time as a dependency: code that waits, backs off or stamps times takes a
// Clock, so tests drive it without real waits.

#include <chrono>
#include <random>

namespace schemad::util {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time, for durations and deadlines.
  virtual std::chrono::steady_clock::time_point now() = 0;
  // Wall time, for timestamps people read (/status, schemad_history).
  virtual std::chrono::system_clock::time_point wall_now() = 0;
  virtual void sleep_for(std::chrono::milliseconds duration) = 0;
};

// The real clock. Thread-safe.
Clock& system_clock();

// Capped exponential backoff with full jitter: attempt 0 waits up to
// `initial`, each later attempt up to twice the previous, never over `cap`.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds cap,
          std::uint32_t seed = std::random_device{}());
  std::chrono::milliseconds next();
  void reset() { attempt_ = 0; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds cap_;
  int attempt_ = 0;
  std::mt19937 random_;
};

}  // namespace schemad::util
