#pragma once

// What the daemon answers over HTTP. Handlers never touch the database: they
// read the published snapshot and the callbacks below, all of which must be
// fast and non-blocking (they run on the event loop).
//
//   GET  /                 200, the status page (status_page.hpp): text/html, with
//                          Content-Security-Policy (status_page_csp()),
//                          `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`
//   GET  /livez, /healthz  200 {"status":"ok"} when live(), else 503 {"status":"stuck"}
//   GET  /readyz           200 {"ready":true}, or 503 {"ready":false,"reason":".."}
//   GET  /status           200, the snapshot (see status_json.hpp)
//   GET  /status/targets   fleet mode: 200 {"total", "offset", "limit", "state",
//                          "targets": [..]}, the targets worst first, filtered by
//                          ?state= (ok, drift, pending, failed, locked, skipped),
//                          paged by ?limit= (1..1000, default 100) and ?offset=;
//                          400 naming the parameter for anything else; 404
//                          before a fleet run has finished, and not in fleet mode
//   GET  /metrics          200, metrics_text(), Prometheus text format 0.0.4
//   POST /reconcile        202 {"accepted":true} and request_reconcile(), with
//                          `Authorization: Bearer <admin_token>`; 401 with
//                          `WWW-Authenticate: Bearer` without it or with another token;
//                          404 when admin_token is "" (the path then does not exist)
//
// HEAD is answered wherever GET is (the server drops the body). A known path
// with another method is 405 with `Allow`; any other path 404. The query
// string is ignored but by /status/targets. Every answer is JSON but / and /metrics, and
// carries `Cache-Control: no-store` and `Server: schemad`.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/server.hpp"
#include "state/snapshot.hpp"

namespace schemad::http {

struct Endpoints {
  std::function<std::shared_ptr<const state::Snapshot>()> snapshot;
  std::function<std::string()> metrics_text;  // Prometheus text exposition
  std::function<bool()> live;                 // event loop alive and worker not stuck
  std::function<void()> request_reconcile;    // POST /reconcile
  std::string admin_token;                    // "" => POST /reconcile answers 404
  std::chrono::seconds readiness_window{60};  // passed to state::readiness()
  std::function<state::WallTime()> now = [] { return std::chrono::system_clock::now(); };
};

// Throws std::invalid_argument when snapshot, metrics_text, live or now is
// empty, or request_reconcile is empty while admin_token is not. A null
// snapshot pointer is read as a default (starting) Snapshot.
Handler make_router(Endpoints endpoints);

// Whether `authorization` is "Bearer <token>" (scheme case-insensitive) with
// exactly `token`. Takes the same time whatever the presented token: both
// are hashed (SHA-256) and the digests compared with CRYPTO_memcmp.
bool bearer_matches(std::string_view authorization, const std::string& token);

}  // namespace schemad::http
