#include "model/type_resolve.hpp"

namespace schemad::model {

namespace {

const schema::Enum* find_enum(const std::vector<schema::Enum>& enums, const std::string& schema,
                              const TypeWord& name) {
  for (const std::string& candidate : {name.raw, name.folded}) {
    for (const schema::Enum& e : enums) {
      if (e.name.schema == schema && e.name.name == candidate) return &e;
    }
  }
  return nullptr;
}

const schema::Enum* lookup_enum(const TypeText& text, const TypeScope& scope) {
  if (text.words.size() != 1) return nullptr;
  const TypeWord& name = text.words.front();
  if (!text.qualifier.empty()) {
    const TypeWord& schema = text.qualifier.front();
    const schema::Enum* found = find_enum(*scope.enums, schema.raw, name);
    return found ? found : find_enum(*scope.enums, schema.folded, name);
  }
  const schema::Enum* found = find_enum(*scope.enums, scope.table_schema, name);
  return found ? found : find_enum(*scope.enums, scope.default_schema, name);
}

std::string modifier_text(const TypeText& text) {
  if (!text.has_modifiers) return "";
  std::string out = "(";
  for (std::size_t i = 0; i < text.modifiers.size(); ++i) {
    if (i > 0) out += ",";
    out += text.modifiers[i].raw;
  }
  return out + ")";
}

// An enum of the table's or the default schema named by the whole text as
// written, with or without "[]": any identifier the format allows ("Order
// Status", "a.b") names its enum without SQL quoting.
const schema::Enum* enum_named_by_text(std::string_view text, const TypeScope& scope, bool& array) {
  array = text.size() > 2 && text.substr(text.size() - 2) == "[]";
  const std::string name(array ? text.substr(0, text.size() - 2) : text);
  for (const std::string* schema : {&scope.table_schema, &scope.default_schema}) {
    for (const schema::Enum& e : *scope.enums) {
      if (e.name.schema == *schema && e.name.name == name) return &e;
    }
  }
  return nullptr;
}

}  // namespace

ColumnType resolve_type(std::string_view text, const TypeScope& scope) {
  std::string quoted = "\"" + std::string(text) + "\"";
  ColumnType out;
  TypeText parsed;
  std::string unreadable;  // why the text cannot be a type's SQL
  try {
    parsed = parse_type_text(text);
    out.builtin = parse_builtin(parsed);
  } catch (const TypeError& error) {
    unreadable = error.what();
  }
  if (out.builtin) {
    out.type = out.builtin->type;
    return out;
  }
  bool array = false;
  if ((out.enum_type = enum_named_by_text(text, scope, array))) {
    out.type = schema::Type{out.enum_type->name.schema, out.enum_type->name.name, "", array, true};
    return out;
  }
  if (!unreadable.empty()) throw TypeError("invalid type " + quoted + ": " + unreadable);
  if (parsed.words.size() > 1) throw TypeError("unknown type " + quoted);
  if (!parsed.tail.empty()) {
    throw TypeError("invalid type " + quoted + ": unexpected \"" + parsed.tail.front() + "\"");
  }
  if ((out.enum_type = lookup_enum(parsed, scope))) {
    if (parsed.has_modifiers) {
      throw TypeError("invalid type " + quoted + ": type modifier is not allowed for enum type " +
                      out.enum_type->name.display());
    }
    out.type =
        schema::Type{out.enum_type->name.schema, out.enum_type->name.name, "", parsed.array, true};
    return out;
  }
  if (!scope.has_extensions) {
    throw TypeError("unknown type " + quoted +
                    " (declare the extension that provides it, or an enum)");
  }
  const TypeWord& name = parsed.words.front();
  out.type.schema = parsed.qualifier.empty() ? "" : parsed.qualifier.front().folded;
  out.type.name = name.folded;
  out.type.modifier = modifier_text(parsed);
  out.type.array = parsed.array;
  out.type.resolved = false;
  return out;
}

}  // namespace schemad::model
