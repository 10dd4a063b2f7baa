#include "commands.hpp"

#include <spdlog/spdlog.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "diff/diff.hpp"
#include "engine/report_json.hpp"
#include "plan/plan.hpp"

namespace schemad::cli {

namespace {

engine::Report converge_once(const Context& ctx, const schema::Database& model, engine::Mode mode) {
  auto conn = ctx.connect();
  spdlog::debug("connected to {}", ctx.target());
  return engine::converge(*conn, model, mode, ctx.settings(), util::system_clock());
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
  return kOk;
}

int run_plan(const Context& ctx, const std::string& format) {
  schema::Database model = ctx.load_model();
  engine::Report report = converge_once(ctx, model, engine::Mode::check);
  if (!report.errors.empty()) throw CommandError(error_text(ctx, report));
  if (format == "json") {
    nlohmann::json out = engine::to_json(report);
    out["not_managed"] = model.not_managed;
    std::cout << out.dump(2) << "\n";
    return stamp_exit(report);
  }
  std::cout << "-- schemad plan for " << ctx.target() << " (model " << ctx.model_name() << ")\n";
  if (report.plan.steps.empty()) std::cout << "-- nothing to create\n";
  std::cout << plan::to_script(report.plan, true);
  for (const auto& statement :
       apply::stamp_sql(report.found.stamp, ctx.settings().version_table_schema)) {
    std::cout << "-- " << report.found.stamp.message() << "\n" << statement << ";\n";
  }
  if (report.found.stamp.left_alone()) {
    std::cout << "-- note: " << report.found.stamp.message() << "\n";
  }
  for (const auto& b : report.found.blocked) std::cout << "-- blocked: " << b.message() << "\n";
  for (const auto& d : report.found.diff.drift) std::cout << "-- drift: " << d.message() << "\n";
  for (const auto& n : model.not_managed) std::cout << "-- not managed: " << n << "\n";
  return stamp_exit(report);
}

int run_apply(const Context& ctx, bool create_database) {
  // A JSON model is checked before anything is created; a SQL model needs
  // the target's server to be read at all.
  const bool create = create_database || ctx.config().create_database;
  if (create && ctx.sql_model() && ctx.ensure_database()) {
    spdlog::info("created database {}", ctx.database_name());
  }
  schema::Database model = ctx.load_model();
  if (create && !ctx.sql_model() && ctx.ensure_database()) {
    spdlog::info("created database {}", ctx.database_name());
  }
  spdlog::info("applying {} to {}", ctx.model_name(), ctx.target());
  engine::Report report = converge_once(ctx, model, engine::Mode::apply);
  for (const auto& step : report.steps) {
    if (step.ok()) {
      spdlog::info("applied: {}", step.step.description);
    } else if (step.error) {
      spdlog::error("failed: {}: {}", step.step.description, step.error->message);
    }
  }
  if (report.stamped) spdlog::info("recorded revision {} in alembic_version", report.revision);
  if (report.remaining.stamp.left_alone()) spdlog::warn("{}", report.remaining.stamp.message());
  for (const auto& d : report.remaining.diff.drift) spdlog::warn("drift: {}", d.message());
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
  std::size_t applied = report.steps.size();
  std::cout << (applied == 0 ? "nothing to do" : "applied " + std::to_string(applied) + " steps")
            << "; " << ctx.target() << " satisfies the model (revision " << report.revision << ", "
            << report.remaining.diff.drift.size() << " drift items)\n";
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

int run_check(const Context& ctx, bool strict, const std::string& format) {
  schema::Database model = ctx.load_model();
  engine::Report report = converge_once(ctx, model, engine::Mode::check);
  if (!report.errors.empty()) throw CommandError(error_text(ctx, report));
  const auto& found = report.found;
  if (format == "json") {
    nlohmann::json out = engine::to_json(report);
    out["not_managed"] = model.not_managed;
    std::cout << out.dump(2) << "\n";
  } else {
    for (const auto& change : found.diff.changes) {
      std::cout << "pending: " << change.description() << "\n";
    }
    if (found.stamp.pending()) std::cout << "pending: " << found.stamp.message() << "\n";
    for (const auto& b : found.blocked) std::cout << "blocked: " << b.message() << "\n";
    for (const auto& d : found.diff.drift) std::cout << "drift: " << d.message() << "\n";
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
  if (strict && !found.diff.drift.empty()) return kDrift;
  if (format != "json") {
    std::cout << ctx.target() << " satisfies the model (" << found.diff.drift.size()
              << " drift items)\n";
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
