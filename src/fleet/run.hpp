#pragma once

// A fleet run (docs/fleet.md): the engine's reconcile for every target, a
// tenant schema or a whole database, each in its own session and under its
// own advisory lock, so that a tenant is never half-applied and two
// replicas can work on different tenants at once. Bounded concurrency, a
// canary set first, retries with backoff, a failure budget.

#include <atomic>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "engine/engine.hpp"
#include "fleet/targets.hpp"
#include "schema/schema.hpp"
#include "util/clock.hpp"

namespace schemad::fleet {

// The pending changes, and the drift items, a target's result lists at most.
inline constexpr std::size_t kMaxChanges = 50;

enum class State {
  ok,       // satisfies the model, no drift
  drift,    // satisfies the model; drift reported
  pending,  // something is missing (check), or the stamp waits
  failed,   // an error: the model, the data, privileges, the connection
  locked,   // other sessions' locks held it up past reconcile.lock_retry_seconds
  skipped,  // not attempted: the failure budget, a failed canary, its shared objects
};
inline constexpr State kStates[] = {State::ok,     State::drift,  State::pending,
                                    State::failed, State::locked, State::skipped};
const char* to_string(State state);

// Every TargetResult::error_kind a failed or locked target can have: the
// database's error kinds (db::to_string; connection_lost when it could not
// connect), "discovery" (the tenants could not be listed), "stamp" (alembic_version
// could not be decided) and "incomplete" (an apply left changes missing).
std::vector<std::string> failure_kinds();

struct TargetResult {
  std::string key;       // "db/schema", "db", or "db (shared)"
  std::string database;  // its name
  std::string schema;    // the tenant schema; "" for a database or a shared part
  bool shared = false;   // a database's shared objects (built before its tenants)
  State state = State::skipped;
  std::string error;       // failed, locked, skipped: why
  std::string error_kind;  // db::to_string of the first error's kind ("" for none)
  // locked: the sessions in the way, as Blocker::describe() says
  std::vector<std::string> blockers;
  std::size_t applied = 0;                     // steps that ran
  std::map<std::string, int> applied_by_kind;  // by diff::to_string(ChangeKind)
  std::size_t pending = 0;                     // changes still missing (a pending stamp counts one)
  std::size_t drift = 0;                       // drift items
  // engine::drift_by_class of its observation; empty before a comparison
  std::map<std::string, std::size_t> drift_by_class;
  // pending: what is missing, one line each (at most kMaxChanges)
  std::vector<std::string> changes;
  // drift: the first kMaxChanges items
  std::vector<diff::Drift> drift_items;
  int attempts = 0;       // reconciles run (retries included)
  int statements = 0;     // catalog statements of its last observation
  bool verified = false;  // a recorded verification answered
  double seconds = 0;
};

struct Summary {
  engine::Mode mode = engine::Mode::check;
  std::vector<TargetResult> shared;    // per database with tenants, when the model shares objects
  std::vector<TargetResult> targets;   // by key
  std::vector<std::string> elsewhere;  // the keys of other shards' targets
  std::string stopped;                 // why the run stopped early; "" when it did not
  double seconds = 0;

  std::map<State, std::size_t> counts() const;  // targets and shared parts, every state present
  // Every target and shared part ok or drift.
  bool satisfied() const;
  // Some failed, locked or were skipped.
  bool partial() const;
};

struct RunOptions {
  engine::Mode mode = engine::Mode::check;
  // The settings of a single-database run; each target gets a copy with its
  // own alembic_version schema and lock.
  engine::Settings settings;
  config::FleetConfig fleet;
  std::string lock_name;  // the configuration's; "" for the default
  // Set by another thread to stop: targets not started are skipped.
  const std::atomic<bool>* cancel = nullptr;
};

// The model one tenant gets: the template's objects moved to `tenant`, and
// nothing else: the shared objects are the database's shared part's (a
// foreign key to a shared table is marked external; a column of a shared
// enum names it in its schema). Its schemas are {tenant}, so that a tenant
// inspects, locks and keeps its bookkeeping in its own schema. Its revision
// is `revision` (the whole model's): every tenant records the same one.
schema::Database tenant_model(const schema::Database& model, const std::string& tmpl,
                              const std::string& tenant, const std::string& revision);

// Runs `options.mode` over `fleet`. Never throws: each target's errors are
// in its result. Precondition: the model passed check_template when the
// fleet has tenant schemas.
Summary run(const Fleet& fleet, const schema::Database& model, const RunOptions& options,
            util::Clock& clock);

}  // namespace schemad::fleet
