#include "engine/heal.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "apply/advisory_lock.hpp"
#include "apply/history.hpp"
#include "apply/memo.hpp"
#include "catalog/version.hpp"
#include "engine/explain.hpp"

namespace schemad::engine {

namespace {

using apply::ExecuteResult;
using apply::StepResult;

const char* const kRecording = "recording the revision and the history";

// One heal: what every step below works with.
struct Healing {
  pqxx::connection_base& conn;
  const schema::Database& model;
  const Settings& settings;
  util::Clock& clock;
  Report& report;
  Baseline baseline;
  ObserveOptions look;  // may write, and learns ahead: healing writes anyway
};

void append(std::vector<std::string>& to, std::vector<std::string> more) {
  for (auto& s : more) to.push_back(std::move(s));
}

// The server's answers the observation under the lock asked for, kept in
// schemad_memo with the rest of the bookkeeping (the table is created with
// the first bookkeeping, so that a later no-op reads it with the stamp).
std::vector<std::string> memo_statements(const Healing& h) {
  return apply::memo_sql(h.report.found.learned, apply::server_major(h.conn), h.baseline.schema);
}

bool has_online_steps(const plan::Plan& plan) {
  return std::any_of(plan.steps.begin(), plan.steps.end(),
                     [](const plan::Step& s) { return s.phase == plan::Phase::after; });
}

bool all_ok(const std::vector<StepResult>& steps) {
  return std::all_of(steps.begin(), steps.end(), [](const StepResult& r) { return r.ok(); });
}

// 2. Another replica may have done the work while this one waited.
void observe_under_lock(Healing& h) {
  Report& r = h.report;
  r.found = observe(h.conn, h.model, h.baseline, h.look);
  ++r.observations;
  r.plan = plan::render(r.found.diff);
  r.remaining = r.found;
  r.pending = r.plan;
}

// 2. Nothing changed since the look: the catalog version it was taken at,
// and alembic_version's rows (which change without DDL). Two statements
// instead of an observation.
bool unchanged_since_look(Healing& h, const std::string& looked_at) {
  if (looked_at.empty()) return false;
  Report& r = h.report;
  if (catalog::catalog_version(h.conn, h.model.schemas) != looked_at) return false;
  r.found.queries += 1;
  if (!r.found.stamp.state.table_exists) return true;
  pqxx::nontransaction tx(h.conn, "schemad-stamp");
  auto rows = apply::read_revisions(tx, h.baseline.schema);
  r.found.queries += 1;
  auto looked = r.found.stamp.state.revisions;
  std::sort(looked.begin(), looked.end());
  return rows == looked;
}

// 3. With nothing online to follow, the stamp and the history row join the
// healing transaction: they commit with the changes or not at all.
apply::Statements bookkeeping_in_transaction(const Healing& h, apply::HistoryEntry& entry) {
  const Report& r = h.report;
  apply::Statements tail{kRecording, apply::stamp_sql(r.found.stamp, h.baseline.schema)};
  entry.stamped = !tail.sql.empty();
  entry.steps = apply::history_steps(r.plan.steps);
  entry.outcome = r.plan.steps.empty() ? apply::Outcome::stamped : apply::Outcome::applied;
  append(tail.sql, apply::history_sql(entry, h.baseline.schema));
  append(tail.sql, memo_statements(h));
  return tail;
}

// 4. When the healing transaction gave up waiting for a lock on an existing
// table, the transactional and online steps that neither alter nor name
// that table; empty otherwise. `before` steps already ran.
plan::Plan without_locked_table(const plan::Plan& plan, const std::vector<StepResult>& results) {
  std::string table;
  for (const auto& r : results) {
    if (r.status == StepResult::Status::failed && db::lock_contention(r.error->kind) &&
        r.step.phase == plan::Phase::transaction && r.step.kind != diff::ChangeKind::create_table) {
      table = r.step.table;
    }
  }
  plan::Plan rest;
  if (table.empty()) return rest;
  for (const auto& step : plan.steps) {
    if (step.phase == plan::Phase::before || step.table == table || step.references == table) {
      continue;
    }
    rest.steps.push_back(step);
  }
  spdlog::warn("{} stayed locked: going ahead with the {} steps that do not touch it", table,
               rest.steps.size());
  return rest;
}

// 4. Returns whether it went around; the second run's error, if any, in
// `second_error`.
bool go_around_locked_table(Healing& h, ExecuteResult& run,
                            std::optional<db::Error>& second_error) {
  plan::Plan rest = without_locked_table(h.report.plan, run.steps);
  if (rest.steps.empty()) return false;
  ExecuteResult second = apply::execute(h.conn, rest, {}, execute_options(h.settings), h.clock);
  run.steps.insert(run.steps.end(), second.steps.begin(), second.steps.end());
  run.committed = second.committed;
  second_error = second.error;
  return true;
}

// 5. The stamp once `decision`'s target is recorded.
apply::StampDecision recorded(const apply::StampDecision& decision) {
  apply::StampState state = decision.state;
  state.table_exists = true;
  state.revisions = {decision.target};
  return apply::decide_stamp(state, decision.target);
}

// 5. What remains of `found` when the executor's results say exactly: every
// step succeeded, or the transaction rolled back with only `before` steps
// (enum values, each a whole change) done. Empty otherwise.
std::optional<Observation> derive(const Observation& found, const ExecuteResult& run, bool split) {
  if (split) return std::nullopt;
  if (run.committed && all_ok(run.steps)) {
    Observation o = found.without_diff();
    o.queries = 0;
    o.diff = diff::after_applying(found.diff);
    return o;
  }
  Observation o = found;
  o.queries = 0;
  const bool rolled_back = !run.committed && run.error &&
                           run.error->kind != db::ErrorKind::in_doubt &&
                           run.error->kind != db::ErrorKind::connection_lost;
  if (!rolled_back) return std::nullopt;
  auto& changes = o.diff.changes;
  for (const auto& r : run.steps) {
    if (r.ok() && r.step.phase == plan::Phase::before) {
      changes.erase(std::remove_if(changes.begin(), changes.end(),
                                   [&](const diff::Change& c) { return c.key() == r.step.key; }),
                    changes.end());
    }
  }
  const Conflicts met = conflicts_of(run.steps);
  set_aside(o, met, met);
  return o;
}

// 5.
void settle(Healing& h, const ExecuteResult& run, bool split) {
  Report& r = h.report;
  if (auto derived = derive(r.found, run, split)) {
    r.remaining = std::move(*derived);
    if (r.stamped) r.remaining.stamp = recorded(r.remaining.stamp);
  } else {
    r.remaining = observe(h.conn, h.model, h.baseline, h.look, conflicts_of(run.steps));
    ++r.observations;
  }
  r.pending = plan::render(r.remaining.diff);
}

// 6. The final short transaction, when online steps ran or the transaction
// failed after something before it (an enum value) changed.
void record(Healing& h, const ExecuteResult& run, apply::HistoryEntry entry) {
  Report& r = h.report;
  if (!run.committed && std::none_of(run.steps.begin(), run.steps.end(),
                                     [](const StepResult& s) { return s.ok(); })) {
    return;  // nothing changed: nothing to record
  }
  apply::Statements book{kRecording, {}};
  entry.stamped = false;  // the healing transaction's stamp, if any, rolled back
  if (run.committed && r.remaining.diff.satisfied() && r.remaining.stamp.pending()) {
    book.sql = apply::stamp_sql(r.remaining.stamp, h.baseline.schema);
    entry.stamped = true;
  }
  entry.steps = apply::history_steps(run.steps);
  entry.outcome = !run.committed      ? apply::Outcome::failed
                  : all_ok(run.steps) ? apply::Outcome::applied
                                      : apply::Outcome::partial;
  entry.error = r.error_text();
  append(book.sql, apply::history_sql(entry, h.baseline.schema));
  append(book.sql, memo_statements(h));
  if (auto error = apply::execute(h.conn, book, execute_options(h.settings), h.clock)) {
    r.errors.push_back(std::move(*error));
    return;
  }
  r.recorded = true;
  r.stamped = entry.stamped;
  if (entry.stamped) r.remaining.stamp = recorded(r.remaining.stamp);
}

}  // namespace

void record_answers(pqxx::connection_base& conn, const apply::Answers& learned,
                    const Settings& settings, util::Clock& clock, Report& report) {
  const apply::Statements memo{
      "recording the server's answers",
      apply::memo_sql(learned, apply::server_major(conn), settings.version_table_schema)};
  if (auto error = apply::execute(conn, memo, execute_options(settings), clock)) {
    report.errors.push_back(std::move(*error));
  }
}

Baseline baseline_of(const Settings& settings, const std::string& revision) {
  return {revision, settings.version_table_schema, settings.revisions.graph.get()};
}

void heal(pqxx::connection_base& conn, const schema::Database& model, const Settings& settings,
          util::Clock& clock, Report& report, const std::string& looked_at) {
  Healing h{conn,
            model,
            settings,
            clock,
            report,
            baseline_of(settings, report.revision),
            {!settings.retry_conflicts, true, true, settings.replace}};
  auto lock =
      apply::lock_model(conn, settings.lock_name, model.schemas, settings.lock_retry, clock);
  report.lock_wait = lock->waited();
  if (!unchanged_since_look(h, looked_at)) observe_under_lock(h);
  if (!report.found.actionable()) {
    // Another replica healed meanwhile; the answers are still worth keeping.
    if (!report.found.learned.empty()) {
      record_answers(conn, report.found.learned, settings, clock, report);
    }
    return;
  }

  apply::HistoryEntry entry =
      apply::new_history_entry(settings.trigger, model.fingerprint, report.revision);
  const bool online = has_online_steps(report.plan);
  const apply::Statements tail =
      online ? apply::Statements{kRecording, {}} : bookkeeping_in_transaction(h, entry);
  ExecuteResult run = apply::execute(conn, report.plan, tail, execute_options(settings), clock);
  std::optional<db::Error> second_error;
  const bool split = !run.committed && go_around_locked_table(h, run, second_error);

  report.steps = run.steps;
  report.stamped = run.committed && entry.stamped && !split;
  report.recorded = run.committed && !online && !split;
  if (run.error) report.errors.push_back(explain_run(model, *run.error, run.steps));
  if (second_error) report.errors.push_back(explain_run(model, *second_error, run.steps));
  settle(h, run, split);
  if (online || !run.committed || split) record(h, run, std::move(entry));
}

}  // namespace schemad::engine
