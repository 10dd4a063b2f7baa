#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "http/routes.hpp"
#include "http/status_json.hpp"

using namespace schemad;
namespace beast_http = boost::beast::http;
using beast_http::field;
using beast_http::status;
using beast_http::verb;
using std::chrono::seconds;

namespace {

const state::WallTime kNow{std::chrono::milliseconds(1714566896789)};

// The daemon's side of the router, faked.
struct Daemon {
  std::shared_ptr<const state::Snapshot> snapshot = std::make_shared<state::Snapshot>();
  bool live = true;
  std::vector<std::string> triggers;
  std::string metrics = "# TYPE schemad_database_up gauge\nschemad_database_up 1\n";

  http::Handler router(std::string token = "", seconds window = seconds(60)) {
    http::Endpoints e;
    e.snapshot = [this] { return snapshot; };
    e.metrics_text = [this] { return metrics; };
    e.live = [this] { return live; };
    e.request_reconcile = [this] { triggers.push_back("http"); };
    e.admin_token = std::move(token);
    e.readiness_window = window;
    e.now = [] { return kNow; };
    return http::make_router(std::move(e));
  }

  void publish_ready(seconds seen_ago) {
    state::Snapshot s;
    s.last = state::ReconcileSummary{};
    s.last->outcome = schemad::state::Outcome::ok;
    s.satisfied = true;
    s.database_up = true;
    s.database_seen = kNow - seen_ago;
    snapshot = std::make_shared<state::Snapshot>(std::move(s));
  }
};

http::Request request(verb method, const std::string& target,
                      const std::string& authorization = "") {
  http::Request r{method, target, 11};
  r.set(field::host, "localhost");
  if (!authorization.empty()) r.set(field::authorization, authorization);
  return r;
}

nlohmann::json body(const http::Response& r) {
  return nlohmann::json::parse(r.body());
}

std::string header(const http::Response& r, field f) {
  return std::string(r[f]);
}

void check_json_headers(const http::Response& r) {
  CHECK(header(r, field::content_type) == "application/json");
  CHECK(header(r, field::cache_control) == "no-store");
  CHECK(header(r, field::server) == "schemad");
}

}  // namespace

TEST_CASE("livez and healthz answer ok while the service is live", "[http]") {
  Daemon d;
  auto route = d.router();
  for (const char* path : {"/livez", "/healthz"}) {
    auto r = route(request(verb::get, path));
    CHECK(r.result() == status::ok);
    CHECK(body(r) == nlohmann::json{{"status", "ok"}});
    check_json_headers(r);
  }
}

TEST_CASE("livez and healthz answer 503 stuck when the service is not live", "[http]") {
  Daemon d;
  d.live = false;
  auto route = d.router();
  for (const char* path : {"/livez", "/healthz"}) {
    auto r = route(request(verb::get, path));
    CHECK(r.result() == status::service_unavailable);
    CHECK(body(r) == nlohmann::json{{"status", "stuck"}});
  }
}

TEST_CASE("liveness ignores the database", "[http]") {
  Daemon d;  // the snapshot says the database is down
  CHECK(d.router()(request(verb::get, "/livez")).result() == status::ok);
}

TEST_CASE("readyz is 503 with a reason until a reconcile satisfied the model", "[http]") {
  Daemon d;
  auto route = d.router();
  auto r = route(request(verb::get, "/readyz"));
  CHECK(r.result() == status::service_unavailable);
  CHECK(body(r) == nlohmann::json{{"ready", false}, {"reason", "no reconcile has finished yet"}});
  check_json_headers(r);

  d.publish_ready(seconds(5));
  r = route(request(verb::get, "/readyz"));
  CHECK(r.result() == status::ok);
  CHECK(body(r) == nlohmann::json{{"ready", true}});
}

TEST_CASE("readyz uses the injected clock and the configured window", "[http]") {
  Daemon d;
  d.publish_ready(seconds(90));
  auto r = d.router("", seconds(60))(request(verb::get, "/readyz"));
  CHECK(r.result() == status::service_unavailable);
  CHECK(body(r)["reason"] == "database not heard from recently");
  CHECK(d.router("", seconds(120))(request(verb::get, "/readyz")).result() == status::ok);
}

TEST_CASE("readyz reports a failed reconcile", "[http]") {
  Daemon d;
  d.publish_ready(seconds(1));
  auto s = std::make_shared<state::Snapshot>(*d.snapshot);
  s->satisfied = false;
  s->last->error = "lock timeout";
  d.snapshot = s;
  auto r = d.router()(request(verb::get, "/readyz"));
  CHECK(r.result() == status::service_unavailable);
  CHECK(body(r)["reason"] == "last reconcile failed");
}

TEST_CASE("a null snapshot reads as a starting service", "[http]") {
  Daemon d;
  d.snapshot = nullptr;
  auto route = d.router();
  CHECK(route(request(verb::get, "/readyz")).result() == status::service_unavailable);
  auto r = route(request(verb::get, "/status"));
  CHECK(r.result() == status::ok);
  CHECK(body(r)["activity"] == "starting");
}

TEST_CASE("status is the snapshot as JSON", "[http]") {
  Daemon d;
  d.publish_ready(seconds(5));
  auto s = std::make_shared<state::Snapshot>(*d.snapshot);
  s->version = "9.9.9";
  s->model_path = "model.json";
  s->activity = schemad::state::Activity::idle;
  d.snapshot = s;
  auto r = d.router()(request(verb::get, "/status"));
  CHECK(r.result() == status::ok);
  check_json_headers(r);
  const auto j = body(r);
  CHECK(j["version"] == "9.9.9");
  CHECK(j["model"]["path"] == "model.json");
  CHECK(j["activity"] == "idle");
  CHECK(j["ready"]["ready"] == true);
  CHECK(j["database"]["last_seen"] == "2024-05-01T12:34:51.789Z");
  CHECK(j["last_reconcile"]["outcome"] == "ok");
}

TEST_CASE("status stays valid JSON when an error text is not UTF-8", "[http]") {
  Daemon d;
  auto s = std::make_shared<state::Snapshot>();
  s->model_error = "model.json: bad byte \xff";
  d.snapshot = s;
  http::Response r;
  REQUIRE_NOTHROW(r = d.router()(request(verb::get, "/status")));
  CHECK(r.result() == status::ok);
  CHECK(body(r)["model"]["error"].get<std::string>().rfind("model.json: bad byte ", 0) == 0);
}

TEST_CASE("metrics is the Prometheus text exposition", "[http]") {
  Daemon d;
  auto r = d.router()(request(verb::get, "/metrics"));
  CHECK(r.result() == status::ok);
  CHECK(header(r, field::content_type) == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(header(r, field::cache_control) == "no-store");
  CHECK(r.body() == d.metrics);
}

TEST_CASE("HEAD is answered wherever GET is", "[http]") {
  Daemon d;
  auto route = d.router();
  for (const char* path : {"/livez", "/healthz", "/status", "/metrics"}) {
    CHECK(route(request(verb::head, path)).result() == status::ok);
  }
  CHECK(route(request(verb::head, "/readyz")).result() == status::service_unavailable);
}

TEST_CASE("the query string is ignored for routing", "[http]") {
  Daemon d;
  auto route = d.router();
  CHECK(route(request(verb::get, "/livez?verbose=1")).result() == status::ok);
  CHECK(route(request(verb::get, "/status?")).result() == status::ok);
}

TEST_CASE("an unknown path is 404", "[http]") {
  Daemon d;
  auto route = d.router("secret");
  for (const char* path : {"/nope", "/index.html", "/status/", "/STATUS", "//status", "/livez/x"}) {
    auto r = route(request(verb::get, path));
    CHECK(r.result() == status::not_found);
    check_json_headers(r);
    CHECK(body(r) == nlohmann::json{{"error", "not found"}});
  }
}

TEST_CASE("a known path with another method is 405 with Allow", "[http]") {
  Daemon d;
  auto route = d.router("secret");
  for (verb method : {verb::post, verb::put, verb::delete_, verb::options}) {
    auto r = route(request(method, "/status"));
    CHECK(r.result() == status::method_not_allowed);
    CHECK(header(r, field::allow) == "GET, HEAD");
    check_json_headers(r);
  }
  auto r = route(request(verb::get, "/reconcile", "Bearer secret"));
  CHECK(r.result() == status::method_not_allowed);
  CHECK(header(r, field::allow) == "POST");
  CHECK(d.triggers.empty());
}

TEST_CASE("reconcile does not exist without an admin token", "[http]") {
  Daemon d;
  auto route = d.router("");
  CHECK(route(request(verb::post, "/reconcile")).result() == status::not_found);
  CHECK(route(request(verb::post, "/reconcile", "Bearer ")).result() == status::not_found);
  CHECK(route(request(verb::get, "/reconcile")).result() == status::not_found);
  CHECK(d.triggers.empty());
}

TEST_CASE("reconcile refuses a missing or wrong token with 401", "[http]") {
  Daemon d;
  auto route = d.router("s3cret-token");
  for (const char* auth :
       {"", "Bearer", "Bearer ", "Bearer wrong", "Bearer s3cret-toke", "Bearer s3cret-token2",
        "Bearer  s3cret-token", "Basic s3cret-token", "s3cret-token"}) {
    INFO("Authorization: " << auth);
    auto r = route(request(verb::post, "/reconcile", auth));
    CHECK(r.result() == status::unauthorized);
    CHECK(header(r, field::www_authenticate) == "Bearer");
    check_json_headers(r);
  }
  CHECK(d.triggers.empty());
}

TEST_CASE("reconcile with the right token is accepted and requests a run", "[http]") {
  Daemon d;
  auto route = d.router("s3cret-token");
  auto r = route(request(verb::post, "/reconcile", "Bearer s3cret-token"));
  CHECK(r.result() == status::accepted);
  CHECK(body(r) == nlohmann::json{{"accepted", true}});
  check_json_headers(r);
  CHECK(d.triggers == std::vector<std::string>{"http"});

  // The scheme is case-insensitive (RFC 7235); the query string is ignored.
  CHECK(route(request(verb::post, "/reconcile?now=1", "bearer s3cret-token")).result() ==
        status::accepted);
  CHECK(d.triggers.size() == 2);
}

TEST_CASE("bearer_matches compares the whole token", "[http]") {
  CHECK(http::bearer_matches("Bearer abc", "abc"));
  CHECK(http::bearer_matches("BEARER abc", "abc"));
  CHECK_FALSE(http::bearer_matches("Bearer abcd", "abc"));
  CHECK_FALSE(http::bearer_matches("Bearer ab", "abc"));
  CHECK_FALSE(http::bearer_matches("Bearer abC", "abc"));
  CHECK_FALSE(http::bearer_matches("Bearer ", ""));
  CHECK_FALSE(http::bearer_matches("", "abc"));
}

TEST_CASE("the router refuses missing callbacks", "[http]") {
  Daemon d;
  http::Endpoints e;
  e.snapshot = [&d] { return d.snapshot; };
  e.metrics_text = [] { return std::string(); };
  CHECK_THROWS_AS(http::make_router(e), std::invalid_argument);  // no live
  e.live = [] { return true; };
  CHECK_NOTHROW(http::make_router(e));
  e.admin_token = "t";
  CHECK_THROWS_AS(http::make_router(e), std::invalid_argument);  // no request_reconcile
  e.request_reconcile = [] {};
  CHECK_NOTHROW(http::make_router(e));
}

namespace {

// A fleet of `n` targets: every third failed, the rest ok, worst first.
std::shared_ptr<state::Snapshot> fleet_snapshot(int n) {
  auto s = std::make_shared<state::Snapshot>();
  auto f = std::make_shared<state::FleetState>();
  for (int i = 0; i < n; i += 3) {
    f->targets.push_back({"app/t" + std::to_string(i),
                          "failed",
                          "permission denied",
                          "permission",
                          {},
                          0,
                          1,
                          0,
                          1,
                          0.5,
                          {}});
  }
  for (int i = 0; i < n; ++i) {
    if (i % 3 != 0)
      f->targets.push_back(
          {"app/t" + std::to_string(i), "ok", "", "", {}, 0, 0, 0, 1, 0.1, {{"ahead", 2}}});
  }
  f->counts = {{"ok", static_cast<std::size_t>(n - (n + 2) / 3)},
               {"failed", static_cast<std::size_t>((n + 2) / 3)}};
  f->vanished = {"app/gone"};
  s->fleet = f;
  return s;
}

}  // namespace

TEST_CASE("GET /status/targets pages through the fleet, filtered by state", "[http][fleet]") {
  Daemon d;
  auto router = d.router();
  CHECK(router(request(verb::get, "/status/targets")).result() == status::not_found);

  d.snapshot = fleet_snapshot(30);
  auto all = router(request(verb::get, "/status/targets"));
  REQUIRE(all.result() == status::ok);
  check_json_headers(all);
  CHECK(body(all).at("total") == 30);
  CHECK(body(all).at("targets").size() == 30);
  CHECK(body(all).at("targets")[0].at("state") == "failed");
  CHECK(body(all).at("targets")[0].at("drift_by_class") == nlohmann::json::object());
  CHECK(body(all).at("targets")[29].at("drift_by_class") == nlohmann::json{{"ahead", 2}});

  auto failed = router(request(verb::get, "/status/targets?state=failed&limit=4&offset=8"));
  REQUIRE(failed.result() == status::ok);
  const auto j = body(failed);
  CHECK(j.at("total") == 10);
  CHECK(j.at("offset") == 8);
  CHECK(j.at("limit") == 4);
  REQUIRE(j.at("targets").size() == 2);  // the 9th and 10th failed ones
  CHECK(j.at("targets")[0].at("key") == "app/t24");
  CHECK(j.at("targets")[1].at("error") == "permission denied");

  for (const std::string bad : {"state=broken", "limit=0", "limit=1001", "limit=x", "offset=-1",
                                "sort=key", "limit=99999999999"}) {
    INFO(bad);
    auto r = router(request(verb::get, "/status/targets?" + bad));
    CHECK(r.result() == status::bad_request);
    const std::string error = body(r).at("error");
    const std::string name = bad.substr(0, bad.find('='));
    CHECK(error.find(name == "sort" ? "unknown parameter" : name + ":") != std::string::npos);
  }
  CHECK(router(request(verb::post, "/status/targets")).result() == status::method_not_allowed);
}

TEST_CASE("GET /status shows the fleet's counts and its worst targets", "[http][fleet]") {
  Daemon d;
  auto router = d.router();
  CHECK(body(router(request(verb::get, "/status"))).at("fleet").is_null());
  d.snapshot = fleet_snapshot(60);
  const auto j = body(router(request(verb::get, "/status"))).at("fleet");
  CHECK(j.at("counts").at("failed") == 20);
  CHECK(j.at("counts").at("ok") == 40);
  CHECK(j.at("vanished") == nlohmann::json::array({"app/gone"}));
  REQUIRE(j.at("worst").size() == http::kWorstTargets);
  for (const auto& t : j.at("worst")) CHECK(t.at("state") == "failed");
}
