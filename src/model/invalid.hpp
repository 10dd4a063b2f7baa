#pragma once

// The loader's internal error: a problem at a path of the model. load_text
// turns it into a ModelError that also names the file.

#include <stdexcept>
#include <string>

namespace schemad::model {

class Invalid : public std::runtime_error {
 public:
  // `path` is the dotted JSON path ("tables[3].columns[2].type"), empty for
  // a problem of the whole document.
  Invalid(std::string path, std::string problem)
      : std::runtime_error(path.empty() ? problem : path + ": " + problem),
        path_(std::move(path)),
        problem_(std::move(problem)) {}

  const std::string& path() const { return path_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string path_;
  std::string problem_;
};

// Paths: "tables" + "name" -> "tables.name"; "tables" + 3 -> "tables[3]".
std::string child_path(const std::string& parent, const std::string& key);
std::string child_path(const std::string& parent, std::size_t index);

}  // namespace schemad::model
