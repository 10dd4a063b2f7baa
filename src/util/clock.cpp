#include "util/clock.hpp"

#include <algorithm>
#include <thread>

namespace schemad::util {

namespace {

class SystemClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point now() override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point wall_now() override {
    return std::chrono::system_clock::now();
  }
  void sleep_for(std::chrono::milliseconds duration) override {
    std::this_thread::sleep_for(duration);
  }
};

}  // namespace

Clock& system_clock() {
  static SystemClock clock;
  return clock;
}

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds cap,
                 std::uint32_t seed)
    : initial_(initial), cap_(cap), random_(seed) {}

std::chrono::milliseconds Backoff::next() {
  // Doubling stops once past the cap, so the shift never overflows.
  long long ceiling = initial_.count();
  for (int i = 0; i < attempt_ && ceiling < cap_.count(); ++i) ceiling *= 2;
  ceiling = std::min<long long>(ceiling, cap_.count());
  ++attempt_;
  // Full jitter, but never less than a tenth of the ceiling: replicas that
  // collide spread out without spinning.
  std::uniform_int_distribution<long long> pick(std::max<long long>(1, ceiling / 10),
                                                std::max<long long>(1, ceiling));
  return std::chrono::milliseconds(pick(random_));
}

}  // namespace schemad::util
