#include "diff/diff.hpp"

#include <algorithm>

#include "diff/enums.hpp"
#include "diff/objects.hpp"
#include "diff/sequences.hpp"
#include "diff/table_diff.hpp"

namespace schemad::diff {

namespace {

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

void compare_names(const std::vector<std::string>& desired, const std::vector<std::string>& actual,
                   ChangeKind kind, Result& out) {
  for (const auto& name : desired) {
    if (contains(actual, name)) continue;
    Change change;
    change.kind = kind;
    change.name = name;
    out.changes.push_back(change);
  }
}

}  // namespace

void sort_drift(std::vector<Drift>& drift) {
  std::stable_sort(drift.begin(), drift.end(), [](const Drift& a, const Drift& b) {
    return a.object != b.object ? a.object < b.object : a.kind < b.kind;
  });
}

bool can_add_not_null(const schema::Column& column) {
  if (column.identity != schema::Identity::none) return true;
  if (column.serial) return false;  // nextval() is volatile
  switch (column.def.kind) {
    case schema::Default::Kind::none:
      return false;
    case schema::Default::Kind::literal:
    case schema::Default::Kind::json:
      return true;
    case schema::Default::Kind::sql:
      return column.def.is_volatile == false;
  }
  return false;
}

Result compare(const schema::Database& desired, const schema::Database& actual,
               const Options& options) {
  Result out;
  compare_names(desired.schemas, actual.schemas, ChangeKind::create_schema, out);
  compare_names(desired.extensions, actual.extensions, ChangeKind::create_extension, out);
  for (auto& change : out.changes) {
    if (change.kind != ChangeKind::create_extension) continue;
    auto it = desired.extension_schemas.find(change.name);
    if (it != desired.extension_schemas.end()) change.extension_schema = it->second;
  }
  compare_enums(desired, actual, out);
  compare_sequences(desired, actual, out);
  compare_functions(desired, actual, options.replace, out);
  compare_tables(desired, actual, options, out);
  compare_views(desired, actual, options.replace, out);
  sort_drift(out.drift);
  return out;
}

}  // namespace schemad::diff
