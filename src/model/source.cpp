#include "model/source.hpp"

#include <fstream>

#include "model/example_model.hpp"
#include "model/load.hpp"
#include "util/sha256.hpp"

namespace schemad::model {

schema::Database load_configured(const std::string& path, std::size_t max_bytes) {
  if (path.empty()) return load_text(example_model_json(), display_name(path));
  return load_file(path, max_bytes);
}

std::string source_digest(const std::string& path, std::size_t max_bytes) {
  if (path.empty()) return util::sha256_hex(example_model_json());
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  const std::size_t limit = max_bytes == 0 ? kMaxModelBytes : max_bytes;
  util::Sha256 hash;
  std::string buffer(64 * 1024, '\0');
  std::size_t total = 0;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    total += got;
    if (total > limit) return "";
    hash.update(std::string_view(buffer.data(), got));
  }
  if (in.bad()) return "";
  return hash.hex();
}

std::string display_name(const std::string& path) {
  return path.empty() ? std::string(kEmbeddedModelName) : path;
}

}  // namespace schemad::model
