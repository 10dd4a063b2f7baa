#pragma once

// The engine: one comparison of the model with the database and, in apply
// mode, the healing under the advisory lock, with the baseline revision
// recorded. The one-shot commands and the daemon share it. Its steps, each
// in a file of its own:
//
//   converge (engine.cpp)  reuse a cached no-op observation (cache.hpp), or
//                          observe without the lock (observe.hpp); heal
//                          when something is missing
//   heal (heal.cpp)        lock, observe again, execute the plan with its
//                          bookkeeping (apply/executor.hpp), settle what
//                          remains, record
//   explain (explain.hpp)  errors the model caused, in the model's terms

#include <chrono>
#include <functional>
#include <optional>
#include <pqxx/connection_base>
#include <string>
#include <vector>

#include "apply/alembic_stamp.hpp"
#include "apply/executor.hpp"
#include "db/error.hpp"
#include "engine/observe.hpp"
#include "plan/plan.hpp"
#include "schema/schema.hpp"
#include "util/clock.hpp"

namespace schemad::engine {

struct ObservationCache;

struct Settings {
  std::string lock_name;  // "": default_lock_name(database, model schemas)
  // How long to wait for the advisory lock, and to retry a step that
  // other sessions' locks hold up (reconcile.lock_retry_seconds).
  std::chrono::milliseconds lock_retry{120000};
  int statement_timeout_ms = 0;
  std::string version_table_schema = "public";  // alembic_version and schemad_history
  apply::RevisionSource revisions;              // alembic.revision, alembic.versions_dir
  std::string trigger = "apply";                // what asked for the reconcile, for the history
  // Try again the changes that the history says the data blocked (a unique
  // index over duplicates, a constraint the rows violate). Explicit requests
  // do (apply, start-up, SIGHUP, POST /reconcile, a model change); the
  // daemon's timer and check do not.
  bool retry_conflicts = true;
  // The configuration's "replace": differing functions, views, triggers.
  diff::Replace replace;
  // Called while a step waits for other sessions' locks, and when that
  // wait is over (see ExecuteOptions).
  std::function<void(const apply::LockWait&)> on_wait;
  std::function<void()> on_wait_over;
  // Called when a step that runs alone starts and ends (see ExecuteOptions).
  std::function<void(const plan::Step*, int)> on_step;
  // When set, every reconcile that found nothing to do refreshes it; with
  // `reuse`, a reconcile whose model, revision, catalog version and
  // alembic_version rows are those of the cache reuses its observation (at
  // most ObservationCache::kMaxReuses times in a row).
  ObservationCache* cache = nullptr;
  bool reuse = false;
  // Trust a recorded verification (verified.hpp): when the catalog version,
  // the model, the revision, alembic_version's rows and these settings are
  // those a full comparison recorded, report that comparison again instead
  // of inspecting. The one-shot check, plan and apply do, unless --full.
  bool trust_record = false;
};

enum class Mode {
  check,  // read only: what is missing, what drifted
  apply,  // heal under the advisory lock
};

const char* to_string(Mode mode);

struct Report {
  Mode mode = Mode::check;
  std::string revision;                  // the baseline revision
  Observation found;                     // before anything ran (under the lock, for apply)
  plan::Plan plan;                       // what heals `found` (apply ran it)
  std::vector<apply::StepResult> steps;  // apply: what ran
  bool stamped = false;                  // apply: the revision was recorded
  bool recorded = false;                 // apply: a schemad_history row was written
  Observation remaining;                 // apply: after the run; check: == found
  plan::Plan pending;                    // what would heal `remaining`; check: == plan
  std::vector<db::Error> errors;         // none when the reconcile itself worked
  int observations = 0;                  // full comparisons with the catalog made
  // The answer came from a recorded verification: when it was recorded (the
  // server's text); empty when this run compared.
  std::string verified_at;
  std::chrono::duration<double> duration{0};
  std::chrono::duration<double> lock_wait{0};

  // The database satisfies the model (afterwards, for apply). Drift does not
  // matter here; an error or several heads do.
  bool satisfied() const {
    return errors.empty() && remaining.satisfied() && !remaining.stamp.error();
  }
  // The errors, one line: "a; b"; "" when none.
  std::string error_text() const;
  // Some error came from the model's text (Error::path is set).
  bool model_error() const;
};

// Runs one reconcile on `conn` (open, no transaction). Never throws:
// database errors, a model value the server refuses, or a lock that cannot
// be had are in Report::errors, and nothing of a failed transaction remains.
Report converge(pqxx::connection_base& conn, const schema::Database& model, Mode mode,
                const Settings& settings, util::Clock& clock);

// Before a JSON model is even read: the report the verification recorded
// for the model whose text has SHA-256 `source` gives again, when nothing it
// depends on changed (verified.hpp; three statements); nullopt otherwise,
// and on any error (the full run then reports it). Reads only.
std::optional<Report> converge_recorded(pqxx::connection_base& conn, const std::string& source,
                                        Mode mode, const Settings& settings, util::Clock& clock);

// Many models in one database at once (a fleet's tenants, each with its
// bookkeeping in its own schema: `schemas[i]` is models[i]'s
// version_table_schema): what each one's recorded verification gives, as
// `converge` trusting records would, in three statements whatever their
// number; nullopt for a model without a record, or whose record no longer
// holds (converge that one). Reads only; on an error every entry is
// nullopt. `statements`: what it sent.
std::vector<std::optional<Report>> converge_recorded_batch(
    pqxx::connection_base& conn, const std::vector<const schema::Database*>& models,
    const std::vector<std::string>& schemas, Mode mode, const Settings& settings,
    util::Clock& clock, int* statements = nullptr);

// check for many models in one database at once (a fleet's tenants, each
// with its bookkeeping in `schemas[i]`): one inspection of all their
// schemas, each compared in memory (observe_batch), each report what
// `converge` in check mode without a record would give. nullopt for a model
// the batch could not compare (converge that one: it reports why); every
// entry nullopt when the shared reads failed. `statements`: what it sent.
std::vector<std::optional<Report>> check_batch(pqxx::connection_base& conn,
                                               const std::vector<const schema::Database*>& models,
                                               const std::vector<std::string>& schemas,
                                               const Settings& settings, util::Clock& clock,
                                               int* statements = nullptr);

// The executor's options for these settings.
apply::ExecuteOptions execute_options(const Settings& settings);

}  // namespace schemad::engine
