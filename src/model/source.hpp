#pragma once

// Which model is in force: the configured file, or the embedded example
// model when none is configured.

#include <string>

#include "schema/schema.hpp"

namespace schemad::model {

// The model file at `path`, or the embedded example model when `path` is
// empty. Throws ModelError.
schema::Database load_configured(const std::string& path);

// How `path` is named in messages and /status.
std::string display_name(const std::string& path);

}  // namespace schemad::model
