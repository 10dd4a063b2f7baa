#include "apply/executor.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <pqxx/nontransaction>
#include <pqxx/transaction>
#include <set>

#include "apply/blockers.hpp"

namespace schemad::apply {

namespace {

using Seconds = std::chrono::duration<double>;
using Status = StepResult::Status;

// What a failing attempt was doing: a step, or statements that are not one.
struct Doing {
  std::string description;
  std::string table;  // as SQL, "" for none
};

void report_wait(pqxx::connection_base& conn, const Doing& doing, const db::Error& error,
                 int attempt, const ExecuteOptions& options) {
  LockWait wait{doing.description, doing.table, attempt, find_blockers(conn, doing.table)};
  std::string who;
  for (const auto& b : wait.blockers) who += (who.empty() ? "" : "; ") + b.describe();
  spdlog::warn("{}: {} (attempt {}), retrying; in the way: {}", doing.description, error.message,
               attempt, who.empty() ? "nobody found" : who);
  if (options.on_wait) options.on_wait(wait);
}

// Runs `attempt` until it succeeds, fails in a way db::retry_statement does
// not allow, or lock_retry has passed. `doing` says what the failing attempt
// was doing. A wait reported to on_wait is over when it returns
// (on_wait_over). Never throws.
template <typename Attempt, typename Current>
std::optional<db::Error> with_retries(pqxx::connection_base& conn, Attempt attempt, Current doing,
                                      const ExecuteOptions& options, util::Clock& clock,
                                      int& attempts) {
  const auto start = clock.now();
  util::Backoff backoff(std::chrono::milliseconds(200), std::chrono::milliseconds(5000));
  bool waited = false;
  auto done = [&](std::optional<db::Error> error) {
    if (waited && options.on_wait_over) options.on_wait_over();
    return error;
  };
  for (;;) {
    ++attempts;
    std::optional<db::Error> error;
    try {
      attempt();
      return done(std::nullopt);
    } catch (const std::exception& e) {
      error = db::translate(e);
    }
    if (!db::retry_statement(error->kind) || clock.now() - start >= options.lock_retry) {
      return done(std::move(error));
    }
    report_wait(conn, doing(), *error, attempts, options);
    waited = true;
    clock.sleep_for(backoff.next());
  }
}

// Drops what a failed concurrent build of `index` left behind, if anything.
void drop_leftover(pqxx::nontransaction& tx, const std::string& index) {
  auto r = tx.exec_params(
      "SELECT 1 FROM pg_index WHERE indexrelid = to_regclass($1) AND NOT indisvalid", index);
  if (!r.empty()) tx.exec("DROP INDEX CONCURRENTLY IF EXISTS " + index);
}

// One statement in no transaction. A concurrent build waits for every
// older transaction by design and can take long on a big table:
// statement_timeout would only waste it.
void run_alone(pqxx::connection_base& conn, const std::string& sql, bool concurrent,
               const std::string& builds, const ExecuteOptions& options) {
  pqxx::nontransaction tx(conn);
  const bool lift = concurrent && options.statement_timeout_ms != 0;
  if (lift) tx.exec("SET statement_timeout = 0");
  std::exception_ptr failure;
  try {
    if (!builds.empty()) drop_leftover(tx, builds);
    tx.exec(sql);
  } catch (...) {
    failure = std::current_exception();
  }
  if (lift) tx.exec("SET statement_timeout = " + std::to_string(options.statement_timeout_ms));
  if (failure) std::rethrow_exception(failure);
}

// After a final failure: best effort, so that a half-built unique index
// does not go on checking the application's new rows.
void clean_up_after(pqxx::connection_base& conn, const plan::Step& step) {
  if (step.builds.empty()) return;
  try {
    pqxx::nontransaction tx(conn, "schemad-cleanup");
    drop_leftover(tx, step.builds);
  } catch (const std::exception& e) {
    spdlog::warn("{}: the invalid index it left could not be dropped yet ({}); the next run will",
                 step.description, db::translate(e).message);
  }
}

// One execute(): the phases of a plan, each recording its step results.
class Run {
 public:
  Run(pqxx::connection_base& conn, const ExecuteOptions& options, util::Clock& clock)
      : conn_(conn), options_(options), clock_(clock) {}

  // A step alone; false when it failed.
  bool alone(const plan::Step& step) {
    StepResult r{step, Status::ok, std::nullopt, 0, 0};
    const auto start = clock_.now();
    if (options_.on_step) options_.on_step(&step, conn_.backendpid());
    r.error = with_retries(
        conn_, [&] { run_alone(conn_, step.sql, step.concurrent, step.builds, options_); },
        [&] {
          return Doing{step.description, step.table};
        },
        options_, clock_, r.attempts);
    r.seconds = Seconds(clock_.now() - start).count();
    if (options_.on_step) options_.on_step(nullptr, 0);
    if (r.error) {
      r.status = Status::failed;
      clean_up_after(conn_, step);
      if (!r.conflict()) fail_with(*r.error, step.description);
    }
    result.steps.push_back(std::move(r));
    return result.steps.back().ok();
  }

  // The transactional steps and `tail` in one transaction; false when it
  // rolled back.
  bool transaction(const std::vector<const plan::Step*>& steps, const Statements& tail) {
    if (steps.empty() && tail.sql.empty()) return true;
    const auto start = clock_.now();
    int attempts = 0;
    std::size_t at = steps.size();  // the statement running: a step, or the tail
    auto doing = [&] {
      return at < steps.size() ? Doing{steps[at]->description, steps[at]->table}
                               : Doing{tail.what, ""};
    };
    auto error = with_retries(
        conn_,
        [&] {
          pqxx::work tx(conn_, "schemad-heal");
          for (at = 0; at < steps.size(); ++at) tx.exec(steps[at]->sql);
          for (const auto& statement : tail.sql) tx.exec(statement);
          tx.commit();
        },
        doing, options_, clock_, attempts);
    const double seconds = Seconds(clock_.now() - start).count();
    for (std::size_t i = 0; i < steps.size(); ++i) {
      // One transaction: every step shares its fate, and its time.
      StepResult r{*steps[i], Status::ok, std::nullopt, seconds, attempts};
      if (error) r.status = i == at ? Status::failed : Status::rolled_back;
      if (error && i == at) r.error = error;
      result.steps.push_back(std::move(r));
    }
    if (error) fail_with(*error, doing().description);
    return !error;
  }

  // The online steps: a failing one does not stop the others (each change
  // is independent of the rest, or fails quickly when the object it needs
  // is missing); only the later steps of the same change are skipped.
  void after(const std::vector<plan::Step>& steps) {
    std::set<std::string> failed_changes;
    for (const auto& step : steps) {
      if (step.phase != plan::Phase::after) continue;
      if (failed_changes.count(step.key) != 0) {
        result.steps.push_back({step, Status::skipped, std::nullopt, 0, 0});
        continue;
      }
      if (!alone(step)) failed_changes.insert(step.key);
    }
  }

  ExecuteResult result;

 private:
  void fail_with(db::Error error, const std::string& context) {
    if (result.error) return;
    error.context = context;
    result.error = std::move(error);
  }

  pqxx::connection_base& conn_;
  const ExecuteOptions& options_;
  util::Clock& clock_;
};

}  // namespace

std::string StepResult::why() const {
  switch (status) {
    case Status::ok:
      return "";
    case Status::failed:
      return error ? error->message : "failed";
    case Status::rolled_back:
      return "rolled back";
    case Status::skipped:
      return "skipped: an earlier step of this change failed";
  }
  return "";
}

ExecuteResult execute(pqxx::connection_base& conn, const plan::Plan& plan, const Statements& tail,
                      const ExecuteOptions& options, util::Clock& clock) {
  Run run(conn, options, clock);
  std::vector<const plan::Step*> in_transaction;
  for (const auto& step : plan.steps) {
    if (step.phase == plan::Phase::before && !run.alone(step)) return run.result;
    if (step.phase == plan::Phase::transaction) in_transaction.push_back(&step);
  }
  if (!run.transaction(in_transaction, tail)) return run.result;
  run.result.committed = true;
  run.after(plan.steps);
  return run.result;
}

std::optional<db::Error> execute(pqxx::connection_base& conn, const Statements& statements,
                                 const ExecuteOptions& options, util::Clock& clock) {
  return execute(conn, plan::Plan{}, statements, options, clock).error;
}

std::optional<db::Error> execute_alone(pqxx::connection_base& conn, const std::string& sql,
                                       const std::string& what, const ExecuteOptions& options,
                                       util::Clock& clock) {
  int attempts = 0;
  auto error = with_retries(
      conn, [&] { run_alone(conn, sql, false, "", options); },
      [&] {
        return Doing{what, ""};
      },
      options, clock, attempts);
  if (error) error->context = what;
  return error;
}

}  // namespace schemad::apply
