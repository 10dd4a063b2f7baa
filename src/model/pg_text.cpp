#include "model/pg_text.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <vector>

#include "util/json_string.hpp"

namespace schemad::model {

namespace {

// PostgreSQL 15's keywords that quote_identifier quotes: every category but
// unreserved (SELECT word FROM pg_get_keywords() WHERE catcode <> 'U').
// clang-format off
const std::set<std::string_view> kQuotedKeywords = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
    "between", "bigint", "binary", "bit", "boolean", "both", "case", "cast", "char", "character",
    "check", "coalesce", "collate", "collation", "column", "concurrently", "constraint", "create",
    "cross", "current_catalog", "current_date", "current_role", "current_schema", "current_time",
    "current_timestamp", "current_user", "dec", "decimal", "default", "deferrable", "desc",
    "distinct", "do", "else", "end", "except", "exists", "extract", "false", "fetch", "float",
    "for", "foreign", "freeze", "from", "full", "grant", "greatest", "group", "grouping", "having",
    "ilike", "in", "initially", "inner", "inout", "int", "integer", "intersect", "interval", "into",
    "is", "isnull", "join", "lateral", "leading", "least", "left", "like", "limit", "localtime",
    "localtimestamp", "national", "natural", "nchar", "none", "normalize", "not", "notnull", "null",
    "nullif", "numeric", "offset", "on", "only", "or", "order", "out", "outer", "overlaps",
    "overlay", "placing", "position", "precision", "primary", "real", "references", "returning",
    "right", "row", "select", "session_user", "setof", "similar", "smallint", "some", "substring",
    "symmetric", "table", "tablesample", "then", "time", "timestamp", "to", "trailing", "treat",
    "trim", "true", "union", "unique", "user", "using", "values", "varchar", "variadic", "verbose",
    "when", "where", "window", "with", "xmlattributes", "xmlconcat", "xmlelement", "xmlexists",
    "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmltable",
};
// clang-format on

bool plain_identifier(std::string_view name) {
  if (name.empty() || !((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string_view trim_spaces(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

std::string quote_identifier(std::string_view name) {
  if (plain_identifier(name) && kQuotedKeywords.count(name) == 0) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::optional<std::string> numeric_text(std::string_view text) {
  text = trim_spaces(text);
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  std::string digits;
  long fraction_digits = 0;
  std::size_t i = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
    digits += text[i];
  }
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
      digits += text[i];
      ++fraction_digits;
    }
  }
  if (digits.empty()) return std::nullopt;
  long exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    std::string_view rest = text.substr(i + 1);
    bool negative_exponent = !rest.empty() && rest[0] == '-';
    if (!rest.empty() && (rest[0] == '-' || rest[0] == '+')) rest.remove_prefix(1);
    if (rest.empty() || rest.size() > 4) return std::nullopt;
    for (char c : rest) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
      exponent = exponent * 10 + (c - '0');
    }
    if (exponent > 1000) return std::nullopt;
    if (negative_exponent) exponent = -exponent;
    i = text.size();
  }
  if (i != text.size()) return std::nullopt;

  // digits = D, value = D * 10^(exponent - fraction_digits); numeric keeps
  // max(0, fraction_digits - exponent) digits after the point.
  long scale = std::max(0L, fraction_digits - exponent);
  long point = static_cast<long>(digits.size()) - fraction_digits + exponent;
  if (point < 0) {
    digits.insert(0, static_cast<std::size_t>(-point), '0');
    point = 0;
  }
  long needed = point + scale;
  if (static_cast<long>(digits.size()) < needed) digits.append(needed - digits.size(), '0');
  digits.resize(static_cast<std::size_t>(needed));
  std::string whole = digits.substr(0, static_cast<std::size_t>(point));
  std::string fraction = digits.substr(static_cast<std::size_t>(point));
  whole.erase(0, std::min(whole.find_first_not_of('0'), whole.size()));
  if (whole.empty()) whole = "0";
  bool zero = whole == "0" && fraction.find_first_not_of('0') == std::string::npos;
  std::string out = (negative && !zero ? "-" : "") + whole;
  if (!fraction.empty()) out += "." + fraction;
  return out;
}

std::string jsonb_text(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: {
      std::vector<const std::string*> keys;
      for (const auto& item : value.items()) keys.push_back(&item.key());
      std::sort(keys.begin(), keys.end(), [](const std::string* a, const std::string* b) {
        return a->size() != b->size() ? a->size() < b->size() : *a < *b;
      });
      std::string out = "{";
      for (std::size_t i = 0; i < keys.size(); ++i) {
        if (i > 0) out += ", ";
        out += util::escape_json(*keys[i]) + ": " + jsonb_text(value.at(*keys[i]));
      }
      return out + "}";
    }
    case nlohmann::json::value_t::array: {
      std::string out = "[";
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (i > 0) out += ", ";
        out += jsonb_text(value[i]);
      }
      return out + "]";
    }
    case nlohmann::json::value_t::string:
      return util::escape_json(value.get<std::string>());
    case nlohmann::json::value_t::number_float: {
      std::string text = value.dump();
      return numeric_text(text).value_or(text);
    }
    default:
      return value.dump();
  }
}

}  // namespace schemad::model
