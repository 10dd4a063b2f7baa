#pragma once

// When the worker wakes up on its own: to retry after a failed reconcile
// (capped exponential backoff with jitter, 1 s up to 30 s, reset by a
// success) and to check that the database still answers (every
// health_check_seconds while nothing else happens). Pure: every time comes
// from the caller's clock. Not thread-safe: the worker thread owns it.

#include <chrono>
#include <cstdint>
#include <optional>

#include "util/clock.hpp"

namespace schemad::service {

class Schedule {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  Schedule(TimePoint now, std::chrono::seconds health_every,
           std::uint32_t seed = std::random_device{}());

  // The next health check is `every` after the last one.
  void set_health_interval(std::chrono::seconds every) { health_every_ = every; }

  // A failure at `now`: the next retry, later each time. Returns when.
  TimePoint failed(TimePoint now);
  // A retry at `now`, unless one is already due: for a health check that
  // finds no session at all (never connected, or dropped).
  void retry_soon(TimePoint now) {
    if (!retry_at_) retry_at_ = now;
  }
  // A success: no retry pending, and the backoff starts over.
  void succeeded();
  // Something answered at `now`: the next health check is due an interval on.
  void checked(TimePoint now) { next_health_ = now + health_every_; }

  bool retry_due(TimePoint now) const { return retry_at_ && now >= *retry_at_; }
  bool health_due(TimePoint now) const { return now >= next_health_; }
  const std::optional<TimePoint>& retry_at() const { return retry_at_; }
  // The earlier of the retry and the health check.
  TimePoint next_wake() const;

 private:
  std::chrono::seconds health_every_;
  util::Backoff backoff_;
  std::optional<TimePoint> retry_at_;
  TimePoint next_health_;
};

}  // namespace schemad::service
