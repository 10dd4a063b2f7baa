#pragma once

// A SQL model made into the desired schema::Database by PostgreSQL itself
// (docs/sql-models.md): the script runs in a scratch database on the
// target's server, inside one transaction that is always rolled back, and
// what it made is read with the very inspection schemad runs on the target
// (catalog/inspect.hpp). The result is in the server's canonical form, so
// nothing of it is predicted or probed. Not one statement of the script
// reaches the target database: the target is only read (its server
// version, its extensions, the keys of tables the script references in
// schemas it does not create).

#include <memory>
#include <mutex>
#include <pqxx/connection_base>
#include <stdexcept>
#include <string>

#include "config/config.hpp"
#include "db/connection.hpp"
#include "model/sql_script.hpp"
#include "schema/schema.hpp"

namespace schemad::scratch {

// The scratch database cannot be used. what() says why and how to fix it:
//   unavailable  it does not exist and may not be created, or cannot be
//                reached
//   unsuitable   it holds relations, or its server has another major
//                version than the target's
class ScratchError : public std::runtime_error {
 public:
  enum class Reason { unavailable, unsuitable };
  ScratchError(Reason reason, const std::string& message)
      : std::runtime_error(message), reason_(reason) {}
  Reason reason() const { return reason_; }

 private:
  Reason reason_;
};

struct Options {
  std::string database = "schemad_scratch";  // on the target's server
  std::string url;                           // a dedicated database instead (scratch_url)
  std::string password_file;                 // for url, as for the target
  int statement_timeout_ms = 60000;          // each statement of the build
  int connect_timeout_seconds = 10;
  std::string default_schema = "public";
  // Where alembic_version, schemad_history and schemad_memo are: such
  // tables in a script (a pg_dump keeps them) are not part of the model.
  std::string version_table_schema = "public";
};

// The options the configuration gives (scratch_database, scratch_url,
// default_schema, the connect timeout).
Options options_from(const config::Config& config);

// What one normalisation cost, for logs and the benchmark.
struct Stats {
  bool cached = false;
  int target_queries = 0;   // statements sent to the target (reads only)
  int scratch_queries = 0;  // statements sent to the scratch database
  int script_statements = 0;
  // The build refreshed its catalogs' statistics before reading them (not
  // when schemad's role does not own the scratch database, nor when another
  // build held them).
  bool statistics_refreshed = false;
};

// The last normalised model, by the key of what made it: the script's
// SHA-256, the server version and the versions and schemas of the
// extensions the script names, and the keys of the stubbed tables.
// Thread-safe.
class Cache {
 public:
  std::shared_ptr<const schema::Database> find(const std::string& key) const;
  void store(const std::string& key, std::shared_ptr<const schema::Database> model);

 private:
  mutable std::mutex mutex_;
  std::string key_;
  std::shared_ptr<const schema::Database> model_;
};

// Normalises `script` against the target behind `target` (open, no
// transaction), whose connection options `target_options` are (the scratch
// database on the same server is reached with them). Throws
// model::ModelError (file:line:column of a statement the server refused,
// and its message), ScratchError, db::ConnectError, or pqxx errors of the
// target. The result is a model: paths are "file:line:column" of the
// statement that created each table and enum, its fingerprint set, and
// Database::not_managed filled.
schema::Database normalize(pqxx::connection_base& target,
                           const db::ConnectionOptions& target_options,
                           const model::SqlScript& script, const Options& options,
                           Cache* cache = nullptr, Stats* stats = nullptr);

}  // namespace schemad::scratch
