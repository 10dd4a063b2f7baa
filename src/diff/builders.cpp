#include "diff/builders.hpp"

#include <utility>

namespace schemad::diff {

Change change_on(const schema::Table& table, ChangeKind kind, const std::string& path) {
  Change change;
  change.kind = kind;
  change.table.name = table.name;
  change.table.path = table.path;
  change.path = path;
  return change;
}

std::string child_path(const std::string& parent, const std::string& child) {
  return parent.empty() ? "" : parent + child;
}

void add_drift(Result& out, DriftKind kind, std::string object, std::string expected,
               std::string actual, std::string path) {
  Drift drift;
  drift.kind = kind;
  drift.object = std::move(object);
  drift.expected = std::move(expected);
  drift.actual = std::move(actual);
  drift.path = std::move(path);
  out.drift.push_back(std::move(drift));
}

}  // namespace schemad::diff
