#pragma once

// Which model is in force: the configured file, or the embedded example
// model when none is configured.

#include <string>

#include "schema/schema.hpp"

namespace schemad::model {

// The model file at `path`, or the embedded example model when `path` is
// empty. Throws ModelError.
// `max_bytes`: the configuration's model_max_bytes (0: the default).
schema::Database load_configured(const std::string& path, std::size_t max_bytes = 0);

// The SHA-256 hex of the JSON text load_configured(path) reads (what its
// Database::source will be), read in pieces so that even a large model costs
// no memory; "" when the file cannot be read or is over the limit (then
// loading it would fail, and say why).
std::string source_digest(const std::string& path, std::size_t max_bytes = 0);

// How `path` is named in messages and /status.
std::string display_name(const std::string& path);

}  // namespace schemad::model
