#pragma once

// schemad's configuration (docs/configuration.md): defaults, the JSON
// file, environment overrides. Command-line options are applied by the CLI on
// top, so the order of precedence is: options > environment > file.

#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace schemad::config {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HttpConfig {
  std::string listen = "127.0.0.1:9432";  // "" turns HTTP off
  std::string admin_token;
  std::string admin_token_file;
  // How long a client has to send a whole request (a slow client cannot
  // hold a connection longer).
  int read_timeout_seconds = 10;
};

struct ReconcileConfig {
  int interval_seconds = 0;
  int debounce_ms = 500;
  int lock_timeout_ms = 5000;
  int statement_timeout_ms = 0;
  int lock_retry_seconds = 120;
  int connect_timeout_seconds = 10;
  // The daemon: how often it checks that the database still answers when
  // nothing else happens, and how long a stop waits for a running reconcile.
  int health_check_seconds = 10;
  int shutdown_grace_seconds = 10;
  // How often the log tells how far a long online step has come.
  int progress_log_seconds = 10;
};

struct AlembicConfig {
  std::string revision;
  std::string versions_dir;
  std::string version_table_schema = "public";
};

// SQL models: where they are normalised (docs/sql-models.md).
struct ScratchConfig {
  std::string database = "schemad_scratch";  // on the target's server, created once
  std::string url;                           // a dedicated empty database instead
  int statement_timeout_ms = 60000;          // each statement of a build
};

// Fleet mode (docs/fleet.md): one model over many tenant schemas and
// databases. Off unless `tenant_template` or a database list is set.
struct FleetConfig {
  // Tenant schemas: the model's objects in schema `tenant_template` are made
  // in every schema whose name is LIKE `tenant_like`, or that the SQL query
  // `tenant_query` returns (one text column), in every database of the fleet.
  std::string tenant_template;
  std::string tenant_like;
  std::string tenant_query;
  // Databases: these URLs, or every database of database_url's server whose
  // name is LIKE `database_like`, or whose name the SQL query
  // `database_query` returns (one text column, run on database_url).
  // None: database_url alone.
  std::vector<std::string> database_urls;
  std::string database_like;
  std::string database_query;
  int concurrency = 4;  // targets worked on at once
  // Never more sessions than this at once. The targets are listed first,
  // one session at a time, before any worker starts.
  int max_connections = 8;
  std::string on_failure = "continue";  // or "stop": at the first failed target
  int max_failures = 0;                 // continue: stop after this many failures (0: no limit)
  int max_failure_percent = 0;          // ... or this share of the targets (0: no limit)
  std::vector<std::string> canary;      // targets healed first; a failure stops the rest
  int retries = 1;                      // a failed or locked target is tried again this often
  int retry_backoff_ms = 1000;          // before the first retry; doubled each time
  std::string shard;                    // "", "i/n" or "ordinal/n" (SCHEMAD_FLEET_SHARD)

  bool enabled() const {
    return !tenant_template.empty() || !database_urls.empty() || !database_like.empty() ||
           !database_query.empty();
  }
};

struct LogConfig {
  std::string level = "info";   // trace, debug, info, warn, error
  std::string format = "text";  // text, json
};

struct Config {
  std::string database_url;
  // Where database_url came from, for messages: "--database-url",
  // "ALEMBIC_DATABASE_URL", "DATABASE_URL", "config file", or "" (libpq's
  // PG* environment variables then apply).
  std::string database_url_source;
  std::string model;  // "": the embedded example model
  // "auto" (a directory or a name ending in .sql: sql; else json), "json"
  // or "sql".
  std::string model_format = "auto";
  // A SQL model's default schema: unqualified names are created there.
  std::string model_schema = "public";
  // Largest model accepted, in bytes; 0: 16 MiB for a JSON model, 64 MiB for
  // a SQL model (its files together).
  int model_max_bytes = 0;
  ScratchConfig scratch;
  std::string environment = "production";
  std::string lock_name;  // "": database name + model schemas
  // The kinds whose differing definitions are replaced rather than reported
  // (docs/configuration.md): "functions", "views", "triggers"; none by default.
  std::vector<std::string> replace;
  bool create_database = false;
  std::string password_file;  // SCHEMAD_DATABASE_PASSWORD_FILE
  HttpConfig http;
  ReconcileConfig reconcile;
  AlembicConfig alembic;
  LogConfig log;
  FleetConfig fleet;
  std::string file;  // the config file read, if any
};

// Largest configuration file accepted (1 MiB; a real one is a few hundred
// bytes).
inline constexpr std::size_t kMaxConfigBytes = 1024u * 1024u;
// Deepest nesting of objects and arrays accepted (the format needs 2).
inline constexpr int kMaxConfigDepth = 64;

// Reads a config file over the defaults. Relative paths in it (model,
// admin_token_file, versions_dir) are taken relative to the file's folder.
// The JSON is read as strictly as the model's: a key repeated in one
// object, a number out of range or nesting deeper than kMaxConfigDepth is
// an error. Unknown keys are errors (keys starting with "x-" excepted);
// messages name the file and the key path: "schemad.json:
// reconcile.lock_timeout_ms: must be a non-negative integer", and quote at
// most 64 bytes of a value or key. Only a regular file of at most
// kMaxConfigBytes is read: a FIFO, a device or a larger file is a
// ConfigError naming the file ("schemad.json: cannot read the configuration
// file: not a regular file"), never a wait or an unbounded read.
Config load_file(const std::string& path);

// The same for text already read; `path` names it in messages and is the
// base of its relative paths.
Config parse_text(std::string_view text, const std::string& path);

// Looks up an environment variable; injected so tests need no real environment.
using Getenv = std::function<std::optional<std::string>(const std::string&)>;
Getenv process_environment();

// Applies SCHEMAD_MODEL, SCHEMAD_ENV, SCHEMAD_HTTP_LISTEN,
// SCHEMAD_ADMIN_TOKEN_FILE, SCHEMAD_LOG_LEVEL, SCHEMAD_LOG_FORMAT,
// SCHEMAD_DATABASE_PASSWORD_FILE (else $CREDENTIALS_DIRECTORY/database-password
// when systemd provides that credential), and the database URL from
// ALEMBIC_DATABASE_URL, then DATABASE_URL (each only when set and non-empty).
void apply_environment(Config& config, const Getenv& getenv);

// Checks values that no single key can check alone; throws ConfigError.
void validate(const Config& config);

}  // namespace schemad::config
