#include "model/source.hpp"

#include "model/example_model.hpp"
#include "model/load.hpp"

namespace schemad::model {

schema::Database load_configured(const std::string& path, std::size_t max_bytes) {
  if (path.empty()) return load_text(example_model_json(), display_name(path));
  return load_file(path, max_bytes);
}

std::string display_name(const std::string& path) {
  return path.empty() ? std::string(kEmbeddedModelName) : path;
}

}  // namespace schemad::model
