#pragma once

// The engine's settings as the configuration states them: one translation,
// shared by the one-shot commands and the daemon.

#include "apply/alembic_stamp.hpp"
#include "config/config.hpp"
#include "engine/engine.hpp"

namespace schemad::engine {

// `revisions` is what load_revisions(config) read (it touches the disk, so
// callers load it when they load the model, not on every reconcile).
Settings settings_from(const config::Config& config, apply::RevisionSource revisions);

// alembic.revision and the graph of alembic.versions_dir, when set. Throws
// alembic::AlembicError naming the folder.
apply::RevisionSource load_revisions(const config::Config& config);

}  // namespace schemad::engine
