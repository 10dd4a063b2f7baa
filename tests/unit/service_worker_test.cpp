// The reconcile worker's state machine, driven without a database or real
// time: a fake backend stands in for the model files and PostgreSQL, a fake
// clock for time. Worker::handle() is one wake-up of the worker thread.

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "metrics/metrics.hpp"
#include "service/backend.hpp"
#include "service/notify.hpp"
#include "service/summary.hpp"
#include "service/triggers.hpp"
#include "service/worker.hpp"
#include "state/snapshot.hpp"

using namespace schemad;
using service::Reason;
using service::Trigger;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

namespace {

class FakeClock final : public util::Clock {
 public:
  steady_clock::time_point now() override { return now_; }
  std::chrono::system_clock::time_point wall_now() override {
    return std::chrono::system_clock::time_point(seconds(1'800'000'000)) + (now_ - start_);
  }
  void sleep_for(milliseconds d) override { now_ += d; }
  void advance(steady_clock::duration d) { now_ += d; }
  void advance_to(steady_clock::time_point t) { now_ = std::max(now_, t); }

 private:
  steady_clock::time_point start_ = steady_clock::time_point(seconds(1000));
  steady_clock::time_point now_ = start_;
};

// What the fake database and model files do, and what the worker asked of them.
struct World {
  bool up = true;           // the database answers
  std::string model_error;  // non-empty: loading the model throws this
  std::string fingerprint = std::string(64, 'a');
  std::vector<std::string> schemas;  // the model's
  int connects = 0;
  int pings = 0;
  std::function<void()> during;  // runs inside each converge
  struct Call {
    std::string fingerprint;
    bool retry_conflicts;
    bool reuse;
    std::string trigger;
  };
  std::vector<Call> converged;
  // Fleet mode: what each fleet run returns (or throws), and how it was asked.
  std::vector<std::function<fleet::Summary()>> fleet_runs;
  std::vector<fleet::RunOptions> fleet_asked;
};

class FakeSession final : public service::Session {
 public:
  explicit FakeSession(World& w) : w_(w) {}
  bool open() const override { return w_.up; }
  void ping() override {
    ++w_.pings;
    if (!w_.up) throw std::runtime_error("server closed the connection unexpectedly");
  }
  void cancel() override {}
  engine::Report converge(const schema::Database& model, const engine::Settings& settings,
                          util::Clock&) override {
    w_.converged.push_back(
        {model.fingerprint, settings.retry_conflicts, settings.reuse, settings.trigger});
    if (w_.during) w_.during();
    engine::Report report;
    report.mode = engine::Mode::apply;
    report.revision = "r1";
    if (!w_.up) {
      report.errors.push_back(db::make_error(db::ErrorKind::connection_lost, "connection lost"));
    }
    return report;
  }

 private:
  World& w_;
};

class FakeBackend final : public service::Backend {
 public:
  explicit FakeBackend(World& w) : w_(w) {}
  schema::Database load_model(const config::Config&) override {
    if (!w_.model_error.empty()) throw std::runtime_error(w_.model_error);
    schema::Database db;
    db.fingerprint = w_.fingerprint;
    db.schemas = w_.schemas;
    return db;
  }
  apply::RevisionSource load_revisions(const config::Config&) override { return {}; }
  std::unique_ptr<service::Session> connect(const config::Config&) override {
    ++w_.connects;
    if (!w_.up) throw std::runtime_error("cannot connect to postgresql://u@db/app: refused");
    return std::make_unique<FakeSession>(w_);
  }
  fleet::Summary run_fleet(const config::Config&, const schema::Database&,
                           const fleet::RunOptions& options, util::Clock&) override {
    REQUIRE(w_.fleet_asked.size() < w_.fleet_runs.size());
    w_.fleet_asked.push_back(options);
    return w_.fleet_runs[w_.fleet_asked.size() - 1]();
  }

 private:
  World& w_;
};

struct Harness {
  World world;
  FakeClock clock;
  FakeBackend backend{world};
  state::StateStore state;
  metrics::Metrics metrics{"test", service::metric_labels(true)};
  service::Notifier notifier;
  service::Worker worker;

  explicit Harness(config::Config config = {})
      : worker(std::move(config), backend, state, metrics, notifier, clock) {}

  std::shared_ptr<const state::Snapshot> snapshot() const { return state.get(); }
  // The delay until the worker's next retry, as the snapshot shows it.
  milliseconds retry_delay() const {
    const auto s = snapshot();
    REQUIRE(s->next_retry);
    return std::chrono::duration_cast<milliseconds>(*s->next_retry - clock_wall());
  }
  state::WallTime clock_wall() const { return const_cast<FakeClock&>(clock).wall_now(); }
  // Wakes the worker at each time it asks for (health checks come between
  // retries) until it tries to connect again.
  void until_next_connect() {
    const int before = world.connects;
    for (int i = 0; i < 20 && world.connects == before; ++i) {
      clock.advance_to(worker.next_wake());
      worker.handle(std::nullopt);
    }
  }
};

}  // namespace

TEST_CASE("while the database is down the worker retries with a backoff from 1 s up to 30 s",
          "[service][worker]") {
  Harness h;
  h.world.up = false;
  h.worker.handle(Trigger{Reason::startup, true});
  CHECK(h.world.connects == 1);
  CHECK(h.world.converged.empty());
  auto s = h.snapshot();
  CHECK(s->activity == state::Activity::backoff);
  CHECK_FALSE(s->database_up);
  REQUIRE(s->last);
  CHECK(s->last->outcome == state::Outcome::error);
  CHECK(s->last->error == "database unavailable");
  CHECK(h.retry_delay() <= milliseconds(1000));

  // Nothing is due yet: a wake-up does not try again.
  h.worker.handle(std::nullopt);
  CHECK(h.world.connects == 1);

  std::vector<milliseconds> delays;
  for (int attempt = 0; attempt < 10; ++attempt) {
    h.until_next_connect();
    CHECK(h.world.connects == attempt + 2);
    delays.push_back(h.retry_delay());
  }
  for (auto d : delays) CHECK(d <= milliseconds(30000));
  // Full jitter, never under a tenth of the ceiling: by the sixth retry the
  // ceiling is the cap.
  for (std::size_t i = 5; i < delays.size(); ++i) CHECK(delays[i] >= milliseconds(3000));
  CHECK(h.world.converged.empty());
  CHECK(h.snapshot()->last->trigger == "retry");
}

TEST_CASE("when the database comes back the worker reconciles and the backoff starts over",
          "[service][worker]") {
  Harness h;
  h.world.up = false;
  h.worker.handle(Trigger{Reason::startup, true});
  for (int i = 0; i < 6; ++i) h.until_next_connect();
  h.world.up = true;
  h.until_next_connect();
  REQUIRE(h.world.converged.size() == 1);
  auto s = h.snapshot();
  CHECK(s->activity == state::Activity::idle);
  CHECK(s->database_up);
  CHECK_FALSE(s->next_retry);
  CHECK(s->satisfied);
  CHECK(s->last->outcome == state::Outcome::ok);

  // Down again: the first retry is within a second once more.
  h.world.up = false;
  h.worker.handle(Trigger{Reason::http, false});
  CHECK(h.retry_delay() <= milliseconds(1000));
}

TEST_CASE("a failed health check marks the database down and schedules a retry",
          "[service][worker]") {
  config::Config config;
  config.reconcile.health_check_seconds = 10;
  Harness h(config);
  h.worker.handle(Trigger{Reason::startup, true});
  REQUIRE(h.snapshot()->database_up);
  h.world.up = false;
  h.clock.advance(seconds(9));
  h.worker.handle(std::nullopt);
  CHECK(h.world.pings == 0);  // not due yet
  h.clock.advance(seconds(1));
  h.worker.handle(std::nullopt);
  CHECK(h.world.pings == 1);
  auto s = h.snapshot();
  CHECK_FALSE(s->database_up);
  CHECK(s->activity == state::Activity::backoff);
  CHECK(h.retry_delay() <= milliseconds(1000));
}

TEST_CASE("a model that fails to reload leaves the last good model in force", "[service][worker]") {
  Harness h;
  h.worker.handle(Trigger{Reason::startup, true});
  REQUIRE(h.world.converged.size() == 1);
  const std::string good = h.world.fingerprint;

  h.world.model_error = "model.json: tables[0].columns[2]: unknown key \"nulable\"";
  h.world.fingerprint = std::string(64, 'b');
  h.worker.handle(Trigger{Reason::sighup, true});
  REQUIRE(h.world.converged.size() == 2);
  CHECK(h.world.converged[1].fingerprint == good);
  auto s = h.snapshot();
  CHECK(s->model_error == h.world.model_error);
  CHECK(s->model_reload_errors == 1);
  CHECK(s->model_fingerprint == good);
  CHECK(s->last->outcome == state::Outcome::ok);  // still reconciled, with the good model

  // Fixed: the new model takes over and the error clears.
  h.world.model_error.clear();
  h.worker.handle(Trigger{Reason::model_change, true});
  CHECK(h.world.converged.back().fingerprint == std::string(64, 'b'));
  CHECK(h.snapshot()->model_error.empty());
}

TEST_CASE("without any usable model the worker reports the error and retries later",
          "[service][worker]") {
  Harness h;
  h.world.model_error = "model.json: not valid JSON";
  h.worker.handle(Trigger{Reason::startup, true});
  CHECK(h.world.converged.empty());
  CHECK(h.world.connects == 0);
  auto s = h.snapshot();
  CHECK(s->last->outcome == state::Outcome::error);
  CHECK(s->last->error == "model.json: not valid JSON");
  CHECK(s->activity == state::Activity::backoff);
  CHECK_FALSE(s->satisfied);
}

TEST_CASE("the worker is stuck only once a reconcile outlasts every healthy one",
          "[service][worker]") {
  config::Config config;
  config.reconcile.lock_retry_seconds = 120;  // limit: 2 x 120 s + 3600 s
  Harness h(config);
  std::vector<bool> seen;
  h.world.during = [&] {
    seen.push_back(h.worker.stuck());
    h.clock.advance(seconds(3839));
    seen.push_back(h.worker.stuck());
    h.clock.advance(seconds(2));
    seen.push_back(h.worker.stuck());
  };
  CHECK_FALSE(h.worker.stuck());
  h.worker.handle(Trigger{Reason::startup, true});
  CHECK(seen == std::vector<bool>{false, false, true});
  CHECK_FALSE(h.worker.stuck());  // idle again
}

TEST_CASE("a SIGHUP merged into a queued timer tick retries what the data blocked",
          "[service][worker]") {
  Harness h;
  service::TriggerQueue queue;
  queue.push({Reason::interval, false});
  queue.push({Reason::sighup, true});
  h.worker.handle(queue.wait_until(steady_clock::now() + milliseconds(10)));
  REQUIRE(h.world.converged.size() == 1);
  CHECK(h.world.converged[0].retry_conflicts);
  CHECK_FALSE(h.world.converged[0].reuse);
  CHECK(h.world.converged[0].trigger == "sighup");

  // A tick alone keeps the timer's policy.
  queue.push({Reason::interval, false});
  h.worker.handle(queue.wait_until(steady_clock::now() + milliseconds(10)));
  REQUIRE(h.world.converged.size() == 2);
  CHECK_FALSE(h.world.converged[1].retry_conflicts);
  CHECK(h.world.converged[1].reuse);
}

namespace {

fleet::TargetResult fleet_target(const std::string& key, fleet::State state,
                                 const std::string& error = "") {
  fleet::TargetResult t;
  t.key = key;
  t.database = key.substr(0, key.find('/'));
  t.schema = key.find('/') == std::string::npos ? "" : key.substr(key.find('/') + 1);
  t.state = state;
  t.error = error;
  t.attempts = 1;
  if (state == fleet::State::failed) t.error_kind = "permission";
  if (state == fleet::State::locked) t.error_kind = "lock_timeout";
  return t;
}

fleet::Summary fleet_summary(std::vector<fleet::TargetResult> targets) {
  fleet::Summary s;
  s.mode = engine::Mode::apply;
  s.targets = std::move(targets);
  return s;
}

config::Config fleet_config() {
  config::Config c;
  c.fleet.tenant_template = "tenant";
  c.fleet.tenant_like = "tenant\\_%";
  return c;
}

}  // namespace

TEST_CASE("fleet mode: a run's targets are published worst first, with counts and metrics",
          "[service][worker][fleet]") {
  Harness h(fleet_config());
  h.world.schemas = {"tenant"};
  h.world.fleet_runs.push_back([] {
    auto t = fleet_target("app/tenant_b", fleet::State::locked, "add column: lock timeout");
    t.blockers = {"pid 42 (application \"psql\", idle in transaction)"};
    auto ok = fleet_target("app/tenant_a", fleet::State::ok);
    ok.applied = 2;
    ok.applied_by_kind["column"] = 2;
    return fleet_summary({ok, t, fleet_target("app/tenant_c", fleet::State::ok)});
  });
  h.worker.handle(Trigger{Reason::startup, true});
  REQUIRE(h.world.fleet_asked.size() == 1);
  CHECK(h.world.fleet_asked[0].mode == engine::Mode::apply);
  CHECK(h.world.fleet_asked[0].settings.trust_record);
  CHECK(h.world.converged.empty());  // no single-database reconcile

  const auto s = h.snapshot();
  REQUIRE(s->fleet);
  CHECK(s->fleet->counts.at("ok") == 2);
  CHECK(s->fleet->counts.at("locked") == 1);
  CHECK(s->fleet->counts.at("failed") == 0);
  REQUIRE(s->fleet->targets.size() == 3);
  CHECK(s->fleet->targets[0].key == "app/tenant_b");  // worst first
  CHECK(s->fleet->targets[0].blockers.size() == 1);
  CHECK_FALSE(s->satisfied);
  REQUIRE(s->last);
  CHECK(s->last->outcome == state::Outcome::error);
  CHECK(s->last->error ==
        "1 targets failed or were locked (first: app/tenant_b: add column: lock timeout)");
  CHECK(s->last->steps_applied == std::vector<std::string>{"app/tenant_a: 2 steps applied"});
  const auto ready = state::readiness(*s, h.clock_wall(), seconds(60));
  CHECK(ready.reason == "1 of 3 fleet targets do not satisfy the model");
  const std::string text = h.metrics.text();
  CHECK(text.find("schemad_fleet_targets{state=\"locked\"} 1") != std::string::npos);
  CHECK(text.find("schemad_fleet_targets{state=\"ok\"} 2") != std::string::npos);
  CHECK(text.find("schemad_fleet_failures_total{kind=\"lock_timeout\"} 1") != std::string::npos);
  CHECK(text.find("schemad_fleet_target_duration_seconds_count 3") != std::string::npos);
  CHECK(text.find("schemad_changes_applied_total{kind=\"column\"} 2") != std::string::npos);
  // No label names a tenant: thousands of them would be thousands of series.
  CHECK(text.find("tenant_a") == std::string::npos);
}

TEST_CASE(
    "fleet mode: a vanished target is reported, never dropped, and an unlisted database "
    "loses none",
    "[service][worker][fleet]") {
  Harness h(fleet_config());
  h.world.schemas = {"tenant"};
  h.world.fleet_runs.push_back([] {
    return fleet_summary({fleet_target("app/tenant_a", fleet::State::ok),
                          fleet_target("app/tenant_b", fleet::State::ok),
                          fleet_target("crm/tenant_x", fleet::State::ok)});
  });
  // tenant_b is gone; crm's tenants could not be listed this time.
  h.world.fleet_runs.push_back([] {
    auto unlisted = fleet_target("crm", fleet::State::failed, "connection refused");
    unlisted.error_kind = "discovery";
    return fleet_summary({fleet_target("app/tenant_a", fleet::State::ok), unlisted});
  });
  h.world.fleet_runs.push_back([] {
    return fleet_summary({fleet_target("app/tenant_a", fleet::State::ok),
                          fleet_target("app/tenant_b", fleet::State::ok),
                          fleet_target("crm/tenant_x", fleet::State::ok)});
  });
  h.worker.handle(Trigger{Reason::startup, true});
  REQUIRE(h.snapshot()->fleet);
  CHECK(h.snapshot()->fleet->vanished.empty());
  CHECK(h.snapshot()->satisfied);
  h.worker.handle(Trigger{Reason::interval, false});
  CHECK(h.snapshot()->fleet->vanished == std::vector<std::string>{"app/tenant_b"});
  h.worker.handle(Trigger{Reason::interval, false});
  CHECK(h.snapshot()->fleet->vanished.empty());
  CHECK(h.snapshot()->satisfied);
  CHECK(h.snapshot()->last->outcome == state::Outcome::ok);
}

TEST_CASE("fleet mode: a fleet that cannot be listed is an error, and a retry is scheduled",
          "[service][worker][fleet]") {
  Harness h(fleet_config());
  h.world.schemas = {"tenant"};
  h.world.fleet_runs.push_back(
      []() -> fleet::Summary { throw fleet::FleetError("fleet.databases.urls[0]: bad URL"); });
  h.worker.handle(Trigger{Reason::startup, true});
  const auto s = h.snapshot();
  REQUIRE(s->last);
  CHECK(s->last->outcome == state::Outcome::error);
  CHECK(s->last->error == "the fleet could not be listed: fleet.databases.urls[0]: bad URL");
  CHECK(s->last->trigger == "startup");
  CHECK(s->activity == state::Activity::backoff);
  CHECK_FALSE(s->fleet);
  CHECK(state::readiness(*s, h.clock_wall(), seconds(60)).reason == "last reconcile failed");
}

TEST_CASE("fleet mode: a model whose template cannot be instantiated is a model error",
          "[service][worker][fleet]") {
  Harness h(fleet_config());
  h.world.schemas = {"public"};
  h.worker.handle(Trigger{Reason::startup, true});
  CHECK(h.world.fleet_asked.empty());
  const auto s = h.snapshot();
  CHECK(s->model_error ==
        "<embedded example model>: the tenant template schema \"tenant\" has no object in the "
        "model (its schemas: public)");
  CHECK(s->last->outcome == state::Outcome::error);
}
