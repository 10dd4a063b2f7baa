#include "schema/schema.hpp"

#include <algorithm>
#include <cctype>

#include "util/sql_text.hpp"

namespace schemad::schema {

std::string QualifiedName::display() const {
  return schema + "." + name;
}

std::string QualifiedName::sql() const {
  return sql::ident(schema) + "." + sql::ident(name);
}

std::string Type::display() const {
  std::string out = schema.empty() ? name : schema + "." + name;
  out += modifier;
  if (array) out += "[]";
  return out;
}

std::string Type::sql() const {
  // Built-in names are keywords or multi-word ("double precision"): they
  // must not be quoted. Unresolved extension types are written as the model
  // has them, so the server resolves them through its search_path.
  std::string out;
  if (builtin() || !resolved) {
    out = name;
  } else {
    out = sql::ident(schema) + "." + sql::ident(name);
  }
  out += modifier;
  if (array) out += "[]";
  return out;
}

const Column* Table::column(const std::string& column_name) const {
  auto it = std::find_if(columns.begin(), columns.end(),
                         [&](const Column& c) { return c.name == column_name; });
  return it == columns.end() ? nullptr : &*it;
}

const Constraint* Table::primary_key() const {
  auto it = std::find_if(constraints.begin(), constraints.end(),
                         [](const Constraint& c) { return c.kind == ConstraintKind::primary_key; });
  return it == constraints.end() ? nullptr : &*it;
}

const Table* Database::table(const QualifiedName& table_name) const {
  auto it = std::find_if(tables.begin(), tables.end(),
                         [&](const Table& t) { return t.name == table_name; });
  return it == tables.end() ? nullptr : &*it;
}

const Enum* Database::find_enum(const QualifiedName& enum_name) const {
  auto it =
      std::find_if(enums.begin(), enums.end(), [&](const Enum& e) { return e.name == enum_name; });
  return it == enums.end() ? nullptr : &*it;
}

const Sequence* Database::find_sequence(const QualifiedName& sequence_name) const {
  auto it = std::find_if(sequences.begin(), sequences.end(),
                         [&](const Sequence& s) { return s.name == sequence_name; });
  return it == sequences.end() ? nullptr : &*it;
}

const Function* Database::find_function(const QualifiedName& function_name,
                                        const std::vector<std::string>& arguments) const {
  auto it = std::find_if(functions.begin(), functions.end(), [&](const Function& f) {
    return f.name == function_name && f.arguments == arguments;
  });
  return it == functions.end() ? nullptr : &*it;
}

const char* to_sql(Trigger::Timing timing) {
  switch (timing) {
    case Trigger::Timing::before:
      return "BEFORE";
    case Trigger::Timing::after:
      return "AFTER";
    case Trigger::Timing::instead_of:
      return "INSTEAD OF";
  }
  return "";
}

std::string to_string(Trigger::Timing timing) {
  std::string out = to_sql(timing);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> event_words(const Trigger& trigger) {
  std::vector<std::string> out;
  if (trigger.events & Trigger::kInsert) out.push_back("INSERT");
  if (trigger.events & Trigger::kUpdate) out.push_back("UPDATE");
  if (trigger.events & Trigger::kDelete) out.push_back("DELETE");
  if (trigger.events & Trigger::kTruncate) out.push_back("TRUNCATE");
  return out;
}

const View* Database::find_view(const QualifiedName& view_name) const {
  auto it =
      std::find_if(views.begin(), views.end(), [&](const View& v) { return v.name == view_name; });
  return it == views.end() ? nullptr : &*it;
}

std::string Function::signature() const {
  std::string out = name.display() + "(";
  for (std::size_t i = 0; i < arguments.size(); ++i) out += (i ? ", " : "") + arguments[i];
  return out + ")";
}

std::string default_sql(const Default& def, const Type& type) {
  switch (def.kind) {
    case Default::Kind::none:
      return "";
    case Default::Kind::literal:
      return def.quoted ? sql::literal(def.value) : def.value;
    case Default::Kind::json:
      return sql::literal(def.value) + "::" + type.sql();
    case Default::Kind::sql:
      return def.value;
  }
  return "";
}

std::string to_sql(ReferentialAction action) {
  switch (action) {
    case ReferentialAction::no_action:
      return "NO ACTION";
    case ReferentialAction::restrict:
      return "RESTRICT";
    case ReferentialAction::cascade:
      return "CASCADE";
    case ReferentialAction::set_null:
      return "SET NULL";
    case ReferentialAction::set_default:
      return "SET DEFAULT";
  }
  return "NO ACTION";
}

const char* to_string(Default::Kind kind) {
  switch (kind) {
    case Default::Kind::none:
      return "none";
    case Default::Kind::literal:
      return "literal";
    case Default::Kind::json:
      return "json";
    case Default::Kind::sql:
      return "sql";
  }
  return "none";
}

std::string to_string(ConstraintKind kind) {
  switch (kind) {
    case ConstraintKind::primary_key:
      return "primary key";
    case ConstraintKind::unique:
      return "unique";
    case ConstraintKind::foreign_key:
      return "foreign key";
    case ConstraintKind::check:
      return "check";
  }
  return "constraint";
}

}  // namespace schemad::schema
