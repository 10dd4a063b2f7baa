#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "apply/bookkeeping.hpp"
#include "catalog/extras.hpp"
#include "catalog/inspect.hpp"
#include "commands.hpp"
#include "diff/diff.hpp"
#include "model/load.hpp"
#include "model/write_model.hpp"
#include "plan/plan.hpp"

namespace schemad::cli {

namespace {

bool bookkeeping(const schema::Table& t, const std::string& version_schema) {
  const auto names = apply::bookkeeping_tables();
  return t.name.schema == version_schema &&
         std::find(names.begin(), names.end(), t.name.name) != names.end();
}

// A live database's schemas, as a model: bookkeeping tables left out, the
// revision alembic_version holds (when it holds one), and what the format
// cannot say in `warnings`.
schema::Database pull_database(const Context& ctx, std::vector<std::string> schemas,
                               std::vector<std::string>& warnings) {
  if (schemas.empty()) schemas.push_back(ctx.config().model_schema);
  auto conn = ctx.connect();
  const std::string& version_schema = ctx.config().alembic.version_table_schema;
  std::vector<std::string> sorted = schemas;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  schema::Database db = catalog::inspect(*conn, sorted);
  const catalog::Extras extras = catalog::read_extras(*conn, sorted, version_schema);
  db.default_schema = schemas.front();
  db.tables.erase(
      std::remove_if(db.tables.begin(), db.tables.end(),
                     [&](const schema::Table& t) { return bookkeeping(t, version_schema); }),
      db.tables.end());
  db.extensions.erase(std::remove(db.extensions.begin(), db.extensions.end(), "plpgsql"),
                      db.extensions.end());
  db.extension_schemas = extras.extension_schemas;
  for (const auto& missing : sorted) {
    if (!std::binary_search(db.schemas.begin(), db.schemas.end(), missing)) {
      warnings.push_back("schema " + missing + " does not exist in the database");
    }
  }
  for (const auto& object : extras.not_expressed) {
    warnings.push_back(object + ": the model format cannot say it; left out");
  }
  if (extras.revisions.size() == 1) {
    db.revision = extras.revisions.front();
  } else if (extras.revisions.size() > 1) {
    warnings.push_back("alembic_version holds " + std::to_string(extras.revisions.size()) +
                       " revisions (several heads); the model names none");
  }
  return db;
}

}  // namespace

int run_pull(const Context& ctx, const PullOptions& options) {
  std::vector<std::string> warnings;
  schema::Database db;
  if (options.from_model) {
    db = ctx.load_model();  // its not-managed lines are logged there
    if (db.revision.empty()) db.revision = ctx.config().alembic.revision;
  } else {
    db = pull_database(ctx, options.schemas, warnings);
  }
  const nlohmann::ordered_json doc = model::to_model_json(db, warnings);
  std::string text = doc.dump(2) + "\n";
  if (options.format == "sql") {
    // The SQL is the pulled model's own export: load it as a model file
    // would be, then render it for an empty database.
    schema::Database model = model::load_text(text, "<pulled model>");
    plan::Options plan_options;
    plan_options.online = false;
    const plan::Plan plan = plan::render(diff::compare(model, schema::Database{}), plan_options);
    std::ostringstream out;
    out << "-- schemad pull: " << (options.from_model ? ctx.model_name() : ctx.target()) << "\n";
    if (!model.revision.empty()) out << "-- revision: " << model.revision << "\n";
    out << plan::to_script(plan, false);
    text = out.str();
  }
  for (const auto& w : warnings) spdlog::warn("not in the model: {}", w);
  if (options.output.empty()) {
    std::cout << text;
  } else {
    std::ofstream file(options.output, std::ios::binary | std::ios::trunc);
    file << text;
    file.close();
    if (!file) throw CommandError("cannot write " + options.output);
    spdlog::info("wrote {} ({} tables, {} warnings)", options.output, db.tables.size(),
                 warnings.size());
  }
  return kOk;
}

}  // namespace schemad::cli
