#include "util/strict_json.hpp"

#include <optional>
#include <set>
#include <vector>

namespace schemad::util {

namespace {

using json = nlohmann::json;

// Builds the DOM like nlohmann's own json_sax_dom_parser, and keeps for each
// open container its path and (objects) the keys seen so far.
class StrictBuilder : public nlohmann::json_sax<json> {
 public:
  StrictBuilder(JsonDocument& doc, int max_depth, const std::string* stream_key = nullptr,
                const ElementHandler* each = nullptr)
      : doc_(doc), max_depth_(max_depth), stream_key_(stream_key), each_(each) {}

  bool null() override { return add(json(nullptr)); }
  bool boolean(bool value) override { return add(json(value)); }
  bool number_integer(number_integer_t value) override { return add(json(value)); }
  bool number_unsigned(number_unsigned_t value) override { return add(json(value)); }
  bool number_float(number_float_t value, const string_t& text) override {
    doc_.number_text[value_path()] = text;
    return add(json(value));
  }
  bool string(string_t& value) override {
    if (value.find('\0') != std::string::npos) {
      return fail(value_path(), "a string must not contain a NUL character (\\u0000)");
    }
    return add(json(std::move(value)));
  }
  bool binary(binary_t& /*value*/) override {
    return fail(value_path(), "binary values are not JSON");
  }

  bool start_object(std::size_t /*size*/) override { return open(json::object()); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t /*size*/) override { return open(json::array()); }
  bool end_array() override { return close(); }

  bool key(string_t& key) override {
    Frame& frame = frames_.back();
    std::string path = child_path(frame.path, key);
    if (key.find('\0') != std::string::npos) {
      return fail(frame.path, "a key must not contain a NUL character (\\u0000)");
    }
    if (!frame.keys.insert(key).second) return fail(path, "duplicate key \"" + key + "\"");
    frame.key = std::move(key);
    return true;
  }

  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& error) override {
    // what() is "[json.exception.parse_error.101] parse error at line 3,
    // column 5: syntax error while parsing ...": keep what follows the id.
    std::string message = error.what();
    std::size_t end_of_id = message.find("] ");
    if (message.rfind("[json.exception.", 0) == 0 && end_of_id != std::string::npos) {
      message.erase(0, end_of_id + 2);
    }
    return fail("", "invalid JSON: " + message);
  }

  // The first problem found; parsing stops there.
  const JsonError* error() const { return error_ ? &*error_ : nullptr; }

 private:
  struct Frame {
    json* container;
    std::string path;
    std::string key;             // objects: the key of the next value
    std::size_t next_index = 0;  // arrays: the index of the next value
    std::set<std::string> keys;  // objects: keys seen
  };

  std::string value_path() const {
    if (frames_.empty()) return "";
    const Frame& frame = frames_.back();
    return frame.container->is_array() ? child_path(frame.path, frame.next_index)
                                       : child_path(frame.path, frame.key);
  }

  // Stores `value` where the parser is; returns the stored value.
  json* place(json&& value) {
    if (frames_.empty()) {
      doc_.root = std::move(value);
      return &doc_.root;
    }
    Frame& frame = frames_.back();
    if (frame.container->is_array()) {
      ++frame.next_index;
      frame.container->push_back(std::move(value));
      return &frame.container->back();
    }
    json& slot = (*frame.container)[frame.key];
    slot = std::move(value);
    return &slot;
  }

  bool add(json&& value) {
    json* stored = place(std::move(value));
    if (in_stream_array()) deliver(*stored, frames_.back().next_index - 1);
    return true;
  }

  // The innermost open container is the streamed array.
  bool in_stream_array() const {
    return stream_key_ != nullptr && frames_.size() == 2 && frames_[0].container->is_object() &&
           frames_[1].container->is_array() && frames_[1].path == *stream_key_;
  }

  // Hands the element at `index` (stored at `slot`) over, with its numbers'
  // spellings, and leaves null in its place.
  void deliver(json& slot, std::size_t index) {
    JsonDocument element;
    element.root = std::move(slot);
    slot = nullptr;
    const std::string path = child_path(*stream_key_, index);
    for (auto it = doc_.number_text.lower_bound(path); it != doc_.number_text.end();) {
      const std::string& key = it->first;
      if (key.compare(0, path.size(), path) != 0) break;
      const bool inside =
          key.size() == path.size() || key[path.size()] == '.' || key[path.size()] == '[';
      if (!inside) {
        ++it;
        continue;
      }
      element.number_text.insert(doc_.number_text.extract(it++));
    }
    if (*each_) (*each_)(index, std::move(element));
  }

  bool open(json&& container) {
    std::string path = value_path();
    if (frames_.size() >= static_cast<std::size_t>(max_depth_)) {
      return fail(path, "nested deeper than " + std::to_string(max_depth_) + " levels");
    }
    // The parent container is not modified again until this one closes, so
    // the pointer stays valid.
    json* stored = place(std::move(container));
    frames_.push_back(Frame{stored, std::move(path), {}, 0, {}});
    return true;
  }

  bool close() {
    json* closed = frames_.back().container;
    frames_.pop_back();
    if (in_stream_array()) deliver(*closed, frames_.back().next_index - 1);
    return true;
  }

  bool fail(std::string path, std::string problem) {
    if (!error_) error_.emplace(std::move(path), std::move(problem));
    return false;
  }

  JsonDocument& doc_;
  int max_depth_;
  const std::string* stream_key_;
  const ElementHandler* each_;
  std::vector<Frame> frames_;
  std::optional<JsonError> error_;
};

}  // namespace

namespace {

JsonDocument parse(std::string_view text, StrictBuilder& builder, JsonDocument& doc) {
  bool ok = json::sax_parse(text, &builder, json::input_format_t::json, /*strict=*/true,
                            /*ignore_comments=*/false);
  if (const JsonError* error = builder.error()) throw *error;
  if (!ok) throw JsonError("", "invalid JSON");
  return std::move(doc);
}

}  // namespace

JsonDocument parse_strict_json(std::string_view text, int max_depth) {
  JsonDocument doc;
  StrictBuilder builder(doc, max_depth);
  return parse(text, builder, doc);
}

JsonDocument parse_strict_json(std::string_view text, int max_depth, const std::string& stream_key,
                               const ElementHandler& each) {
  JsonDocument doc;
  StrictBuilder builder(doc, max_depth, &stream_key, &each);
  return parse(text, builder, doc);
}

}  // namespace schemad::util
