#include <algorithm>
#include <cctype>
#include <string>

#include "diff/definitions.hpp"
#include "diff/expressions.hpp"
#include "diff/table_diff.hpp"
#include "diff/uniques.hpp"
#include "util/text.hpp"

namespace schemad::diff {

namespace {

using schema::Index;
using schema::IndexKey;
using schema::NullsOrder;
using schema::SortOrder;

// Spelled-out defaults compare equal to omitted ones: ASC, and NULLS LAST
// for ascending keys, NULLS FIRST for descending ones.
IndexKey canonical_key(IndexKey key) {
  if (key.order == SortOrder::unspecified) key.order = SortOrder::asc;
  if (key.nulls == NullsOrder::unspecified) {
    key.nulls = key.order == SortOrder::desc ? NullsOrder::first : NullsOrder::last;
  }
  key.expression = normalize_expression(key.expression);
  key.opclass.clear();  // compared by same_opclass
  return key;
}

// The same operator class: both the default (omitted), or the same name; a
// name on one side matches the other's default by the default's name (the
// catalog knows it, the model may spell it out: "jsonb_ops").
bool same_opclass(const IndexKey& a, const IndexKey& b) {
  if (a.opclass == b.opclass) return true;
  if (a.opclass.empty()) return !a.default_opclass.empty() && a.default_opclass == b.opclass;
  if (b.opclass.empty()) return !b.default_opclass.empty() && b.default_opclass == a.opclass;
  return false;
}

bool same_definition(const Index& a, const Index& b) {
  if (a.keys.size() != b.keys.size()) return false;
  for (std::size_t i = 0; i < a.keys.size(); ++i) {
    if (canonical_key(a.keys[i]) != canonical_key(b.keys[i])) return false;
    if (!same_opclass(a.keys[i], b.keys[i])) return false;
  }
  return util::ascii_lower(a.method) == util::ascii_lower(b.method) && a.unique == b.unique &&
         same_expression(a.where, b.where) && a.include == b.include;
}

// "And the other way round": a unique constraint on the same columns
// satisfies a model unique index without predicate or expressions.
bool satisfied_by_unique_constraint(const TableDiff& t, const Index& want) {
  if (!want.unique) return false;
  std::vector<std::string> columns = plain_key_columns(want);
  return !columns.empty() && unique_constraint_on(t.have, columns) != nullptr;
}

void create_index(const TableDiff& t, const Index& want, const std::string& invalid_index) {
  Change change = change_on(t.want, ChangeKind::create_index, want.path);
  change.index = want;
  change.invalid_index = invalid_index;
  t.out.changes.push_back(change);
}

void compare_named_index(TableDiff& t, const Index& want) {
  auto have = std::find_if(t.have.indexes.begin(), t.have.indexes.end(),
                           [&](const Index& i) { return i.name == want.name; });
  if (have == t.have.indexes.end()) {
    if (!satisfied_by_unique_constraint(t, want)) create_index(t, want, "");
    return;
  }
  t.accounted_indexes.emplace(have->name, want.path);
  if (!same_definition(want, *have)) {
    add_drift(t.out, DriftKind::index_definition, object_name(t.want.name, want.name),
              index_text(want), index_text(*have), want.path);
  } else if (!have->valid) {
    create_index(t, want, have->name);
  }
}

// Matched by definition. Of the valid candidates, one that no other model
// object accounts for and that backs no constraint wins (a table may have
// both a unique constraint and a separate unique index on the same
// columns); an invalid one is rebuilt only when nothing else satisfies the
// model.
void compare_unnamed_index(TableDiff& t, const Index& want) {
  const Index* best = nullptr;
  auto rank = [&](const Index& i) {
    return (t.accounted_indexes.count(i.name) != 0 ? 2 : 0) + (i.constraint_backed ? 1 : 0);
  };
  const Index* invalid = nullptr;
  for (const auto& have : t.have.indexes) {
    if (!same_definition(want, have)) continue;
    if (!have.valid) {
      if (invalid == nullptr) invalid = &have;
    } else if (best == nullptr || rank(have) < rank(*best)) {
      best = &have;
    }
  }
  if (best != nullptr) {
    t.accounted_indexes.emplace(best->name, want.path);
    return;
  }
  if (satisfied_by_unique_constraint(t, want)) return;
  if (invalid != nullptr) t.accounted_indexes.emplace(invalid->name, want.path);
  create_index(t, want, invalid != nullptr ? invalid->name : "");
}

void report_database_indexes(const TableDiff& t) {
  for (const auto& have : t.have.indexes) {
    auto accounted = t.accounted_indexes.find(have.name);
    std::string path = accounted == t.accounted_indexes.end() ? "" : accounted->second;
    std::string object = object_name(t.have.name, have.name);
    if (!have.valid) {
      add_drift(t.out, DriftKind::invalid_index, object, "", index_text(have), path);
    }
    if (accounted == t.accounted_indexes.end() && !have.constraint_backed) {
      add_drift(t.out, DriftKind::extra_index, object, "", index_text(have), "");
    }
  }
}

}  // namespace

void compare_indexes(TableDiff& t) {
  for (const auto& want : t.want.indexes) {
    if (want.name.empty()) {
      compare_unnamed_index(t, want);
    } else {
      compare_named_index(t, want);
    }
  }
  report_database_indexes(t);
}

}  // namespace schemad::diff
