#include "model/read_sequence.hpp"

#include <limits>
#include <map>

namespace schemad::model {

namespace {

struct IntegerType {
  const char* name;
  long long min;
  long long max;
};

// The types a sequence may have, by every name PostgreSQL reads for them.
IntegerType read_type(const Node& node) {
  static const IntegerType smallint{"smallint", -32768, 32767};
  static const IntegerType integer{"integer", -2147483648LL, 2147483647LL};
  static const IntegerType bigint{"bigint", std::numeric_limits<long long>::min(),
                                  std::numeric_limits<long long>::max()};
  static const std::map<std::string, const IntegerType*> names{
      {"smallint", &smallint}, {"int2", &smallint}, {"integer", &integer}, {"int", &integer},
      {"int4", &integer},      {"bigint", &bigint}, {"int8", &bigint}};
  auto it = names.find(node.string());
  if (it == names.end()) node.expected("must be \"smallint\", \"integer\" or \"bigint\"");
  return *it->second;
}

long long read_integer(const Node& node) {
  const auto& value = node.json();
  if (value.is_number_integer() && !value.is_number_unsigned()) return value.get<long long>();
  if (value.is_number_unsigned() &&
      value.get<unsigned long long>() <=
          static_cast<unsigned long long>(std::numeric_limits<long long>::max())) {
    return static_cast<long long>(value.get<unsigned long long>());
  }
  node.expected("must be an integer from -9223372036854775808 to 9223372036854775807");
}

void within(const Node& node, long long value, const IntegerType& type) {
  if (value < type.min || value > type.max) {
    node.fail(std::to_string(value) + " is out of range for the sequence's type " + type.name +
              " (" + std::to_string(type.min) + " to " + std::to_string(type.max) + ")");
  }
}

}  // namespace

schema::Sequence read_sequence(const Node& node, const std::string& default_schema) {
  node.expect_object(
      {"name", "schema", "type", "start", "increment", "min", "max", "cache", "cycle", "owned_by"});
  schema::Sequence s;
  s.path = node.path();
  s.name.name = node.at("name").identifier();
  auto schema = node.find("schema");
  s.name.schema = schema ? schema->identifier() : default_schema;
  IntegerType type{"bigint", std::numeric_limits<long long>::min(),
                   std::numeric_limits<long long>::max()};
  if (auto t = node.find("type")) type = read_type(*t);
  s.type = type.name;

  if (auto n = node.find("increment")) {
    s.increment = read_integer(*n);
    if (s.increment == 0) n->fail("INCREMENT must not be zero");
  }
  const bool ascending = s.increment > 0;
  s.min = ascending ? 1 : type.min;
  s.max = ascending ? type.max : -1;
  if (auto n = node.find("min")) {
    s.min = read_integer(*n);
    within(*n, s.min, type);
  }
  if (auto n = node.find("max")) {
    s.max = read_integer(*n);
    within(*n, s.max, type);
  }
  if (s.min >= s.max) {
    node.fail("min (" + std::to_string(s.min) + ") must be less than max (" +
              std::to_string(s.max) + ")");
  }
  s.start = ascending ? s.min : s.max;
  if (auto n = node.find("start")) {
    s.start = read_integer(*n);
    if (s.start < s.min || s.start > s.max) {
      n->fail("START " + std::to_string(s.start) + " must be from min (" + std::to_string(s.min) +
              ") to max (" + std::to_string(s.max) + ")");
    }
  }
  if (auto n = node.find("cache")) {
    s.cache = read_integer(*n);
    if (s.cache < 1) n->fail("CACHE must be at least 1");
  }
  if (auto n = node.find("cycle")) s.cycle = n->boolean();
  if (auto owner = node.find("owned_by")) {
    owner->expect_object({"table", "column"});
    s.owned_table = owner->at("table").identifier();
    s.owned_column = owner->at("column").identifier();
  }
  return s;
}

}  // namespace schemad::model
