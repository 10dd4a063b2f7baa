#include "service/schedule.hpp"

#include <algorithm>

namespace schemad::service {

Schedule::Schedule(TimePoint now, std::chrono::seconds health_every, std::uint32_t seed)
    : health_every_(health_every),
      backoff_(std::chrono::milliseconds(1000), std::chrono::milliseconds(30000), seed),
      next_health_(now + health_every) {}

Schedule::TimePoint Schedule::failed(TimePoint now) {
  retry_at_ = now + backoff_.next();
  return *retry_at_;
}

void Schedule::succeeded() {
  retry_at_.reset();
  backoff_.reset();
}

Schedule::TimePoint Schedule::next_wake() const {
  return retry_at_ ? std::min(*retry_at_, next_health_) : next_health_;
}

}  // namespace schemad::service
