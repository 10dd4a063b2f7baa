#pragma once

// The one-shot subcommands. Each returns the process exit code (see
// ExitCode) and prints results on standard output, logs on standard error.

#include <map>
#include <string>
#include <vector>

#include "context.hpp"
#include "engine/observe.hpp"
#include "fleet/shard.hpp"

namespace schemad::cli {

int run_validate(const Context& ctx);
int run_plan(const Context& ctx, const std::string& format, bool full = false);
int run_apply(const Context& ctx, bool create_database = false, bool full = false,
              const std::string& format = "text");
// check --strict: which drift exits 4.
enum class Strict {
  off,      // none (exit 0 with drift)
  all,      // --strict: any drift item
  differs,  // --strict=differs: an item of class differs or weaker (not ahead)
};
// "" (no --strict), "all" or "differs" (the option's values); throws
// std::invalid_argument otherwise.
Strict parse_strict(const std::string& value);
// Whether `found` holds drift that `strict` makes a failure: --strict any
// drift item; --strict=differs drift of class differs or weaker, the
// revision left alone in alembic_version included (engine::drift_by_class).
bool drift_fails(Strict strict, const engine::Observation& found);
// Some drift of class differs or weaker in engine::drift_by_class's counts.
bool contradicts(const std::map<std::string, std::size_t>& drift_by_class);

int run_check(const Context& ctx, Strict strict, const std::string& format, bool full = false);
int run_export_sql(const Context& ctx, bool with_stamp);

struct PullOptions {
  std::string format = "json";       // json (a model file) or sql
  std::vector<std::string> schemas;  // live database: these (default: model_schema)
  bool from_model = false;           // the configured model (a SQL one, normalised) instead
  std::string output;                // "": standard output
};
// Prints the model of a live database's schemas, or of the configured model.
int run_pull(const Context& ctx, const PullOptions& options);

// fleet_command.cpp: check, plan and apply when the configuration declares
// a fleet.
struct FleetOutput {
  std::string format = "text";  // text or json
  Strict strict = Strict::off;  // check: which drift exits 4
  bool full = false;            // inspect even when a recorded verification holds
  bool all = false;             // the table lists ok targets too
  bool changes = false;         // plan: each target's pending changes
};
int run_fleet(const Context& ctx, engine::Mode mode, const FleetOutput& output);
// fleet.shard parsed against this host's name; throws config::ConfigError
// (exit 2) for a malformed one, or an ordinal not below the count.
fleet::Shard fleet_shard(const config::Config& config);
// With a tenant template: fleet::check_template, its error as a
// CommandError naming the model file.
void check_fleet_model(const Context& ctx, const schema::Database& model);

// ops_commands.cpp
int run_probe(const std::string& url, double timeout_seconds);
struct ResetOptions {
  bool yes = false;
  std::string confirm;
  bool no_apply = false;
};
int run_reset(const Context& ctx, const ResetOptions& options);

// alembic_commands.cpp
int run_current(const Context& ctx);
int run_heads(const Context& ctx);
int run_history(const Context& ctx, int limit, bool verbose, const std::string& format);
int run_stamp(const Context& ctx, const std::string& revision, bool force);

}  // namespace schemad::cli
