#include "http/routes.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <iterator>

#include <stdexcept>
#include <string_view>
#include <utility>

#include "http/response.hpp"
#include "http/status_json.hpp"
#include "http/status_page.hpp"
#include "util/sha256.hpp"
#include "util/text.hpp"

namespace schemad::http {

namespace {

namespace beast_http = boost::beast::http;
using beast_http::status;
using beast_http::verb;
using nlohmann::json;

struct Route {
  std::string_view path;
  verb method;  // verb::get also answers HEAD
  Response (*answer)(const Endpoints&, const Request&);
};

Response health(const Endpoints& e, const Request&) {
  return e.live() ? json_response(status::ok, {{"status", "ok"}})
                  : json_response(status::service_unavailable, {{"status", "stuck"}});
}

std::shared_ptr<const state::Snapshot> snapshot_of(const Endpoints& e) {
  auto snapshot = e.snapshot();
  return snapshot ? snapshot : std::make_shared<const state::Snapshot>();
}

Response ready(const Endpoints& e, const Request&) {
  const auto ready = state::readiness(*snapshot_of(e), e.now(), e.readiness_window);
  if (ready.ready) return json_response(status::ok, {{"ready", true}});
  return json_response(status::service_unavailable, {{"ready", false}, {"reason", ready.reason}});
}

Response status_page(const Endpoints& e, const Request&) {
  return json_response(status::ok, to_json(*snapshot_of(e), e.now(), e.readiness_window));
}

// GET /status/targets?state=S&limit=N&offset=M: the fleet's targets, worst
// first, one page. The query is plain key=value pairs joined by '&': the
// values it takes (state names and numbers) need no percent-encoding, and
// anything else is refused with what was expected.
Response fleet_targets(const Endpoints& e, const Request& request) {
  const auto snapshot = snapshot_of(e);
  if (!snapshot->fleet) {
    return error_response(status::not_found, "not in fleet mode (no fleet run has finished)");
  }
  std::string_view target(request.target().data(), request.target().size());
  const std::size_t mark = target.find('?');
  std::string_view query = mark == std::string_view::npos ? "" : target.substr(mark + 1);
  std::string state;
  std::size_t limit = 100, offset = 0;
  auto number = [](std::string_view text, std::size_t max, std::size_t& out) {
    if (text.empty() || text.size() > 9) return false;
    std::size_t n = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return false;
      n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    if (n > max) return false;
    out = n;
    return true;
  };
  while (!query.empty()) {
    const std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    if (key == "state") {
      static constexpr std::string_view kStates[] = {"ok",     "drift",  "pending",
                                                     "failed", "locked", "skipped"};
      if (std::find(std::begin(kStates), std::end(kStates), value) == std::end(kStates)) {
        return error_response(status::bad_request,
                              "state: must be ok, drift, pending, failed, locked or skipped");
      }
      state = std::string(value);
    } else if (key == "limit") {
      if (!number(value, 1000, limit) || limit == 0) {
        return error_response(status::bad_request, "limit: must be 1 to 1000");
      }
    } else if (key == "offset") {
      if (!number(value, 999999999, offset)) {
        return error_response(status::bad_request, "offset: must be a non-negative integer");
      }
    } else {
      return error_response(status::bad_request, "unknown parameter (known: state, limit, offset)");
    }
  }
  json page = json::array();
  std::size_t total = 0;
  for (const auto& t : snapshot->fleet->targets) {
    if (!state.empty() && t.state != state) continue;
    if (total >= offset && page.size() < limit) page.push_back(to_json(t));
    ++total;
  }
  return json_response(status::ok, {{"total", total},
                                    {"offset", offset},
                                    {"limit", limit},
                                    {"state", state.empty() ? json(nullptr) : json(state)},
                                    {"targets", std::move(page)}});
}

// GET /: the status page, for people. It is static: its script fetches
// /status (http/status_page.hpp).
Response html_page(const Endpoints&, const Request&) {
  auto response =
      text_response(status::ok, std::string(status_page_html()), "text/html; charset=utf-8");
  response.set("Content-Security-Policy", status_page_csp());
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  return response;
}

Response metrics(const Endpoints& e, const Request&) {
  return text_response(status::ok, e.metrics_text(), "text/plain; version=0.0.4; charset=utf-8");
}

Response post_reconcile(const Endpoints& e, const Request& request) {
  const auto header = request[beast_http::field::authorization];
  if (!bearer_matches({header.data(), header.size()}, e.admin_token)) {
    auto response = error_response(status::unauthorized, "a valid bearer token is required");
    response.set(beast_http::field::www_authenticate, "Bearer");
    return response;
  }
  e.request_reconcile();
  return json_response(status::accepted, {{"accepted", true}});
}

constexpr Route kRoutes[] = {
    {"/", verb::get, html_page},  // the status page
    {"/livez", verb::get, health},
    {"/healthz", verb::get, health},
    {"/readyz", verb::get, ready},
    {"/status", verb::get, status_page},
    {"/status/targets", verb::get, fleet_targets},
    {"/metrics", verb::get, metrics},
    {"/reconcile", verb::post, post_reconcile},
};

bool accepts(const Route& route, verb method) {
  return method == route.method || (route.method == verb::get && method == verb::head);
}

Response route(const Endpoints& e, const Request& request) {
  std::string_view target(request.target().data(), request.target().size());
  target = target.substr(0, target.find('?'));
  for (const Route& r : kRoutes) {
    if (r.path != target) continue;
    if (r.answer == post_reconcile && e.admin_token.empty()) break;  // switched off: unknown
    if (!accepts(r, request.method())) {
      auto response = error_response(status::method_not_allowed, "method not allowed");
      response.set(beast_http::field::allow, r.method == verb::get ? "GET, HEAD" : "POST");
      return response;
    }
    return r.answer(e, request);
  }
  return error_response(status::not_found, "not found");
}

}  // namespace

bool bearer_matches(std::string_view authorization, const std::string& token) {
  constexpr std::string_view scheme = "Bearer ";
  if (token.empty() || authorization.size() < scheme.size() ||
      !util::iequals(authorization.substr(0, scheme.size()), scheme)) {
    return false;
  }
  // Hashing first makes the comparison independent of the presented
  // token's length as well as of its content.
  const auto presented = util::sha256(authorization.substr(scheme.size()));
  const auto expected = util::sha256(token);
  return CRYPTO_memcmp(presented.data(), expected.data(), presented.size()) == 0;
}

Handler make_router(Endpoints endpoints) {
  if (!endpoints.snapshot || !endpoints.metrics_text || !endpoints.live || !endpoints.now) {
    throw std::invalid_argument("http router: snapshot, metrics_text, live and now are required");
  }
  if (!endpoints.admin_token.empty() && !endpoints.request_reconcile) {
    throw std::invalid_argument("http router: an admin token needs request_reconcile");
  }
  auto shared = std::make_shared<const Endpoints>(std::move(endpoints));
  return [shared](const Request& request) { return route(*shared, request); };
}

}  // namespace schemad::http
