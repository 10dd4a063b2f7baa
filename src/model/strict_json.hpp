#pragma once

// Strict parsing of a model document. nlohmann's DOM parser accepts
// duplicate keys (the last wins) and has no depth limit; the model format
// refuses both, so the document is built through a SAX handler that tracks
// the JSON path of every value.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace schemad::model {

struct Document {
  nlohmann::json root;
  // The spelling of every number that is not a JSON integer, by its path
  // ("tables[0].columns[3].default"): a default of 1.50 is not 1.5 to
  // PostgreSQL's numeric, and a double has lost the difference.
  std::map<std::string, std::string> number_text;
};

// Parses `text` as exactly one JSON value. Throws Invalid for a syntax error
// (path empty, the problem names line and column), a key repeated in one
// object (at the path of the second), nesting deeper than kMaxModelDepth
// (load.hpp) containers, and a NUL character (\u0000) in a string or key,
// which PostgreSQL cannot store. Never recurses on the document's depth.
Document parse_strict(std::string_view text);

}  // namespace schemad::model
