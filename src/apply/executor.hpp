#pragma once

// The only writer. Runs a plan's steps in their phases: `before` steps one
// by one, the `transaction` steps (plus the caller's bookkeeping statements)
// in one transaction, then the `after` steps one by one. Waiting for another
// session's lock is bounded by lock_timeout (set on the connection); a step
// that times out waiting (SQLSTATE 55P03), or a deadlock victim (40P01), is
// retried with capped exponential backoff and jitter until lock_retry has
// passed. Any other error in the transaction rolls all of it back.

#include <chrono>
#include <pqxx/connection_base>
#include <string>
#include <vector>

#include "plan/plan.hpp"
#include "util/clock.hpp"

namespace schemad::apply {

struct ExecuteOptions {
  std::chrono::milliseconds lock_retry{120000};
  int statement_timeout_ms = 0;  // restored after concurrent index builds, which run without
};

struct StepResult {
  plan::Step step;
  bool ok = false;
  std::string error;  // the server's message when !ok
  double seconds = 0;
  int attempts = 0;
};

struct ExecuteResult {
  std::vector<StepResult> steps;  // every step that was attempted, in order
  // The `before` steps succeeded and the transaction committed (or there was
  // none to run): the `after` steps ran.
  bool committed = false;
  std::string error;  // the first failure; "" when every step succeeded
};

// `tail` runs at the end of the transaction (stamp, history). When the
// transaction fails, no `after` step runs. Never throws for SQL errors: they
// are in the result. Precondition: no transaction open on `conn`.
ExecuteResult execute(pqxx::connection_base& conn, const plan::Plan& plan,
                      const std::vector<std::string>& tail, const ExecuteOptions& options,
                      util::Clock& clock);

}  // namespace schemad::apply
