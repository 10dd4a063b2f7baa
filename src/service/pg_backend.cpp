#include "service/pg_backend.hpp"

#include <spdlog/spdlog.h>

#include <mutex>
#include <pqxx/connection>
#include <pqxx/nontransaction>

#include "apply/bootstrap.hpp"
#include "db/connection.hpp"
#include "engine/settings.hpp"
#include "fleet/shard.hpp"
#include "fleet/targets.hpp"
#include "scratch/source.hpp"

namespace schemad::service {

namespace {

class PgSession final : public Session {
 public:
  explicit PgSession(std::unique_ptr<pqxx::connection> conn) : conn_(std::move(conn)) {}

  bool open() const override { return conn_->is_open(); }

  void ping() override {
    pqxx::nontransaction tx(*conn_);
    tx.exec("SELECT 1");
  }

  void cancel() override {
    // cancel_query() sends a cancel request on a separate connection: safe
    // while the worker runs a statement on this one.
    if (conn_->is_open()) conn_->cancel_query();
  }

  engine::Report converge(const schema::Database& model, const engine::Settings& settings,
                          util::Clock& clock) override {
    return engine::converge(*conn_, model, engine::Mode::apply, settings, clock);
  }

 private:
  std::unique_ptr<pqxx::connection> conn_;
};

class PgBackend final : public Backend {
 public:
  schema::Database load_model(const config::Config& config) override {
    // A SQL model unchanged since the last load (same text, server version
    // and extensions) comes from the cache: no scratch build.
    return scratch::load_model(config, &sql_models_);
  }

  apply::RevisionSource load_revisions(const config::Config& config) override {
    return engine::load_revisions(config);
  }

  std::unique_ptr<Session> connect(const config::Config& config) override {
    std::vector<std::string> warnings;
    auto options = db::options_from(config, warnings);
    for (const auto& w : warnings) spdlog::warn("{}", w);
    if (config.create_database && apply::ensure_database(options, util::system_clock())) {
      spdlog::info("created database {}", apply::target_database(options));
    }
    return std::make_unique<PgSession>(db::connect(options));
  }

  std::unique_ptr<ProgressSource> progress_source(const config::Config& config) override {
    return pg_progress_source(config);
  }

  fleet::Summary run_fleet(const config::Config& config, const schema::Database& model,
                           const fleet::RunOptions& options, util::Clock& clock) override {
    std::vector<std::string> warnings;
    const fleet::Fleet found = fleet::discover(
        config, fleet::parse_shard(config.fleet.shard, fleet::host_name()), warnings);
    for (const auto& w : warnings) spdlog::warn("{}", w);
    return fleet::run(found, model, options, clock);
  }

 private:
  scratch::Cache sql_models_;
};

}  // namespace

std::unique_ptr<Backend> make_pg_backend() {
  return std::make_unique<PgBackend>();
}

}  // namespace schemad::service
