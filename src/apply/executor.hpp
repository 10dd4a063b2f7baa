#pragma once

// The only writer. Every statement by which schemad changes a database goes
// through the three functions below: the healing plan with its bookkeeping
// (alembic_version and schemad_history), the bookkeeping alone (after online
// steps, `schemad stamp`), `schemad reset`'s drops and bootstrap's
// CREATE DATABASE. So the rules hold for all of them:
//
// - A plan runs in its phases: `before` steps one by one, the `transaction`
//   steps plus the caller's statements in one transaction, then the `after`
//   steps one by one. Any error in the transaction rolls all of it back.
// - Waiting for another session's lock is bounded by lock_timeout (set on
//   the connection). What db::retry_statement allows (a lost lock wait, a
//   deadlock, a serialization failure) is retried with capped exponential
//   backoff and jitter until lock_retry has passed; before each retry the
//   sessions in the way are looked up and handed to on_wait. A commit in
//   doubt is never retried.
// - A concurrent index build that fails leaves an invalid index behind (and a
//   unique one would still check new rows): it is dropped before a retry
//   and, best effort, after a final failure.
//
// Errors are values (db::Error): nothing here throws for an SQL error.
// Precondition of every function: no transaction open on `conn`.

#include <chrono>
#include <functional>
#include <optional>
#include <pqxx/connection_base>
#include <string>
#include <vector>

#include "db/error.hpp"
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
  // Called (on the executing thread) when a step that on_wait heard of got
  // its locks and ran, or gave up: the wait is over.
  std::function<void()> on_wait_over;
  // Called (on the executing thread) when a step that runs alone starts,
  // with the server process that runs it (so that another session can read
  // pg_stat_progress_create_index for it), and with nullptr when it ended.
  std::function<void(const plan::Step* step, int backend_pid)> on_step;
};

struct StepResult {
  enum class Status {
    ok,
    failed,       // `error` says why
    rolled_back,  // another statement of its transaction failed
    skipped,      // an earlier step of the same change failed
  };
  plan::Step step;
  Status status = Status::failed;
  std::optional<db::Error> error;  // when failed
  double seconds = 0;
  int attempts = 0;

  bool ok() const { return status == Status::ok; }
  // Why it did not run to success, in words: the error's message, "rolled
  // back" or "skipped: an earlier step of this change failed"; "" when ok.
  std::string why() const;
  // The data prevents it (duplicates, violating rows): a fact about the
  // rows, not a failure of schemad.
  bool conflict() const {
    return status == Status::failed && error && error->kind == db::ErrorKind::data_conflict;
  }
};

// Statements that are not plan steps: the bookkeeping that ends a healing
// transaction, or a transaction of their own.
struct Statements {
  std::string what;  // names them in errors: "recording the revision and the history"
  std::vector<std::string> sql;
};

struct ExecuteResult {
  std::vector<StepResult> steps;  // every step that was attempted (or skipped), in order
  // The `before` steps succeeded and the transaction committed (or there was
  // none to run): the `after` steps ran.
  bool committed = false;
  // The first failure, its context the step's description; none when every
  // step succeeded. An `after` step that failed on a data conflict, and the
  // steps of its change skipped after it, are only in `steps`.
  std::optional<db::Error> error;
};

// Runs `plan`; `tail` runs at the end of its transaction. When the
// transaction fails, no `after` step runs.
ExecuteResult execute(pqxx::connection_base& conn, const plan::Plan& plan, const Statements& tail,
                      const ExecuteOptions& options, util::Clock& clock);

// `statements` in one transaction of their own, with the same retries.
std::optional<db::Error> execute(pqxx::connection_base& conn, const Statements& statements,
                                 const ExecuteOptions& options, util::Clock& clock);

// One statement outside any transaction (CREATE DATABASE cannot run in
// one), with the same retries.
std::optional<db::Error> execute_alone(pqxx::connection_base& conn, const std::string& sql,
                                       const std::string& what, const ExecuteOptions& options,
                                       util::Clock& clock);

}  // namespace schemad::apply
