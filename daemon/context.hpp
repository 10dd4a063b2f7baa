#pragma once

// What every subcommand needs, resolved once from the command line, the
// environment and the configuration file (in that order of precedence).

#include <memory>
#include <optional>
#include <pqxx/connection>
#include <string>

#include "config/config.hpp"
#include "config/resolve.hpp"
#include "db/connection.hpp"
#include "engine/engine.hpp"
#include "schema/schema.hpp"

namespace schemad::cli {

// Options common to every subcommand, as given on the command line.
using GlobalOptions = config::Overrides;

// Exit codes (README, "Exit codes").
enum ExitCode : int {
  kOk = 0,
  kError = 1,
  kUsage = 2,
  kPending = 3,
  kDrift = 4,
  kScratch = 5,  // a SQL model, and no scratch database to normalise it in
  kPartial = 6,  // a fleet: some targets failed, were locked or were not attempted
};

// A failure to report on standard error with exit code 1.
class CommandError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Context {
 public:
  // Reads the configuration and sets up logging; throws config::ConfigError.
  explicit Context(const GlobalOptions& options);

  const config::Config& config() const { return config_; }
  // The model file's name for messages ("<embedded example model>" when none).
  const std::string& model_name() const { return model_name_; }
  // Loads and validates the model (a SQL model: normalised in the scratch
  // database; its objects that schemad does not manage are logged as
  // warnings); throws model::ModelError, scratch::ScratchError and the
  // connection's errors.
  schema::Database load_model() const;
  // The model is SQL (it needs the database to be loaded).
  bool sql_model() const;
  // Connects to the database; throws db::ConnectError or
  // std::invalid_argument (a URL libpq cannot parse).
  std::unique_ptr<pqxx::connection> connect() const;
  // Creates the target database when it does not exist (apply
  // --create-database, config create_database); true when it did.
  bool ensure_database() const;
  // The database the URL names (for reset's --confirm), without connecting.
  std::string database_name() const;
  // Where the database is, without the password.
  std::string target() const;
  // The engine's settings; reads alembic.versions_dir the first time
  // (throws alembic::AlembicError naming the folder).
  engine::Settings settings() const;
  const apply::RevisionSource& revisions() const;

 private:
  config::Config config_;
  std::string model_name_;
  mutable std::optional<apply::RevisionSource> revisions_;
};

}  // namespace schemad::cli
