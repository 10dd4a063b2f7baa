#include <catch2/catch.hpp>

#include "apply/advisory_lock.hpp"
#include "util/clock.hpp"

using namespace schemad;
using std::chrono::milliseconds;

TEST_CASE("backoff grows exponentially, stays under its cap and jitters", "[backoff]") {
  util::Backoff b(milliseconds(100), milliseconds(1000), 42);
  std::vector<long long> waits;
  for (int i = 0; i < 8; ++i) waits.push_back(b.next().count());
  CHECK(waits[0] >= 10);
  CHECK(waits[0] <= 100);
  CHECK(waits[1] <= 200);
  CHECK(waits[2] <= 400);
  for (auto w : waits) CHECK(w <= 1000);
  for (std::size_t i = 4; i < waits.size(); ++i) CHECK(waits[i] >= 100);
  util::Backoff same(milliseconds(100), milliseconds(1000), 42);
  CHECK(same.next().count() == waits[0]);
}

TEST_CASE("the advisory lock key is stable and differs between names", "[lock]") {
  CHECK(apply::lock_key("schemad:app:public") == apply::lock_key("schemad:app:public"));
  CHECK(apply::lock_key("schemad:app:public") != apply::lock_key("schemad:other:public"));
  CHECK(apply::default_lock_name("app", {"app", "public"}) == "schemad:app:app,public");
}
