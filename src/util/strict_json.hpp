#pragma once

// Strict parsing of JSON documents that people write (the model, the
// configuration). nlohmann's DOM parser accepts duplicate keys (the last
// wins) and has no depth limit; schemad refuses both, so the document is
// built through a SAX handler that tracks the JSON path of every value and
// reports every problem at its path.

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace schemad::util {

// A problem at a path of a JSON document: "tables[3].columns[2].type",
// empty for a problem of the whole document. what() is "PATH: PROBLEM".
class JsonError : public std::runtime_error {
 public:
  JsonError(std::string path, std::string problem);

  const std::string& path() const { return path_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string path_;
  std::string problem_;
};

// A value as an error message shows what was found: a string quoted (at
// most 64 bytes: util::quote_for_message), a number or literal as JSON
// spells it, "an object", "an empty array", "an array of 3 items".
std::string describe(const nlohmann::json& value);

// Paths: "tables" + "name" -> "tables.name"; "tables" + 3 -> "tables[3]".
std::string child_path(const std::string& parent, const std::string& key);
std::string child_path(const std::string& parent, std::size_t index);

struct JsonDocument {
  nlohmann::json root;
  // The spelling of every number that is not a JSON integer, by its path
  // ("tables[0].columns[3].default"): a default of 1.50 is not 1.5 to
  // PostgreSQL's numeric, and a double has lost the difference.
  std::map<std::string, std::string> number_text;
};

// Parses `text` as exactly one JSON value. Throws JsonError for a syntax
// error or a number out of range (path empty, the problem names line and
// column), a key repeated in one object (at the path of the second),
// nesting deeper than `max_depth` containers, and a NUL character (\u0000)
// in a string or key. Never recurses on the document's depth.
JsonDocument parse_strict_json(std::string_view text, int max_depth);

// The same, but the elements of the array under the top-level key
// `stream_key` ("tables") are not kept: each, once parsed, is handed to
// `each` as a document of its own (its root the element, its number_text
// under the paths it has in the whole document: "tables[3]...") along with
// its index, and replaced by null in the document returned. A large model
// is then never in memory as a whole. Whatever `each` throws stops the
// parse and propagates.
using ElementHandler = std::function<void(std::size_t index, JsonDocument&& element)>;
JsonDocument parse_strict_json(std::string_view text, int max_depth, const std::string& stream_key,
                               const ElementHandler& each);

}  // namespace schemad::util
