// Commands for operating schemad: probe (a health check without curl) and
// the guarded reset of development databases.

#include <spdlog/spdlog.h>

#include <iostream>
#include <pqxx/pqxx>

#include "apply/advisory_lock.hpp"
#include "apply/executor.hpp"
#include "apply/reset.hpp"
#include "commands.hpp"
#include "http/probe.hpp"

namespace schemad::cli {

int run_probe(const std::string& url, double timeout_seconds) {
  http::HttpUrl parsed;
  try {
    parsed = http::parse_http_url(url);
  } catch (const std::invalid_argument& e) {
    std::cerr << "schemad: " << e.what() << "\n";
    return kUsage;
  }
  const auto timeout = std::chrono::milliseconds(static_cast<long long>(timeout_seconds * 1000));
  http::ProbeResult result = http::probe_url(parsed, timeout);
  (result.ok ? std::cout : std::cerr) << url << ": " << result.message << "\n";
  return result.ok ? kOk : kError;
}

int run_reset(const Context& ctx, const ResetOptions& options) {
  const std::string database = ctx.database_name();
  auto refusals =
      apply::reset_refusals({ctx.config().environment, options.yes, options.confirm}, database);
  if (!refusals.empty()) {
    for (const auto& why : refusals) std::cerr << "schemad: reset refused: " << why << "\n";
    return kUsage;
  }
  schema::Database model = ctx.load_model();
  engine::Settings settings = ctx.settings();
  auto conn = ctx.connect();
  if (conn->dbname() != options.confirm) {  // libpq resolved another name than we did
    std::cerr << "schemad: reset refused: connected to \"" << conn->dbname() << "\", not \""
              << options.confirm << "\"\n";
    return kUsage;
  }
  {
    util::Clock& clock = util::system_clock();
    auto lock =
        apply::lock_model(*conn, settings.lock_name, model.schemas, settings.lock_retry, clock);
    apply::Statements drops{"reset", apply::reset_sql(model, settings.version_table_schema)};
    for (const auto& statement : drops.sql) spdlog::info("reset: {}", statement);
    if (auto error = apply::execute(*conn, drops, engine::execute_options(settings), clock)) {
      throw CommandError(error->text());
    }
  }
  std::cout << "reset " << ctx.target() << ": dropped " << model.tables.size() << " tables, "
            << model.enums.size() << " enums, alembic_version, schemad_history and schemad_memo\n";
  if (options.no_apply) return kOk;
  conn.reset();
  return run_apply(ctx);
}

}  // namespace schemad::cli
