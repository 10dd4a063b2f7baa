#include "http/routes.hpp"

#include <openssl/crypto.h>

#include <stdexcept>
#include <string_view>
#include <utility>

#include "http/response.hpp"
#include "http/status_json.hpp"
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
    {"/livez", verb::get, health},    {"/healthz", verb::get, health},
    {"/readyz", verb::get, ready},    {"/status", verb::get, status_page},
    {"/metrics", verb::get, metrics}, {"/reconcile", verb::post, post_reconcile},
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
