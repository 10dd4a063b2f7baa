#include "context.hpp"

#include <spdlog/spdlog.h>

#include "apply/bootstrap.hpp"
#include "apply/from_config.hpp"
#include "model/source.hpp"
#include "util/logging.hpp"

namespace schemad::cli {

config::Config resolve_config(const GlobalOptions& options) {
  config::Config c;
  const auto env = config::process_environment();
  std::string file = options.config_file;
  if (file.empty()) file = env("SCHEMAD_CONFIG").value_or("");
  if (!file.empty()) c = config::load_file(file);
  config::apply_environment(c, env);
  if (!options.database_url.empty()) {
    c.database_url = options.database_url;
    c.database_url_source = "--database-url";
  }
  if (!options.model.empty()) c.model = options.model;
  if (!options.log_level.empty()) c.log.level = options.log_level;
  if (!options.log_format.empty()) c.log.format = options.log_format;
  if (!options.versions_dir.empty()) c.alembic.versions_dir = options.versions_dir;
  config::validate(c);
  return c;
}

Context::Context(const GlobalOptions& options) : config_(resolve_config(options)) {
  util::setup_logging(config_.log.level, config_.log.format);
  model_name_ = model::display_name(config_.model);
}

schema::Database Context::load_model() const {
  return model::load_configured(config_.model);
}

std::unique_ptr<pqxx::connection> Context::connect() const {
  std::vector<std::string> warnings;
  auto options = apply::connection_options_from(config_, warnings);
  for (const auto& warning : warnings) spdlog::warn("{}", warning);
  return apply::connect(options);
}

bool Context::ensure_database() const {
  std::vector<std::string> warnings;
  return apply::ensure_database(apply::connection_options_from(config_, warnings));
}

std::string Context::database_name() const {
  std::vector<std::string> warnings;
  return apply::target_database(apply::connection_options_from(config_, warnings));
}

std::string Context::target() const {
  return apply::target_of(config_);
}

apply::Settings Context::settings() const {
  return apply::settings_from(config_, revisions());
}

const apply::RevisionSource& Context::revisions() const {
  if (!revisions_) revisions_ = apply::load_revisions(config_);
  return *revisions_;
}

}  // namespace schemad::cli
