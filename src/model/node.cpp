#include "model/node.hpp"

#include <algorithm>
#include <map>

#include "util/sql_text.hpp"

namespace schemad::model {

void Node::fail(std::string problem) const {
  throw Invalid(path_, std::move(problem));
}

void Node::expected(const std::string& requirement) const {
  fail(requirement + ", not " + util::describe(*value_));
}

void Node::expect_object(std::initializer_list<std::string_view> keys) const {
  if (!value_->is_object()) expected("must be an object");
  for (const auto& item : value_->items()) {
    const std::string& key = item.key();
    if (key.rfind("x-", 0) == 0) continue;
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      fail("unknown key \"" + key + "\"");
    }
  }
}

bool Node::has(const std::string& key) const {
  return value_->contains(key);
}

Node Node::at(const std::string& key) const {
  auto it = value_->find(key);
  if (it == value_->end()) fail("missing required key \"" + key + "\"");
  return Node(*it, child_path(path_, key), *doc_);
}

std::optional<Node> Node::find(const std::string& key) const {
  if (!has(key)) return std::nullopt;
  return at(key);
}

std::vector<Node> Node::items() const {
  if (!value_->is_array()) expected("must be an array");
  std::vector<Node> out;
  out.reserve(value_->size());
  for (std::size_t i = 0; i < value_->size(); ++i) {
    out.emplace_back((*value_)[i], child_path(path_, i), *doc_);
  }
  return out;
}

std::string Node::string() const {
  if (!value_->is_string()) expected("must be a string");
  return value_->get<std::string>();
}

std::string Node::non_empty_string() const {
  if (!value_->is_string() || value_->get_ref<const std::string&>().empty()) {
    expected("must be a non-empty string");
  }
  return value_->get<std::string>();
}

std::string Node::identifier() const {
  if (!value_->is_string()) expected("must be a string");
  const auto& text = value_->get_ref<const std::string&>();
  if (text.empty()) fail("must not be empty");
  // The parser already refused NUL characters; PostgreSQL counts bytes.
  if (text.size() > sql::kMaxIdentifierBytes) {
    fail("\"" + text + "\" is " + std::to_string(text.size()) +
         " bytes long; PostgreSQL allows at most " + std::to_string(sql::kMaxIdentifierBytes) +
         " bytes");
  }
  return text;
}

std::vector<std::string> Node::identifier_list(const std::string& what) const {
  if (!value_->is_array() || value_->empty()) expected("must be a non-empty array of strings");
  std::vector<std::string> out;
  std::map<std::string, std::string> first_at;
  for (const Node& item : items()) {
    std::string name = item.identifier();
    auto [it, inserted] = first_at.emplace(name, item.path());
    if (!inserted) {
      item.fail("duplicate " + what + " \"" + name + "\" (first at " + it->second + ")");
    }
    out.push_back(std::move(name));
  }
  return out;
}

bool Node::boolean() const {
  if (!value_->is_boolean()) expected("must be true or false");
  return value_->get<bool>();
}

std::string Node::number_text() const {
  if (value_->is_number_integer()) return value_->dump();
  if (!value_->is_number()) expected("must be a number");
  auto it = doc_->number_text.find(path_);
  return it != doc_->number_text.end() ? it->second : value_->dump();
}

}  // namespace schemad::model
