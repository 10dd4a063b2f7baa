#include "model/types.hpp"

#include <map>
#include <set>
#include <vector>

namespace schemad::model {

namespace {

using Family = TypeFamily;

struct Plain {
  const char* canonical;
  Family family;
};

// Types without modifiers, by every name the grammar accepts for them.
const std::map<std::string, Plain>& plain_types() {
  static const std::map<std::string, Plain> types = [] {
    std::map<std::string, Plain> m = {
        {"int", {"integer", Family::integer}},
        {"integer", {"integer", Family::integer}},
        {"int4", {"integer", Family::integer}},
        {"smallint", {"smallint", Family::integer}},
        {"int2", {"smallint", Family::integer}},
        {"bigint", {"bigint", Family::integer}},
        {"int8", {"bigint", Family::integer}},
        {"bool", {"boolean", Family::boolean}},
        {"boolean", {"boolean", Family::boolean}},
        {"real", {"real", Family::floating}},
        {"float4", {"real", Family::floating}},
        {"double precision", {"double precision", Family::floating}},
        {"float8", {"double precision", Family::floating}},
        {"text", {"text", Family::string}},
        {"name", {"name", Family::string}},
        {"json", {"json", Family::json}},
        {"jsonb", {"jsonb", Family::json}},
        {"money", {"money", Family::money}},
    };
    for (const char* oid_type :
         {"oid", "regclass", "regtype", "regproc", "regprocedure", "regoper", "regoperator",
          "regconfig", "regdictionary", "regnamespace", "regrole", "regcollation"}) {
      m.emplace(oid_type, Plain{oid_type, Family::oid});
    }
    for (const char* other : {"uuid",           "date",          "bytea",        "inet",
                              "cidr",           "macaddr",       "macaddr8",     "tsvector",
                              "tsquery",        "xml",           "point",        "line",
                              "lseg",           "box",           "path",         "polygon",
                              "circle",         "int4range",     "int8range",    "numrange",
                              "tsrange",        "tstzrange",     "daterange",    "int4multirange",
                              "int8multirange", "nummultirange", "tsmultirange", "tstzmultirange",
                              "datemultirange", "pg_lsn",        "jsonpath",     "xid",
                              "xid8",           "cid",           "tid",          "txid_snapshot",
                              "pg_snapshot"}) {
      m.emplace(other, Plain{other, Family::other});
    }
    return m;
  }();
  return types;
}

const std::set<std::string> kVarcharNames = {"varchar",
                                             "character varying",
                                             "char varying",
                                             "national character varying",
                                             "national char varying",
                                             "nchar varying"};
const std::set<std::string> kCharNames = {"char", "character", "nchar", "national character",
                                          "national char"};
const std::set<std::string> kIntervalFields = {"year",
                                               "month",
                                               "day",
                                               "hour",
                                               "minute",
                                               "second",
                                               "year to month",
                                               "day to hour",
                                               "day to minute",
                                               "day to second",
                                               "hour to minute",
                                               "hour to second",
                                               "minute to second"};

BuiltinType make(std::string canonical, std::string label, Family family, long length = -1) {
  BuiltinType out;
  out.type.name = std::move(canonical);
  out.label = std::move(label);
  out.family = family;
  out.length = length;
  return out;
}

std::string in_parens(long value) {
  return "(" + std::to_string(value) + ")";
}

// The integer modifiers of a built-in type; at most `max_count` of them.
std::vector<long> integer_modifiers(const TypeText& text, std::size_t max_count,
                                    const std::string& type_name) {
  if (text.modifiers.size() > max_count) {
    throw TypeError(max_count == 0 ? "type modifier is not allowed for type " + type_name
                                   : "too many type modifiers for type " + type_name);
  }
  std::vector<long> values;
  for (const TypeWord& item : text.modifiers) {
    const std::string& digits = item.raw;
    bool numeric = !item.quoted && !digits.empty() &&
                   digits.find_first_not_of("+-0123456789") == std::string::npos;
    if (!numeric) throw TypeError("type modifiers of " + type_name + " must be integers");
    // Eleven characters hold any sign and every value worth checking;
    // longer ones are out of every range.
    if (digits.size() > 11) throw TypeError("type modifier of " + type_name + " is out of range");
    values.push_back(std::stol(digits));
  }
  return values;
}

BuiltinType float_type(const TypeText& text) {
  auto mods = integer_modifiers(text, 1, "float");
  if (mods.empty()) return make("double precision", "double precision", Family::floating);
  long bits = mods[0];
  if (bits < 1) throw TypeError("precision for type float must be at least 1 bit");
  if (bits > 53) throw TypeError("precision for type float must be less than 54 bits");
  return bits <= 24 ? make("real", "real", Family::floating)
                    : make("double precision", "double precision", Family::floating);
}

BuiltinType numeric_type(const TypeText& text) {
  auto mods = integer_modifiers(text, 2, "numeric");
  if (mods.empty()) return make("numeric", "numeric", Family::numeric);
  long precision = mods[0];
  long scale = mods.size() > 1 ? mods[1] : 0;
  if (precision < 1 || precision > 1000) {
    throw TypeError("NUMERIC precision " + std::to_string(precision) +
                    " must be between 1 and 1000");
  }
  // PostgreSQL 15 allows a negative scale, and one above the precision.
  if (scale < -1000 || scale > 1000) {
    throw TypeError("NUMERIC scale " + std::to_string(scale) + " must be between -1000 and 1000");
  }
  return make("numeric(" + std::to_string(precision) + "," + std::to_string(scale) + ")", "numeric",
              Family::numeric);
}

long length_modifier(const TypeText& text, const std::string& pg_name, long max) {
  long length = integer_modifiers(text, 1, pg_name)[0];
  if (length < 1) throw TypeError("length for type " + pg_name + " must be at least 1");
  if (length > max) {
    throw TypeError("length for type " + pg_name + " cannot exceed " + std::to_string(max));
  }
  return length;
}

constexpr long kMaxCharLength = 10485760;
constexpr long kMaxBitLength = 83886080;

BuiltinType varchar_type(const TypeText& text) {
  if (!text.has_modifiers) return make("character varying", "character varying", Family::string);
  long n = length_modifier(text, "varchar", kMaxCharLength);
  return make("character varying" + in_parens(n), "character varying", Family::string, n);
}

BuiltinType char_type(const TypeText& text, bool bpchar) {
  if (!text.has_modifiers) {
    return bpchar ? make("bpchar", "bpchar", Family::string)
                  : make("character(1)", "bpchar", Family::string, 1);
  }
  long n = length_modifier(text, "char", kMaxCharLength);
  return make("character" + in_parens(n), "bpchar", Family::string, n);
}

BuiltinType bit_type(const TypeText& text, bool varying) {
  if (varying) {
    if (!text.has_modifiers) return make("bit varying", "bit varying", Family::other);
    long n = length_modifier(text, "varbit", kMaxBitLength);
    return make("bit varying" + in_parens(n), "bit varying", Family::other);
  }
  long n = text.has_modifiers ? length_modifier(text, "bit", kMaxBitLength) : 1;
  return make("bit" + in_parens(n), "\"bit\"", Family::other);
}

// The fractional-seconds precision of time, timestamp and interval.
std::string precision_modifier(const TypeText& text, const std::string& pg_name) {
  if (!text.has_modifiers) return "";
  long p = integer_modifiers(text, 1, pg_name)[0];
  if (p < 0) throw TypeError(pg_name + " precision must not be negative");
  if (p > 6) {
    throw TypeError(pg_name + "(" + std::to_string(p) +
                    ") precision is above the maximum, 6 (PostgreSQL would reduce it)");
  }
  return in_parens(p);
}

// time, timestamp and their time-zone forms; nullopt for other heads.
std::optional<BuiltinType> datetime_type(const TypeText& text) {
  static const std::map<std::string, std::pair<std::string, bool>> heads = {
      {"time", {"time", false}},
      {"time without time zone", {"time", false}},
      {"timetz", {"time", true}},
      {"time with time zone", {"time", true}},
      {"timestamp", {"timestamp", false}},
      {"timestamp without time zone", {"timestamp", false}},
      {"timestamptz", {"timestamp", true}},
      {"timestamp with time zone", {"timestamp", true}},
  };
  auto it = heads.find(text.head());
  if (it == heads.end()) return std::nullopt;
  auto [base, with_zone] = it->second;
  bool spelled_zone = text.words.size() > 1;  // "time with time zone"
  if (!text.tail.empty()) {
    // Only "time(p) with time zone" and "timestamp(p) ...": not timetz(p).
    std::string tail;
    for (const std::string& word : text.tail) tail += (tail.empty() ? "" : " ") + word;
    if (text.head() != base || (tail != "with time zone" && tail != "without time zone")) {
      throw TypeError("unexpected \"" + tail + "\" after the type modifier");
    }
    with_zone = tail == "with time zone";
  } else if (spelled_zone && text.has_modifiers) {
    throw TypeError("the precision goes right after \"" + base + "\"");
  }
  std::string zone = with_zone ? " with time zone" : " without time zone";
  return make(base + precision_modifier(text, base) + zone, base + zone, Family::other);
}

std::optional<BuiltinType> interval_type(const TypeText& text) {
  if (text.words.front().folded != "interval") return std::nullopt;
  std::string head = text.head();
  std::string fields = head.size() > 8 ? head.substr(9) : "";
  if (!fields.empty() && kIntervalFields.count(fields) == 0) {
    throw TypeError("invalid interval fields \"" + fields + "\"");
  }
  if (text.has_modifiers && !fields.empty() && fields.find("second") == std::string::npos) {
    throw TypeError("interval precision is allowed only with SECOND");
  }
  std::string name =
      "interval" + (fields.empty() ? "" : " " + fields) + precision_modifier(text, "interval");
  return make(name, name, Family::other);
}

std::optional<BuiltinType> serial_type(const TypeText& text) {
  static const std::map<std::string, std::string> serials = {
      {"serial", "integer"}, {"serial4", "integer"},      {"bigserial", "bigint"},
      {"serial8", "bigint"}, {"smallserial", "smallint"}, {"serial2", "smallint"}};
  auto it = serials.find(text.head());
  if (it == serials.end()) return std::nullopt;
  integer_modifiers(text, 0, text.head());
  if (text.array) throw TypeError("array of serial is not implemented");
  BuiltinType out = make(it->second, it->second, Family::integer);
  out.serial = true;
  return out;
}

std::optional<BuiltinType> keyword_type(const TypeText& text) {
  std::string head = text.head();
  if (auto it = plain_types().find(head); it != plain_types().end()) {
    integer_modifiers(text, 0, it->second.canonical);
    return make(it->second.canonical, it->second.canonical, it->second.family);
  }
  if (head == "float") return float_type(text);
  if (head == "numeric" || head == "decimal" || head == "dec") return numeric_type(text);
  if (kVarcharNames.count(head)) return varchar_type(text);
  if (kCharNames.count(head)) return char_type(text, false);
  if (head == "bpchar") return char_type(text, true);
  if (head == "bit") return bit_type(text, false);
  if (head == "varbit" || head == "bit varying") return bit_type(text, true);
  if (auto serial = serial_type(text)) return serial;
  if (auto datetime = datetime_type(text)) return datetime;
  return interval_type(text);
}

}  // namespace

std::optional<BuiltinType> parse_builtin(const TypeText& text) {
  if (!text.qualifier.empty()) return std::nullopt;
  std::optional<BuiltinType> out;
  if (text.words.front().quoted) {
    // Only "char" is spelled quoted: unquoted, char is character(1).
    if (text.words.front().raw != "char") return std::nullopt;
    integer_modifiers(text, 0, "\"char\"");
    out = make("\"char\"", "\"char\"", Family::string);
  } else {
    out = keyword_type(text);
  }
  if (!out) return std::nullopt;
  bool time_form = text.head() == "time" || text.head() == "timestamp";
  if (!text.tail.empty() && !time_form) {
    throw TypeError("unexpected \"" + text.tail.front() + "\" after the type modifier");
  }
  if (text.array) {
    out->type.array = true;
    out->label += "[]";
  }
  return out;
}

std::optional<BuiltinType> parse_builtin(std::string_view text) {
  return parse_builtin(parse_type_text(text));
}

std::optional<schema::Type> parse_builtin_type(std::string_view text, bool* serial) {
  std::optional<BuiltinType> builtin = parse_builtin(text);
  if (serial) *serial = builtin && builtin->serial;
  if (!builtin) return std::nullopt;
  return builtin->type;
}

}  // namespace schemad::model
