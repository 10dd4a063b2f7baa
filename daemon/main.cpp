// schemad: keeps a PostgreSQL database at least as complete as a declared
// model. This file is the command line; the work happens in src/.

#include <signal.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "commands.hpp"
#include "config/config.hpp"
#include "model/load.hpp"
#include "scratch/normalize.hpp"
#include "service/service.hpp"

namespace {

using namespace schemad;

constexpr const char* kDescription =
    "schemad keeps a PostgreSQL database at least as complete as a declared model:\n"
    "it creates what is missing and reports, never changes, what drifted.\n\n"
    "Database URL: --database-url, else ALEMBIC_DATABASE_URL, else DATABASE_URL, else\n"
    "the config file's database_url, else libpq's PG* variables. Model: --model, else\n"
    "SCHEMAD_MODEL, else the config file's model, else the embedded example model.\n"
    "A SQL model is run by PostgreSQL in a scratch database, in a transaction that is\n"
    "always rolled back; nothing of it reaches the target.\n\n"
    "Exit codes: 0 ok, 1 error, 2 usage, 3 changes pending (check), 4 drift (check --strict;\n"
    "check --strict=differs: drift of class differs or weaker), 5 a SQL model cannot be "
    "normalised: no usable scratch database, 6 a fleet: some\n"
    "targets failed, were locked or were not attempted (docs/fleet.md).";

// Every option of every subcommand, as parsed.
struct Args {
  cli::GlobalOptions global;
  std::string plan_format = "sql";
  bool create_database = false;
  std::string strict;  // "", "all" or "differs"
  bool full = false;
  bool all = false;
  std::string apply_format = "text";
  std::string check_format = "text";
  bool with_stamp = false;
  int history_limit = 0;
  bool history_verbose = false;
  std::string history_format = "text";
  std::string stamp_revision;
  bool stamp_force = false;
  std::string probe_url;
  double probe_timeout = 2;
  cli::ResetOptions reset;
  cli::PullOptions pull;
};

// The subcommands, to ask which one was given.
struct Commands {
  CLI::App* validate;
  CLI::App* plan;
  CLI::App* apply;
  CLI::App* check;
  CLI::App* run;
  CLI::App* export_sql;
  CLI::App* pull;
  CLI::App* current;
  CLI::App* heads;
  CLI::App* history;
  CLI::App* stamp;
  CLI::App* probe;
  CLI::App* reset;
};

void define_global(CLI::App& app, cli::GlobalOptions& global) {
  app.add_option("-c,--config", global.config_file,
                 "configuration file (JSON; default: $SCHEMAD_CONFIG, else none)");
  app.add_option("-d,--database-url", global.database_url,
                 "database URL (libpq or SQLAlchemy style); the password is never printed");
  app.add_option("-m,--model", global.model,
                 "the model: a JSON file, a .sql file, or a directory of .sql files");
  app.add_option("--model-format", global.model_format,
                 "auto (default: a directory or *.sql is SQL), json or sql")
      ->check(CLI::IsMember({"auto", "json", "sql"}));
  app.add_option("--model-schema", global.model_schema,
                 "a SQL model's default schema, for unqualified names (default public)");
  app.add_option("--scratch-database", global.scratch_database,
                 "where SQL models are normalised, on the target's server (default "
                 "schemad_scratch; created from template0 when missing)");
  app.add_option("--scratch-url", global.scratch_url,
                 "an empty database, same major version, to normalise SQL models in instead");
  app.add_option("--log-level", global.log_level, "trace, debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_option("--log-format", global.log_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--versions-dir", global.versions_dir,
                 "an Alembic versions/ folder (alembic.versions_dir): its single head is the "
                 "baseline revision when neither the model nor alembic.revision names one");
}

const char* const kFullHelp =
    "inspect the catalog in full even when the verification the last apply or daemon run "
    "recorded still holds (same catalog version, model, revision and settings)";

const char* const kAllHelp =
    "a fleet (config fleet): list every target in the table, not only those that are not ok";

// validate, plan, apply, check, run, export-sql.
void define_engine_commands(CLI::App& app, Args& a, Commands& c) {
  c.validate = app.add_subcommand(
      "validate",
      "load and check the model; no database (but a SQL model, which the database's server "
      "normalises in the scratch database)");
  c.plan = app.add_subcommand("plan",
                              "print the SQL that apply would run, and the drift; change nothing "
                              "(only reads: works under a read-only role and on a standby)");
  c.plan->add_option("--format", a.plan_format, "sql or json")
      ->check(CLI::IsMember({"sql", "json"}));
  c.plan->add_flag("--full", a.full, kFullHelp);
  c.plan->add_flag("--all", a.all, kAllHelp);
  c.apply = app.add_subcommand("apply",
                               "create what is missing, record the revision; exit 0 when the "
                               "database then satisfies the model");
  c.apply->add_flag("--create-database", a.create_database,
                    "create the database first when it does not exist (through the server's "
                    "postgres maintenance database; the role needs CREATEDB); also config "
                    "create_database");
  c.apply->add_flag("--full", a.full, kFullHelp);
  c.apply->add_flag("--all", a.all, kAllHelp);
  c.apply
      ->add_option("--format", a.apply_format,
                   "text, or json: the report (plan --format json's, with the steps run)")
      ->check(CLI::IsMember({"text", "json"}));
  c.check = app.add_subcommand("check",
                               "compare, only reading (a read-only role, a standby): exit 0 when "
                               "nothing is missing, 3 when changes are pending, 4 with --strict "
                               "when there is drift (--strict=differs: of class differs or "
                               "weaker), 1 on error");
  c.check
      ->add_flag("--strict{all}", a.strict,
                 "drift is a failure too (exit 4); --strict=differs: only drift of class differs "
                 "or weaker, not ahead (the database has what the model lacks, as while a newer "
                 "model rolls out)")
      ->check(CLI::IsMember({"all", "differs"}));
  c.check->add_flag("--full", a.full, kFullHelp);
  c.check->add_flag("--all", a.all, kAllHelp);
  c.check->add_option("--format", a.check_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  c.run = app.add_subcommand(
      "run",
      "the service: reconcile at start-up, on SIGHUP, on model changes, on a timer and on "
      "POST /reconcile; serve the status page (/), /healthz, /readyz, /status and /metrics; stop "
      "on SIGTERM");
  c.export_sql = app.add_subcommand(
      "export-sql", "print the DDL of the whole model for an empty database (psql -1 -f)");
  c.export_sql->add_flag("--with-stamp", a.with_stamp,
                         "also record the revision in alembic_version");
  c.pull = app.add_subcommand(
      "pull",
      "print a live database's schemas as a model file (or, with --from-model, the configured "
      "model: a SQL model as JSON); only reads. What the model format cannot say is listed "
      "on standard error");
  c.pull->add_option("--format", a.pull.format, "json (a model file, default) or sql")
      ->check(CLI::IsMember({"json", "sql"}));
  c.pull
      ->add_option("--schemas", a.pull.schemas,
                   "the schemas to read, comma-separated; the first is the model's default "
                   "(default: model_schema, public)")
      ->delimiter(',');
  c.pull->add_flag("--from-model", a.pull.from_model,
                   "the configured model instead of the database (a SQL model is normalised)");
  c.pull->add_option("-o,--output", a.pull.output, "write to FILE instead of standard output");
}

// current, heads, history, stamp.
void define_alembic_commands(CLI::App& app, Args& a, Commands& c) {
  c.current = app.add_subcommand(
      "current", "print the revision(s) in alembic_version, one per line (nothing when none)");
  c.heads = app.add_subcommand(
      "heads", "print the heads of the Alembic versions folder, as `alembic heads` does");
  c.history = app.add_subcommand(
      "history", "print schemad_history, newest first: every change schemad made, and stamps");
  c.history->add_option("-n,--limit", a.history_limit, "the newest N rows only (default: all)")
      ->check(CLI::NonNegativeNumber);
  c.history->add_flag("-v,--verbose", a.history_verbose, "list each row's steps");
  c.history->add_option("--format", a.history_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  c.stamp = app.add_subcommand(
      "stamp",
      "record REVISION in alembic_version by hand, under the same rules as apply: the database "
      "must satisfy the model, and only a missing or older revision is replaced");
  c.stamp->add_option("revision", a.stamp_revision, "the revision to record")->required();
  c.stamp->add_flag("--force", a.stamp_force,
                    "skip the rules: alembic_version then holds exactly REVISION");
}

// probe, reset.
void define_ops_commands(CLI::App& app, Args& a, Commands& c) {
  c.probe = app.add_subcommand(
      "probe",
      "GET an HTTP URL and exit 0 on a 2xx answer, 1 otherwise: a container health check "
      "that needs no curl (reads no configuration, touches no database)");
  c.probe
      ->add_option("--url", a.probe_url, "http://host:port/path, e.g. http://127.0.0.1:9432/readyz")
      ->required();
  c.probe->add_option("--timeout", a.probe_timeout, "seconds for the whole exchange (default 2)")
      ->check(CLI::PositiveNumber);
  c.reset = app.add_subcommand(
      "reset",
      "development only: drop every table and enum of the model (CASCADE), alembic_version "
      "and schemad_history, then apply the model again. Runs only when the environment is "
      "development (config environment or SCHEMAD_ENV) and --yes and --confirm DATABASE are "
      "given; otherwise exits 2 and touches nothing");
  c.reset->add_flag("--yes", a.reset.yes, "yes, drop them");
  c.reset->add_option("--confirm", a.reset.confirm, "the database's name, typed out");
  c.reset->add_flag("--no-apply", a.reset.no_apply, "drop only; do not apply the model");
}

// Runs the subcommand given; throws what the commands throw.
int dispatch(const Args& a, const Commands& c) {
  cli::Context ctx(a.global);
  if (c.validate->parsed()) return cli::run_validate(ctx);
  if (ctx.config().fleet.enabled() &&
      (c.plan->parsed() || c.apply->parsed() || c.check->parsed())) {
    cli::FleetOutput out;
    out.full = a.full;
    out.all = a.all;
    if (c.apply->parsed()) {
      out.format = a.apply_format;
    } else if (c.check->parsed()) {
      out.format = a.check_format;
      out.strict = cli::parse_strict(a.strict);
    } else if (c.plan->parsed()) {
      out.format = a.plan_format == "json" ? "json" : "text";
      out.changes = true;
    }
    return cli::run_fleet(ctx, c.apply->parsed() ? engine::Mode::apply : engine::Mode::check, out);
  }
  if (c.plan->parsed()) return cli::run_plan(ctx, a.plan_format, a.full);
  if (c.apply->parsed()) {
    return cli::run_apply(ctx, a.create_database, a.full, a.apply_format);
  }
  if (c.reset->parsed()) return cli::run_reset(ctx, a.reset);
  if (c.check->parsed())
    return cli::run_check(ctx, cli::parse_strict(a.strict), a.check_format, a.full);
  if (c.export_sql->parsed()) return cli::run_export_sql(ctx, a.with_stamp);
  if (c.pull->parsed()) return cli::run_pull(ctx, a.pull);
  if (c.current->parsed()) return cli::run_current(ctx);
  if (c.heads->parsed()) return cli::run_heads(ctx);
  if (c.history->parsed()) {
    return cli::run_history(ctx, a.history_limit, a.history_verbose, a.history_format);
  }
  if (c.stamp->parsed()) return cli::run_stamp(ctx, a.stamp_revision, a.stamp_force);
  if (c.run->parsed()) {
    // A replica whose shard is wrong refuses to start rather than work on
    // nothing, or on another's share.
    if (ctx.config().fleet.enabled()) cli::fleet_shard(ctx.config());
    return service::run_service({ctx.config(), a.global});
  }
  return cli::kUsage;
}

// Exit codes for what escapes a command. None of these messages carries the
// password (ConnectError, CommandError, an unparseable URL, a database error).
int report(const std::exception& e, int code) {
  std::cerr << "schemad: " << e.what() << "\n";
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  // A lost connection must be an error to handle, not a silent death.
  ::signal(SIGPIPE, SIG_IGN);
  CLI::App app{kDescription, "schemad"};
  app.set_version_flag("--version", std::string("schemad ") + SCHEMAD_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  Args args;
  Commands commands{};
  define_global(app, args.global);
  define_engine_commands(app, args, commands);
  define_alembic_commands(app, args, commands);
  define_ops_commands(app, args, commands);
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
  if (commands.probe->parsed()) return cli::run_probe(args.probe_url, args.probe_timeout);
  try {
    return dispatch(args, commands);
  } catch (const config::ConfigError& e) {
    return report(e, cli::kUsage);
  } catch (const model::ModelError& e) {
    return report(e, cli::kError);
  } catch (const scratch::ScratchError& e) {
    return report(e, cli::kScratch);
  } catch (const std::exception& e) {
    return report(e, cli::kError);
  }
}
