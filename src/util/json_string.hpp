#pragma once

// JSON string literals, escaped the one way schemad writes them.

#include <string>
#include <string_view>

namespace schemad::util {

// `text` as a JSON string, quotes included, escaped as nlohmann's dump() and
// PostgreSQL's jsonb output both escape it: \b \f \n \r \t \" \\ and other
// control characters as \u00xx (lower-case hex); every other byte as is
// (UTF-8 passes through unchanged, '/' and DEL are not escaped).
std::string escape_json(std::string_view text);

// The same, appended to `out`: for writers that stream.
void append_json_string(std::string& out, std::string_view text);

}  // namespace schemad::util
