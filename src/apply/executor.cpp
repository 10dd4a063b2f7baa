#include "apply/executor.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>
#include <set>

namespace schemad::apply {

namespace {

using Seconds = std::chrono::duration<double>;

bool retryable(const std::string& state) {
  return state == "55P03" /* lock_not_available */ || state == "40P01" /* deadlock */ ||
         state == "40001" /* serialization_failure */;
}

// The first line of the server's message, without "ERROR:  ".
std::string clean(const std::string& message) {
  std::string out = message;
  if (out.rfind("ERROR:  ", 0) == 0) out = out.substr(8);
  auto end = out.find('\n');
  if (end != std::string::npos) out = out.substr(0, end);
  return out;
}

// The DETAIL (or HINT) line of the server's message, "" when none.
std::string field_of(const std::string& message, const std::string& field = "DETAIL") {
  const std::string marker = "\n" + field + ":  ";
  auto at = message.find(marker);
  if (at == std::string::npos) return "";
  auto end = message.find('\n', at + marker.size());
  return message.substr(at + marker.size(),
                        end == std::string::npos ? end : end - at - marker.size());
}

struct Failure {
  std::string error;  // "" on success
  std::string sqlstate;
  std::string detail;
  std::string hint;
};

std::vector<Blocker> find_blockers(pqxx::connection_base& conn, const std::string& table) {
  static const std::string columns =
      "a.pid, coalesce(a.application_name, ''), coalesce(a.state, ''), "
      "coalesce(to_char(a.xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), "
      "left(coalesce(a.query, ''), 200)";
  std::vector<Blocker> out;
  auto read = [&](const pqxx::result& r, bool with_modes) {
    for (const auto& row : r) {
      Blocker b;
      b.pid = row[0].as<int>();
      b.application_name = row[1].c_str();
      b.state = row[2].c_str();
      b.xact_start = row[3].c_str();
      b.query = row[4].c_str();
      if (with_modes) b.lock_modes = row[5].c_str();
      out.push_back(std::move(b));
    }
  };
  try {
    pqxx::nontransaction q(conn, "schemad-blockers");
    if (!table.empty()) {
      read(q.exec_params(
               "SELECT " + columns +
                   ", string_agg(DISTINCT l.mode, ',') FROM pg_locks l JOIN pg_stat_activity a "
                   "ON a.pid = l.pid WHERE l.locktype = 'relation' AND l.granted AND "
                   "l.relation = to_regclass($1) AND l.pid <> pg_backend_pid() "
                   "GROUP BY 1, 2, 3, 4, 5, a.xact_start ORDER BY a.xact_start NULLS LAST LIMIT 5",
               table),
           true);
    }
    if (out.empty()) {
      // A concurrent build waits for every older transaction, whatever it touched.
      read(q.exec("SELECT " + columns +
                  " FROM pg_stat_activity a WHERE a.xact_start IS NOT NULL AND a.pid <> "
                  "pg_backend_pid() AND a.backend_type = 'client backend' "
                  "ORDER BY a.xact_start LIMIT 5"),
           false);
    }
  } catch (const std::exception& e) {
    spdlog::debug("could not look up blocking sessions: {}", e.what());
  }
  return out;
}

// Runs `attempt` until it succeeds, fails for good, or lock retries run out.
// `current` names the step being run when an attempt fails.
template <typename Attempt, typename Current>
Failure with_retries(pqxx::connection_base& conn, Attempt attempt, Current current,
                     const ExecuteOptions& options, util::Clock& clock, int& attempts) {
  const auto start = clock.now();
  util::Backoff backoff(std::chrono::milliseconds(200), std::chrono::milliseconds(5000));
  for (;;) {
    ++attempts;
    try {
      attempt();
      return {};
    } catch (const pqxx::sql_error& e) {
      Failure f{clean(e.what()), e.sqlstate(), field_of(e.what()), field_of(e.what(), "HINT")};
      if (!retryable(f.sqlstate) || clock.now() - start >= options.lock_retry) return f;
      const plan::Step& step = current();
      LockWait wait{step.description, step.table, attempts, find_blockers(conn, step.table)};
      std::string who;
      for (const auto& b : wait.blockers) who += (who.empty() ? "" : "; ") + b.describe();
      spdlog::warn("{}: {} (attempt {}), retrying; in the way: {}", step.description, f.error,
                   attempts, who.empty() ? "nobody found" : who);
      if (options.on_wait) options.on_wait(wait);
    } catch (const pqxx::in_doubt_error& e) {
      // The commit's fate is unknown: never retry; the caller inspects again.
      return {std::string("commit in doubt: ") + e.what(), "", "", ""};
    }
    clock.sleep_for(backoff.next());
  }
}

bool concurrent(const plan::Step& step) {
  return step.sql.find(" CONCURRENTLY ") != std::string::npos;
}

// Drops what a failed concurrent build of `index` left behind, if anything.
void drop_leftover(pqxx::nontransaction& tx, const std::string& index) {
  auto r = tx.exec_params(
      "SELECT 1 FROM pg_index WHERE indexrelid = to_regclass($1) AND NOT indisvalid", index);
  if (!r.empty()) tx.exec("DROP INDEX CONCURRENTLY IF EXISTS " + index);
}

void run_alone(pqxx::connection_base& conn, const plan::Step& step, const ExecuteOptions& options) {
  pqxx::nontransaction tx(conn);
  // A concurrent build waits for every older transaction by design and can
  // take long on a big table: statement_timeout would only waste it.
  const bool lift = concurrent(step) && options.statement_timeout_ms != 0;
  if (lift) tx.exec("SET statement_timeout = 0");
  std::exception_ptr failure;
  try {
    if (!step.builds.empty()) drop_leftover(tx, step.builds);
    tx.exec(step.sql);
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
                 step.description, clean(e.what()));
  }
}

}  // namespace

std::string Blocker::describe() const {
  std::string out = "pid " + std::to_string(pid) + " (application \"" + application_name + "\", " +
                    (state.empty() ? "state unknown" : state);
  if (!xact_start.empty()) out += ", transaction since " + xact_start;
  if (!lock_modes.empty()) out += ", holds " + lock_modes;
  if (!query.empty()) out += ", last query \"" + query + "\"";
  return out + ")";
}

ExecuteResult execute(pqxx::connection_base& conn, const plan::Plan& plan,
                      const std::vector<std::string>& tail, const ExecuteOptions& options,
                      util::Clock& clock) {
  ExecuteResult result;
  auto record = [&](StepResult r, const Failure& f) {
    r.ok = f.error.empty();
    r.error = f.error;
    r.sqlstate = f.sqlstate;
    r.detail = f.detail;
    r.hint = f.hint;
    result.steps.push_back(std::move(r));
    return result.steps.back();
  };
  auto alone = [&](const plan::Step& step) {
    StepResult r{step, false, "", "", "", "", 0, 0, false};
    const auto start = clock.now();
    Failure f = with_retries(
        conn, [&] { run_alone(conn, step, options); }, [&]() -> const plan::Step& { return step; },
        options, clock, r.attempts);
    r.seconds = Seconds(clock.now() - start).count();
    if (!f.error.empty()) clean_up_after(conn, step);
    const StepResult& done = record(r, f);
    if (!done.ok && !done.conflict() && result.error.empty()) {
      result.error = step.description + ": " + done.error;
    }
    return done.ok;
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
    static const plan::Step kBookkeeping = [] {
      plan::Step step;
      step.kind = "bookkeeping";
      step.description = "recording the revision and the history";
      return step;
    }();
    Failure f = with_retries(
        conn,
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
        [&]() -> const plan::Step& {
          return failed_at < in_tx.size() ? *in_tx[failed_at] : kBookkeeping;
        },
        options, clock, attempts);
    const double seconds = Seconds(clock.now() - start).count();
    for (std::size_t i = 0; i < in_tx.size(); ++i) {
      // One transaction: every step shares its fate, and its time.
      StepResult r{*in_tx[i], false, "", "", "", "", seconds, attempts, false};
      Failure mine = f;
      if (!f.error.empty() && i != failed_at) mine = {"rolled back", "", "", ""};
      record(r, mine);
    }
    if (!f.error.empty()) {
      result.error =
          (failed_at < in_tx.size() ? in_tx[failed_at]->description : kBookkeeping.description) +
          ": " + f.error;
      return result;
    }
  }

  result.committed = true;
  std::set<std::string> failed_changes;
  for (const auto& step : plan.steps) {
    if (step.phase != plan::Phase::after) continue;
    // A failing online step does not stop the others: each change is
    // independent of the rest, or fails quickly when the object it needs is
    // missing. Only the later steps of the same change are skipped.
    if (failed_changes.count(step.change) != 0) {
      StepResult r{step, false, "", "", "", "", 0, 0, true};
      record(r, {"skipped: an earlier step of this change failed", "", "", ""});
      continue;
    }
    if (!alone(step)) failed_changes.insert(step.change);
  }
  return result;
}

}  // namespace schemad::apply
