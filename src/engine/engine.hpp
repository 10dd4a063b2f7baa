#pragma once

// One reconcile: inspect, compare, and (in apply mode) heal under the
// advisory lock, then record the baseline revision. The pipeline that the
// one-shot commands and the daemon share.

#include <chrono>
#include <functional>
#include <memory>
#include <pqxx/connection_base>
#include <string>
#include <vector>

#include "apply/advisory_lock.hpp"
#include "apply/alembic_stamp.hpp"
#include "apply/executor.hpp"
#include "diff/diff.hpp"
#include "plan/plan.hpp"
#include "schema/schema.hpp"
#include "util/clock.hpp"

namespace schemad::engine {

// What the daemon keeps between reconciles so that a timer-triggered one
// with nothing to do costs two statements: the last no-op observation, the
// catalog version it was made at (catalog/version.hpp), and the model it
// compared.
struct ObservationCache;

struct Settings {
  std::string lock_name;  // "": default_lock_name(database, model schemas)
  std::chrono::milliseconds lock_wait{120000};
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
  // Called while a step waits for other sessions' locks (see ExecuteOptions).
  std::function<void(const apply::LockWait&)> on_wait;
  // When set, every reconcile that found nothing to do refreshes it; with
  // `reuse`, a reconcile whose model, revision, catalog version and
  // alembic_version rows are those of the cache reuses its observation (at
  // most kMaxReuses times in a row; then it inspects in full again).
  ObservationCache* cache = nullptr;
  bool reuse = false;
};

enum class Mode {
  check,  // read only: what is missing, what drifted
  apply,  // heal under the advisory lock
};

// What one comparison of the model with the database found.
struct Observation {
  diff::Result diff;
  apply::StampDecision stamp;
  int queries = 0;  // statements the observation sent

  // Nothing missing and the stamp current.
  bool satisfied() const { return diff.satisfied() && !stamp.pending(); }
};

struct Report {
  Mode mode = Mode::check;
  std::string revision;                  // the baseline revision
  Observation found;                     // before anything ran
  plan::Plan plan;                       // what heals `found` (apply ran it)
  std::vector<apply::StepResult> steps;  // apply: what ran
  bool stamped = false;                  // apply: the revision was recorded
  bool recorded = false;                 // apply: a schemad_history row was written
  Observation remaining;                 // apply: after the run; check: == found
  std::string error;                     // "" when the reconcile itself worked
  std::chrono::duration<double> duration{0};
  std::chrono::duration<double> lock_wait{0};

  // The database satisfies the model (afterwards, for apply). Drift does not
  // matter here; an error or several heads do.
  bool satisfied() const {
    return error.empty() && remaining.satisfied() && !remaining.stamp.error();
  }
};

struct ObservationCache {
  static constexpr int kMaxReuses = 9;
  bool valid = false;
  std::string fingerprint;      // the model's
  std::string revision;         // the baseline revision
  std::string catalog_version;  // taken before the observation
  Observation observation;
  int reuses = 0;
};

// The advisory lock every writer (reconcile, stamp, reset) takes on `conn`
// for `model`: Settings::lock_name, else default_lock_name(database, schemas).
std::unique_ptr<apply::AdvisoryLock> take_lock(pqxx::connection_base& conn,
                                               const schema::Database& model,
                                               const Settings& settings, util::Clock& clock);

// Runs one reconcile on `conn` (open, no transaction). Never throws: database
// errors, a model value the server refuses, or a lock that cannot be had are
// in Report::error, and nothing of a failed transaction remains.
Report converge(pqxx::connection_base& conn, const schema::Database& model, Mode mode,
                const Settings& settings, util::Clock& clock);

}  // namespace schemad::engine
