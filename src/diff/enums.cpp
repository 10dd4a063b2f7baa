#include "diff/enums.hpp"

#include <algorithm>
#include <set>

#include "diff/builders.hpp"
#include "diff/definitions.hpp"

namespace schemad::diff {

namespace {

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

// ALTER TYPE ... ADD VALUE runs one label at a time, in the model's order, so
// every label before the missing one exists (or was just added) by then:
// place it after its predecessor. The first label goes before the first
// model label that the database already has, or at the end.
Change value_change(const schema::Enum& want, const std::vector<std::string>& existing,
                    std::size_t index) {
  Change change;
  change.kind = ChangeKind::add_enum_value;
  change.enum_type = want;
  change.value = want.values[index];
  change.path = child_path(want.path, ".values[" + std::to_string(index) + "]");
  if (index > 0) {
    change.neighbour = want.values[index - 1];
    return change;
  }
  for (std::size_t j = 1; j < want.values.size(); ++j) {
    if (contains(existing, want.values[j])) {
      change.neighbour = want.values[j];
      change.before = true;
      break;
    }
  }
  return change;
}

void compare_labels(const schema::Enum& want, const schema::Enum& have, Result& out) {
  for (std::size_t i = 0; i < want.values.size(); ++i) {
    if (!contains(have.values, want.values[i])) {
      out.changes.push_back(value_change(want, have.values, i));
    }
  }
  const std::string object = want.name.display();
  std::vector<std::string> model_order;  // labels on both sides, model's order
  std::vector<std::string> db_order;     // the same labels, database's order
  for (const auto& label : want.values) {
    if (contains(have.values, label)) model_order.push_back(label);
  }
  for (const auto& label : have.values) {
    if (contains(want.values, label)) {
      db_order.push_back(label);
    } else {
      add_drift(out, DriftKind::enum_extra_value, object, "", label, want.path);
    }
  }
  if (model_order != db_order) {
    add_drift(out, DriftKind::enum_order, object, join(model_order), join(db_order), want.path);
  }
}

}  // namespace

void compare_enums(const schema::Database& desired, const schema::Database& actual, Result& out) {
  for (const auto& want : desired.enums) {
    const schema::Enum* have = actual.find_enum(want.name);
    if (have == nullptr) {
      Change change;
      change.kind = ChangeKind::create_enum;
      change.enum_type = want;
      change.path = want.path;
      out.changes.push_back(change);
      continue;
    }
    compare_labels(want, *have, out);
  }
}

}  // namespace schemad::diff
