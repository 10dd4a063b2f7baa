#include "context.hpp"

#include <spdlog/spdlog.h>

#include "apply/bootstrap.hpp"
#include "engine/settings.hpp"
#include "model/source.hpp"
#include "scratch/source.hpp"
#include "util/logging.hpp"

namespace schemad::cli {

Context::Context(const GlobalOptions& options)
    : config_(config::resolve(options, config::process_environment())) {
  util::setup_logging(config_.log.level, config_.log.format);
  model_name_ = model::display_name(config_.model);
}

schema::Database Context::load_model() const {
  schema::Database model = scratch::load_model(config_);
  for (const auto& line : model.not_managed) spdlog::warn("{}", line);
  return model;
}

bool Context::sql_model() const {
  return scratch::is_sql_model(config_);
}

std::unique_ptr<pqxx::connection> Context::connect() const {
  std::vector<std::string> warnings;
  auto options = db::options_from(config_, warnings);
  for (const auto& warning : warnings) spdlog::warn("{}", warning);
  return db::connect(options);
}

bool Context::ensure_database() const {
  std::vector<std::string> warnings;
  return apply::ensure_database(db::options_from(config_, warnings), util::system_clock());
}

std::string Context::database_name() const {
  std::vector<std::string> warnings;
  return apply::target_database(db::options_from(config_, warnings));
}

std::string Context::target() const {
  return db::target_of(config_);
}

engine::Settings Context::settings() const {
  return engine::settings_from(config_, revisions());
}

const apply::RevisionSource& Context::revisions() const {
  if (!revisions_) revisions_ = engine::load_revisions(config_);
  return *revisions_;
}

}  // namespace schemad::cli
