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

class HashSink final : public schema::JsonSink {
 public:
  void write(std::string_view piece) override { hash.update(piece); }
  util::Sha256 hash;
};

}  // namespace

std::string fingerprint(const schema::Database& db) {
  HashSink sink;
  schema::write_json(db, sink, fingerprint_form());
  return sink.hash.hex();
}

std::string canonical_text(const schema::Database& db) {
  return schema::to_json_text(db, fingerprint_form());
}

}  // namespace schemad::model
