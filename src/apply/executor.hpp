#pragma once

// The only writer. Runs a plan's steps in their phases: `before` steps one
// by one, the `transaction` steps (plus the caller's bookkeeping statements)
// in one transaction, then the `after` steps one by one. Waiting for another
// session's lock is bounded by lock_timeout (set on the connection); a step
// that times out waiting (SQLSTATE 55P03), or a deadlock victim (40P01), is
// retried with capped exponential backoff and jitter until lock_retry has
// passed; before each retry the sessions in its way are looked up and handed
// to on_wait. Any other error in the transaction rolls all of it back.
//
// A concurrent index build that fails leaves an invalid index behind (and a
// unique one would still check new rows): it is dropped before a retry and,
// best effort, after a final failure.

#include <chrono>
#include <functional>
#include <pqxx/connection_base>
#include <string>
#include <vector>

#include "plan/plan.hpp"
#include "util/clock.hpp"

namespace schemad::apply {

// A session in the way of a step: holding a lock on its table, or (when
// none does) an open transaction that a concurrent build must wait for.
struct Blocker {
  int pid = 0;
  std::string application_name;
  std::string state;       // pg_stat_activity.state: "idle in transaction", "active", ...
  std::string xact_start;  // ISO 8601, UTC; "" when unknown
  std::string query;       // its latest statement, at most 200 characters
  std::string lock_modes;  // the locks it holds on the table ("" for an open transaction)

  // "pid 4242 (application "psql", idle in transaction since ...)"
  std::string describe() const;
};

struct LockWait {
  std::string step;  // its description
  std::string table;
  int attempt = 0;  // the attempt that just timed out
  std::vector<Blocker> blockers;
};

struct ExecuteOptions {
  std::chrono::milliseconds lock_retry{120000};
  int statement_timeout_ms = 0;  // restored after concurrent index builds, which run without
  // Called (on the executing thread) each time a step timed out waiting for
  // a lock, before it is retried.
  std::function<void(const LockWait&)> on_wait;
};

struct StepResult {
  plan::Step step;
  bool ok = false;
  std::string error;     // the server's message when !ok
  std::string sqlstate;  // when !ok and the server said
  std::string detail;    // the server's DETAIL line ("Key (sku)=(a) is duplicated.")
  std::string hint;      // the server's HINT line
  double seconds = 0;
  int attempts = 0;
  bool skipped = false;  // an earlier step of the same change failed

  // The data prevents it (SQLSTATE class 23: duplicates, violating rows):
  // a fact about the rows, not a failure of schemad.
  bool conflict() const { return !ok && sqlstate.rfind("23", 0) == 0; }
};

struct ExecuteResult {
  std::vector<StepResult> steps;  // every step that was attempted (or skipped), in order
  // The `before` steps succeeded and the transaction committed (or there was
  // none to run): the `after` steps ran.
  bool committed = false;
  // The first failure; "" when every step succeeded. An `after` step that
  // failed on a data conflict, and the steps of its change skipped after it,
  // are only in `steps`.
  std::string error;
};

// `tail` runs at the end of the transaction (stamp, history). When the
// transaction fails, no `after` step runs. Never throws for SQL errors: they
// are in the result. Precondition: no transaction open on `conn`.
ExecuteResult execute(pqxx::connection_base& conn, const plan::Plan& plan,
                      const std::vector<std::string>& tail, const ExecuteOptions& options,
                      util::Clock& clock);

}  // namespace schemad::apply
