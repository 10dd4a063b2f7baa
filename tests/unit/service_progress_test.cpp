#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "service/progress.hpp"

using namespace schemad;
using service::ProgressReading;

namespace {

// Answers what it is told to, counting the reads (on the monitor's thread).
class ScriptedSource final : public service::ProgressSource {
 public:
  explicit ScriptedSource(ProgressReading r, std::atomic<int>* reads)
      : reading_(std::move(r)), reads_(reads) {}
  ProgressReading read(int) override {
    ++*reads_;
    return reading_;
  }

 private:
  ProgressReading reading_;
  std::atomic<int>* reads_;
};

template <typename Predicate>
bool eventually(Predicate ok) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(60);  // a loaded machine
  while (std::chrono::steady_clock::now() < deadline) {
    if (ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

}  // namespace

TEST_CASE("progress says the phase, and blocks or sessions of the total", "[service][progress]") {
  ProgressReading r;
  CHECK(service::describe(r) == "running");
  r.phase = "building index: scanning table";
  r.blocks_done = 1200;
  r.blocks_total = 5000;
  CHECK(service::describe(r) == "building index: scanning table: blocks 1200 of 5000 (24%)");
  r.tuples_done = 10;
  r.tuples_total = 40;
  CHECK(service::describe(r) ==
        "building index: scanning table: blocks 1200 of 5000 (24%), tuples 10 of 40 (25%)");
  ProgressReading waiting;
  waiting.phase = "waiting for old snapshots";
  waiting.blocks_done = 99;  // the phase before's: not said
  waiting.blocks_total = 100;
  waiting.lockers_total = 2;
  waiting.lockers_done = 1;
  waiting.current_locker_pid = 4242;
  waiting.waiting_on = "Lock: virtualxid";
  CHECK(service::describe(waiting) ==
        "waiting for old snapshots: sessions 1 of 2 (50%), now pid 4242; waiting on Lock: "
        "virtualxid");
}

TEST_CASE("the monitor publishes a step's progress while it runs, and nothing after",
          "[service][progress]") {
  state::StateStore store;
  std::atomic<int> reads{0};
  {
    service::ProgressMonitor monitor(store, std::chrono::milliseconds(10));
    ProgressReading r;
    r.phase = "building index: scanning table";
    r.blocks_done = 3;
    r.blocks_total = 9;
    monitor.started("create index public.i", "\"public\".\"t\"", 77,
                    std::make_unique<ScriptedSource>(r, &reads), std::chrono::seconds(10));
    // At once: the step, without a reading yet.
    auto now = store.get();
    REQUIRE(now->progress.has_value());
    CHECK(now->progress->step == "create index public.i");
    CHECK(now->progress->pid == 77);
    REQUIRE(eventually([&] {
      auto s = store.get();
      return s->progress && s->progress->blocks_total == 9;
    }));
    CHECK(store.get()->progress->phase == "building index: scanning table");
    monitor.finished();
    CHECK_FALSE(store.get()->progress.has_value());
    const int after = reads;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // five polls
    // No reads once it ended, but for one that was under way (finished()
    // does not wait for it); and its answer is not published.
    CHECK(reads <= after + 1);
    CHECK_FALSE(store.get()->progress.has_value());
  }
  CHECK(reads > 0);
}

TEST_CASE("a step shorter than one poll is never asked about", "[service][progress]") {
  state::StateStore store;
  std::atomic<int> reads{0};
  {
    service::ProgressMonitor monitor(store, std::chrono::seconds(5));
    monitor.started("validate constraint c", "", 1,
                    std::make_unique<ScriptedSource>(ProgressReading{}, &reads),
                    std::chrono::seconds(10));
    monitor.finished();
  }  // its thread has stopped
  CHECK(reads == 0);
  CHECK_FALSE(store.get()->progress.has_value());
}
