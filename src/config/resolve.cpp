#include "config/resolve.hpp"

namespace schemad::config {

Config resolve(const Overrides& o, const Getenv& getenv) {
  Config c;
  std::string file = o.config_file;
  if (file.empty()) file = getenv("SCHEMAD_CONFIG").value_or("");
  if (!file.empty()) c = load_file(file);
  apply_environment(c, getenv);
  if (!o.database_url.empty()) {
    c.database_url = o.database_url;
    c.database_url_source = "--database-url";
  }
  if (!o.model.empty()) c.model = o.model;
  if (!o.model_format.empty()) c.model_format = o.model_format;
  if (!o.model_schema.empty()) c.model_schema = o.model_schema;
  if (!o.scratch_database.empty()) c.scratch.database = o.scratch_database;
  if (!o.scratch_url.empty()) c.scratch.url = o.scratch_url;
  if (!o.log_level.empty()) c.log.level = o.log_level;
  if (!o.log_format.empty()) c.log.format = o.log_format;
  if (!o.versions_dir.empty()) c.alembic.versions_dir = o.versions_dir;
  validate(c);
  return c;
}

}  // namespace schemad::config
