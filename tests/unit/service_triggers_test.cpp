#include <catch2/catch.hpp>
#include <thread>

#include "service/triggers.hpp"

using namespace schemad::service;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST_CASE("triggers that arrive while one is queued coalesce into one run", "[triggers]") {
  TriggerQueue q;
  q.push({"model-change", true, false});
  q.push({"interval", false, false});
  q.push({"sighup", false, true});
  auto t = q.wait_until(steady_clock::now() + milliseconds(10));
  REQUIRE(t);
  CHECK(t->reason == "model-change");  // the first reason is kept
  CHECK(t->reload_model);              // reload flags accumulate
  CHECK(t->reload_config);
  CHECK_FALSE(q.wait_until(steady_clock::now() + milliseconds(10)));  // exactly one run
}

TEST_CASE("a trigger during a run makes exactly one more run", "[triggers]") {
  TriggerQueue q;
  q.push({"startup", true, false});
  auto first = q.wait_until(steady_clock::now() + milliseconds(10));
  REQUIRE(first);
  // ... the worker runs; meanwhile three triggers arrive:
  for (int i = 0; i < 3; ++i) q.push({"http", false, false});
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
    q.push({"http", false, false});
  });
  auto t = q.wait_until(steady_clock::now() + std::chrono::seconds(5));
  producer.join();
  REQUIRE(t);
  CHECK(t->reason == "http");
}

TEST_CASE("stop wakes the waiter for good and later pushes are ignored", "[triggers]") {
  TriggerQueue q;
  std::thread stopper([&] {
    std::this_thread::sleep_for(milliseconds(20));
    q.stop();
  });
  CHECK_FALSE(q.wait_until(steady_clock::now() + std::chrono::seconds(5)));
  stopper.join();
  q.push({"http", false, false});
  CHECK(q.stopped());
  CHECK_FALSE(q.queued());
}
