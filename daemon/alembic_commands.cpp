// The commands that mirror Alembic's: current, heads, history, stamp.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>
#include <pqxx/pqxx>

#include "apply/advisory_lock.hpp"
#include "apply/executor.hpp"
#include "apply/history.hpp"
#include "commands.hpp"

namespace schemad::cli {

namespace {

// Alembic's tree indicators, as `alembic heads` and `alembic current` print them.
std::string indicators(const alembic::RevisionGraph& graph, const std::string& id) {
  std::string text;
  if (graph.is_head(id)) text += " (head)";
  if (graph.is_branch_point(id)) text += " (branchpoint)";
  if (graph.is_merge_point(id)) text += " (mergepoint)";
  return text;
}

bool valid_revision(const std::string& revision) {
  return !revision.empty() && revision.size() <= 32 &&
         std::all_of(revision.begin(), revision.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '-';
         });
}

}  // namespace

int run_current(const Context& ctx) {
  auto conn = ctx.connect();
  pqxx::read_transaction tx(*conn, "schemad-current");
  apply::StampState state = apply::read_stamp(tx, ctx.config().alembic.version_table_schema);
  tx.commit();
  for (const auto& revision : state.revisions) std::cout << revision << "\n";
  if (state.revisions.size() > 1) {
    spdlog::warn("alembic_version holds several heads; merge them with Alembic");
  }
  return kOk;
}

int run_heads(const Context& ctx) {
  const auto& source = ctx.revisions();
  if (!source.graph) {
    throw config::ConfigError(
        "heads: no versions folder: set alembic.versions_dir in the configuration file, or "
        "give --versions-dir");
  }
  for (const auto& head : source.graph->heads()) {
    std::cout << head << indicators(*source.graph, head) << "\n";
  }
  return kOk;
}

int run_history(const Context& ctx, int limit, bool verbose, const std::string& format) {
  auto conn = ctx.connect();
  pqxx::read_transaction tx(*conn, "schemad-history");
  auto rows = apply::read_history(tx, ctx.config().alembic.version_table_schema, limit);
  tx.commit();
  if (format == "json") {
    auto out = nlohmann::json::array();
    for (const auto& row : rows) out.push_back(apply::to_json(row));
    std::cout << out.dump(2) << "\n";
    return kOk;
  }
  for (const auto& row : rows) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.3f s", row.duration_seconds);
    std::cout << row.id << "  " << row.started_at << "  " << row.outcome << "  " << row.revision
              << (row.stamped ? " (stamped)" : "") << "  " << row.steps.size()
              << (row.steps.size() == 1 ? " step" : " steps") << "  " << seconds << "  "
              << row.trigger << "  " << row.host << ":" << row.pid << "  "
              << row.fingerprint.substr(0, 12) << "\n";
    if (!row.error.empty()) std::cout << "    error: " << row.error << "\n";
    if (verbose) {
      for (const auto& step : row.steps) {
        std::cout << "    " << (step.value("ok", false) ? "ok      " : "FAILED  ")
                  << step.value("description", "") << "\n";
      }
    }
  }
  return kOk;
}

namespace {

// The statements that move alembic_version to `revision` under the same
// rules as a reconcile's stamp (none when it is there already), or, with
// --force, whatever it holds; throws CommandError when a rule refuses.
std::vector<std::string> stamp_statements(const Context& ctx, const engine::Report& report,
                                          const std::string& revision, bool force) {
  const apply::StampDecision& decision = report.found.stamp;
  const std::string& schema = ctx.config().alembic.version_table_schema;
  if (force) return apply::force_stamp_sql(decision.state, revision, schema);
  if (!report.found.diff.satisfied()) {
    const auto& changes = report.found.diff.changes;
    throw CommandError("stamp: the database does not satisfy the model " + ctx.model_name() + " (" +
                       std::to_string(changes.size()) +
                       " changes pending, first: " + changes.front().description() +
                       "); run `schemad apply` first, or --force stamps it anyway");
  }
  if (decision.error() || decision.left_alone()) {
    throw CommandError("stamp: " + decision.message() + "; --force stamps it anyway");
  }
  return apply::stamp_sql(decision, schema);
}

}  // namespace

int run_stamp(const Context& ctx, const std::string& revision, bool force) {
  if (!valid_revision(revision)) {
    throw config::ConfigError("stamp: revision \"" + revision +
                              "\": must be 1 to 32 characters of [A-Za-z0-9_.-]");
  }
  engine::Settings settings = ctx.settings();
  const auto* graph = settings.revisions.graph.get();
  if (graph && !graph->knows(revision) && !force) {
    throw CommandError("stamp: revision " + revision + " is not in alembic.versions_dir " +
                       settings.revisions.versions_dir + "; --force stamps it anyway");
  }
  schema::Database model = ctx.load_model();
  model.revision = revision;  // the target: same rules as a reconcile's stamp
  auto conn = ctx.connect();
  util::Clock& clock = util::system_clock();
  auto lock =
      apply::lock_model(*conn, settings.lock_name, model.schemas, settings.lock_retry, clock);
  engine::Report report = engine::converge(*conn, model, engine::Mode::check, settings, clock);
  if (!report.errors.empty()) throw CommandError(report.error_text());
  apply::Statements stamp{"stamp", stamp_statements(ctx, report, revision, force)};
  if (stamp.sql.empty()) {
    std::cout << "alembic_version already holds " << revision << "\n";
    return kOk;
  }
  apply::HistoryEntry entry =
      apply::new_history_entry(force ? "stamp --force" : "stamp", model.fingerprint, revision);
  entry.stamped = true;
  entry.outcome = apply::Outcome::stamped;
  for (auto& statement : apply::history_sql(entry, settings.version_table_schema)) {
    stamp.sql.push_back(statement);
  }
  if (auto error = apply::execute(*conn, stamp, engine::execute_options(settings), clock)) {
    throw CommandError(error->text());
  }
  const apply::StampDecision& decision = report.found.stamp;
  std::string was;
  for (const auto& r : decision.state.revisions) was += (was.empty() ? "" : ", ") + r;
  std::cout << "alembic_version: " << (was.empty() ? "(empty)" : was) << " -> " << revision << "\n";
  return kOk;
}

}  // namespace schemad::cli
