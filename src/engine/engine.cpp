#include "engine/engine.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <map>
#include <pqxx/pqxx>

#include "apply/advisory_lock.hpp"
#include "apply/bookkeeping.hpp"
#include "apply/history.hpp"
#include "catalog/inspect.hpp"
#include "catalog/version.hpp"
#include "engine/probe.hpp"

namespace schemad::engine {

namespace {

// alembic_version's rows. When its schema is one the model inspects, the
// inspection already says whether the table exists: one query, or none.
apply::StampState read_stamp_after(pqxx::connection_base& conn, const schema::Database& model,
                                   const schema::Database& actual, const std::string& schema,
                                   int& queries) {
  const bool inspected =
      std::find(model.schemas.begin(), model.schemas.end(), schema) != model.schemas.end();
  if (!inspected) {
    pqxx::read_transaction tx(conn, "schemad-stamp");
    apply::StampState state = apply::read_stamp(tx, schema);
    queries += state.table_exists ? 4 : 3;  // BEGIN, to_regclass, rows, COMMIT
    return state;
  }
  apply::StampState state;
  state.table_exists = actual.table({schema, apply::kAlembicVersionTable}) != nullptr;
  if (state.table_exists) {
    pqxx::nontransaction tx(conn, "schemad-stamp");
    state.revisions = apply::read_revisions(tx, schema);
    queries += 1;
  }
  return state;
}

using Conflicts = std::map<std::string, std::string>;  // change description -> why

// Changes the rows prevent are drift, not pending: they cannot be made
// until someone fixes the data, and retrying them on every timer tick
// would scan the table for nothing.
void set_aside(Observation& o, const Conflicts& conflicts, const Conflicts& met_now) {
  std::size_t blocked = 0;
  auto& changes = o.diff.changes;
  // A conflict met in this run whose change is not pending: a constraint
  // left NOT VALID. Its drift says so; this says why, with the sample.
  for (const auto& [change, why] : met_now) {
    const bool pending = std::any_of(changes.begin(), changes.end(), [&](const diff::Change& c) {
      return c.description() == change;
    });
    if (pending) continue;
    diff::Drift d;
    d.kind = diff::DriftKind::data_conflict;
    d.object = change;
    d.actual = why;
    o.diff.drift.push_back(std::move(d));
  }
  for (auto it = changes.begin(); it != changes.end();) {
    auto found = conflicts.find(it->description());
    if (found == conflicts.end()) {
      ++it;
      continue;
    }
    diff::Drift d;
    d.kind = diff::DriftKind::data_conflict;
    d.object = found->first;
    d.actual = found->second;
    d.path = it->path;
    o.diff.drift.push_back(std::move(d));
    it = changes.erase(it);
    ++blocked;
  }
  apply::hold_stamp(o.stamp, blocked);
}

// `known`: conflicts met in this run. `consult_history`: also those the
// history recorded, so that they are not tried again.
Observation observe(pqxx::connection_base& conn, const schema::Database& model,
                    const Settings& settings, const std::string& revision,
                    const Conflicts& known = {}, bool consult_history = false) {
  Observation o;
  catalog::InspectStats inspect_stats;
  schema::Database actual = catalog::inspect(conn, model.schemas, &inspect_stats);
  schema::Database desired = model;
  ProbeStats probe_stats;
  probe(conn, desired, actual, &probe_stats);
  o.diff = diff::compare(desired, actual, {apply::bookkeeping_tables()});
  o.queries = inspect_stats.queries + probe_stats.queries;
  apply::StampState stamp =
      read_stamp_after(conn, model, actual, settings.version_table_schema, o.queries);
  const alembic::RevisionGraph* graph = settings.revisions.graph.get();
  if (apply::needs_history(stamp, revision, graph)) {
    pqxx::read_transaction tx(conn, "schemad-history");
    apply::read_recorded(tx, settings.version_table_schema, revision, stamp);
    o.queries += 4;  // BEGIN, to_regclass, rows, COMMIT
  }
  o.stamp = apply::decide_stamp(stamp, revision, graph);
  if (o.diff.changes.empty() && known.empty()) return o;
  Conflicts conflicts = known;
  if (consult_history && !o.diff.changes.empty()) {
    std::vector<std::string> pending;
    for (const auto& change : o.diff.changes) pending.push_back(change.description());
    pqxx::read_transaction tx(conn, "schemad-conflicts");
    conflicts.merge(apply::read_conflicts(tx, settings.version_table_schema, pending));
    o.queries += 4;  // BEGIN, to_regclass, rows, COMMIT
  }
  set_aside(o, conflicts, known);
  return o;
}

Conflicts conflicts_of(const std::vector<apply::StepResult>& steps) {
  Conflicts out;
  for (const auto& r : steps) {
    if (!r.conflict()) continue;
    out[r.step.change] = r.error + (r.detail.empty() ? "" : " (" + r.detail + ")");
  }
  return out;
}

// A type the server does not know is the model's fault: name the column,
// as model errors do ("tables[0].columns[1].type: type \"vectr\" does not exist").
std::string explain(const schema::Database& model, const std::string& error) {
  const std::string marker = "type \"";
  auto at = error.find(marker);
  if (at == std::string::npos || error.find("\" does not exist", at) == std::string::npos) {
    return error;
  }
  auto end = error.find('"', at + marker.size());
  const std::string missing = error.substr(at + marker.size(), end - at - marker.size());
  for (const auto& table : model.tables) {
    for (const auto& column : table.columns) {
      if (!column.type.resolved && column.type.name == missing) {
        return column.path + ".type: " + error.substr(at);
      }
    }
  }
  return error;
}

// The final short transaction: the stamp (when the database now satisfies
// the model) and the history row.
void record(pqxx::connection_base& conn, const std::vector<std::string>& statements) {
  pqxx::work tx(conn, "schemad-record");
  for (const auto& statement : statements) tx.exec(statement);
  tx.commit();
}

bool any_ok(const std::vector<apply::StepResult>& steps) {
  return std::any_of(steps.begin(), steps.end(), [](const apply::StepResult& s) { return s.ok; });
}

// An extension the server refuses: say which, and what is missing.
std::string explain_extension(const apply::StepResult& r) {
  const std::string& name = r.step.change;  // "create extension pgcrypto"
  std::string what = r.error + (r.hint.empty() ? "" : " (" + r.hint + ")");
  if (r.sqlstate == "42501") {
    return name + ": permission denied: " + what +
           "; a superuser (or, for a trusted extension, a role with CREATE on the database) must "
           "create it, or grant that privilege";
  }
  if (r.sqlstate == "58P01" || r.sqlstate == "0A000" || r.sqlstate == "42704") {
    return name + ": not available on the database server: " + what +
           "; install the package that provides it there (Debian: postgresql-contrib, or "
           "postgresql-15-<name>)";
  }
  return name + ": " + what;
}

// When the healing transaction gave up waiting for a lock on an existing
// table (55P03 or a deadlock, after lock_retry), the plan's transactional and
// online steps that neither alter nor name that table; empty otherwise.
// `before` steps already ran.
plan::Plan without_locked_table(const plan::Plan& plan,
                                const std::vector<apply::StepResult>& results) {
  std::string table;
  for (const auto& r : results) {
    const bool lock = r.sqlstate == "55P03" || r.sqlstate == "40P01";
    if (!r.ok && lock && r.step.phase == plan::Phase::transaction && r.step.kind != "table") {
      table = r.step.table;
    }
  }
  plan::Plan rest;
  if (table.empty()) return rest;
  for (const auto& step : plan.steps) {
    if (step.phase == plan::Phase::before || step.table == table ||
        step.sql.find(table) != std::string::npos) {
      continue;
    }
    rest.steps.push_back(step);
  }
  spdlog::warn("{} stayed locked: going ahead with the {} steps that do not touch it", table,
               rest.steps.size());
  return rest;
}

// Under the lock: inspect again (another replica may have done the work),
// heal, record, then verify.
void heal(pqxx::connection_base& conn, const schema::Database& model, const Settings& settings,
          util::Clock& clock, Report& report) {
  auto lock = take_lock(conn, model, settings, clock);
  report.lock_wait = lock->waited();
  const bool from_history = !settings.retry_conflicts;
  report.found = observe(conn, model, settings, report.revision, {}, from_history);
  report.plan = plan::render(report.found.diff);
  report.remaining = report.found;
  if (report.found.satisfied()) return;

  const std::string& schema = settings.version_table_schema;
  apply::HistoryEntry entry =
      apply::new_history_entry(settings.trigger, model.fingerprint, report.revision);
  const bool online_steps =
      std::any_of(report.plan.steps.begin(), report.plan.steps.end(),
                  [](const plan::Step& s) { return s.phase == plan::Phase::after; });
  // With nothing online to follow, the stamp and the history row join the
  // healing transaction: they commit with the changes or not at all.
  // Otherwise they wait for a short final transaction after the online steps.
  std::vector<std::string> tail;
  if (!online_steps) {
    tail = apply::stamp_sql(report.found.stamp, schema);
    entry.stamped = !tail.empty();
    entry.steps = apply::history_steps(report.plan.steps);
    entry.outcome = report.plan.steps.empty() ? "stamped" : "applied";
    for (auto& statement : apply::history_sql(entry, schema)) tail.push_back(std::move(statement));
  }
  const apply::ExecuteOptions options{settings.lock_retry, settings.statement_timeout_ms,
                                      settings.on_wait};
  apply::ExecuteResult run = apply::execute(conn, report.plan, tail, options, clock);
  // A table another session kept locked past lock_retry must not hold up
  // the changes that do not touch it: they go ahead in a second transaction.
  bool split = false;
  if (!run.committed) {
    plan::Plan rest = without_locked_table(report.plan, run.steps);
    if (!rest.steps.empty()) {
      split = true;
      apply::ExecuteResult second = apply::execute(conn, rest, {}, options, clock);
      run.steps.insert(run.steps.end(), second.steps.begin(), second.steps.end());
      run.committed = second.committed;
      if (!second.error.empty()) run.error += "; " + second.error;
    }
  }
  report.steps = run.steps;
  report.stamped = run.committed && entry.stamped && !split;
  report.recorded = run.committed && !online_steps && !split;
  report.error = explain(model, run.error);
  for (const auto& r : run.steps) {
    if (!r.ok && r.step.kind == "extension" && r.error != "rolled back") {
      report.error = explain_extension(r);
    }
  }
  const Conflicts met = conflicts_of(run.steps);
  report.remaining = observe(conn, model, settings, report.revision, met, from_history);

  if (online_steps || !run.committed || split) {
    // The transaction failed (a row only when something before it, an enum
    // value, did change), or online steps ran: record what happened.
    if (!run.committed && !any_ok(run.steps)) return;
    std::vector<std::string> statements;
    entry.stamped = false;  // the healing transaction's stamp, if any, rolled back
    const Observation& now = report.remaining;
    if (run.committed && now.diff.satisfied() && now.stamp.pending()) {
      statements = apply::stamp_sql(now.stamp, schema);
      entry.stamped = true;
    }
    entry.steps = apply::history_steps(run.steps);
    const bool all_ok = std::all_of(run.steps.begin(), run.steps.end(),
                                    [](const apply::StepResult& r) { return r.ok; });
    entry.outcome = !run.committed ? "failed" : all_ok ? "applied" : "partial";
    entry.error = report.error;
    for (auto& statement : apply::history_sql(entry, schema))
      statements.push_back(std::move(statement));
    try {
      record(conn, statements);
    } catch (const std::exception& e) {
      const std::string what = std::string("recording the history: ") + e.what();
      report.error = report.error.empty() ? what : report.error + "; " + what;
      return;
    }
    report.stamped = entry.stamped;
    report.recorded = true;
    if (entry.stamped) {
      report.remaining = observe(conn, model, settings, report.revision, met, from_history);
    }
  }
}

// The cached observation, when nothing it depends on has changed: the model,
// the revision, the catalog of the model's schemas, and the rows of
// alembic_version (which change without DDL). Two statements.
bool reuse(pqxx::connection_base& conn, ObservationCache& cache, const schema::Database& model,
           const Settings& settings, const std::string& version, Report& report) {
  if (!cache.valid || cache.reuses >= ObservationCache::kMaxReuses ||
      cache.fingerprint != model.fingerprint || cache.revision != report.revision ||
      cache.catalog_version != version) {
    return false;
  }
  Observation o = cache.observation;
  o.queries = 1;
  if (o.stamp.state.table_exists) {
    pqxx::nontransaction tx(conn, "schemad-stamp");
    const auto rows = apply::read_revisions(tx, settings.version_table_schema);
    o.queries += 1;
    if (rows != o.stamp.state.revisions) return false;
  }
  ++cache.reuses;
  report.found = o;
  report.remaining = o;
  return true;
}

}  // namespace

std::unique_ptr<apply::AdvisoryLock> take_lock(pqxx::connection_base& conn,
                                               const schema::Database& model,
                                               const Settings& settings, util::Clock& clock) {
  const std::string name = settings.lock_name.empty()
                               ? apply::default_lock_name(conn.dbname(), model.schemas)
                               : settings.lock_name;
  return std::make_unique<apply::AdvisoryLock>(conn, name, settings.lock_wait, clock);
}

Report converge(pqxx::connection_base& conn, const schema::Database& model, Mode mode,
                const Settings& settings, util::Clock& clock) {
  Report report;
  report.mode = mode;
  const auto start = clock.now();
  try {
    report.revision = apply::baseline_revision(model, settings.revisions);
    std::string version;
    if (settings.cache) {
      // Taken before the observation: a change in between shows next time.
      version = catalog::catalog_version(conn, model.schemas);
      if (settings.reuse && reuse(conn, *settings.cache, model, settings, version, report)) {
        report.duration = clock.now() - start;
        return report;
      }
      settings.cache->valid = false;
    }
    // Look first, without the lock: an apply with nothing to do never waits
    // for, nor holds up, another replica.
    // check never retries what the data blocks: it reports what the history says.
    const bool from_history = mode == Mode::check || !settings.retry_conflicts;
    report.found = observe(conn, model, settings, report.revision, {}, from_history);
    report.plan = plan::render(report.found.diff);
    report.remaining = report.found;
    // Several heads in alembic_version leave the stamp alone, not the schema.
    if (mode == Mode::apply && !report.found.satisfied()) {
      heal(conn, model, settings, clock, report);
    } else if (settings.cache && report.found.satisfied() && !report.found.stamp.error()) {
      *settings.cache = {true, model.fingerprint, report.revision, version, report.found, 0};
    }
  } catch (const ProbeError& e) {
    report.error = e.what();
  } catch (const std::exception& e) {
    report.error = explain(model, e.what());
  }
  report.duration = clock.now() - start;
  return report;
}

}  // namespace schemad::engine
