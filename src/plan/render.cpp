#include <algorithm>

#include "plan/builder.hpp"
#include "plan/ddl.hpp"
#include "util/sql_text.hpp"

namespace schemad::plan {

namespace {

using diff::Change;
using diff::ChangeKind;

Phase phase_of(Slot slot, bool online) {
  if (!online) return Phase::transaction;
  if (slot == Slot::enum_value) return Phase::before;
  return slot >= Slot::after_unique ? Phase::after : Phase::transaction;
}

// What a new table brings beside CREATE TABLE, as the changes it stands
// for, so that each step is labelled like the object it creates.
Change part_of(const schema::Table& table, ChangeKind kind, const std::string& path) {
  Change change;
  change.kind = kind;
  change.table.name = table.name;
  change.path = path;
  return change;
}

void render_table(Builder& b, const Change& change) {
  const schema::Table& table = change.table;
  b.add(Slot::table, change, create_table_sql(table));
  for (const auto& c : table.constraints) {
    if (c.kind != schema::ConstraintKind::foreign_key) continue;  // inside CREATE TABLE
    Change fk = part_of(table, ChangeKind::add_constraint, c.path);
    fk.constraint = c;
    render_constraint(b, fk, true);
  }
  for (const auto& index : table.indexes) {
    Change create = part_of(table, ChangeKind::create_index, index.path);
    create.index = index;
    render_index(b, create, true);
  }
  if (table.comment && !table.comment->empty()) {
    Change comment = part_of(table, ChangeKind::set_comment, table.path);
    b.add(Slot::comment, comment, comment_sql(table.name, "", *table.comment));
  }
  for (const auto& column : table.columns) {
    if (!column.comment || column.comment->empty()) continue;
    Change comment = part_of(table, ChangeKind::set_comment, column.path);
    comment.column.name = column.name;
    b.add(Slot::comment, comment, comment_sql(table.name, column.name, *column.comment));
  }
}

void render_change(Builder& b, const Change& change) {
  switch (change.kind) {
    case ChangeKind::create_schema:
      b.add(Slot::schema, change, "CREATE SCHEMA IF NOT EXISTS " + sql::ident(change.name));
      break;
    case ChangeKind::create_extension:
      b.add(Slot::extension, change,
            "CREATE EXTENSION IF NOT EXISTS " + sql::ident(change.name) +
                (change.extension_schema.empty()
                     ? std::string()
                     : " WITH SCHEMA " + sql::ident(change.extension_schema)));
      break;
    case ChangeKind::create_enum:
      b.add(Slot::enum_type, change, create_enum_sql(change.enum_type));
      break;
    case ChangeKind::add_enum_value:
      b.add(
          Slot::enum_value, change,
          add_enum_value_sql(change.enum_type.name, change.value, change.neighbour, change.before));
      break;
    case ChangeKind::create_table:
      render_table(b, change);
      break;
    case ChangeKind::add_column:
      render_column(b, change);
      break;
    case ChangeKind::add_constraint:
      render_constraint(b, change, false);
      break;
    case ChangeKind::create_index:
      render_index(b, change, false);
      break;
    case ChangeKind::set_comment:
      b.add(Slot::comment, change,
            comment_sql(change.table.name, change.column.name, change.comment));
      break;
    case ChangeKind::create_sequence:
      b.add(Slot::sequence, change, create_sequence_sql(change.sequence));
      if (!change.sequence.owned_table.empty()) {
        b.add(Slot::sequence_owner, change, sequence_owner_sql(change.sequence), "owned by");
      }
      break;
    case ChangeKind::create_function:
      b.add(Slot::function, change, create_function_sql(change.function));
      break;
    case ChangeKind::create_trigger:
      b.add(Slot::trigger, change, create_trigger_sql(change.table.name, change.trigger));
      break;
    case ChangeKind::create_policy:
      b.add(Slot::policy, change, create_policy_sql(change.table.name, change.policy));
      break;
    case ChangeKind::create_view:
      b.add(Slot::view, change, create_view_sql(change.view));
      for (const auto& index : change.view.indexes) {
        Change create;
        create.kind = ChangeKind::create_index;
        create.table.name = change.view.name;
        create.index = index;
        create.path = index.path;
        render_index(b, create, true, true);
      }
      break;
    case ChangeKind::replace_function:
      b.add(Slot::function, change, replace_function_sql(change.function));
      break;
    case ChangeKind::replace_view:
      b.add(Slot::view, change, replace_view_sql(change.view));
      break;
    case ChangeKind::replace_trigger:
      b.add(Slot::trigger, change, drop_trigger_sql(change.table.name, change.trigger.name),
            "drop");
      b.add(Slot::trigger, change, create_trigger_sql(change.table.name, change.trigger), "create");
      break;
    case ChangeKind::enable_row_security:
      b.add(Slot::row_security, change,
            row_security_sql(change.table.name, change.table.row_security,
                             change.table.force_row_security));
      break;
  }
}

// Before rendering: every name the model gives, so that generated names
// avoid them, and (online) the uniques that will exist only after the
// commit.
void survey(Builder& b, const std::vector<Change>& changes) {
  for (const auto& change : changes) {
    const schema::QualifiedName& table = change.table.name;
    if (change.kind == ChangeKind::create_table) {
      b.names.reserve(table.schema, table.name);
      for (const auto& c : change.table.constraints) b.names.reserve(table.schema, c.name);
      for (const auto& index : change.table.indexes) b.names.reserve(table.schema, index.name);
    } else if (change.kind == ChangeKind::create_view) {
      b.names.reserve(change.view.name.schema, change.view.name.name);
      for (const auto& index : change.view.indexes) {
        b.names.reserve(change.view.name.schema, index.name);
      }
    } else if (change.kind == ChangeKind::add_constraint) {
      b.names.reserve(table.schema, change.constraint.name);
      if (b.options.online && (change.constraint.kind == schema::ConstraintKind::unique ||
                               change.constraint.kind == schema::ConstraintKind::primary_key)) {
        b.unique_after_commit.insert(column_set(table, change.constraint.columns));
      }
    } else if (change.kind == ChangeKind::create_index) {
      b.names.reserve(table.schema, change.index.name);
      std::vector<std::string> columns;
      for (const auto& key : change.index.keys) columns.push_back(key.column);
      bool plain = std::all_of(change.index.keys.begin(), change.index.keys.end(),
                               [](const schema::IndexKey& k) { return k.expression.empty(); });
      if (b.options.online && change.index.unique && change.index.where.empty() && plain) {
        b.unique_after_commit.insert(column_set(table, columns));
      }
    }
  }
}

}  // namespace

ColumnSet column_set(const schema::QualifiedName& table, std::vector<std::string> columns) {
  std::sort(columns.begin(), columns.end());
  return {table, columns};
}

Step& Builder::add(Slot slot, const Change& source, std::string sql, const std::string& note) {
  Step step;
  step.phase = phase_of(slot, options.online);
  step.kind = source.kind;
  step.key = source.key();
  step.sql = std::move(sql);
  step.change = source.description();
  step.description = step.change + (note.empty() ? "" : " (" + note + ")");
  step.path = source.path;
  if (!source.table.name.name.empty()) step.table = source.table.name.sql();
  if (source.kind == ChangeKind::add_constraint &&
      source.constraint.kind == schema::ConstraintKind::foreign_key) {
    step.references = source.constraint.ref_table.sql();
  }
  steps.emplace_back(slot, std::move(step));
  return steps.back().second;
}

Plan Builder::finish() const {
  std::vector<std::pair<Slot, Step>> ordered = steps;
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  Plan plan;
  for (auto& entry : ordered) plan.steps.push_back(std::move(entry.second));
  return plan;
}

Plan render(const diff::Result& result, const Options& options) {
  Builder b(options);
  survey(b, result.changes);
  for (const auto& change : result.changes) render_change(b, change);
  return b.finish();
}

}  // namespace schemad::plan
