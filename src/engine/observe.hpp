#pragma once

// Observing: the catalog of the model's schemas inspected (catalog/), the
// model's text normalised by the server where schemad cannot predict it
// (probe.hpp), the two compared (diff/), the alembic_version stamp decided
// (apply/alembic_stamp.hpp), and the changes that the data blocks set aside
// as drift. Reads only; every statement is counted in Observation::queries.

#include <map>
#include <optional>
#include <pqxx/connection_base>
#include <string>
#include <vector>

#include "alembic/graph.hpp"
#include "apply/alembic_stamp.hpp"
#include "apply/executor.hpp"
#include "apply/memo.hpp"
#include "diff/diff.hpp"
#include "schema/schema.hpp"

namespace schemad::engine {

// A revision that alembic_version keeps against the model's, as drift: a
// descendant of the model's (the database is ahead: a newer model stamped
// it) or one whose relation to it is unknown (differs); nullopt otherwise.
std::optional<diff::DriftClass> stamp_drift_class(const apply::StampDecision& stamp);

// What one comparison of the model with the database found.
struct Observation {
  diff::Result diff;
  apply::StampDecision stamp;
  // Changes the data blocks (rows that violate them), as data_conflict items
  // naming the change and why: taken out of diff.changes, so that nothing
  // tries them again on every tick, yet still missing from the database.
  std::vector<diff::Drift> blocked;
  // The server's answers this observation asked for (schemad_memo keeps
  // them), and the model paths it compared without one (a run that may not
  // write, before any apply recorded the answers).
  apply::Answers learned;
  std::vector<std::string> unverified;
  // Questions about what the run is to create could not be asked before it
  // exists (it needs an extension or a type created with it).
  bool learn_after = false;
  // schemad_memo exists, and the verification it records for the model's
  // schemas (verified.hpp; "" when none): a no-op run that may write
  // records a new one only when it differs.
  bool memo_table = false;
  std::string verification;
  int queries = 0;  // statements the observation sent

  // A copy of all but `diff` (left empty): for a caller about to set a
  // diff of its own, without copying a large one first.
  Observation without_diff() const {
    Observation o;
    o.stamp = stamp;
    o.blocked = blocked;
    o.learned = learned;
    o.unverified = unverified;
    o.learn_after = learn_after;
    o.memo_table = memo_table;
    o.verification = verification;
    o.queries = queries;
    return o;
  }

  // Nothing missing, nothing blocked, and the stamp current.
  bool satisfied() const { return diff.satisfied() && !stamp.pending() && blocked.empty(); }
  // Something healing can do now: a pending change, or the stamp.
  bool actionable() const { return !diff.satisfied() || stamp.pending(); }
};

// What `found` drifted by class label ("ahead", "differs", "weaker"), every
// class present: its drift items, and a revision left alone in
// alembic_version (stamp_drift_class).
std::map<std::string, std::size_t> drift_by_class(const Observation& found);

// The revision to record and where: the baseline revision, the schema of
// alembic_version and schemad_history, and the versions folder's graph
// (null without one).
struct Baseline {
  std::string revision;
  std::string schema = "public";
  const alembic::RevisionGraph* graph = nullptr;
};

// A change the rows prevent: its description (the drift's object) and why
// ("could not create unique index ... (Key (sku)=(a) is duplicated.)").
struct Conflict {
  std::string description;
  std::string reason;
};
using Conflicts = std::map<std::string, Conflict>;  // by Change::key()

struct ObserveOptions {
  // The changes whose last attempt schemad_history records as blocked by
  // the data are set aside, not pending (so that the timer does not scan a
  // big table for nothing).
  bool consult_history = false;
  // The run writes anyway (apply, the daemon): what schemad_memo does not
  // answer may be asked of the server, which takes scratch DDL. Without it,
  // an observation sends no DDL and writes nothing.
  bool may_write = false;
  // With may_write, before creating objects (under the lock): also learn
  // how the server will print what is created (questions.hpp).
  bool learn_ahead = false;
  // What a differing definition may be replaced by (Settings::replace).
  diff::Replace replace;
};

// Compares `model` with the database. `met`: conflicts met in this very
// run, set aside too. Throws ProbeError for a model value the server
// refuses, pqxx errors otherwise. Precondition: no transaction open on
// `conn`.
Observation observe(pqxx::connection_base& conn, const schema::Database& model,
                    const Baseline& baseline, const ObserveOptions& options,
                    const Conflicts& met = {});

// Many models in one database at once, read-only, as observe() with
// options {consult_history, no writing} would see each (a fleet's tenants,
// each with its bookkeeping in its own schema, baselines[i].schema): ONE
// inspection of all their schemas, one statement for every model's
// alembic_version rows and schemad_memo answers, then each model compared
// in memory with its part of the catalog. What a single model may still
// read on its own: its history, when the stamp or a pending change needs
// it. nullopt for a model whose comparison threw (the server refused its
// text): observe it on its own, which reports why. `statements`: what it
// sent in all. Throws pqxx errors when the shared reads fail.
std::vector<std::optional<Observation>> observe_batch(
    pqxx::connection_base& conn, const std::vector<const schema::Database*>& models,
    const std::vector<Baseline>& baselines, const diff::Replace& replace, int* statements);

// Pure: moves the pending changes that `blocked` names into
// Observation::blocked (holding the stamp back: the database lacks what they
// declare), and adds drift for the conflicts in `met` whose change is not
// pending (a constraint left NOT VALID: its own drift says so, this says
// why).
void set_aside(Observation& observation, const Conflicts& blocked, const Conflicts& met);

// The data conflicts among a run's step results.
Conflicts conflicts_of(const std::vector<apply::StepResult>& steps);

}  // namespace schemad::engine
