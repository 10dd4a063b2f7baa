#include "scratch/source.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "db/connection.hpp"
#include "model/source.hpp"
#include "model/sql_script.hpp"

namespace schemad::scratch {

bool is_sql_model(const config::Config& config) {
  if (config.model_format == "sql") return true;
  if (config.model_format == "json" || config.model.empty()) return false;
  const std::string& path = config.model;
  if (path.size() >= 4 && path.compare(path.size() - 4, 4, ".sql") == 0) return true;
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

schema::Database load_model(const config::Config& config, Cache* cache, Stats* stats) {
  if (!is_sql_model(config))
    return model::load_configured(config.model, static_cast<std::size_t>(config.model_max_bytes));
  const model::SqlScript script = model::read_sql_script(
      config.model, config.model_schema, static_cast<std::size_t>(config.model_max_bytes));
  std::vector<std::string> warnings;
  const db::ConnectionOptions options = db::options_from(config, warnings);
  for (const auto& w : warnings) spdlog::warn("{}", w);
  auto target = db::connect(options);
  Stats local;
  Stats& s = stats != nullptr ? *stats : local;
  schema::Database model =
      normalize(*target, options, script, scratch::options_from(config), cache, &s);
  if (!s.cached) {
    spdlog::debug("normalised {} ({} statements) in the scratch database", config.model,
                  s.script_statements);
  }
  return model;
}

}  // namespace schemad::scratch
