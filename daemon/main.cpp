// schemad: keeps a PostgreSQL database at least as complete as a declared
// model. This file is the command line; the work happens in src/.

#include <signal.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "commands.hpp"
#include "config/config.hpp"
#include "model/load.hpp"
#include "service/service.hpp"

namespace {

constexpr const char* kDescription =
    "schemad keeps a PostgreSQL database at least as complete as a declared model:\n"
    "it creates what is missing and reports, never changes, what drifted.\n\n"
    "Database URL: --database-url, else ALEMBIC_DATABASE_URL, else DATABASE_URL, else\n"
    "the config file's database_url, else libpq's PG* variables. Model: --model, else\n"
    "SCHEMAD_MODEL, else the config file's model, else the embedded example model.\n\n"
    "Exit codes: 0 ok, 1 error, 2 usage, 3 changes pending (check), 4 drift (check --strict).";

}  // namespace

int main(int argc, char** argv) {
  // A lost connection must be an error to handle, not a silent death.
  ::signal(SIGPIPE, SIG_IGN);
  using namespace schemad;

  CLI::App app{kDescription, "schemad"};
  app.set_version_flag("--version", std::string("schemad ") + SCHEMAD_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  cli::GlobalOptions global;
  app.add_option("-c,--config", global.config_file,
                 "configuration file (JSON; default: $SCHEMAD_CONFIG, else none)");
  app.add_option("-d,--database-url", global.database_url,
                 "database URL (libpq or SQLAlchemy style); the password is never printed");
  app.add_option("-m,--model", global.model, "model file (JSON)");
  app.add_option("--log-level", global.log_level, "trace, debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_option("--log-format", global.log_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--versions-dir", global.versions_dir,
                 "an Alembic versions/ folder (alembic.versions_dir): its single head is the "
                 "baseline revision when neither the model nor alembic.revision names one");

  auto* validate = app.add_subcommand("validate", "load and check the model; no database");
  auto* plan = app.add_subcommand(
      "plan", "print the SQL that apply would run, and the drift; change nothing");
  std::string plan_format = "sql";
  plan->add_option("--format", plan_format, "sql or json")->check(CLI::IsMember({"sql", "json"}));
  auto* apply = app.add_subcommand(
      "apply",
      "create what is missing, record the revision; exit 0 when the database then "
      "satisfies the model");
  bool create_database = false;
  apply->add_flag("--create-database", create_database,
                  "create the database first when it does not exist (through the server's "
                  "postgres maintenance database; the role needs CREATEDB); also config "
                  "create_database");
  auto* check = app.add_subcommand(
      "check",
      "exit 0 when nothing is missing, 3 when changes are pending, 4 with --strict "
      "when there is drift, 1 on error");
  bool strict = false;
  std::string check_format = "text";
  check->add_flag("--strict", strict, "drift is a failure too (exit 4)");
  check->add_option("--format", check_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  auto* run = app.add_subcommand(
      "run",
      "the service: reconcile at start-up, on SIGHUP, on model changes, on a timer and on "
      "POST /reconcile; serve /healthz, /readyz, /status and /metrics; stop on SIGTERM");
  auto* export_sql = app.add_subcommand(
      "export-sql", "print the DDL of the whole model for an empty database (psql -1 -f)");
  bool with_stamp = false;
  export_sql->add_flag("--with-stamp", with_stamp, "also record the revision in alembic_version");

  auto* current = app.add_subcommand(
      "current", "print the revision(s) in alembic_version, one per line (nothing when none)");
  auto* heads = app.add_subcommand(
      "heads", "print the heads of the Alembic versions folder, as `alembic heads` does");
  auto* history = app.add_subcommand(
      "history", "print schemad_history, newest first: every change schemad made, and stamps");
  int history_limit = 0;
  bool history_verbose = false;
  std::string history_format = "text";
  history->add_option("-n,--limit", history_limit, "the newest N rows only (default: all)")
      ->check(CLI::NonNegativeNumber);
  history->add_flag("-v,--verbose", history_verbose, "list each row's steps");
  history->add_option("--format", history_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  auto* stamp = app.add_subcommand(
      "stamp",
      "record REVISION in alembic_version by hand, under the same rules as apply: the database "
      "must satisfy the model, and only a missing or older revision is replaced");
  std::string stamp_revision;
  bool stamp_force = false;
  stamp->add_option("revision", stamp_revision, "the revision to record")->required();
  stamp->add_flag("--force", stamp_force,
                  "skip the rules: alembic_version then holds exactly REVISION");

  auto* probe = app.add_subcommand(
      "probe",
      "GET an HTTP URL and exit 0 on a 2xx answer, 1 otherwise: a container health check "
      "that needs no curl (reads no configuration, touches no database)");
  std::string probe_url;
  double probe_timeout = 2;
  probe->add_option("--url", probe_url, "http://host:port/path, e.g. http://127.0.0.1:9432/readyz")
      ->required();
  probe->add_option("--timeout", probe_timeout, "seconds for the whole exchange (default 2)")
      ->check(CLI::PositiveNumber);
  auto* reset = app.add_subcommand(
      "reset",
      "development only: drop every table and enum of the model (CASCADE), alembic_version "
      "and schemad_history, then apply the model again. Runs only when the environment is "
      "development (config environment or SCHEMAD_ENV) and --yes and --confirm DATABASE are "
      "given; otherwise exits 2 and touches nothing");
  cli::ResetOptions reset_options;
  reset->add_flag("--yes", reset_options.yes, "yes, drop them");
  reset->add_option("--confirm", reset_options.confirm, "the database's name, typed out");
  reset->add_flag("--no-apply", reset_options.no_apply, "drop only; do not apply the model");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return cli::kUsage;
  }

  // The health check reads no configuration: a broken file must not make a
  // healthy daemon look sick.
  if (probe->parsed()) return cli::run_probe(probe_url, probe_timeout);

  try {
    cli::Context ctx(global);
    if (validate->parsed()) return cli::run_validate(ctx);
    if (plan->parsed()) return cli::run_plan(ctx, plan_format);
    if (apply->parsed()) return cli::run_apply(ctx, create_database);
    if (reset->parsed()) return cli::run_reset(ctx, reset_options);
    if (check->parsed()) return cli::run_check(ctx, strict, check_format);
    if (export_sql->parsed()) return cli::run_export_sql(ctx, with_stamp);
    if (current->parsed()) return cli::run_current(ctx);
    if (heads->parsed()) return cli::run_heads(ctx);
    if (history->parsed()) {
      return cli::run_history(ctx, history_limit, history_verbose, history_format);
    }
    if (stamp->parsed()) return cli::run_stamp(ctx, stamp_revision, stamp_force);
    if (run->parsed()) {
      return service::run_service({ctx.config(), global});
    }
  } catch (const config::ConfigError& e) {
    std::cerr << "schemad: " << e.what() << "\n";
    return cli::kUsage;
  } catch (const model::ModelError& e) {
    std::cerr << "schemad: " << e.what() << "\n";
    return cli::kError;
  } catch (const std::exception& e) {
    // ConnectError, CommandError, an unparseable URL, a database error:
    // none of these messages carry the password.
    std::cerr << "schemad: " << e.what() << "\n";
    return cli::kError;
  }
  return cli::kUsage;
}
