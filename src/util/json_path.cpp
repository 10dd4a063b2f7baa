#include "util/strict_json.hpp"

#include "util/text.hpp"

namespace schemad::util {

JsonError::JsonError(std::string path, std::string problem)
    : std::runtime_error(path.empty() ? problem : path + ": " + problem),
      path_(std::move(path)),
      problem_(std::move(problem)) {}

std::string describe(const nlohmann::json& value) {
  if (value.is_string()) return quote_for_message(value.get_ref<const std::string&>());
  if (value.is_object()) return value.empty() ? "an empty object" : "an object";
  if (value.is_array()) {
    if (value.empty()) return "an empty array";
    return value.size() == 1 ? "an array of 1 item"
                             : "an array of " + std::to_string(value.size()) + " items";
  }
  return value.dump();  // numbers, true, false, null
}

std::string child_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

std::string child_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

}  // namespace schemad::util
