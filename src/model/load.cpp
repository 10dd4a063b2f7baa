#include "model/load.hpp"

#include "model/fingerprint.hpp"
#include "model/invalid.hpp"
#include "model/read_model.hpp"
#include "util/file.hpp"
#include "util/sha256.hpp"

namespace schemad::model {

namespace {

std::string message(const std::string& file, const std::string& path, const std::string& problem) {
  std::string out = file.empty() ? "" : file + ": ";
  if (!path.empty()) out += path + ": ";
  return out + problem;
}

std::size_t limit_of(std::size_t max_bytes) {
  return max_bytes == 0 ? kMaxModelBytes : max_bytes;
}

// The default limit says its size; a configured one says where it is set.
std::string too_large(std::size_t bytes, std::size_t max_bytes) {
  return "the model is " + std::to_string(bytes) + " bytes, more than the limit of " +
         std::to_string(limit_of(max_bytes)) +
         (max_bytes == 0 ? " (16 MiB; model_max_bytes raises it)" : " (model_max_bytes)");
}

}  // namespace

ModelError::ModelError(std::string file, std::string path, std::string problem)
    : std::runtime_error(message(file, path, problem)),
      file_(std::move(file)),
      path_(std::move(path)),
      problem_(std::move(problem)) {}

schema::Database load_file(const std::string& path, std::size_t max_bytes) {
  std::string text;
  try {
    text = util::read_file(path, limit_of(max_bytes));
  } catch (const util::FileError& e) {
    if (e.reason() == util::FileError::Reason::too_large) {
      throw ModelError(path, "", too_large(e.size(), max_bytes));
    }
    throw ModelError(path, "", std::string("cannot read: ") + e.what());
  }
  return load_text(text, path, max_bytes);
}

schema::Database load_text(std::string_view json, const std::string& file, std::size_t max_bytes) {
  if (json.size() > limit_of(max_bytes)) {
    throw ModelError(file, "", too_large(json.size(), max_bytes));
  }
  try {
    // Two passes, so that the model is never in memory as a document: the
    // first reads everything but the tables (which need the enums and the
    // default schema, wherever they are in the file), the second reads the
    // tables one at a time.
    const std::string key = "tables";
    const util::JsonDocument top = util::parse_strict_json(json, kMaxModelDepth, key, {});
    const TablesReader tables = [&](const ModelScope& scope, std::vector<schema::Table>& out) {
      util::parse_strict_json(
          json, kMaxModelDepth, key, [&](std::size_t index, util::JsonDocument&& element) {
            const Node node(element.root, util::child_path(key, index), element);
            out.push_back(read_table(node, scope));
          });
    };
    schema::Database db = read_model(top, &tables);
    db.fingerprint = fingerprint(db);
    db.source = util::sha256_hex(json);
    return db;
  } catch (const Invalid& error) {
    throw ModelError(file, error.path(), error.problem());
  }
}

}  // namespace schemad::model
