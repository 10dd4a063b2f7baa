#include <catch2/catch.hpp>
#include <string>
#include <thread>

#include "service/triggers.hpp"

using namespace schemad::service;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST_CASE("triggers that arrive while one is queued coalesce into one run", "[triggers]") {
  TriggerQueue q;
  q.push({Reason::model_change, true});
  q.push({Reason::interval, false});
  q.push({Reason::sighup, false});
  auto t = q.wait_until(steady_clock::now() + milliseconds(10));
  REQUIRE(t);
  CHECK(t->reason == Reason::model_change);  // of two explicit requests, the first is kept
  CHECK(t->reload_model);                    // reload flags accumulate
  CHECK_FALSE(q.wait_until(steady_clock::now() + milliseconds(10)));  // exactly one run
}

TEST_CASE("a SIGHUP merged into a queued timer tick runs with the SIGHUP's policy", "[triggers]") {
  TriggerQueue q;
  q.push({Reason::interval, false});
  q.push({Reason::sighup, true});
  auto t = q.wait_until(steady_clock::now() + milliseconds(10));
  REQUIRE(t);
  CHECK(t->reason == Reason::sighup);
  CHECK(t->reload_model);
  CHECK(t->policy().retry_conflicts);          // blocked changes are tried again
  CHECK_FALSE(t->policy().reuse_observation);  // the whole catalog is looked at
}

TEST_CASE("an explicit request merged into a queued retry wins, and a tick never does",
          "[triggers]") {
  for (Reason explicit_reason :
       {Reason::startup, Reason::sighup, Reason::model_change, Reason::http}) {
    TriggerQueue q;
    q.push({Reason::retry, false});
    q.push({explicit_reason, false});
    q.push({Reason::interval, false});
    auto t = q.wait_until(steady_clock::now() + milliseconds(10));
    REQUIRE(t);
    CHECK(t->reason == explicit_reason);
  }
  TriggerQueue q;
  q.push({Reason::interval, false});
  q.push({Reason::retry, false});
  auto t = q.wait_until(steady_clock::now() + milliseconds(10));
  REQUIRE(t);
  CHECK(t->reason == Reason::retry);  // the worker's retry outranks the tick
}

TEST_CASE("only explicit requests retry what the data blocked, and only the timer reuses",
          "[triggers]") {
  CHECK_FALSE(policy_of(Reason::interval).retry_conflicts);
  CHECK(policy_of(Reason::interval).reuse_observation);
  CHECK_FALSE(policy_of(Reason::retry).retry_conflicts);
  CHECK_FALSE(policy_of(Reason::retry).reuse_observation);
  for (Reason r : {Reason::startup, Reason::sighup, Reason::model_change, Reason::http}) {
    CHECK(policy_of(r).retry_conflicts);
    CHECK_FALSE(policy_of(r).reuse_observation);
  }
  CHECK(std::string(to_string(Reason::model_change)) == "model-change");
}

TEST_CASE("a trigger during a run makes exactly one more run", "[triggers]") {
  TriggerQueue q;
  q.push({Reason::startup, true});
  auto first = q.wait_until(steady_clock::now() + milliseconds(10));
  REQUIRE(first);
  // ... the worker runs; meanwhile three triggers arrive:
  for (int i = 0; i < 3; ++i) q.push({Reason::http, false});
  CHECK(q.queued());
  CHECK(q.wait_until(steady_clock::now() + milliseconds(10)));
  CHECK_FALSE(q.wait_until(steady_clock::now() + milliseconds(10)));
}

TEST_CASE("waiting returns at the deadline when nothing comes", "[triggers]") {
  TriggerQueue q;
  const auto start = steady_clock::now();
  CHECK_FALSE(q.wait_until(start + milliseconds(50)));
  CHECK(steady_clock::now() - start >= milliseconds(50));
}

TEST_CASE("a trigger from another thread wakes the waiter", "[triggers]") {
  TriggerQueue q;
  std::thread producer([&] {
    std::this_thread::sleep_for(milliseconds(20));
    q.push({Reason::http, false});
  });
  auto t = q.wait_until(steady_clock::now() + std::chrono::seconds(5));
  producer.join();
  REQUIRE(t);
  CHECK(t->reason == Reason::http);
}

TEST_CASE("stop wakes the waiter for good and later pushes are ignored", "[triggers]") {
  TriggerQueue q;
  std::thread stopper([&] {
    std::this_thread::sleep_for(milliseconds(20));
    q.stop();
  });
  CHECK_FALSE(q.wait_until(steady_clock::now() + std::chrono::seconds(5)));
  stopper.join();
  q.push({Reason::http, false});
  CHECK(q.stopped());
  CHECK_FALSE(q.queued());
}
