#pragma once

// Loading and validating a model file (format: docs/model-format.md).
// Pure apart from reading the file: no database.

#include <stdexcept>
#include <string>
#include <string_view>

#include "schema/schema.hpp"

namespace schemad::model {

// A model that cannot be used. what() is the whole message:
//   "model.json: tables[3].columns[2].type: unknown key \"nulable\""
// (file, then the dotted JSON path with 0-based indexes, then the problem;
// the path is omitted for problems of the whole file).
class ModelError : public std::runtime_error {
 public:
  ModelError(std::string file, std::string path, std::string problem);

  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  std::string path_;
  std::string problem_;
};

// Largest model file accepted, and deepest nesting.
inline constexpr std::size_t kMaxModelBytes = 16u * 1024u * 1024u;
inline constexpr int kMaxModelDepth = 64;

// Reads, parses and validates the model; throws ModelError. `max_bytes`:
// the configuration's model_max_bytes (0: kMaxModelBytes).
schema::Database load_file(const std::string& path, std::size_t max_bytes = 0);

// The same for text already in memory; `file` names it in messages.
schema::Database load_text(std::string_view json, const std::string& file,
                           std::size_t max_bytes = 0);

}  // namespace schemad::model
