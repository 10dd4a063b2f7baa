#pragma once

// Builders of schema values for the diff and plan tests: small, explicit,
// no model loader (the tests pin the diff and the plan alone).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "diff/diff.hpp"
#include "schema/schema.hpp"

namespace fixtures {

using namespace schemad;

inline schema::QualifiedName qn(const std::string& schema_name, const std::string& name) {
  return schema::QualifiedName{schema_name, name};
}

// A built-in type as format_type prints it: "integer", "character varying(255)".
inline schema::Type builtin(const std::string& name, bool array = false) {
  schema::Type t;
  t.name = name;
  t.array = array;
  return t;
}

// A non-built-in type (an enum, an extension's type).
inline schema::Type user_type(const std::string& schema_name, const std::string& name,
                              const std::string& modifier = "") {
  schema::Type t;
  t.schema = schema_name;
  t.name = name;
  t.modifier = modifier;
  return t;
}

inline schema::Column column(const std::string& name, const schema::Type& type,
                             bool nullable = true) {
  schema::Column c;
  c.name = name;
  c.type = type;
  c.nullable = nullable;
  return c;
}

inline schema::Column column(const std::string& name, const std::string& type,
                             bool nullable = true) {
  return column(name, builtin(type), nullable);
}

// A model literal: quoted for strings; `stored` as pg_get_expr would print it.
inline schema::Default literal(const std::string& value, bool quoted, const std::string& stored) {
  schema::Default d;
  d.kind = schema::Default::Kind::literal;
  d.value = value;
  d.quoted = quoted;
  d.stored = stored;
  return d;
}

inline schema::Default json(const std::string& value, const std::string& stored) {
  schema::Default d;
  d.kind = schema::Default::Kind::json;
  d.value = value;
  d.stored = stored;
  return d;
}

inline schema::Default sql_default(const std::string& value, std::optional<bool> is_volatile,
                                   const std::string& stored = "") {
  schema::Default d;
  d.kind = schema::Default::Kind::sql;
  d.value = value;
  d.stored = stored.empty() ? value : stored;
  d.is_volatile = is_volatile;
  return d;
}

inline schema::Column with_default(schema::Column c, const schema::Default& d) {
  c.def = d;
  return c;
}

inline schema::Constraint primary_key(const std::vector<std::string>& columns,
                                      const std::string& name = "") {
  schema::Constraint c;
  c.kind = schema::ConstraintKind::primary_key;
  c.name = name;
  c.columns = columns;
  return c;
}

inline schema::Constraint unique(const std::vector<std::string>& columns,
                                 const std::string& name = "") {
  schema::Constraint c;
  c.kind = schema::ConstraintKind::unique;
  c.name = name;
  c.columns = columns;
  return c;
}

inline schema::Constraint foreign_key(const std::vector<std::string>& columns,
                                      const schema::QualifiedName& ref_table,
                                      const std::vector<std::string>& ref_columns,
                                      const std::string& name = "") {
  schema::Constraint c;
  c.kind = schema::ConstraintKind::foreign_key;
  c.name = name;
  c.columns = columns;
  c.ref_table = ref_table;
  c.ref_columns = ref_columns;
  return c;
}

inline schema::Constraint check(const std::string& expression, const std::string& name = "") {
  schema::Constraint c;
  c.kind = schema::ConstraintKind::check;
  c.name = name;
  c.expression = expression;
  return c;
}

inline schema::IndexKey key(const std::string& column_name) {
  schema::IndexKey k;
  k.column = column_name;
  return k;
}

inline schema::IndexKey expression_key(const std::string& expression) {
  schema::IndexKey k;
  k.expression = expression;
  return k;
}

inline schema::Index keyed_index(const std::string& name, const std::vector<schema::IndexKey>& keys,
                                 bool is_unique = false) {
  schema::Index i;
  i.name = name;
  i.keys = keys;
  i.unique = is_unique;
  return i;
}

inline schema::Index index(const std::string& name, const std::vector<std::string>& columns,
                           bool is_unique = false) {
  std::vector<schema::IndexKey> keys;
  for (const auto& c : columns) keys.push_back(key(c));
  return keyed_index(name, keys, is_unique);
}

inline schema::Table table(const std::string& schema_name, const std::string& name,
                           const std::vector<schema::Column>& columns) {
  schema::Table t;
  t.name = qn(schema_name, name);
  t.columns = columns;
  return t;
}

inline schema::Enum enum_type(const std::string& schema_name, const std::string& name,
                              const std::vector<std::string>& values) {
  schema::Enum e;
  e.name = qn(schema_name, name);
  e.values = values;
  return e;
}

// The model's view public.v (two columns), and the database's with one.
inline std::pair<schema::View, schema::View> view_and_older() {
  schema::View want;
  want.name = {"public", "v"};
  want.query = "SELECT 1";
  want.normalized = " SELECT 1 AS a,\n    2 AS b;";
  want.columns = {"a integer", "b integer"};
  want.path = "views[0]";
  schema::View have = want;
  have.query = " SELECT 1 AS a;";
  have.columns = {"a integer"};
  return {want, have};
}

// A database with the "public" schema and the given tables.
inline schema::Database database(const std::vector<schema::Table>& tables) {
  schema::Database db;
  db.schemas = {"public"};
  db.tables = tables;
  return db;
}

// What a diff result says, as text: easy to compare whole.
inline std::vector<std::string> descriptions(const diff::Result& result) {
  std::vector<std::string> out;
  for (const auto& change : result.changes) out.push_back(change.description());
  return out;
}

inline std::vector<std::string> messages(const diff::Result& result) {
  std::vector<std::string> out;
  for (const auto& drift : result.drift) out.push_back(drift.message());
  return out;
}

}  // namespace fixtures
