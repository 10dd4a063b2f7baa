// Constraints on existing tables, and foreign keys of new ones. Online, a
// constraint is never checked against existing rows under a lock that
// blocks writers: checks and foreign keys are added NOT VALID and validated
// after the commit; a unique or a primary key is built as an index
// CONCURRENTLY and then attached.

#include "plan/builder.hpp"
#include "plan/ddl.hpp"
#include "util/sql_text.hpp"

namespace schemad::plan {

namespace {

using schema::Constraint;
using schema::ConstraintKind;

std::string alter_table(const diff::Change& change) {
  return "ALTER TABLE " + change.table.name.sql() + " ";
}

// The model's name, or the one PostgreSQL would have chosen.
std::string name_for(Builder& b, const diff::Change& change) {
  const Constraint& c = change.constraint;
  if (!c.name.empty()) return c.name;
  const schema::QualifiedName& table = change.table.name;
  switch (c.kind) {
    case ConstraintKind::primary_key:
      return b.names.choose(table.schema, table.name, "", "pkey");
    case ConstraintKind::unique:
      return b.names.choose(table.schema, table.name, sql::columns_part(c.columns), "key");
    case ConstraintKind::foreign_key:
      return b.names.choose(table.schema, table.name, sql::columns_part(c.columns), "fkey");
    case ConstraintKind::check:
      return b.names.choose(table.schema, table.name, check_column(c.expression), "check");
  }
  return "";
}

void drop_invalid_index(Builder& b, Slot slot, const diff::Change& change, bool concurrently) {
  if (change.invalid_index.empty()) return;
  schema::QualifiedName index{change.table.name.schema, change.invalid_index};
  b.add(slot, change, drop_index_sql(index, concurrently), "drop invalid index").concurrent =
      concurrently;
}

// A unique or a primary key, built online: the unique index CONCURRENTLY
// after the commit, then attached as the constraint (a primary key on
// columns that are all NOT NULL already: no scan, a brief lock).
void add_key_online(Builder& b, const diff::Change& change, const char* keyword) {
  const Constraint& c = change.constraint;
  std::string name = name_for(b, change);
  schema::Index index;
  index.unique = true;
  for (const auto& column : c.columns) {
    schema::IndexKey key;
    key.column = column;
    index.keys.push_back(key);
  }
  drop_invalid_index(b, Slot::after_unique, change, true);
  Step& build = b.add(Slot::after_unique, change,
                      create_index_sql(change.table.name, index, name, true), "build index");
  build.concurrent = true;
  build.builds = schema::QualifiedName{change.table.name.schema, name}.sql();
  b.add(Slot::after_unique, change,
        alter_table(change) + "ADD CONSTRAINT " + sql::ident(name) + " " + keyword +
            " USING INDEX " + sql::ident(name));
}

// NOT VALID now, VALIDATE after the commit (which needs the name).
void add_not_valid(Builder& b, const diff::Change& change, Slot add_slot, Slot validate_slot) {
  std::string name = name_for(b, change);
  b.add(add_slot, change,
        alter_table(change) + "ADD " + constraint_sql(change.constraint, name) + " NOT VALID");
  b.add(validate_slot, change, alter_table(change) + "VALIDATE CONSTRAINT " + sql::ident(name),
        "validate");
}

bool references_unique_after_commit(const Builder& b, const Constraint& c) {
  return b.unique_after_commit.count(column_set(c.ref_table, c.ref_columns)) > 0;
}

void add_foreign_key(Builder& b, const diff::Change& change, bool new_table) {
  const Constraint& c = change.constraint;
  if (b.options.online && references_unique_after_commit(b, c)) {
    add_not_valid(b, change, Slot::after_foreign_key, Slot::after_foreign_key);
  } else if (b.options.online && !new_table) {
    add_not_valid(b, change, Slot::foreign_key, Slot::after_validate);
  } else {
    // A new table is empty: checking its rows costs nothing.
    b.add(Slot::foreign_key, change, alter_table(change) + "ADD " + constraint_sql(c, c.name));
  }
}

}  // namespace

void render_constraint(Builder& b, const diff::Change& change, bool new_table) {
  const Constraint& c = change.constraint;
  bool online = b.options.online && !new_table;
  switch (c.kind) {
    case ConstraintKind::foreign_key:
      add_foreign_key(b, change, new_table);
      return;
    case ConstraintKind::primary_key:
      if (online) {
        add_key_online(b, change, "PRIMARY KEY");
      } else {
        b.add(Slot::primary_key, change, alter_table(change) + "ADD " + constraint_sql(c, c.name));
      }
      return;
    case ConstraintKind::unique:
      if (online) {
        add_key_online(b, change, "UNIQUE");
      } else {
        drop_invalid_index(b, Slot::constraint, change, false);
        b.add(Slot::constraint, change, alter_table(change) + "ADD " + constraint_sql(c, c.name));
      }
      return;
    case ConstraintKind::check:
      if (online) {
        add_not_valid(b, change, Slot::constraint, Slot::after_validate);
      } else {
        b.add(Slot::constraint, change, alter_table(change) + "ADD " + constraint_sql(c, c.name));
      }
      return;
  }
}

}  // namespace schemad::plan
