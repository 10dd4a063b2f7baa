#include "engine/observe.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <pqxx/pqxx>
#include <tuple>

#include "apply/bookkeeping.hpp"
#include "apply/history.hpp"
#include "catalog/inspect.hpp"
#include "engine/probe.hpp"
#include "engine/verified.hpp"
#include "util/sql_text.hpp"

namespace schemad::engine {

std::optional<diff::DriftClass> stamp_drift_class(const apply::StampDecision& stamp) {
  using Action = apply::StampDecision::Action;
  if (stamp.action == Action::leave_newer) return diff::DriftClass::ahead;
  if (stamp.action == Action::leave_unknown) return diff::DriftClass::differs;
  return std::nullopt;
}

std::map<std::string, std::size_t> drift_by_class(const Observation& found) {
  std::map<std::string, std::size_t> out;
  for (const auto& [c, n] : diff::count_by_class(found.diff.drift)) out[diff::to_string(c)] = n;
  if (auto c = stamp_drift_class(found.stamp)) ++out[diff::to_string(*c)];
  return out;
}

namespace {

// What schemad keeps beside the model that a comparison reads.
struct Bookkept {
  apply::StampState stamp;
  apply::Answers memo;
  bool memo_table = false;
};

// alembic_version's rows and schemad_memo's answers, in one statement when
// both tables exist. When their schema is one the model inspects, the
// inspection already says which do: one query, or none; otherwise a read
// transaction finds out (BEGIN, to_regclass, rows, COMMIT).
Bookkept read_bookkeeping(pqxx::connection_base& conn, const schema::Database& model,
                          const schema::Database& actual, const std::string& schema, int& queries) {
  const int major = apply::server_major(conn);
  Bookkept out;
  const auto& schemas = model.schemas;
  if (std::find(schemas.begin(), schemas.end(), schema) == schemas.end()) {
    pqxx::read_transaction tx(conn, "schemad-bookkeeping");
    out.stamp = apply::read_stamp(tx, schema);
    queries += out.stamp.table_exists ? 4 : 3;
    const bool memo = apply::memo_exists(tx, schema);
    out.memo_table = memo;
    if (memo) out.memo = apply::read_memo(tx, schema, major);
    queries += memo ? 2 : 1;
    return out;
  }
  out.stamp.table_exists = actual.table({schema, apply::kAlembicVersionTable}) != nullptr;
  const bool memo = actual.table({schema, apply::kMemoTable}) != nullptr;
  out.memo_table = memo;
  if (!out.stamp.table_exists && !memo) return out;
  pqxx::nontransaction tx(conn, "schemad-bookkeeping");
  queries += 1;
  if (out.stamp.table_exists && memo) {
    std::tie(out.stamp.revisions, out.memo) = apply::read_revisions_and_memo(tx, schema, major);
  } else if (memo) {
    out.memo = apply::read_memo(tx, schema, major);
  } else {
    out.stamp.revisions = apply::read_revisions(tx, schema);
  }
  return out;
}

apply::StampDecision decide(pqxx::connection_base& conn, apply::StampState stamp,
                            const Baseline& baseline, int& queries) {
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

namespace {

// Everything after the catalog and the bookkeeping were read: the probe,
// the comparison, the stamp, what the data blocks. `queries`: the
// statements spent so far.
Observation compare_read(pqxx::connection_base& conn, const schema::Database& model,
                         const schema::Database& actual, Bookkept kept, const Baseline& baseline,
                         const ObserveOptions& options, const Conflicts& met, int queries) {
  Observation o;
  o.queries = queries;
  o.memo_table = kept.memo_table;
  if (auto it = kept.memo.find(verification_question(model.schemas)); it != kept.memo.end()) {
    o.verification = std::move(it->second);
    kept.memo.erase(it);  // not an answer the probe asks for
  }
  schema::Database desired = model;
  ProbeStats probe_stats;
  const Asking asking = !options.may_write    ? Asking::never
                        : options.learn_ahead ? Asking::ahead
                                              : Asking::when_needed;
  // A SQL model is the server's own text already: nothing to ask.
  ProbeResult probed = model.canonical
                           ? ProbeResult{}
                           : probe(conn, desired, actual, kept.memo, asking, &probe_stats);
  o.learned = std::move(probed.learned);
  o.unverified = std::move(probed.unverified);
  o.learn_after = probed.ahead_refused;
  o.queries += probe_stats.queries;
  o.diff = diff::compare(desired, actual, {apply::bookkeeping_tables(), options.replace});
  o.stamp = decide(conn, std::move(kept.stamp), baseline, o.queries);
  if (o.diff.changes.empty() && met.empty()) return o;
  Conflicts blocked = met;
  if (options.consult_history && !o.diff.changes.empty()) {
    blocked.merge(blocked_by_history(conn, o.diff.changes, baseline.schema, o.queries));
  }
  set_aside(o, blocked, met);
  return o;
}

// The part of `all` (an inspection of many models' schemas) that an
// inspection of `schemas` alone gives: their objects, and every extension.
schema::Database part_of(const schema::Database& all, const std::vector<std::string>& schemas) {
  auto in = [&](const std::string& schema) {
    return std::binary_search(schemas.begin(), schemas.end(), schema);
  };
  schema::Database out;
  out.extensions = all.extensions;
  for (const auto& s : all.schemas) {
    if (in(s)) out.schemas.push_back(s);
  }
  for (const auto& e : all.enums) {
    if (in(e.name.schema)) out.enums.push_back(e);
  }
  for (const auto& t : all.tables) {
    if (in(t.name.schema)) out.tables.push_back(t);
  }
  for (const auto& q : all.sequences) {
    if (in(q.name.schema)) out.sequences.push_back(q);
  }
  for (const auto& f : all.functions) {
    if (in(f.name.schema)) out.functions.push_back(f);
  }
  for (const auto& v : all.views) {
    if (in(v.name.schema)) out.views.push_back(v);
  }
  return out;
}

}  // namespace

Observation observe(pqxx::connection_base& conn, const schema::Database& model,
                    const Baseline& baseline, const ObserveOptions& options, const Conflicts& met) {
  catalog::InspectStats inspect_stats;
  schema::Database actual = catalog::inspect(conn, model.schemas, &inspect_stats);
  int queries = inspect_stats.queries;
  Bookkept kept = read_bookkeeping(conn, model, actual, baseline.schema, queries);
  return compare_read(conn, model, actual, std::move(kept), baseline, options, met, queries);
}

std::vector<std::optional<Observation>> observe_batch(
    pqxx::connection_base& conn, const std::vector<const schema::Database*>& models,
    const std::vector<Baseline>& baselines, const diff::Replace& replace, int* statements) {
  std::vector<std::optional<Observation>> out(models.size());
  std::vector<std::string> schemas;
  for (const auto* m : models) schemas.insert(schemas.end(), m->schemas.begin(), m->schemas.end());
  std::sort(schemas.begin(), schemas.end());
  schemas.erase(std::unique(schemas.begin(), schemas.end()), schemas.end());
  catalog::InspectStats inspect_stats;
  const schema::Database all = catalog::inspect(conn, schemas, &inspect_stats);
  int queries = inspect_stats.queries;
  // Every model's alembic_version rows and schemad_memo answers, in one
  // statement: the inspection says which of those tables exist.
  std::vector<Bookkept> kept(models.size());
  std::vector<schema::Database> actual(models.size());
  std::string rows;
  const int major = apply::server_major(conn);
  for (std::size_t i = 0; i < models.size(); ++i) {
    std::vector<std::string> own = models[i]->schemas;
    std::sort(own.begin(), own.end());
    actual[i] = part_of(all, own);
    const std::string& schema = baselines[i].schema;
    if (!std::binary_search(own.begin(), own.end(), schema)) continue;  // read on its own below
    kept[i].stamp.table_exists = all.table({schema, apply::kAlembicVersionTable}) != nullptr;
    kept[i].memo_table = all.table({schema, apply::kMemoTable}) != nullptr;
    const std::string index = std::to_string(i);
    if (kept[i].stamp.table_exists) {
      rows += std::string(rows.empty() ? "" : " UNION ALL ") + "SELECT " + index +
              ", NULL::text, version_num::text FROM " + sql::ident(schema) + "." +
              sql::ident(apply::kAlembicVersionTable);
    }
    if (kept[i].memo_table) {
      rows += std::string(rows.empty() ? "" : " UNION ALL ") + "SELECT " + index +
              ", question, answer FROM " + sql::ident(schema) + "." +
              sql::ident(apply::kMemoTable) + " WHERE server_version = " + std::to_string(major);
    }
  }
  if (!rows.empty()) {
    pqxx::nontransaction tx(conn, "schemad-bookkeeping");
    for (const auto& row : tx.exec(rows)) {
      Bookkept& k = kept[row[0].as<std::size_t>()];
      if (row[1].is_null()) {
        k.stamp.revisions.push_back(row[2].c_str());
      } else {
        k.memo[row[1].c_str()] = row[2].c_str();
      }
    }
    queries += 1;
  }
  if (statements != nullptr) *statements = queries;
  const ObserveOptions options{true, false, false, replace};
  for (std::size_t i = 0; i < models.size(); ++i) {
    try {
      int spent = 0;
      std::vector<std::string> own = models[i]->schemas;
      std::sort(own.begin(), own.end());
      if (!std::binary_search(own.begin(), own.end(), baselines[i].schema)) {
        kept[i] = read_bookkeeping(conn, *models[i], actual[i], baselines[i].schema, spent);
      }
      std::sort(kept[i].stamp.revisions.begin(), kept[i].stamp.revisions.end());
      out[i] = compare_read(conn, *models[i], actual[i], std::move(kept[i]), baselines[i], options,
                            {}, spent);
      if (statements != nullptr) *statements += out[i]->queries;
    } catch (const std::exception& e) {
      // A model the server refuses, say: compared on its own, which reports it.
      spdlog::debug("batch observation of {}: {}", baselines[i].schema, e.what());
    }
  }
  return out;
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
