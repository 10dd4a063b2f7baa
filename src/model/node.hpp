#pragma once

// A value of the model document together with its path, and the typed
// accessors the readers use. Every accessor that finds the wrong shape
// throws Invalid naming this node's path, so readers never format paths.

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/invalid.hpp"

namespace schemad::model {

class Node {
 public:
  // `value` and `doc` must outlive the node and every node derived from it.
  Node(const nlohmann::json& value, std::string path, const Document& doc)
      : value_(&value), path_(std::move(path)), doc_(&doc) {}

  const nlohmann::json& json() const { return *value_; }
  const std::string& path() const { return path_; }
  [[noreturn]] void fail(std::string problem) const;
  // fail() with what was found: "must be a string, not 42".
  [[noreturn]] void expected(const std::string& requirement) const;

  // Objects. `keys` lists every key the object may have; keys starting with
  // "x-" are always allowed (and ignored). Throws unless this is an object
  // without other keys.
  void expect_object(std::initializer_list<std::string_view> keys) const;
  // Preconditions: expect_object passed.
  bool has(const std::string& key) const;
  Node at(const std::string& key) const;  // throws: missing required key
  std::optional<Node> find(const std::string& key) const;

  // The elements of an array; throws unless this is an array.
  std::vector<Node> items() const;

  std::string string() const;  // any string
  std::string non_empty_string() const;
  // A PostgreSQL identifier: a string of 1 to 63 bytes (UTF-8,
  // sql::kMaxIdentifierBytes).
  std::string identifier() const;
  // A non-empty array of identifiers, each at most once; `what` names an
  // item in the message for a repeated one ("column").
  std::vector<std::string> identifier_list(const std::string& what) const;
  bool boolean() const;
  // A number's JSON spelling: integers in decimal, other numbers as written.
  std::string number_text() const;

 private:
  const nlohmann::json* value_;
  std::string path_;
  const Document* doc_;
};

}  // namespace schemad::model
