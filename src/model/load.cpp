#include "model/load.hpp"

#include <sys/stat.h>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "model/fingerprint.hpp"
#include "model/invalid.hpp"
#include "model/read_model.hpp"
#include "model/strict_json.hpp"

namespace schemad::model {

namespace {

std::string message(const std::string& file, const std::string& path, const std::string& problem) {
  std::string out = file.empty() ? "" : file + ": ";
  if (!path.empty()) out += path + ": ";
  return out + problem;
}

std::string too_large(std::size_t bytes) {
  return "the model is " + std::to_string(bytes) + " bytes, more than the limit of " +
         std::to_string(kMaxModelBytes) + " (16 MiB)";
}

}  // namespace

ModelError::ModelError(std::string file, std::string path, std::string problem)
    : std::runtime_error(message(file, path, problem)),
      file_(std::move(file)),
      path_(std::move(path)),
      problem_(std::move(problem)) {}

schema::Database load_file(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    throw ModelError(path, "", std::string("cannot read: ") + std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode)) throw ModelError(path, "", "cannot read: not a regular file");
  if (static_cast<std::size_t>(info.st_size) > kMaxModelBytes) {
    throw ModelError(path, "", too_large(static_cast<std::size_t>(info.st_size)));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ModelError(path, "", std::string("cannot read: ") + std::strerror(errno));
  // The file may have grown since stat: read no more than one byte past
  // the limit, so that load_text refuses it.
  std::string text;
  text.reserve(static_cast<std::size_t>(info.st_size));
  char chunk[65536];
  while (text.size() <= kMaxModelBytes && in.read(chunk, sizeof chunk).gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw ModelError(path, "", "cannot read: I/O error");
  return load_text(text, path);
}

schema::Database load_text(std::string_view json, const std::string& file) {
  if (json.size() > kMaxModelBytes) throw ModelError(file, "", too_large(json.size()));
  try {
    schema::Database db = read_model(parse_strict(json));
    db.fingerprint = fingerprint(db);
    return db;
  } catch (const Invalid& error) {
    throw ModelError(file, error.path(), error.problem());
  }
}

}  // namespace schemad::model
