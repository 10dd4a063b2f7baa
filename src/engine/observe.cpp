#include "engine/observe.hpp"

#include <algorithm>
#include <pqxx/pqxx>

#include "apply/bookkeeping.hpp"
#include "apply/history.hpp"
#include "catalog/inspect.hpp"
#include "engine/probe.hpp"

namespace schemad::engine {

namespace {

// alembic_version's rows. When its schema is one the model inspects, the
// inspection already says whether the table exists: one query, or none.
apply::StampState read_stamp_after(pqxx::connection_base& conn, const schema::Database& model,
                                   const schema::Database& actual, const std::string& schema,
                                   int& queries) {
  const auto& schemas = model.schemas;
  if (std::find(schemas.begin(), schemas.end(), schema) == schemas.end()) {
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

apply::StampDecision decide(pqxx::connection_base& conn, const schema::Database& model,
                            const schema::Database& actual, const Baseline& baseline,
                            int& queries) {
  apply::StampState stamp = read_stamp_after(conn, model, actual, baseline.schema, queries);
  if (apply::needs_history(stamp, baseline.revision, baseline.graph)) {
    pqxx::read_transaction tx(conn, "schemad-history");
    apply::read_recorded(tx, baseline.schema, baseline.revision, stamp);
    queries += 4;  // BEGIN, to_regclass, rows, COMMIT
  }
  return apply::decide_stamp(stamp, baseline.revision, baseline.graph);
}

// The changes of `pending` that the history records as blocked by the data.
Conflicts blocked_by_history(pqxx::connection_base& conn, const std::vector<diff::Change>& pending,
                             const std::string& schema, int& queries) {
  std::vector<apply::ChangeId> ids;
  for (const auto& change : pending) ids.push_back({change.key(), change.description()});
  pqxx::read_transaction tx(conn, "schemad-conflicts");
  Conflicts out;
  for (auto& [key, reason] : apply::read_conflicts(tx, schema, ids)) {
    out[key].reason = std::move(reason);
  }
  queries += 4;  // BEGIN, to_regclass, rows, COMMIT
  return out;
}

diff::Drift conflict_drift(const Conflict& conflict, const std::string& path) {
  diff::Drift d;
  d.kind = diff::DriftKind::data_conflict;
  d.object = conflict.description;
  d.actual = conflict.reason;
  d.path = path;
  return d;
}

}  // namespace

Observation observe(pqxx::connection_base& conn, const schema::Database& model,
                    const Baseline& baseline, bool consult_history, const Conflicts& met) {
  Observation o;
  catalog::InspectStats inspect_stats;
  schema::Database actual = catalog::inspect(conn, model.schemas, &inspect_stats);
  schema::Database desired = model;
  ProbeStats probe_stats;
  probe(conn, desired, actual, &probe_stats);
  o.diff = diff::compare(desired, actual, {apply::bookkeeping_tables()});
  o.queries = inspect_stats.queries + probe_stats.queries;
  o.stamp = decide(conn, model, actual, baseline, o.queries);
  if (o.diff.changes.empty() && met.empty()) return o;
  Conflicts blocked = met;
  if (consult_history && !o.diff.changes.empty()) {
    blocked.merge(blocked_by_history(conn, o.diff.changes, baseline.schema, o.queries));
  }
  set_aside(o, blocked, met);
  return o;
}

void set_aside(Observation& o, const Conflicts& blocked, const Conflicts& met) {
  auto& changes = o.diff.changes;
  for (const auto& entry : met) {
    const std::string& key = entry.first;
    const bool pending = std::any_of(changes.begin(), changes.end(),
                                     [&](const diff::Change& c) { return c.key() == key; });
    if (!pending) o.diff.drift.push_back(conflict_drift(entry.second, ""));
  }
  for (auto it = changes.begin(); it != changes.end();) {
    auto found = blocked.find(it->key());
    if (found == blocked.end()) {
      ++it;
      continue;
    }
    o.blocked.push_back(conflict_drift({it->description(), found->second.reason}, it->path));
    it = changes.erase(it);
  }
  apply::hold_stamp(o.stamp, o.blocked.size());
}

Conflicts conflicts_of(const std::vector<apply::StepResult>& steps) {
  Conflicts out;
  for (const auto& r : steps) {
    if (!r.conflict()) continue;
    const std::string& detail = r.error->detail;
    out[r.step.key] = {r.step.change,
                       r.error->message + (detail.empty() ? "" : " (" + detail + ")")};
  }
  return out;
}

}  // namespace schemad::engine
