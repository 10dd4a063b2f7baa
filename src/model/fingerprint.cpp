#include "model/fingerprint.hpp"

#include <string_view>

#include "schema/json.hpp"
#include "util/sha256.hpp"

namespace schemad::model {

namespace {

schema::JsonOptions fingerprint_form() {
  schema::JsonOptions options;
  options.sort_by_name = true;
  options.clear_fingerprint = true;
  return options;
}

// The canonical text arrives in pieces of a few bytes: gathered into
// blocks first, as hashing each piece costs more than hashing its bytes.
class HashSink final : public schema::JsonSink {
 public:
  void write(std::string_view piece) override {
    if (buffer_.size() + piece.size() > kBlock) flush();
    if (piece.size() >= kBlock) {
      hash_.update(piece);
    } else {
      buffer_.append(piece);
    }
  }
  std::string hex() {
    flush();
    return hash_.hex();
  }

 private:
  static constexpr std::size_t kBlock = 64 * 1024;
  void flush() {
    hash_.update(buffer_);
    buffer_.clear();
  }
  std::string buffer_;
  util::Sha256 hash_;
};

}  // namespace

std::string fingerprint(const schema::Database& db) {
  HashSink sink;
  schema::write_json(db, sink, fingerprint_form());
  return sink.hex();
}

std::string canonical_text(const schema::Database& db) {
  return schema::to_json_text(db, fingerprint_form());
}

}  // namespace schemad::model
