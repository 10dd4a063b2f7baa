#pragma once

// The engine's settings as the configuration states them: one translation,
// shared by the one-shot commands and the daemon.

#include <string>
#include <vector>

#include "apply/connection.hpp"
#include "apply/reconcile.hpp"
#include "config/config.hpp"

namespace schemad::apply {

// `revisions` is what load_revisions(config) read (it touches the disk, so
// callers load it when they load the model, not on every reconcile).
Settings settings_from(const config::Config& config, RevisionSource revisions);

// alembic.revision and the graph of alembic.versions_dir, when set. Throws
// alembic::AlembicError naming the folder.
RevisionSource load_revisions(const config::Config& config);

// Normalises the database URL (see config/database_url.hpp); the parameters
// it dropped are appended to `warnings`. Throws std::invalid_argument for a
// URL libpq cannot parse.
ConnectionOptions connection_options_from(const config::Config& config,
                                          std::vector<std::string>& warnings);

// The masked target, or "<invalid database URL>".
std::string target_of(const config::Config& config);

}  // namespace schemad::apply
