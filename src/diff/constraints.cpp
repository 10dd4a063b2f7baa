#include <string>

#include "diff/definitions.hpp"
#include "diff/expressions.hpp"
#include "diff/table_diff.hpp"
#include "diff/uniques.hpp"

namespace schemad::diff {

namespace {

using schema::Constraint;
using schema::ConstraintKind;
using schema::Index;

const Constraint* find_constraint(const schema::Table& table, const std::string& name) {
  for (const auto& c : table.constraints) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const Index* find_index(const schema::Table& table, const std::string& name) {
  for (const auto& index : table.indexes) {
    if (index.name == name) return &index;
  }
  return nullptr;
}

void add_constraint(const TableDiff& t, const Constraint& want, const std::string& invalid_index) {
  Change change = change_on(t.want, ChangeKind::add_constraint, want.path);
  change.constraint = want;
  change.invalid_index = invalid_index;
  t.out.changes.push_back(change);
}

void report_definition(const TableDiff& t, const Constraint& want, const std::string& have_name,
                       const std::string& have_text) {
  add_drift(t.out, DriftKind::constraint_definition, object_name(t.want.name, have_name),
            constraint_text(want), have_text, want.path);
}

void report_if_not_valid(const TableDiff& t, const Constraint& want, const Constraint& have) {
  if (have.validated) return;
  add_drift(t.out, DriftKind::constraint_not_valid, object_name(t.want.name, have.name),
            constraint_text(want), constraint_text(have), want.path);
}

// Why a primary key cannot be added to the existing table without
// tightening a column: ADD PRIMARY KEY makes its columns NOT NULL, which
// schemad never does to a column that exists nullable (nor to one this run
// must add nullable). Empty when every key column is, or is added, NOT NULL.
std::string tightens_a_column(const TableDiff& t, const Constraint& want) {
  for (const std::string& name : want.columns) {
    if (const schema::Column* have = t.have.column(name)) {
      if (have->nullable) {
        return "column " + name +
               " is nullable in the database, and adding the key would make it NOT NULL: make "
               "it NOT NULL (after fixing any NULL rows), then apply again";
      }
    } else if (const schema::Column* added = t.want.column(name);
               added == nullptr || !can_add_not_null(*added)) {
      return "column " + name +
             " is added nullable, and adding the key would make it NOT NULL: make it NOT NULL "
             "(after filling it), then apply again";
    }
  }
  return "";
}

// An invalid unique index on the columns: what a failed online build of the
// unique constraint leaves behind, dropped and built again.
bool rebuildable_unique(const Index& index, const std::vector<std::string>& columns) {
  if (index.valid || !index.unique) return false;
  std::vector<std::string> keys = plain_key_columns(index);
  return !keys.empty() && same_column_set(keys, columns);
}

// What an online build of the key stopped short of attaching left behind:
// an invalid unique index on its columns (of its name, when it has one),
// dropped and built again.
std::string leftover_key_index(TableDiff& t, const Constraint& want) {
  for (const auto& index : t.have.indexes) {
    if ((want.name.empty() || index.name == want.name) && rebuildable_unique(index, want.columns)) {
      t.accounted_indexes.emplace(index.name, want.path);
      return index.name;
    }
  }
  return "";
}

// A table has one primary key: it matches by kind, and a model name that
// differs from the database's is a difference of definition.
void compare_primary_key(TableDiff& t, const Constraint& want) {
  const Constraint* have = t.have.primary_key();
  if (have == nullptr) {
    const Constraint* taken = want.name.empty() ? nullptr : find_constraint(t.have, want.name);
    if (taken != nullptr) {
      report_definition(t, want, taken->name, constraint_text(*taken));
    } else if (std::string why = tightens_a_column(t, want); !why.empty()) {
      add_drift(t.out, DriftKind::not_applied,
                object_name(t.want.name, want.name.empty() ? "primary key" : want.name),
                constraint_text(want), why, want.path);
    } else {
      add_constraint(t, want, leftover_key_index(t, want));
    }
    return;
  }
  bool renamed = !want.name.empty() && want.name != have->name;
  if (renamed || have->columns != want.columns) {
    std::string named_text = want.name.empty() ? "" : want.name + " ";
    add_drift(t.out, DriftKind::constraint_definition, object_name(t.want.name, have->name),
              named_text + constraint_text(want), have->name + " " + constraint_text(*have),
              want.path);
  }
}

// The name decides when the database has it (as a constraint, or as an index
// only: an online build stopped before ADD CONSTRAINT ... USING INDEX);
// otherwise any unique constraint or unique index on the same columns
// satisfies the model's unique.
void compare_unique(TableDiff& t, const Constraint& want) {
  if (!want.name.empty()) {
    if (const Constraint* have = find_constraint(t.have, want.name)) {
      if (have->kind != ConstraintKind::unique || !same_column_set(have->columns, want.columns)) {
        report_definition(t, want, have->name, constraint_text(*have));
      }
      return;
    }
    if (const Index* index = find_index(t.have, want.name)) {
      t.accounted_indexes.emplace(index->name, want.path);
      if (index_enforces_unique(*index, want.columns)) return;
      if (rebuildable_unique(*index, want.columns)) {
        add_constraint(t, want, index->name);
      } else {
        report_definition(t, want, index->name, "index " + index_text(*index));
      }
      return;
    }
  }
  if (unique_constraint_on(t.have, want.columns) != nullptr) return;
  // A unique index no other model object accounts for, else any.
  for (const bool taken_too : {false, true}) {
    for (const auto& index : t.have.indexes) {
      if (!taken_too && t.accounted_indexes.count(index.name) != 0) continue;
      if (index_enforces_unique(index, want.columns)) {
        t.accounted_indexes.emplace(index.name, want.path);
        return;
      }
    }
  }
  std::string invalid;  // a named unique rebuilds only its own name (above)
  for (const auto& index : t.have.indexes) {
    if (!want.name.empty()) break;
    if (rebuildable_unique(index, want.columns)) {
      invalid = index.name;
      t.accounted_indexes.emplace(index.name, want.path);
      break;
    }
  }
  add_constraint(t, want, invalid);
}

bool same_target(const Constraint& a, const Constraint& b) {
  return a.columns == b.columns && a.ref_table == b.ref_table && a.ref_columns == b.ref_columns;
}

bool same_actions(const Constraint& a, const Constraint& b) {
  return a.on_delete == b.on_delete && a.on_update == b.on_update;
}

// The database's constraint for `want`: the one of its name, or for an
// unnamed one, the first of its kind that `same` says is equal.
template <typename Same>
const Constraint* find_match(const schema::Table& have, const Constraint& want, Same same) {
  if (!want.name.empty()) return find_constraint(have, want.name);
  for (const auto& c : have.constraints) {
    if (c.kind == want.kind && same(c)) return &c;
  }
  return nullptr;
}

void compare_foreign_key(const TableDiff& t, const Constraint& want) {
  const Constraint* have =
      find_match(t.have, want, [&](const Constraint& c) { return same_target(c, want); });
  if (have == nullptr) {
    add_constraint(t, want, "");
  } else if (have->kind != ConstraintKind::foreign_key || !same_target(*have, want) ||
             !same_actions(*have, want)) {
    report_definition(t, want, have->name, constraint_text(*have));
  } else {
    report_if_not_valid(t, want, *have);
  }
}

// The model's expression as written (a check copied from
// pg_get_constraintdef), or as the server printed it (the probe), compared
// through normalize_expression.
bool same_check(const Constraint& want, const Constraint& have) {
  return same_expression(want.expression, have.expression) ||
         (!want.normalized.empty() && same_expression(want.normalized, have.expression));
}

void compare_check(const TableDiff& t, const Constraint& want) {
  const Constraint* have =
      find_match(t.have, want, [&](const Constraint& c) { return same_check(want, c); });
  if (have == nullptr) {
    add_constraint(t, want, "");
    return;
  }
  // Without the server's text, a different spelling proves nothing: a named
  // check's expression is compared only once the probe has normalised it.
  bool comparable = !want.normalized.empty();
  if (have->kind != ConstraintKind::check || (comparable && !same_check(want, *have))) {
    report_definition(t, want, have->name, constraint_text(*have));
  } else {
    report_if_not_valid(t, want, *have);
  }
}

}  // namespace

void compare_constraints(TableDiff& t) {
  for (const auto& want : t.want.constraints) {
    switch (want.kind) {
      case ConstraintKind::primary_key:
        compare_primary_key(t, want);
        break;
      case ConstraintKind::unique:
        compare_unique(t, want);
        break;
      case ConstraintKind::foreign_key:
        compare_foreign_key(t, want);
        break;
      case ConstraintKind::check:
        compare_check(t, want);
        break;
    }
  }
}

}  // namespace schemad::diff
