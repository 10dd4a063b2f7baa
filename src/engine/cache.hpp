#pragma once

// What the daemon keeps between reconciles so that a timer tick with
// nothing to do costs two statements: the last no-op observation, the
// catalog version it was made at (catalog/version.hpp), and the model and
// revision it compared.

#include <optional>
#include <pqxx/connection_base>
#include <string>

#include "engine/observe.hpp"

namespace schemad::engine {

struct ObservationCache {
  // Reused at most this many times in a row; then a full observation again
  // (the catalog version is a cheap sum, see catalog/version.hpp).
  static constexpr int kMaxReuses = 9;
  bool valid = false;
  std::string fingerprint;      // the model's
  std::string revision;         // the baseline revision
  std::string catalog_version;  // taken before the observation
  Observation observation;
  int reuses = 0;
};

// The cached observation when nothing it depends on has changed: the model,
// the revision, the catalog version, and the rows of alembic_version (which
// change without DDL; one statement to read them). Counts the reuse.
std::optional<Observation> reuse(pqxx::connection_base& conn, ObservationCache& cache,
                                 const std::string& fingerprint, const std::string& revision,
                                 const std::string& catalog_version, const std::string& schema);

}  // namespace schemad::engine
