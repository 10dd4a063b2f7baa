#include "commands.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "diff/diff.hpp"
#include "engine/report_json.hpp"
#include "fleet/run.hpp"
#include "model/source.hpp"
#include "plan/plan.hpp"

namespace schemad::cli {

namespace {

// What a comparison gives the commands: the report, and what of the model
// schemad does not manage (a SQL model's).
struct Outcome {
  engine::Report report;
  std::vector<std::string> not_managed;
};

// Before a JSON model is read: its recorded verification, when it still
// holds (engine::converge_recorded). `conn` is left connected for the full
// run when the database could be reached.
std::optional<engine::Report> from_record(const Context& ctx, const engine::Settings& settings,
                                          engine::Mode mode,
                                          std::unique_ptr<pqxx::connection>& conn) {
  const std::string source = model::source_digest(
      ctx.config().model, static_cast<std::size_t>(ctx.config().model_max_bytes));
  if (source.empty()) return std::nullopt;
  try {
    conn = ctx.connect();
  } catch (const std::exception&) {
    return std::nullopt;  // the full run connects again, after the model, and says why
  }
  return engine::converge_recorded(*conn, source, mode, settings, util::system_clock());
}

// One comparison (and heal, for apply). Unless `full`, a recorded
// verification answers when nothing it depends on changed: before a JSON
// model is read, or, for a SQL model, before the catalog is inspected
// (engine/verified.hpp).
Outcome compare(const Context& ctx, engine::Mode mode, bool full) {
  engine::Settings settings = ctx.settings();
  settings.trust_record = !full;
  std::unique_ptr<pqxx::connection> conn;
  if (!full && !ctx.sql_model()) {
    if (auto report = from_record(ctx, settings, mode, conn)) {
      spdlog::debug("{}: verified at {}, unchanged since", ctx.target(), report->verified_at);
      return {std::move(*report), {}};
    }
  }
  schema::Database model = ctx.load_model();
  if (!conn) conn = ctx.connect();
  spdlog::debug("connected to {}", ctx.target());
  engine::Report report = engine::converge(*conn, model, mode, settings, util::system_clock());
  return {std::move(report), std::move(model.not_managed)};
}

// ", verified at T (catalog unchanged since; --full inspects)" for a report
// that a record gave; "" otherwise.
std::string verified_note(const engine::Report& report) {
  if (report.verified_at.empty()) return "";
  return "; as verified at " + report.verified_at +
         ", the catalog unchanged since (--full inspects)";
}

std::string error_text(const Context& ctx, const engine::Report& report) {
  // Errors that name a model path ("tables[1].columns[0].type: ...") come
  // from the model: prefix the file, as model errors do, unless the path is
  // a place in the file already (a SQL model's "schema.sql:3:1").
  const std::string text = report.error_text();
  if (report.model_error() && text.rfind(ctx.model_name(), 0) != 0) {
    return ctx.model_name() + ": " + text;
  }
  return text;
}

int stamp_exit(const engine::Report& report) {
  if (report.remaining.stamp.error()) {
    spdlog::error("{}", report.remaining.stamp.message());
    return kError;
  }
  return kOk;
}

}  // namespace

int run_validate(const Context& ctx) {
  schema::Database model = ctx.load_model();
  std::size_t columns = 0;
  for (const auto& t : model.tables) columns += t.columns.size();
  std::cout << ctx.model_name() << ": valid: " << model.tables.size() << " tables, " << columns
            << " columns, " << model.enums.size() << " enums, " << model.extensions.size()
            << " extensions; fingerprint " << model.fingerprint << "\n";
  if (const std::string& tmpl = ctx.config().fleet.tenant_template; !tmpl.empty()) {
    fleet_shard(ctx.config());
    check_fleet_model(ctx, model);
    const schema::Database tenant = fleet::tenant_model(model, tmpl, tmpl, "");
    std::cout << "fleet: the tenant template \"" << tmpl << "\" makes " << tenant.tables.size()
              << " tables in every tenant schema; " << model.tables.size() - tenant.tables.size()
              << " tables are shared\n";
  }
  return kOk;
}

int run_plan(const Context& ctx, const std::string& format, bool full) {
  auto [report, not_managed] = compare(ctx, engine::Mode::check, full);
  if (!report.errors.empty()) throw CommandError(error_text(ctx, report));
  if (format == "json") {
    nlohmann::json out = engine::to_json(report);
    out["not_managed"] = not_managed;
    std::cout << out.dump(2) << "\n";
    return stamp_exit(report);
  }
  std::cout << "-- schemad plan for " << ctx.target() << " (model " << ctx.model_name() << ")\n";
  if (report.plan.steps.empty())
    std::cout << "-- nothing to create" << verified_note(report) << "\n";
  std::cout << plan::to_script(report.plan, true);
  for (const auto& statement :
       apply::stamp_sql(report.found.stamp, ctx.settings().version_table_schema)) {
    std::cout << "-- " << report.found.stamp.message() << "\n" << statement << ";\n";
  }
  if (report.found.stamp.left_alone()) {
    std::cout << "-- note: " << report.found.stamp.message() << "\n";
  }
  for (const auto& b : report.found.blocked) std::cout << "-- blocked: " << b.message() << "\n";
  for (const auto& d : report.found.diff.drift) std::cout << "-- drift: " << d.labelled() << "\n";
  for (const auto& n : not_managed) std::cout << "-- not managed: " << n << "\n";
  return stamp_exit(report);
}

int run_apply(const Context& ctx, bool create_database, bool full, const std::string& format) {
  // A JSON model is checked before anything is created; a SQL model needs
  // the target's server to be read at all.
  const bool create = create_database || ctx.config().create_database;
  if (create && ctx.sql_model() && ctx.ensure_database()) {
    spdlog::info("created database {}", ctx.database_name());
  }
  if (create && !ctx.sql_model()) {
    ctx.load_model();  // a JSON model is checked before anything is created
    if (ctx.ensure_database()) spdlog::info("created database {}", ctx.database_name());
  }
  spdlog::info("applying {} to {}", ctx.model_name(), ctx.target());
  auto [report, not_managed] = compare(ctx, engine::Mode::apply, full);
  if (format == "json") {
    // The report first: the exit code and standard error say the rest.
    nlohmann::json out = engine::to_json(report);
    out["not_managed"] = not_managed;
    std::cout << out.dump(2) << "\n";
  }
  for (const auto& step : report.steps) {
    if (step.ok()) {
      spdlog::info("applied: {}", step.step.description);
    } else if (step.error) {
      spdlog::error("failed: {}: {}", step.step.description, step.error->message);
    }
  }
  if (report.stamped) spdlog::info("recorded revision {} in alembic_version", report.revision);
  if (report.remaining.stamp.left_alone()) spdlog::warn("{}", report.remaining.stamp.message());
  for (const auto& d : report.remaining.diff.drift) spdlog::warn("drift: {}", d.labelled());
  if (!report.errors.empty()) throw CommandError(error_text(ctx, report));
  if (int code = stamp_exit(report); code != kOk) return code;
  if (!report.satisfied()) {
    const auto& remaining = report.remaining;
    for (const auto& change : remaining.diff.changes) {
      spdlog::error("still missing: {}", change.description());
    }
    for (const auto& b : remaining.blocked) spdlog::error("blocked: {}", b.message());
    if (!remaining.blocked.empty()) {
      throw CommandError("the database does not satisfy the model after apply: " +
                         std::to_string(remaining.blocked.size()) +
                         " changes are blocked by the data; fix the rows, then apply again");
    }
    throw CommandError("the database does not satisfy the model after apply");
  }
  if (format == "json") return kOk;
  std::size_t applied = report.steps.size();
  std::cout << (applied == 0 ? "nothing to do" : "applied " + std::to_string(applied) + " steps")
            << "; " << ctx.target() << " satisfies the model (revision " << report.revision << ", "
            << report.remaining.diff.drift.size() << " drift items" << verified_note(report)
            << ")\n";
  return kOk;
}

namespace {

// check sends no DDL: what no apply has recorded in schemad_memo yet is
// compared without the server's exact form. Said once, not per object.
void print_unverified(const engine::Observation& found) {
  if (found.unverified.empty()) return;
  std::cout << "note: " << found.unverified.size()
            << " model expressions compared by their rough form, as no apply has recorded how "
               "the server prints them (first: "
            << found.unverified.front() << "); the next apply or daemon run records them\n";
}

}  // namespace

Strict parse_strict(const std::string& value) {
  if (value.empty()) return Strict::off;
  if (value == "all") return Strict::all;
  if (value == "differs") return Strict::differs;
  throw std::invalid_argument("--strict: must be all or differs, not \"" + value + "\"");
}

bool drift_fails(Strict strict, const engine::Observation& found) {
  switch (strict) {
    case Strict::off:
      return false;
    case Strict::all:
      return !found.diff.drift.empty();
    case Strict::differs:
      return contradicts(engine::drift_by_class(found));
  }
  return false;
}

bool contradicts(const std::map<std::string, std::size_t>& drift_by_class) {
  for (const auto& [drift_class, n] : drift_by_class) {
    if (n > 0 && drift_class != diff::to_string(diff::DriftClass::ahead)) return true;
  }
  return false;
}

int run_check(const Context& ctx, Strict strict, const std::string& format, bool full) {
  auto [report, not_managed] = compare(ctx, engine::Mode::check, full);
  if (!report.errors.empty()) throw CommandError(error_text(ctx, report));
  const auto& found = report.found;
  if (format == "json") {
    nlohmann::json out = engine::to_json(report);
    out["not_managed"] = not_managed;
    std::cout << out.dump(2) << "\n";
  } else {
    for (const auto& change : found.diff.changes) {
      std::cout << "pending: " << change.description() << "\n";
    }
    if (found.stamp.pending()) std::cout << "pending: " << found.stamp.message() << "\n";
    for (const auto& b : found.blocked) std::cout << "blocked: " << b.message() << "\n";
    for (const auto& d : found.diff.drift) std::cout << "drift: " << d.labelled() << "\n";
    if (auto c = engine::stamp_drift_class(found.stamp)) {  // counted by --strict=differs
      std::cout << "drift: " << found.stamp.message() << " [" << diff::to_string(*c) << "]\n";
    }
    print_unverified(found);
  }
  if (int code = stamp_exit(report); code != kOk) return code;
  if (!found.satisfied()) {
    if (format != "json") {
      std::cout << found.diff.changes.size() + (found.stamp.pending() ? 1 : 0) +
                       found.blocked.size()
                << " changes pending";
      if (!found.blocked.empty())
        std::cout << " (" << found.blocked.size() << " blocked by the data)";
      std::cout << "\n";
    }
    return kPending;
  }
  if (drift_fails(strict, found)) return kDrift;
  if (format != "json") {
    std::cout << ctx.target() << " satisfies the model (" << found.diff.drift.size()
              << " drift items" << verified_note(report) << ")\n";
  }
  return kOk;
}

int run_export_sql(const Context& ctx, bool with_stamp) {
  schema::Database model = ctx.load_model();
  plan::Options options;
  options.online = false;
  plan::Plan plan = plan::render(diff::compare(model, schema::Database{}), options);
  std::cout << "-- schemad export-sql: " << ctx.model_name() << " (fingerprint "
            << model.fingerprint << ")\n"
            << "-- for an empty database: psql -1 -f this.sql\n"
            << plan::to_script(plan, false);
  if (with_stamp) {
    apply::StampDecision stamp =
        apply::decide_stamp({}, apply::baseline_revision(model, ctx.revisions()));
    for (const auto& statement :
         apply::stamp_sql(stamp, ctx.config().alembic.version_table_schema)) {
      std::cout << statement << ";\n";
    }
  }
  return kOk;
}

}  // namespace schemad::cli
