#include "apply/executor.hpp"

#include <exception>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/transaction>

namespace schemad::apply {

namespace {

using Seconds = std::chrono::duration<double>;

bool retryable(const pqxx::sql_error& e) {
  const std::string& state = e.sqlstate();
  return state == "55P03" /* lock_not_available */ || state == "40P01" /* deadlock */ ||
         state == "40001" /* serialization_failure */;
}

std::string clean(const std::string& message) {
  std::string out = message;
  if (out.rfind("ERROR:  ", 0) == 0) out = out.substr(8);
  auto query_at = out.find("\n");
  if (query_at != std::string::npos) out = out.substr(0, query_at);
  return out;
}

// Runs `attempt` until it succeeds, fails for good, or lock retries run out.
// Returns "" on success, else the error.
template <typename Attempt>
std::string with_retries(Attempt attempt, const ExecuteOptions& options, util::Clock& clock,
                         int& attempts) {
  const auto start = clock.now();
  util::Backoff backoff(std::chrono::milliseconds(200), std::chrono::milliseconds(5000));
  for (;;) {
    ++attempts;
    try {
      attempt();
      return "";
    } catch (const pqxx::sql_error& e) {
      if (!retryable(e) || clock.now() - start >= options.lock_retry) return clean(e.what());
    } catch (const pqxx::in_doubt_error& e) {
      // The commit's fate is unknown: never retry; the caller inspects again.
      return std::string("commit in doubt: ") + e.what();
    }
    clock.sleep_for(backoff.next());
  }
}

bool concurrent(const plan::Step& step) {
  return step.sql.find(" CONCURRENTLY ") != std::string::npos;
}

void run_alone(pqxx::connection_base& conn, const plan::Step& step, const ExecuteOptions& options) {
  pqxx::nontransaction tx(conn);
  // A concurrent build waits for every older transaction by design and can
  // take long on a big table: statement_timeout would only waste it.
  const bool lift = concurrent(step) && options.statement_timeout_ms != 0;
  if (!lift) {
    tx.exec(step.sql);
    return;
  }
  tx.exec("SET statement_timeout = 0");
  std::exception_ptr failure;
  try {
    tx.exec(step.sql);
  } catch (...) {
    failure = std::current_exception();
  }
  tx.exec("SET statement_timeout = " + std::to_string(options.statement_timeout_ms));
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

ExecuteResult execute(pqxx::connection_base& conn, const plan::Plan& plan,
                      const std::vector<std::string>& tail, const ExecuteOptions& options,
                      util::Clock& clock) {
  ExecuteResult result;
  auto alone = [&](const plan::Step& step) {
    StepResult r{step, false, "", 0, 0};
    const auto start = clock.now();
    r.error = with_retries([&] { run_alone(conn, step, options); }, options, clock, r.attempts);
    r.ok = r.error.empty();
    r.seconds = Seconds(clock.now() - start).count();
    if (!r.ok && result.error.empty()) result.error = step.description + ": " + r.error;
    result.steps.push_back(r);
    return r.ok;
  };

  for (const auto& step : plan.steps) {
    if (step.phase == plan::Phase::before && !alone(step)) return result;
  }

  std::vector<const plan::Step*> in_tx;
  for (const auto& step : plan.steps) {
    if (step.phase == plan::Phase::transaction) in_tx.push_back(&step);
  }
  if (!in_tx.empty() || !tail.empty()) {
    const auto start = clock.now();
    int attempts = 0;
    std::size_t failed_at = in_tx.size();
    std::string error = with_retries(
        [&] {
          pqxx::work tx(conn, "schemad-heal");
          for (std::size_t i = 0; i < in_tx.size(); ++i) {
            failed_at = i;
            tx.exec(in_tx[i]->sql);
          }
          failed_at = in_tx.size();
          for (const auto& statement : tail) tx.exec(statement);
          tx.commit();
        },
        options, clock, attempts);
    const double seconds = Seconds(clock.now() - start).count();
    for (std::size_t i = 0; i < in_tx.size(); ++i) {
      // One transaction: every step shares its fate, and its time.
      StepResult r{*in_tx[i], error.empty(), "", seconds, attempts};
      if (!error.empty() && i == failed_at) r.error = error;
      if (!error.empty() && i != failed_at) r.error = "rolled back";
      result.steps.push_back(r);
    }
    if (!error.empty()) {
      result.error = (failed_at < in_tx.size() ? in_tx[failed_at]->description
                                               : std::string("recording the revision")) +
                     ": " + error;
      return result;
    }
  }

  result.committed = true;
  for (const auto& step : plan.steps) {
    // A failing online step does not stop the others: each is independent
    // of the rest, or fails quickly when the object it needs is missing.
    if (step.phase == plan::Phase::after) alone(step);
  }
  return result;
}

}  // namespace schemad::apply
