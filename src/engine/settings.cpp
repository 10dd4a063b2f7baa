#include "engine/settings.hpp"

namespace schemad::engine {

Settings settings_from(const config::Config& c, apply::RevisionSource revisions) {
  Settings s;
  s.lock_name = c.lock_name;
  s.lock_retry = std::chrono::seconds(c.reconcile.lock_retry_seconds);
  s.statement_timeout_ms = c.reconcile.statement_timeout_ms;
  s.version_table_schema = c.alembic.version_table_schema;
  s.revisions = std::move(revisions);
  for (const std::string& kind : c.replace) {
    if (kind == "functions") s.replace.functions = true;
    if (kind == "views") s.replace.views = true;
    if (kind == "triggers") s.replace.triggers = true;
  }
  return s;
}

apply::RevisionSource load_revisions(const config::Config& c) {
  return apply::load_revision_source(c.alembic.revision, c.alembic.versions_dir);
}

}  // namespace schemad::engine
