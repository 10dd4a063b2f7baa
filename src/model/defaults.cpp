#include "model/defaults.hpp"

#include <algorithm>
#include <cctype>

#include "model/load.hpp"
#include "model/pg_input.hpp"
#include "model/pg_text.hpp"
#include "util/sql_text.hpp"

namespace schemad::model {

namespace {

using schema::Default;

std::string quote(const std::string& text) {
  return "\"" + text + "\"";
}

// The deepest nesting of arrays and objects in JSON text, strings skipped;
// read without recursion, as the text may be anything up to the file's size.
std::size_t json_depth(const std::string& text) {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

void check_string(const Node& node, const std::string& value, const ColumnType& type) {
  if (type.enum_type && !type.type.array) {
    const auto& values = type.enum_type->values;
    if (std::find(values.begin(), values.end(), value) == values.end()) {
      node.fail("default " + quote(value) + " is not a value of enum " +
                type.enum_type->name.display());
    }
    return;
  }
  if (!type.builtin || type.type.array) return;
  const BuiltinType& builtin = *type.builtin;
  const std::string& name = builtin.type.name;
  switch (builtin.family) {
    case TypeFamily::integer: {
      auto integer = parse_integer(value);
      if (!integer) node.fail("default " + quote(value) + " is not a valid " + name);
      if (!integer->fits(name)) {
        node.fail("default " + quote(value) + " is out of range for " + name);
      }
      break;
    }
    case TypeFamily::numeric:
    case TypeFamily::floating:
      if (!numeric_text(value) && !special_float(value)) {
        node.fail("default " + quote(value) + " is not a valid " + name);
      }
      break;
    case TypeFamily::boolean:
      if (!parse_boolean(value)) node.fail("default " + quote(value) + " is not a valid boolean");
      break;
    case TypeFamily::json:
      // The prediction walks the value recursively: keep it as shallow as
      // the model itself must be.
      if (json_depth(value) > static_cast<std::size_t>(kMaxModelDepth)) {
        node.fail("default is nested deeper than " + std::to_string(kMaxModelDepth) + " levels");
      }
      if (!nlohmann::json::accept(value)) {
        node.fail("default " + quote(value) + " is not valid JSON (write {\"json\": ...} for a " +
                  name + " value)");
      }
      break;
    case TypeFamily::string:
      if (builtin.length >= 0 && !fits_length(value, builtin.length)) {
        node.fail("default " + quote(value) + " is longer than " + name + " allows");
      }
      break;
    default:
      break;
  }
}

bool text_like(const ColumnType& type) {
  return type.builtin && !type.type.array && type.builtin->family == TypeFamily::string;
}

void check_number(const Node& node, const std::string& text, const ColumnType& type) {
  if (!type.builtin && !type.enum_type) return;  // an extension's type: the server judges
  TypeFamily family = type.builtin ? type.builtin->family : TypeFamily::other;
  bool fits = !type.type.array && (family == TypeFamily::integer || family == TypeFamily::numeric ||
                                   family == TypeFamily::floating || family == TypeFamily::money ||
                                   family == TypeFamily::oid || family == TypeFamily::string);
  if (!fits) node.fail("a number default does not fit a column of type " + type.type.display());
  const std::string& name = type.builtin->type.name;
  if (family == TypeFamily::integer) {
    if (!node.json().is_number_integer()) {
      node.fail("default " + text + " is not an integer, the column is " + name);
    }
    if (!parse_integer(text)->fits(name)) {
      node.fail("default " + text + " is out of range for " + name);
    }
  }
  if (family == TypeFamily::string && type.builtin->length >= 0) {
    std::string printed =
        node.json().is_number_integer() ? text : numeric_text(text).value_or(text);
    if (!fits_length(printed, type.builtin->length)) {
      node.fail("default " + text + " is longer than " + name + " allows");
    }
  }
}

void check_boolean(const Node& node, bool value, const ColumnType& type) {
  if (!type.builtin && !type.enum_type) return;
  bool boolean = type.builtin && !type.type.array && type.builtin->family == TypeFamily::boolean;
  if (!boolean && !text_like(type)) {
    node.fail("a boolean default does not fit a column of type " + type.type.display());
  }
  if (text_like(type) && type.builtin->length >= 0 &&
      !fits_length(value ? "true" : "false", type.builtin->length)) {
    node.fail(std::string("default ") + (value ? "true" : "false") + " is longer than " +
              type.type.name + " allows");
  }
}

Default read_object_default(const Node& node, const ColumnType& type) {
  node.expect_object({"sql", "json"});
  if (node.has("sql") == node.has("json")) {
    node.fail("a default object has exactly one key, \"sql\" or \"json\"");
  }
  Default def;
  if (auto sql = node.find("sql")) {
    def.kind = Default::Kind::sql;
    def.value = sql->non_empty_string();
    return def;
  }
  bool json_column = type.builtin && !type.type.array && type.builtin->family == TypeFamily::json;
  if (!json_column) {
    node.fail("a {\"json\": ...} default needs a json or jsonb column, not " + type.type.display());
  }
  def.kind = Default::Kind::json;
  def.value = node.at("json").json().dump();
  def.is_volatile = false;
  return def;
}

// The label PostgreSQL puts on a constant of a non-built-in type.
std::string type_label(const schema::Type& type) {
  std::string out = type.schema.empty()
                        ? quote_identifier(type.name)
                        : quote_identifier(type.schema) + "." + quote_identifier(type.name);
  return type.array ? out + "[]" : out;
}

// A constant of a numeric type: bare when it reads back as numeric by itself.
std::string numeric_constant(const std::string& text) {
  bool bare = !text.empty() && std::isdigit(static_cast<unsigned char>(text[0])) &&
              text.find('.') != std::string::npos;
  return bare ? text : sql::literal(text) + "::numeric";
}

std::string predict_string(const std::string& value, const ColumnType& type) {
  if (!type.builtin) return sql::literal(value) + "::" + type_label(type.type);
  const BuiltinType& builtin = *type.builtin;
  std::string cast = sql::literal(value) + "::" + builtin.label;
  if (builtin.type.array) return cast;
  const std::string& name = builtin.type.name;
  switch (builtin.family) {
    case TypeFamily::integer: {
      auto integer = parse_integer(value);
      if (!integer) return cast;
      std::string text = integer->text();
      if (name == "integer" && text[0] != '-') return text;
      return sql::literal(text) + "::" + name;
    }
    case TypeFamily::numeric: {
      auto text = numeric_text(value);
      return text ? numeric_constant(*text) : cast;
    }
    case TypeFamily::boolean: {
      auto boolean = parse_boolean(value);
      return boolean ? (*boolean ? "true" : "false") : cast;
    }
    case TypeFamily::json:
      if (name == "jsonb" && nlohmann::json::accept(value)) {
        return sql::literal(jsonb_text(nlohmann::json::parse(value))) + "::jsonb";
      }
      return cast;
    default:
      return name == "uuid" ? sql::literal(canonical_uuid(value)) + "::uuid" : cast;
  }
}

std::string predict_number(const std::string& text, bool integer) {
  if (integer) {
    PgInteger value = *parse_integer(text);
    if (value.fits("integer")) {
      return value.negative && value.digits != "0" ? sql::literal(value.text()) + "::integer"
                                                   : value.digits;
    }
    if (value.fits("bigint")) return sql::literal(value.text()) + "::bigint";
    return sql::literal(value.text()) + "::numeric";
  }
  return numeric_constant(numeric_text(text).value_or(text));
}

}  // namespace

Default read_default(const Node& node, const ColumnType& type) {
  const nlohmann::json& value = node.json();
  Default def;
  if (value.is_null()) return def;
  if (value.is_object()) {
    def = read_object_default(node, type);
  } else if (value.is_string()) {
    def.kind = Default::Kind::literal;
    def.quoted = true;
    def.value = value.get<std::string>();
    check_string(node, def.value, type);
  } else if (value.is_number()) {
    def.kind = Default::Kind::literal;
    def.value = node.number_text();
    check_number(node, def.value, type);
  } else if (value.is_boolean()) {
    def.kind = Default::Kind::literal;
    def.value = value.get<bool>() ? "true" : "false";
    check_boolean(node, value.get<bool>(), type);
  } else {
    node.expected(
        "must be a string, number, boolean, null, or an object {\"sql\": ...} or {\"json\": ...}");
  }
  if (def.kind != Default::Kind::sql) def.is_volatile = false;
  def.stored = predict_stored(def, type);
  return def;
}

std::string predict_stored(const Default& def, const ColumnType& type) {
  switch (def.kind) {
    case Default::Kind::none:
      return "";
    case Default::Kind::sql:
      return def.value;
    case Default::Kind::json:
      if (type.type.name == "json") return sql::literal(def.value) + "::json";
      return sql::literal(jsonb_text(nlohmann::json::parse(def.value))) + "::jsonb";
    case Default::Kind::literal:
      if (def.quoted) return predict_string(def.value, type);
      if (def.value == "true" || def.value == "false") return def.value;
      return predict_number(def.value, def.value.find_first_of(".eE") == std::string::npos);
  }
  return def.value;
}

}  // namespace schemad::model
