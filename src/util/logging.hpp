#pragma once

// The process's logging: spdlog's default logger on standard error, as text
// or one JSON object a line.

#include <string>

namespace schemad::util {

// Configures the default spdlog logger: standard error, `level` (trace,
// debug, info, warn, error), `format` "text" (human lines) or "json" (one
// JSON object a line: ts, level, msg). Throws std::invalid_argument on an
// unknown level or format.
void setup_logging(const std::string& level, const std::string& format);

}  // namespace schemad::util
