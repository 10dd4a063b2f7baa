#pragma once

// What the reconcile worker needs from the rest of schemad, as interfaces:
// reading the model and the Alembic versions folder, and a database
// session that can converge. The daemon uses the real ones
// (pg_backend.hpp); unit tests give fakes, so the worker's state machine
// (backoff, reloads, the stuck deadline) runs without a database or real
// time.

#include <memory>

#include "apply/alembic_stamp.hpp"
#include "config/config.hpp"
#include "engine/engine.hpp"
#include "fleet/run.hpp"
#include "schema/schema.hpp"
#include "service/progress.hpp"
#include "util/clock.hpp"

namespace schemad::service {

// One connection to the database. Used by the worker thread only, but for
// cancel().
class Session {
 public:
  virtual ~Session() = default;

  // False once the connection is known to be lost.
  virtual bool open() const = 0;
  // A round trip ("SELECT 1"); throws when the database does not answer.
  virtual void ping() = 0;
  // Thread-safe: asks the server to cancel the statement in progress.
  virtual void cancel() = 0;
  // One reconcile (engine::converge in apply mode). Never throws.
  virtual engine::Report converge(const schema::Database& model, const engine::Settings& settings,
                                  util::Clock& clock) = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;

  // The configured model (model::ModelError) and the revisions of its
  // versions folder (alembic::AlembicError); both throw std::exception
  // subclasses whose what() is the message to show.
  virtual schema::Database load_model(const config::Config& config) = 0;
  virtual apply::RevisionSource load_revisions(const config::Config& config) = 0;
  // A session to the configured database, created first when the
  // configuration asks (create_database). Throws when the database cannot
  // be reached; warnings (dropped URL parameters) are logged.
  virtual std::unique_ptr<Session> connect(const config::Config& config) = 0;
  // Fleet mode: this replica's targets listed afresh (fleet/targets.hpp) and
  // reconciled (fleet/run.hpp). A target's errors are in its result; throws
  // fleet::FleetError, fleet::ShardError or a connection's error when the
  // fleet itself cannot be listed.
  virtual fleet::Summary run_fleet(const config::Config& config, const schema::Database& model,
                                   const fleet::RunOptions& options, util::Clock& clock) = 0;
  // What reads the progress of a long step (service/progress.hpp), not yet
  // connected; null: the steps' seconds only.
  virtual std::unique_ptr<ProgressSource> progress_source(const config::Config&) { return nullptr; }
};

}  // namespace schemad::service
