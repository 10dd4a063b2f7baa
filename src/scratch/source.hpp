#pragma once

// The configured model, whatever its format: a JSON file (model/load.hpp),
// a SQL file or directory normalised in the scratch database
// (normalize.hpp), or the embedded example model.

#include "config/config.hpp"
#include "schema/schema.hpp"
#include "scratch/normalize.hpp"

namespace schemad::scratch {

// model_format "sql", or "auto" with a directory or a name ending in ".sql".
bool is_sql_model(const config::Config& config);

// Loads the configured model. A SQL model is read, then normalised against
// the configured database (one connection, closed before returning);
// `cache` spares the scratch build when nothing changed. Throws
// model::ModelError, ScratchError, db::ConnectError, std::invalid_argument
// (a database URL libpq cannot parse) and pqxx errors.
schema::Database load_model(const config::Config& config, Cache* cache = nullptr,
                            Stats* stats = nullptr);

}  // namespace schemad::scratch
