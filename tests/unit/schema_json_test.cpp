#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "schema/json.hpp"
#include "util/json_string.hpp"

using namespace schemad;
using nlohmann::json;

namespace {

// Strings that need escaping, and some that must not be escaped: quotes,
// backslashes, every named escape, other control characters, '/', DEL and
// multi-byte UTF-8.
const std::string kOdd = std::string("q\"b\\s/\b\f\n\r\t \x01\x1f\x7f é 日本 😀 ") + '\0' + "end";

schema::Type builtin(const std::string& name) {
  schema::Type t;
  t.name = name;
  return t;
}

schema::Column column(const std::string& name, schema::Type type) {
  schema::Column c;
  c.name = name;
  c.type = std::move(type);
  c.path = "tables[0].columns[9]";
  return c;
}

schema::Constraint constraint(schema::ConstraintKind kind, const std::string& name) {
  schema::Constraint c;
  c.kind = kind;
  c.name = name;
  c.path = "tables[0].constraints[9]";
  return c;
}

schema::IndexKey key_on(const std::string& column_name, const std::string& expression) {
  schema::IndexKey k;
  k.column = column_name;
  k.expression = expression;
  return k;
}

// A schema with every shape json.hpp describes and every value of every
// enumeration, `path`s set (they must not be written), tables and enums out
// of name order.
schema::Database every_shape() {
  using namespace schema;
  Database db;
  db.default_schema = "app";
  db.schemas = {"app", "other", "public"};
  db.extensions = {"citext", "pgcrypto"};
  db.revision = "r.1";
  db.fingerprint = "0123abcd";

  Table t;
  t.name = {"app", "zeta " + kOdd};
  t.comment = "comment " + kOdd;
  t.path = "tables[0]";

  Column id = column("id", builtin("integer"));
  id.nullable = false;
  id.identity = Identity::always;
  Column by_default = column("b", builtin("bigint"));
  by_default.identity = Identity::by_default;
  Column serial = column("s", builtin("bigint"));
  serial.serial = true;
  serial.def = {Default::Kind::sql, "nextval('s_seq'::regclass)", false,
                "nextval('app.s_seq'::regclass)", true};
  Column literal = column("name " + kOdd, builtin("text"));
  literal.def = {Default::Kind::literal, kOdd, true, "'" + kOdd + "'::text", false};
  literal.comment = "column " + kOdd;
  Column number = column("n", builtin("numeric(12,2)"));
  number.def = {Default::Kind::literal, "2.50", false, "2.50", false};
  Column document = column("j", builtin("jsonb"));
  document.def = {Default::Kind::json, R"({"k":[1,"v"]})", false, R"('{"k": [1, "v"]}'::jsonb)",
                  false};
  Column when = column("t", builtin("timestamp with time zone"));
  when.def = {Default::Kind::sql, "now()", false, "now()", std::nullopt};
  Type extension_type;  // an extension's type the database has not resolved yet
  extension_type.name = "vector";
  extension_type.modifier = "(3)";
  extension_type.resolved = false;
  Column embedding = column("v", extension_type);
  Type mood;
  mood.schema = "app";
  mood.name = "mood";
  mood.array = true;
  Column moods = column("m", mood);
  t.columns = {id, by_default, serial, literal, number, document, when, embedding, moods};

  Constraint pk = constraint(ConstraintKind::primary_key, "");
  pk.columns = {"id"};
  Constraint unique = constraint(ConstraintKind::unique, "uq " + kOdd);
  unique.columns = {"name " + kOdd, "n"};
  t.constraints = {pk, unique};
  const std::vector<ReferentialAction> actions = {
      ReferentialAction::no_action, ReferentialAction::restrict, ReferentialAction::cascade,
      ReferentialAction::set_null, ReferentialAction::set_default};
  for (std::size_t i = 0; i < actions.size(); ++i) {
    Constraint fk = constraint(ConstraintKind::foreign_key, "fk" + std::to_string(i));
    fk.columns = {"b"};
    fk.ref_table = {"other", "target"};
    fk.ref_columns = {"id"};
    fk.on_delete = actions[i];
    fk.on_update = actions[actions.size() - 1 - i];
    fk.external = i % 2 == 1;
    fk.validated = i != 2;
    t.constraints.push_back(fk);
  }
  Constraint check = constraint(ConstraintKind::check, "ck");
  check.expression = "n > 0 AND name <> '" + kOdd + "'";
  check.normalized = "((n > (0)::numeric))";
  check.validated = false;
  t.constraints.push_back(check);

  Index plain;
  plain.name = "ix_plain";
  plain.keys = {key_on("n", "")};
  plain.path = "tables[0].indexes[0]";
  Index rich;
  rich.keys = {key_on("", "lower(name)"), key_on("t", ""), key_on("n", ""), key_on("b", "")};
  rich.keys[0].opclass = "text_pattern_ops";
  rich.keys[1].order = SortOrder::desc;
  rich.keys[1].nulls = NullsOrder::last;
  rich.keys[2].order = SortOrder::asc;
  rich.keys[2].nulls = NullsOrder::first;
  rich.include = {"j", "v"};
  rich.unique = true;
  rich.where = "t IS NOT NULL AND name <> '" + kOdd + "'";
  Index backing;
  backing.name = "zeta_pkey";
  backing.keys = {key_on("id", "")};
  backing.method = "hash";
  backing.valid = false;
  backing.constraint_backed = true;
  t.indexes = {plain, rich, backing};

  Table empty;
  empty.name = {"app", "alpha"};

  Enum mood_enum;
  mood_enum.name = {"app", "mood"};
  mood_enum.values = {"happy", "sad " + kOdd};
  Enum first;
  first.name = {"app", "a_first"};
  first.values = {"x"};

  db.tables = {t, empty};
  db.enums = {mood_enum, first};
  return db;
}

std::vector<std::string> keys_of(const json& object) {
  std::vector<std::string> keys;
  for (const auto& item : object.items()) keys.push_back(item.key());
  return keys;
}

std::vector<std::string> sorted(std::vector<std::string> keys) {
  std::sort(keys.begin(), keys.end());
  return keys;
}

class Pieces : public schema::JsonSink {
 public:
  void write(std::string_view piece) override { pieces.emplace_back(piece); }
  std::vector<std::string> pieces;
};

}  // namespace

TEST_CASE("the canonical JSON is nlohmann's compact dump of the document it describes",
          "[schema][json]") {
  // Parsing and dumping again gives the same bytes only when every object's
  // keys are in byte order, there is no whitespace and every string is
  // escaped as dump() escapes it.
  const schema::Database db = every_shape();
  for (bool sort : {false, true}) {
    schema::JsonOptions options;
    options.sort_by_name = sort;
    options.clear_fingerprint = sort;
    const std::string text = schema::to_json_text(db, options);
    INFO(text);
    const json parsed = json::parse(text);
    CHECK(parsed.dump() == text);
  }
}

TEST_CASE("the canonical JSON writes every field of every shape, and no path", "[schema][json]") {
  const json j = json::parse(schema::to_json_text(every_shape()));
  CHECK(keys_of(j) == sorted({"default_schema", "schemas", "extensions", "enums", "tables",
                              "revision", "fingerprint"}));
  CHECK(j["default_schema"] == "app");
  CHECK(j["schemas"] == json({"app", "other", "public"}));
  CHECK(j["extensions"] == json({"citext", "pgcrypto"}));
  CHECK(j["revision"] == "r.1");
  CHECK(j["fingerprint"] == "0123abcd");
  CHECK(j["enums"][0] ==
        json({{"schema", "app"}, {"name", "mood"}, {"values", {"happy", "sad " + kOdd}}}));

  const json& t = j["tables"][0];
  CHECK(keys_of(t) == sorted({"schema", "name", "comment", "columns", "constraints", "indexes"}));
  CHECK(t["schema"] == "app");
  CHECK(t["name"] == "zeta " + kOdd);
  CHECK(t["comment"] == "comment " + kOdd);
  CHECK(j["tables"][1]["comment"].is_null());
  CHECK(j["tables"][1]["columns"] == json::array());

  const json& columns = t["columns"];
  for (const json& c : columns) {
    CHECK(keys_of(c) ==
          sorted({"name", "type", "nullable", "default", "identity", "serial", "comment"}));
    CHECK(keys_of(c["type"]) ==
          sorted({"schema", "name", "modifier", "array", "resolved", "display"}));
  }
  CHECK(columns[0]["identity"] == "always");
  CHECK(columns[0]["nullable"] == false);
  CHECK(columns[0]["default"].is_null());
  CHECK(columns[0]["comment"].is_null());
  CHECK(columns[0]["type"] == json({{"schema", ""},
                                    {"name", "integer"},
                                    {"modifier", ""},
                                    {"array", false},
                                    {"resolved", true},
                                    {"display", "integer"}}));
  CHECK(columns[1]["identity"] == "by default");
  CHECK(columns[2]["identity"].is_null());
  CHECK(columns[2]["serial"] == true);
  CHECK(columns[2]["default"] == json({{"kind", "sql"},
                                       {"value", "nextval('s_seq'::regclass)"},
                                       {"quoted", false},
                                       {"stored", "nextval('app.s_seq'::regclass)"},
                                       {"volatile", true}}));
  CHECK(columns[3]["name"] == "name " + kOdd);
  CHECK(columns[3]["comment"] == "column " + kOdd);
  CHECK(columns[3]["default"] == json({{"kind", "literal"},
                                       {"value", kOdd},
                                       {"quoted", true},
                                       {"stored", "'" + kOdd + "'::text"},
                                       {"volatile", false}}));
  CHECK(columns[4]["default"]["quoted"] == false);
  CHECK(columns[4]["default"]["value"] == "2.50");
  CHECK(columns[5]["default"]["kind"] == "json");
  CHECK(columns[5]["default"]["value"] == R"({"k":[1,"v"]})");
  CHECK(columns[6]["default"]["kind"] == "sql");
  CHECK(columns[6]["default"]["volatile"].is_null());
  CHECK(columns[7]["type"] == json({{"schema", ""},
                                    {"name", "vector"},
                                    {"modifier", "(3)"},
                                    {"array", false},
                                    {"resolved", false},
                                    {"display", "vector(3)"}}));
  CHECK(columns[8]["type"]["array"] == true);
  CHECK(columns[8]["type"]["display"] == "app.mood[]");

  const json& constraints = t["constraints"];
  CHECK(constraints[0] ==
        json({{"kind", "primary key"}, {"name", ""}, {"validated", true}, {"columns", {"id"}}}));
  CHECK(constraints[1] == json({{"kind", "unique"},
                                {"name", "uq " + kOdd},
                                {"validated", true},
                                {"columns", {"name " + kOdd, "n"}}}));
  CHECK(constraints[2] == json({{"kind", "foreign key"},
                                {"name", "fk0"},
                                {"validated", true},
                                {"columns", {"b"}},
                                {"references",
                                 {{"schema", "other"},
                                  {"table", "target"},
                                  {"columns", {"id"}},
                                  {"external", false},
                                  {"on_delete", "NO ACTION"},
                                  {"on_update", "SET DEFAULT"}}}}));
  std::vector<std::string> on_delete, on_update;
  for (int i = 2; i < 7; ++i) {
    on_delete.push_back(constraints[i]["references"]["on_delete"].get<std::string>());
    on_update.push_back(constraints[i]["references"]["on_update"].get<std::string>());
  }
  CHECK(on_delete ==
        std::vector<std::string>{"NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT"});
  CHECK(on_update ==
        std::vector<std::string>{"SET DEFAULT", "SET NULL", "CASCADE", "RESTRICT", "NO ACTION"});
  CHECK(constraints[3]["references"]["external"] == true);
  CHECK(constraints[4]["validated"] == false);
  CHECK(constraints[7] == json({{"kind", "check"},
                                {"name", "ck"},
                                {"validated", false},
                                {"expression", "n > 0 AND name <> '" + kOdd + "'"},
                                {"normalized", "((n > (0)::numeric))"}}));

  const json& indexes = t["indexes"];
  CHECK(indexes[0] == json({{"name", "ix_plain"},
                            {"keys",
                             {{{"column", "n"},
                               {"expression", nullptr},
                               {"opclass", nullptr},
                               {"order", nullptr},
                               {"nulls", nullptr}}}},
                            {"include", json::array()},
                            {"method", "btree"},
                            {"unique", false},
                            {"where", ""},
                            {"valid", true},
                            {"constraint_backed", false}}));
  CHECK(indexes[1]["name"] == "");
  CHECK(indexes[1]["keys"] == json({{{"column", nullptr},
                                     {"expression", "lower(name)"},
                                     {"opclass", "text_pattern_ops"},
                                     {"order", nullptr},
                                     {"nulls", nullptr}},
                                    {{"column", "t"},
                                     {"expression", nullptr},
                                     {"opclass", nullptr},
                                     {"order", "desc"},
                                     {"nulls", "last"}},
                                    {{"column", "n"},
                                     {"expression", nullptr},
                                     {"opclass", nullptr},
                                     {"order", "asc"},
                                     {"nulls", "first"}},
                                    {{"column", "b"},
                                     {"expression", nullptr},
                                     {"opclass", nullptr},
                                     {"order", nullptr},
                                     {"nulls", nullptr}}}));
  CHECK(indexes[1]["include"] == json({"j", "v"}));
  CHECK(indexes[1]["unique"] == true);
  CHECK(indexes[1]["where"] == "t IS NOT NULL AND name <> '" + kOdd + "'");
  CHECK(indexes[2]["method"] == "hash");
  CHECK(indexes[2]["valid"] == false);
  CHECK(indexes[2]["constraint_backed"] == true);

  const std::string text = j.dump();
  CHECK(text.find("\"path\"") == std::string::npos);
  CHECK(text.find("tables[") == std::string::npos);
}

TEST_CASE("the canonical JSON keeps the schema's order unless asked to sort by name",
          "[schema][json]") {
  const schema::Database db = every_shape();
  const json as_is = json::parse(schema::to_json_text(db));
  CHECK(as_is["tables"][0]["name"] == "zeta " + kOdd);
  CHECK(as_is["tables"][1]["name"] == "alpha");
  CHECK(as_is["enums"][0]["name"] == "mood");
  CHECK(as_is["enums"][1]["name"] == "a_first");
  CHECK(as_is["fingerprint"] == "0123abcd");

  schema::JsonOptions options;
  options.sort_by_name = true;
  const json by_name = json::parse(schema::to_json_text(db, options));
  CHECK(by_name["tables"][0]["name"] == "alpha");
  CHECK(by_name["tables"][1]["name"] == "zeta " + kOdd);
  CHECK(by_name["enums"][0]["name"] == "a_first");
  CHECK(by_name["enums"][1]["name"] == "mood");
  CHECK(by_name["fingerprint"] == "0123abcd");

  // The schema comes before the name: app.z sorts before other.a.
  schema::Database two_schemas;
  two_schemas.tables.resize(2);
  two_schemas.tables[0].name = {"other", "a"};
  two_schemas.tables[1].name = {"app", "z"};
  const json qualified = json::parse(schema::to_json_text(two_schemas, options));
  CHECK(qualified["tables"][0]["schema"] == "app");
  CHECK(qualified["tables"][1]["schema"] == "other");

  schema::JsonOptions cleared;
  cleared.clear_fingerprint = true;
  const json blank = json::parse(schema::to_json_text(db, cleared));
  CHECK(blank["fingerprint"] == "");
  CHECK(blank["tables"][0]["name"] == "zeta " + kOdd);
}

TEST_CASE("strings are escaped exactly as nlohmann's dump escapes them", "[schema][json]") {
  for (int byte = 0; byte < 0x80; ++byte) {
    const std::string s(1, static_cast<char>(byte));
    INFO("byte " << byte);
    CHECK(util::escape_json(s) == json(s).dump());
  }
  for (const std::string& s :
       {std::string(), kOdd, std::string("\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80"),
        std::string(200, '"'), std::string("plain text, no escapes")}) {
    CHECK(util::escape_json(s) == json(s).dump());
  }
  CHECK(util::escape_json("a\x01\x1f/\x7f") == "\"a\\u0001\\u001f/\x7f\"");
  std::string out = "[";
  util::append_json_string(out, "x\ny");
  CHECK(out == "[\"x\\ny\"");
}

TEST_CASE("write_json hands the text to the sink in pieces cut between tables", "[schema][json]") {
  schema::Database db = every_shape();
  const schema::Table model_table = db.tables[0];
  for (int i = 0; i < 400; ++i) {
    db.tables.push_back(model_table);
    db.tables.back().name.name = "t" + std::to_string(i);
  }
  schema::Database one_table;
  one_table.tables = {model_table};
  const std::size_t table_size = schema::to_json_text(one_table).size();
  Pieces sink;
  schema::write_json(db, sink);
  const std::string whole = schema::to_json_text(db);
  REQUIRE(whole.size() > 4 * 64 * 1024);
  REQUIRE(sink.pieces.size() > 1);

  std::string joined;
  for (std::size_t i = 0; i < sink.pieces.size(); ++i) {
    const std::string& piece = sink.pieces[i];
    INFO("piece " << i << " of " << sink.pieces.size());
    CHECK(!piece.empty());
    if (i + 1 < sink.pieces.size()) {
      // Flat memory: a piece is about 64 KiB, one table more at most.
      CHECK(piece.size() >= 64 * 1024);
      CHECK(piece.size() < 64 * 1024 + table_size);
      // Cut right after a table: the next piece goes on with "," or "]".
      CHECK(piece.back() == '}');
      const char next = sink.pieces[i + 1].front();
      CHECK((next == ',' || next == ']'));
    }
    joined += piece;
  }
  CHECK(joined == whole);
}

TEST_CASE("an empty schema is written with every key", "[schema][json]") {
  CHECK(schema::to_json_text(schema::Database{}) ==
        R"({"default_schema":"public","enums":[],"extensions":[],"fingerprint":"",)"
        R"("revision":"","schemas":[],"tables":[]})");
  Pieces sink;
  schema::write_json(schema::Database{}, sink);
  CHECK(sink.pieces == std::vector<std::string>{schema::to_json_text(schema::Database{})});
}
