#pragma once

// PostgreSQL's built-in types: the model's type text -> schema::Type in the
// canonical form PostgreSQL 15's format_type prints. Input is read like the
// server's grammar reads it: case-insensitive, whitespace-tolerant, every
// alias (`int4`, `timestamptz`, `varchar(255)`, `float(24)`, `bool`) and
// array form (`T[]`, `T[3]`, `T ARRAY`). Pure.

#include <optional>
#include <string>
#include <string_view>

#include "model/type_text.hpp"
#include "schema/schema.hpp"

namespace schemad::model {

// What a default of the type may be written as (see defaults.hpp).
enum class TypeFamily { integer, numeric, floating, boolean, string, json, money, oid, other };

struct BuiltinType {
  schema::Type type;  // canonical: name with modifier, e.g. "numeric(12,2)"
  // How pg_get_expr labels a constant of the type, which carries no typmod
  // except for interval: "character varying", "bpchar", "\"bit\"",
  // "timestamp without time zone", "interval(3)"; "[]" appended for arrays.
  std::string label;
  TypeFamily family = TypeFamily::other;
  bool serial = false;  // serial, bigserial, smallserial and their aliases
  // character(n) and character varying(n): n; otherwise -1.
  long length = -1;
};

// The built-in type that `text` names, or nullopt when it names none (it may
// be an enum or an extension's type). Throws TypeError when the text cannot
// be a type, or names a built-in type with an invalid modifier or form:
// `varchar(0)`, `numeric(1001)`, `time(7)` (PostgreSQL would reduce it to 6
// with a warning: refused, so the model says what the database will have),
// `text(5)`, `serial[]`.
std::optional<BuiltinType> parse_builtin(std::string_view text);
std::optional<BuiltinType> parse_builtin(const TypeText& text);

// The same reduced to the schema type; `*serial` (when given) is set to
// whether the text is one of the serial pseudo-types.
std::optional<schema::Type> parse_builtin_type(std::string_view text, bool* serial = nullptr);

}  // namespace schemad::model
