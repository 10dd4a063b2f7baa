#include "model/fingerprint.hpp"

#include <algorithm>

#include "schema/json.hpp"
#include "util/sha256.hpp"

namespace schemad::model {

std::string fingerprint(const schema::Database& db) {
  schema::Database canonical = db;
  canonical.fingerprint.clear();
  std::sort(canonical.tables.begin(), canonical.tables.end(),
            [](const schema::Table& a, const schema::Table& b) { return a.name < b.name; });
  std::sort(canonical.enums.begin(), canonical.enums.end(),
            [](const schema::Enum& a, const schema::Enum& b) { return a.name < b.name; });
  return util::sha256_hex(schema::to_json(canonical).dump());
}

}  // namespace schemad::model
