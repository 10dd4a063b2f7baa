#include "diff/definitions.hpp"
#include "diff/diff.hpp"
#include "util/sql_text.hpp"

namespace schemad::diff {

namespace {

std::string index_keys_text(const schema::Index& index) {
  std::vector<std::string> keys;
  for (const auto& key : index.keys) {
    keys.push_back(key.expression.empty() ? key.column : key.expression);
  }
  return "(" + join(keys) + ")";
}

std::string constraint_description(const Change& change) {
  const schema::Constraint& c = change.constraint;
  std::string out = "add " + schema::to_string(c.kind) + " ";
  if (!c.name.empty()) {
    out += c.name;
  } else if (c.kind == schema::ConstraintKind::check) {
    out += "(" + c.expression + ")";
  } else {
    out += "(" + join(c.columns) + ")";
  }
  return out + " on " + change.table.name.display();
}

std::string index_description(const Change& change) {
  const schema::Index& index = change.index;
  if (!index.name.empty())
    return "create index " + index.name + " on " + change.table.name.display();
  return "create index on " + change.table.name.display() + " " + index_keys_text(index);
}

std::string idents(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + sql::ident(name);
  return "(" + out + ")";
}

std::string constraint_key(const Change& change) {
  const schema::Constraint& c = change.constraint;
  const std::string table = change.table.name.sql();
  if (!c.name.empty()) return "constraint " + table + " " + sql::ident(c.name);
  switch (c.kind) {
    case schema::ConstraintKind::primary_key:
      return "primary_key " + table;
    case schema::ConstraintKind::unique:
      return "unique " + table + " " + idents(c.columns);
    case schema::ConstraintKind::check:
      return "check " + table + " (" + c.expression + ")";
    case schema::ConstraintKind::foreign_key:
      return "foreign_key " + table + " " + idents(c.columns) + " " + c.ref_table.sql() + " " +
             idents(c.ref_columns);
  }
  return "constraint " + table;
}

std::string index_key(const Change& change) {
  const schema::Index& index = change.index;
  if (!index.name.empty()) {
    return "index " + sql::ident(change.table.name.schema) + "." + sql::ident(index.name);
  }
  std::string keys;
  for (const auto& key : index.keys) {
    keys += (keys.empty() ? "" : ", ") +
            (key.expression.empty() ? sql::ident(key.column) : "(" + key.expression + ")");
  }
  std::string out = "index " + change.table.name.sql() + " (" + keys + ")";
  if (!index.where.empty()) out += " WHERE " + index.where;
  return out;
}

}  // namespace

std::string Change::key() const {
  switch (kind) {
    case ChangeKind::create_schema:
      return "schema " + sql::ident(name);
    case ChangeKind::create_extension:
      return "extension " + sql::ident(name);
    case ChangeKind::create_enum:
      return "enum " + enum_type.name.sql();
    case ChangeKind::add_enum_value:
      return "enum_value " + enum_type.name.sql() + " " + sql::literal(value);
    case ChangeKind::create_table:
      return "table " + table.name.sql();
    case ChangeKind::add_column:
      return "column " + table.name.sql() + "." + sql::ident(column.name);
    case ChangeKind::add_constraint:
      return constraint_key(*this);
    case ChangeKind::create_index:
      return index_key(*this);
    case ChangeKind::set_comment:
      if (column.name.empty()) return "comment " + table.name.sql();
      return "comment " + table.name.sql() + "." + sql::ident(column.name);
    case ChangeKind::create_sequence:
      return "sequence " + sequence.name.sql();
    case ChangeKind::create_function:
      return "function " + function.signature();
    case ChangeKind::create_trigger:
      return "trigger " + table.name.sql() + " " + sql::ident(trigger.name);
    case ChangeKind::create_policy:
      return "policy " + table.name.sql() + " " + sql::ident(policy.name);
    case ChangeKind::enable_row_security:
      return std::string(table.force_row_security ? "force" : "enable") + " row security " +
             table.name.sql();
    case ChangeKind::create_view:
      return "view " + view.name.sql();
    case ChangeKind::replace_function:
      return "replace function " + function.signature();
    case ChangeKind::replace_view:
      return "replace view " + view.name.sql();
    case ChangeKind::replace_trigger:
      return "replace trigger " + table.name.sql() + " " + sql::ident(trigger.name);
  }
  return "unknown";
}

std::string to_string(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::create_schema:
      return "schema";
    case ChangeKind::create_extension:
      return "extension";
    case ChangeKind::create_enum:
      return "enum";
    case ChangeKind::add_enum_value:
      return "enum_value";
    case ChangeKind::create_table:
      return "table";
    case ChangeKind::add_column:
      return "column";
    case ChangeKind::add_constraint:
      return "constraint";
    case ChangeKind::create_index:
      return "index";
    case ChangeKind::set_comment:
      return "comment";
    case ChangeKind::create_sequence:
      return "sequence";
    case ChangeKind::create_function:
      return "function";
    case ChangeKind::create_trigger:
      return "trigger";
    case ChangeKind::create_policy:
      return "policy";
    case ChangeKind::enable_row_security:
      return "row_security";
    case ChangeKind::create_view:
      return "view";
    case ChangeKind::replace_function:
      return "function_replace";
    case ChangeKind::replace_view:
      return "view_replace";
    case ChangeKind::replace_trigger:
      return "trigger_replace";
  }
  return "unknown";
}

std::string Change::description() const {
  switch (kind) {
    case ChangeKind::create_schema:
      return "create schema " + name;
    case ChangeKind::create_extension:
      return "create extension " + name;
    case ChangeKind::create_enum:
      return "create enum " + enum_type.name.display();
    case ChangeKind::add_enum_value:
      return "add value '" + value + "' to enum " + enum_type.name.display();
    case ChangeKind::create_table:
      return "create table " + table.name.display();
    case ChangeKind::add_column:
      return "add column " + object_name(table.name, column.name);
    case ChangeKind::add_constraint:
      return constraint_description(*this);
    case ChangeKind::create_index:
      return index_description(*this);
    case ChangeKind::set_comment:
      if (column.name.empty()) return "comment on table " + table.name.display();
      return "comment on column " + object_name(table.name, column.name);
    case ChangeKind::create_sequence:
      return "create sequence " + sequence.name.display();
    case ChangeKind::create_function:
      return "create function " + function.signature();
    case ChangeKind::create_trigger:
      return "create trigger " + trigger.name + " on " + table.name.display();
    case ChangeKind::create_policy:
      return "create policy " + policy.name + " on " + table.name.display();
    case ChangeKind::enable_row_security:
      if (!table.row_security) return "force row level security on " + table.name.display();
      return std::string(table.force_row_security ? "enable and force" : "enable") +
             " row level security on " + table.name.display();
    case ChangeKind::create_view:
      return std::string(view.materialized ? "create materialized view " : "create view ") +
             view.name.display();
    case ChangeKind::replace_function:
      return "replace function " + function.signature();
    case ChangeKind::replace_view:
      return "replace view " + view.name.display();
    case ChangeKind::replace_trigger:
      return "replace trigger " + trigger.name + " on " + table.name.display();
  }
  return "unknown change";
}

}  // namespace schemad::diff
