#include "engine/cache.hpp"

#include <pqxx/nontransaction>

namespace schemad::engine {

std::optional<Observation> reuse(pqxx::connection_base& conn, ObservationCache& cache,
                                 const std::string& fingerprint, const std::string& revision,
                                 const std::string& catalog_version, const std::string& schema) {
  if (!cache.valid || cache.reuses >= ObservationCache::kMaxReuses ||
      cache.fingerprint != fingerprint || cache.revision != revision ||
      cache.catalog_version != catalog_version) {
    return std::nullopt;
  }
  Observation o = cache.observation;
  o.queries = 1;  // the catalog version
  if (o.stamp.state.table_exists) {
    pqxx::nontransaction tx(conn, "schemad-stamp");
    const auto rows = apply::read_revisions(tx, schema);
    o.queries += 1;
    if (rows != o.stamp.state.revisions) return std::nullopt;
  }
  ++cache.reuses;
  return o;
}

}  // namespace schemad::engine
