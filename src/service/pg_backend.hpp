#pragma once

// The worker's real backend: model files, the versions folder and
// PostgreSQL through libpqxx.

#include <memory>

#include "service/backend.hpp"

namespace schemad::service {

std::unique_ptr<Backend> make_pg_backend();

}  // namespace schemad::service
