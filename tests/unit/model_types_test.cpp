#include <catch2/catch.hpp>
#include <utility>
#include <vector>

#include "model/type_resolve.hpp"
#include "model/type_text.hpp"
#include "model/types.hpp"

using namespace schemad;
using model::parse_builtin_type;

namespace {

std::string canonical(const std::string& text) {
  auto type = parse_builtin_type(text);
  return type ? type->display() : "<not built in>";
}

// What PostgreSQL 15's format_type printed for each text (checked on a
// server: CREATE TABLE with each, then format_type(atttypid, atttypmod)).
const std::vector<std::pair<std::string, std::string>> kCanonical = {
    {"int", "integer"},
    {"INT4", "integer"},
    {"Integer", "integer"},
    {"int8", "bigint"},
    {"BIGINT", "bigint"},
    {"int2", "smallint"},
    {"smallint", "smallint"},
    {"bool", "boolean"},
    {"Boolean", "boolean"},
    {"float8", "double precision"},
    {"double   precision", "double precision"},
    {"float", "double precision"},
    {"float(25)", "double precision"},
    {"float(53)", "double precision"},
    {"float4", "real"},
    {"real", "real"},
    {"float(1)", "real"},
    {"float(24)", "real"},
    {"numeric", "numeric"},
    {"decimal", "numeric"},
    {"dec", "numeric"},
    {"numeric(10)", "numeric(10,0)"},
    {"numeric ( 12 , 2 )", "numeric(12,2)"},
    {"decimal(5,1)", "numeric(5,1)"},
    {"numeric(2,5)", "numeric(2,5)"},
    {"numeric(5,-2)", "numeric(5,-2)"},
    {"varchar", "character varying"},
    {"character varying", "character varying"},
    {"varchar(255)", "character varying(255)"},
    {"character varying(10)", "character varying(10)"},
    {"char varying(3)", "character varying(3)"},
    {"national character varying(4)", "character varying(4)"},
    {"nchar varying(2)", "character varying(2)"},
    {"char", "character(1)"},
    {"character", "character(1)"},
    {"char(64)", "character(64)"},
    {"character(6)", "character(6)"},
    {"bpchar", "bpchar"},
    {"bpchar(7)", "character(7)"},
    {"nchar(3)", "character(3)"},
    {"national char(2)", "character(2)"},
    {"national character", "character(1)"},
    {"\"char\"", "\"char\""},
    {"text", "text"},
    {"name", "name"},
    {"uuid", "uuid"},
    {"date", "date"},
    {"time", "time without time zone"},
    {"time without time zone", "time without time zone"},
    {"time(3)", "time(3) without time zone"},
    {"timetz", "time with time zone"},
    {"time with time zone", "time with time zone"},
    {"time(2) with time zone", "time(2) with time zone"},
    {"timetz(4)", "time(4) with time zone"},
    {"time(3) without time zone", "time(3) without time zone"},
    {"timestamp", "timestamp without time zone"},
    {"timestamp(3)", "timestamp(3) without time zone"},
    {"timestamptz", "timestamp with time zone"},
    {"timestamp with time zone", "timestamp with time zone"},
    {"timestamptz(3)", "timestamp(3) with time zone"},
    {"timestamp(2) with time zone", "timestamp(2) with time zone"},
    {"timestamp without time zone", "timestamp without time zone"},
    {"timestamp(0)", "timestamp(0) without time zone"},
    {"TIMESTAMP(6) WITH TIME ZONE", "timestamp(6) with time zone"},
    {"interval", "interval"},
    {"interval(3)", "interval(3)"},
    {"interval year", "interval year"},
    {"interval month", "interval month"},
    {"interval day", "interval day"},
    {"interval hour", "interval hour"},
    {"interval minute", "interval minute"},
    {"interval second", "interval second"},
    {"interval year to month", "interval year to month"},
    {"interval day to hour", "interval day to hour"},
    {"interval day to minute", "interval day to minute"},
    {"interval day to second", "interval day to second"},
    {"interval hour to minute", "interval hour to minute"},
    {"interval hour to second", "interval hour to second"},
    {"interval minute to second", "interval minute to second"},
    {"interval day to second(3)", "interval day to second(3)"},
    {"interval second(2)", "interval second(2)"},
    {"interval minute to second(0)", "interval minute to second(0)"},
    {"json", "json"},
    {"jsonb", "jsonb"},
    {"bytea", "bytea"},
    {"inet", "inet"},
    {"cidr", "cidr"},
    {"macaddr", "macaddr"},
    {"macaddr8", "macaddr8"},
    {"money", "money"},
    {"bit", "bit(1)"},
    {"bit(5)", "bit(5)"},
    {"varbit", "bit varying"},
    {"bit varying", "bit varying"},
    {"bit varying(7)", "bit varying(7)"},
    {"varbit(3)", "bit varying(3)"},
    {"tsvector", "tsvector"},
    {"tsquery", "tsquery"},
    {"xml", "xml"},
    {"point", "point"},
    {"line", "line"},
    {"lseg", "lseg"},
    {"box", "box"},
    {"path", "path"},
    {"polygon", "polygon"},
    {"circle", "circle"},
    {"oid", "oid"},
    {"regclass", "regclass"},
    {"regtype", "regtype"},
    {"regproc", "regproc"},
    {"regprocedure", "regprocedure"},
    {"regoper", "regoper"},
    {"regoperator", "regoperator"},
    {"regconfig", "regconfig"},
    {"regdictionary", "regdictionary"},
    {"regnamespace", "regnamespace"},
    {"regrole", "regrole"},
    {"regcollation", "regcollation"},
    {"int4range", "int4range"},
    {"int8range", "int8range"},
    {"numrange", "numrange"},
    {"tsrange", "tsrange"},
    {"tstzrange", "tstzrange"},
    {"daterange", "daterange"},
    {"int4multirange", "int4multirange"},
    {"int8multirange", "int8multirange"},
    {"nummultirange", "nummultirange"},
    {"tsmultirange", "tsmultirange"},
    {"tstzmultirange", "tstzmultirange"},
    {"datemultirange", "datemultirange"},
    {"pg_lsn", "pg_lsn"},
    {"jsonpath", "jsonpath"},
    {"xid", "xid"},
    {"xid8", "xid8"},
    {"cid", "cid"},
    {"tid", "tid"},
    {"txid_snapshot", "txid_snapshot"},
    {"pg_snapshot", "pg_snapshot"},
    {"integer[]", "integer[]"},
    {"int[3]", "integer[]"},
    {"int[][]", "integer[]"},
    {"int ARRAY", "integer[]"},
    {"int array[4]", "integer[]"},
    {"varchar(5)[]", "character varying(5)[]"},
    {"timestamp(3) with time zone[]", "timestamp(3) with time zone[]"},
    {"\"char\"[]", "\"char\"[]"},
    {"bit[]", "bit(1)[]"},
    {"character[]", "character(1)[]"},
    {"numeric(12,2) []", "numeric(12,2)[]"},
    {"text [ ]", "text[]"},
    {"interval day to second(3)[]", "interval day to second(3)[]"},
    {"double precision[]", "double precision[]"},
    {"  text  ", "text"},
};

}  // namespace

TEST_CASE("built-in types read as format_type prints them, for every alias", "[model][types]") {
  for (const auto& [text, expected] : kCanonical) {
    INFO("type text: " << text);
    CHECK(canonical(text) == expected);
  }
}

TEST_CASE("built-in types are schema-less and resolved, modifier inside the name",
          "[model][types]") {
  auto type = parse_builtin_type("varchar(255)");
  REQUIRE(type);
  CHECK(type->schema.empty());
  CHECK(type->name == "character varying(255)");
  CHECK(type->modifier.empty());
  CHECK_FALSE(type->array);
  CHECK(type->builtin());
  auto array = parse_builtin_type("int4[]");
  REQUIRE(array);
  CHECK(array->name == "integer");
  CHECK(array->array);
}

TEST_CASE("serial pseudo-types are their integer type, flagged serial", "[model][types]") {
  const std::vector<std::pair<std::string, std::string>> serials = {
      {"serial", "integer"},   {"serial4", "integer"}, {"SERIAL", "integer"},
      {"bigserial", "bigint"}, {"serial8", "bigint"},  {"smallserial", "smallint"},
      {"serial2", "smallint"}};
  for (const auto& [text, expected] : serials) {
    INFO(text);
    bool serial = false;
    auto type = parse_builtin_type(text, &serial);
    REQUIRE(type);
    CHECK(type->display() == expected);
    CHECK(serial);
  }
  bool serial = true;
  REQUIRE(parse_builtin_type("integer", &serial));
  CHECK_FALSE(serial);
}

TEST_CASE("constants of built-in types carry the label pg_get_expr prints", "[model][types]") {
  const std::vector<std::pair<std::string, std::string>> labels = {
      {"varchar(10)", "character varying"},
      {"char(3)", "bpchar"},
      {"bit(3)", "\"bit\""},
      {"varbit(3)", "bit varying"},
      {"timestamp(3)", "timestamp without time zone"},
      {"timetz(2)", "time with time zone"},
      {"interval(3)", "interval(3)"},
      {"numeric(12,2)", "numeric"},
      {"varchar(5)[]", "character varying[]"},
      {"\"char\"", "\"char\""},
  };
  for (const auto& [text, label] : labels) {
    INFO(text);
    auto builtin = model::parse_builtin(text);
    REQUIRE(builtin);
    CHECK(builtin->label == label);
  }
  CHECK(model::parse_builtin("varchar(320)")->length == 320);
  CHECK(model::parse_builtin("char")->length == 1);
  CHECK(model::parse_builtin("text")->length == -1);
}

TEST_CASE("invalid modifiers and forms of built-in types are refused", "[model][types]") {
  const std::vector<std::pair<std::string, std::string>> invalid = {
      {"varchar(0)", "length for type varchar must be at least 1"},
      {"varchar(10485761)", "length for type varchar cannot exceed 10485760"},
      {"char(0)", "length for type char must be at least 1"},
      {"bpchar(0)", "length for type char must be at least 1"},
      {"bit(0)", "length for type bit must be at least 1"},
      {"bit(83886081)", "length for type bit cannot exceed 83886080"},
      {"varbit(0)", "length for type varbit must be at least 1"},
      {"numeric(0)", "NUMERIC precision 0 must be between 1 and 1000"},
      {"numeric(1001)", "NUMERIC precision 1001 must be between 1 and 1000"},
      {"numeric(5,1001)", "NUMERIC scale 1001 must be between -1000 and 1000"},
      {"numeric(1,2,3)", "too many type modifiers for type numeric"},
      {"numeric(99999999999999)", "type modifier of numeric is out of range"},
      {"float(0)", "precision for type float must be at least 1 bit"},
      {"float(54)", "precision for type float must be less than 54 bits"},
      {"time(7)", "time(7) precision is above the maximum, 6 (PostgreSQL would reduce it)"},
      {"timestamp(7)",
       "timestamp(7) precision is above the maximum, 6 (PostgreSQL would reduce it)"},
      {"interval(7)", "interval(7) precision is above the maximum, 6 (PostgreSQL would reduce it)"},
      {"timestamp(-1)", "timestamp precision must not be negative"},
      {"text(5)", "type modifier is not allowed for type text"},
      {"int4(5)", "type modifier is not allowed for type integer"},
      {"uuid(3)", "type modifier is not allowed for type uuid"},
      {"\"char\"(3)", "type modifier is not allowed for type \"char\""},
      {"varchar(abc)", "type modifiers of varchar must be integers"},
      {"serial[]", "array of serial is not implemented"},
      {"serial(3)", "type modifier is not allowed for type serial"},
      {"timestamp with time zone(3)", "the precision goes right after \"timestamp\""},
      {"timetz(3) with time zone", "unexpected \"with time zone\" after the type modifier"},
      {"timestamp(3) with zone", "unexpected \"with zone\" after the type modifier"},
      {"varchar(3) with time zone", "unexpected \"with\" after the type modifier"},
      {"interval year(2)", "interval precision is allowed only with SECOND"},
      {"interval century", "invalid interval fields \"century\""},
      {"int[", "expected ']' after an array bound"},
      {"int[-1]", "array bounds must be unsigned integers"},
      {"int)", "unexpected text after the type"},
      {"varchar(", "expected a type modifier"},
      {"varchar(3", "expected ',' between type modifiers"},
      {"", "expected a type name"},
      {"[]", "expected a type name"},
      {"\"unterminated", "unterminated quoted identifier"},
      {"\"\"", "zero-length quoted identifier"},
      {"int;", "unexpected character ';'"},
  };
  for (const auto& [text, problem] : invalid) {
    INFO("type text: " << text);
    CHECK_THROWS_WITH(model::parse_builtin(text), problem);
  }
}

TEST_CASE("names that are not built-in types are left to the model", "[model][types]") {
  for (const char* text :
       {"vector(1536)", "message_role", "public.foo", "\"Foo\"", "citext", "geometry(Point,4326)",
        "\"integer\"", "pg_catalog.int4", "double precison"}) {
    INFO(text);
    CHECK_FALSE(parse_builtin_type(text));
  }
}

namespace {

model::ColumnType resolve(const std::string& text, bool extensions = false,
                          const std::string& table_schema = "public") {
  static const std::vector<schema::Enum> enums = {
      {{"public", "mood"}, {"happy", "sad"}, "enums[0]"},
      {{"app", "mood"}, {"calm"}, "enums[1]"},
      {{"app", "Status"}, {"on"}, "enums[2]"},
      {{"public", "only_public"}, {"x"}, "enums[3]"},
      {{"public", "Order Status"}, {"new"}, "enums[4]"},
      {{"app", "a.b \"c\""}, {"x"}, "enums[5]"},
  };
  return model::resolve_type(text, {&enums, table_schema, "public", extensions});
}

}  // namespace

TEST_CASE("a bare enum name resolves in the table's schema, then the default schema",
          "[model][types]") {
  CHECK(resolve("mood").type == schema::Type{"public", "mood", "", false, true});
  CHECK(resolve("mood", false, "app").type == schema::Type{"app", "mood", "", false, true});
  CHECK(resolve("only_public", false, "app").type.schema == "public");
  CHECK(resolve("mood", false, "app").enum_type->values == std::vector<std::string>{"calm"});
  CHECK_FALSE(resolve("mood").builtin);
}

TEST_CASE("schema.enum names an enum of another schema, arrays included", "[model][types]") {
  CHECK(resolve("app.mood").type == schema::Type{"app", "mood", "", false, true});
  CHECK(resolve("public.mood[]").type == schema::Type{"public", "mood", "", true, true});
  CHECK(resolve("mood ARRAY").type.array);
}

TEST_CASE("enum names match as written, then folded when unquoted", "[model][types]") {
  CHECK(resolve("app.Status").type.name == "Status");
  CHECK(resolve("app.\"Status\"").type.name == "Status");
  CHECK(resolve("MOOD").type.name == "mood");
  CHECK_THROWS_WITH(resolve("\"MOOD\""),
                    "unknown type \"\"MOOD\"\" (declare the extension that provides it, or an "
                    "enum)");
}

TEST_CASE("an enum is named by the whole text as written, whatever its characters",
          "[model][types]") {
  CHECK(resolve("Order Status").type == schema::Type{"public", "Order Status", "", false, true});
  CHECK(resolve("Order Status[]").type == schema::Type{"public", "Order Status", "", true, true});
  CHECK(resolve("\"Order Status\"").type.name == "Order Status");
  CHECK(resolve("a.b \"c\"", false, "app").type ==
        schema::Type{"app", "a.b \"c\"", "", false, true});
  CHECK(resolve("Order Status", false, "app").type.schema == "public");  // the default schema
  CHECK_THROWS_WITH(resolve("Order  Status"), "unknown type \"Order  Status\"");
}

TEST_CASE("built-in types win over enums of the same name", "[model][types]") {
  std::vector<schema::Enum> enums = {{{"public", "text"}, {"a"}, "enums[0]"}};
  auto type = model::resolve_type("text", {&enums, "public", "public", false});
  CHECK(type.builtin);
  CHECK(type.type.display() == "text");
  CHECK(model::resolve_type("public.text", {&enums, "public", "public", false}).enum_type);
}

TEST_CASE("an enum takes no type modifier", "[model][types]") {
  CHECK_THROWS_WITH(resolve("mood(3)"),
                    "invalid type \"mood(3)\": type modifier is not allowed for enum type "
                    "public.mood");
}

TEST_CASE("an unknown type is refused unless the model declares extensions", "[model][types]") {
  CHECK_THROWS_WITH(resolve("vector(1536)"),
                    "unknown type \"vector(1536)\" (declare the extension that provides it, or "
                    "an enum)");
  auto vector = resolve("vector(1536)", true);
  CHECK(vector.type == schema::Type{"", "vector", "(1536)", false, false});
  CHECK_FALSE(vector.type.resolved);
  CHECK(vector.type.display() == "vector(1536)");
  CHECK(resolve("Ext.CITEXT[]", true).type == schema::Type{"ext", "citext", "", true, false});
  CHECK(resolve("\"My Type\"", true).type.name == "My Type");
  CHECK(resolve("geometry( Point , 4326 )", true).type.modifier == "(Point,4326)");
}

TEST_CASE("multi-word names that are not built in are unknown types", "[model][types]") {
  CHECK_THROWS_WITH(resolve("double precison", true), "unknown type \"double precison\"");
  CHECK_THROWS_WITH(resolve("int integer", true), "unknown type \"int integer\"");
}

TEST_CASE("invalid type text names the text and the problem", "[model][types]") {
  CHECK_THROWS_WITH(resolve("varchar(0)"),
                    "invalid type \"varchar(0)\": length for type varchar must be at least 1");
  CHECK_THROWS_WITH(resolve("vector(3) foo", true),
                    "invalid type \"vector(3) foo\": unexpected \"foo\"");
}

TEST_CASE("type text is read with SQL's quoting, case folding only unquoted ASCII",
          "[model][types]") {
  auto text = model::parse_type_text("App.\"My \"\"Type\"\"\"[]");
  REQUIRE(text.qualifier.size() == 1);
  CHECK(text.qualifier[0].folded == "app");
  CHECK(text.qualifier[0].raw == "App");
  REQUIRE(text.words.size() == 1);
  CHECK(text.words[0].raw == "My \"Type\"");
  CHECK(text.words[0].quoted);
  CHECK(text.array);

  text = model::parse_type_text("CHARACTER\tVARYING (255)");
  CHECK(text.head() == "character varying");
  REQUIRE(text.modifiers.size() == 1);
  CHECK(text.modifiers[0].raw == "255");

  text = model::parse_type_text("\xC3\x89tat(-5, +3, x)");
  CHECK(text.head() == "\xC3\x89tat");  // no folding beyond ASCII
  REQUIRE(text.modifiers.size() == 3);
  CHECK(text.modifiers[0].raw == "-5");
  CHECK(text.modifiers[1].raw == "+3");
  CHECK(text.modifiers[2].folded == "x");
}

TEST_CASE("what a type cannot hold is refused at its first character", "[model][types]") {
  const std::vector<std::pair<std::string, std::string>> invalid = {
      {"int -- comment", "unexpected character '-'"},
      {"int /* comment */", "unexpected character '/'"},
      {"varchar('3')", "unexpected character '''"},
      {"varchar(E'3')", "unexpected character '''"},
      {"varchar($$3$$)", "unexpected character '$'"},
      {"varchar($1)", "unexpected character '$'"},
      {"int::text", "unexpected character ':'"},
      {"int <> x", "unexpected character '<'"},
      {"varchar(- 3)", "unexpected character '-'"},
      {"varchar(3) 'x", "unexpected character '''"},
      {"numeric(1.5)", "expected ',' between type modifiers"},
      {"numeric(1e5)", "expected ',' between type modifiers"},
      {"numeric(.5)", "expected a type modifier"},
      {"int[1.5]", "expected ']' after an array bound"},
      {"int[-1.5]", "array bounds must be unsigned integers"},
      {"app.5", "expected a type name after '.'"},
      {"5", "expected a type name"},
  };
  for (const auto& [text, problem] : invalid) {
    INFO("type text: " << text);
    CHECK_THROWS_WITH(model::parse_type_text(text), problem);
  }
}
