// Fuzz target: the configuration loader. Any text is a configuration or a
// ConfigError naming the file.

#include <cstdint>
#include <string_view>

#include "config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    schemad::config::parse_text(std::string_view(reinterpret_cast<const char*>(data), size),
                                "/etc/schemad/fuzz.json");
  } catch (const schemad::config::ConfigError&) {
  }
  return 0;
}
