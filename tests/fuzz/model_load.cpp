// Fuzz target: the model loader. Any text is a model or a ModelError;
// nothing else may escape, and nothing may crash.

#include <cstdint>
#include <string_view>

#include "model/load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    schemad::model::load_text(std::string_view(reinterpret_cast<const char*>(data), size),
                              "fuzz.json");
  } catch (const schemad::model::ModelError&) {
  }
  return 0;
}
