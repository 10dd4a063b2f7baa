#include "apply/from_config.hpp"

#include "config/database_url.hpp"

namespace schemad::apply {

Settings settings_from(const config::Config& c, RevisionSource revisions) {
  Settings s;
  s.lock_name = c.lock_name;
  s.lock_wait = std::chrono::seconds(c.reconcile.lock_retry_seconds);
  s.lock_retry = std::chrono::seconds(c.reconcile.lock_retry_seconds);
  s.statement_timeout_ms = c.reconcile.statement_timeout_ms;
  s.version_table_schema = c.alembic.version_table_schema;
  s.revisions = std::move(revisions);
  return s;
}

RevisionSource load_revisions(const config::Config& c) {
  return load_revision_source(c.alembic.revision, c.alembic.versions_dir);
}

ConnectionOptions connection_options_from(const config::Config& c,
                                          std::vector<std::string>& warnings) {
  auto normalized = config::normalize_url(c.database_url);
  warnings.insert(warnings.end(), normalized.warnings.begin(), normalized.warnings.end());
  ConnectionOptions o;
  o.conninfo = normalized.conninfo;
  o.password_file = c.password_file;
  o.connect_timeout_seconds = c.reconcile.connect_timeout_seconds;
  o.lock_timeout_ms = c.reconcile.lock_timeout_ms;
  o.statement_timeout_ms = c.reconcile.statement_timeout_ms;
  return o;
}

std::string target_of(const config::Config& c) {
  try {
    return config::describe_target(config::normalize_url(c.database_url).conninfo);
  } catch (const std::invalid_argument&) {
    return "<invalid database URL>";
  }
}

}  // namespace schemad::apply
