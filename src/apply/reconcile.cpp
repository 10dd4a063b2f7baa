#include "apply/reconcile.hpp"

#include <algorithm>
#include <pqxx/pqxx>

#include "apply/advisory_lock.hpp"
#include "catalog/inspect.hpp"
#include "catalog/probe.hpp"

namespace schemad::apply {

namespace {

// alembic_version's rows. When its schema is one the model inspects, the
// inspection already says whether the table exists: one query, or none.
StampState read_stamp_after(pqxx::connection_base& conn, const schema::Database& model,
                            const schema::Database& actual, const std::string& schema,
                            int& queries) {
  const bool inspected =
      std::find(model.schemas.begin(), model.schemas.end(), schema) != model.schemas.end();
  if (!inspected) {
    pqxx::read_transaction tx(conn, "schemad-stamp");
    StampState state = read_stamp(tx, schema);
    queries += state.table_exists ? 4 : 3;  // BEGIN, to_regclass, rows, COMMIT
    return state;
  }
  StampState state;
  state.table_exists = actual.table({schema, diff::kAlembicVersionTable}) != nullptr;
  if (state.table_exists) {
    pqxx::nontransaction tx(conn, "schemad-stamp");
    state.revisions = read_revisions(tx, schema);
    queries += 1;
  }
  return state;
}

Observation observe(pqxx::connection_base& conn, const schema::Database& model,
                    const Settings& settings, const std::string& revision) {
  Observation o;
  catalog::InspectStats inspect_stats;
  schema::Database actual = catalog::inspect(conn, model.schemas, &inspect_stats);
  schema::Database desired = model;
  catalog::ProbeStats probe_stats;
  catalog::probe(conn, desired, actual, &probe_stats);
  o.diff = diff::compare(desired, actual);
  o.queries = inspect_stats.queries + probe_stats.queries;
  o.stamp = decide_stamp(
      read_stamp_after(conn, model, actual, settings.version_table_schema, o.queries), revision);
  return o;
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

void record_stamp(pqxx::connection_base& conn, const StampDecision& stamp,
                  const std::string& schema) {
  pqxx::work tx(conn, "schemad-stamp");
  for (const auto& statement : stamp_sql(stamp, schema)) tx.exec(statement);
  tx.commit();
}

// Under the lock: inspect again (another replica may have done the work),
// heal, then verify.
void heal(pqxx::connection_base& conn, const schema::Database& model, const Settings& settings,
          util::Clock& clock, Report& report) {
  const std::string lock_name = settings.lock_name.empty()
                                    ? default_lock_name(conn.dbname(), model.schemas)
                                    : settings.lock_name;
  AdvisoryLock lock(conn, lock_name, settings.lock_wait, clock);
  report.lock_wait = lock.waited();
  report.found = observe(conn, model, settings, report.revision);
  report.plan = plan::render(report.found.diff);
  report.remaining = report.found;
  if (report.found.satisfied() || report.found.stamp.error()) return;

  const bool online_steps =
      std::any_of(report.plan.steps.begin(), report.plan.steps.end(),
                  [](const plan::Step& s) { return s.phase == plan::Phase::after; });
  // The stamp joins the healing transaction when nothing follows it;
  // otherwise it waits until the online steps have succeeded.
  std::vector<std::string> tail;
  if (!online_steps) tail = stamp_sql(report.found.stamp, settings.version_table_schema);
  ExecuteResult run =
      execute(conn, report.plan, tail, {settings.lock_retry, settings.statement_timeout_ms}, clock);
  report.steps = run.steps;
  report.stamped = run.committed && !tail.empty();
  report.error = explain(model, run.error);
  report.remaining = observe(conn, model, settings, report.revision);
  if (report.remaining.diff.satisfied() && report.remaining.stamp.pending()) {
    record_stamp(conn, report.remaining.stamp, settings.version_table_schema);
    report.stamped = true;
    report.remaining = observe(conn, model, settings, report.revision);
  }
}

}  // namespace

Report reconcile(pqxx::connection_base& conn, const schema::Database& model, Mode mode,
                 const Settings& settings, util::Clock& clock) {
  Report report;
  report.mode = mode;
  report.revision = baseline_revision(model, settings.configured_revision);
  const auto start = clock.now();
  try {
    // Look first, without the lock: an apply with nothing to do never waits
    // for, nor holds up, another replica.
    report.found = observe(conn, model, settings, report.revision);
    report.plan = plan::render(report.found.diff);
    report.remaining = report.found;
    if (mode == Mode::apply && !report.found.satisfied() && !report.found.stamp.error()) {
      heal(conn, model, settings, clock, report);
    }
  } catch (const catalog::ProbeError& e) {
    report.error = e.what();
  } catch (const std::exception& e) {
    report.error = explain(model, e.what());
  }
  report.duration = clock.now() - start;
  return report;
}

}  // namespace schemad::apply
