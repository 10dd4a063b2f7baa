#pragma once

// A column's type text as the model means it: a built-in type, one of the
// model's enums, or (only when the model declares extensions) a type that an
// extension provides, left for the database to resolve.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/types.hpp"
#include "schema/schema.hpp"

namespace schemad::model {

// Where a column's type is looked up.
struct TypeScope {
  const std::vector<schema::Enum>* enums = nullptr;  // the model's
  std::string table_schema;
  std::string default_schema;
  bool has_extensions = false;
};

struct ColumnType {
  schema::Type type;
  std::optional<BuiltinType> builtin;       // set for built-in types
  const schema::Enum* enum_type = nullptr;  // the model's enum: points into *scope.enums
};

// Resolves `text`:
//  - built-in types first, as PostgreSQL's grammar would (see types.hpp);
//  - the whole text as written (or without a final "[]": an array of it)
//    naming the model's enum in the table's schema, then in the default
//    schema: any identifier ("Order Status") names its enum unquoted;
//  - `name` is the model's enum of that name in the table's schema, then in
//    the default schema; `schema.name` names one in another schema. Names
//    match as written, then folded to lower case when unquoted;
//  - anything else is an extension's type, unresolved (schema as written or
//    empty, lower-cased unless quoted, modifiers apart: "vector", "(1536)"),
//    when the model declares extensions, and an error otherwise.
// Throws TypeError whose what() is the whole problem, e.g.
//   unknown type "foo" (declare the extension that provides it, or an enum)
ColumnType resolve_type(std::string_view text, const TypeScope& scope);

}  // namespace schemad::model
