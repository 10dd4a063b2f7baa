#include <catch2/catch.hpp>

#include "diff/diff.hpp"
#include "diff_fixtures.hpp"
#include "plan/ddl.hpp"
#include "plan/names.hpp"
#include "plan/plan.hpp"

using namespace schemad;
using namespace fixtures;
using Strings = std::vector<std::string>;

namespace {

Strings all_sql(const plan::Plan& plan) {
  Strings out;
  for (const auto& step : plan.steps) out.push_back(step.sql);
  return out;
}

}  // namespace

TEST_CASE("orders foreign keys after every table so cycles work", "[plan][ddl]") {
  schema::Table a =
      table("public", "a", {column("id", "integer", false), column("b_id", "integer")});
  a.constraints = {primary_key({"id"}), foreign_key({"b_id"}, qn("public", "b"), {"id"})};
  schema::Table b =
      table("public", "b", {column("id", "integer", false), column("a_id", "integer")});
  b.constraints = {primary_key({"id"}), foreign_key({"a_id"}, qn("public", "a"), {"id"}, "fk_b_a")};
  plan::Plan plan = plan::render(diff::compare(database({a, b}), database({})));
  CHECK(
      all_sql(plan) ==
      Strings{"CREATE TABLE \"public\".\"a\" (\n  \"id\" integer NOT NULL,\n  \"b_id\" integer,\n"
              "  PRIMARY KEY (\"id\")\n)",
              "CREATE TABLE \"public\".\"b\" (\n  \"id\" integer NOT NULL,\n  \"a_id\" integer,\n"
              "  PRIMARY KEY (\"id\")\n)",
              "ALTER TABLE \"public\".\"a\" ADD FOREIGN KEY (\"b_id\") REFERENCES \"public\".\"b\" "
              "(\"id\")",
              "ALTER TABLE \"public\".\"b\" ADD CONSTRAINT \"fk_b_a\" FOREIGN KEY (\"a_id\") "
              "REFERENCES \"public\".\"a\" (\"id\")"});
  for (const auto& step : plan.steps) CHECK(step.phase == plan::Phase::transaction);
  CHECK(plan.steps[2].kind == diff::ChangeKind::add_constraint);
  CHECK(plan.steps[2].description == "add foreign key (b_id) on public.a");
}

TEST_CASE("quotes weird identifiers everywhere", "[plan][ddl]") {
  schema::Database want = database({});
  want.schemas = {"My Schema"};
  want.extensions = {"uuid-ossp"};
  want.enums.push_back(enum_type("My Schema", "Mood \"x\"", {"it's", "ok"}));
  schema::Table t = table(
      "My Schema", "Order \"x\"",
      {column("Select", user_type("My Schema", "Mood \"x\""), false), column("a\"b", "text")});
  t.columns[0].def = literal("it's", true, "");
  t.constraints = {primary_key({"Select"}, "Order \"x\"_pkey"), unique({"a\"b"}, "u\"q")};
  t.indexes = {index("ix \"x\"", {"a\"b"})};
  t.comment = "it's \"quoted\"";
  t.columns[1].comment = "o'clock";
  want.tables = {t};
  schema::Database have;
  plan::Plan plan = plan::render(diff::compare(want, have), plan::Options{false});
  CHECK(all_sql(plan) ==
        Strings{"CREATE SCHEMA IF NOT EXISTS \"My Schema\"",
                "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\"",
                "CREATE TYPE \"My Schema\".\"Mood \"\"x\"\"\" AS ENUM ('it''s', 'ok')",
                "CREATE TABLE \"My Schema\".\"Order \"\"x\"\"\" (\n"
                "  \"Select\" \"My Schema\".\"Mood \"\"x\"\"\" NOT NULL DEFAULT 'it''s',\n"
                "  \"a\"\"b\" text,\n"
                "  CONSTRAINT \"Order \"\"x\"\"_pkey\" PRIMARY KEY (\"Select\"),\n"
                "  CONSTRAINT \"u\"\"q\" UNIQUE (\"a\"\"b\")\n"
                ")",
                "CREATE INDEX \"ix \"\"x\"\"\" ON \"My Schema\".\"Order \"\"x\"\"\" (\"a\"\"b\")",
                "COMMENT ON TABLE \"My Schema\".\"Order \"\"x\"\"\" IS 'it''s \"quoted\"'",
                "COMMENT ON COLUMN \"My Schema\".\"Order \"\"x\"\"\".\"a\"\"b\" IS 'o''clock'"});
}

TEST_CASE("a name with a line break cannot escape its comment line", "[plan][ddl]") {
  schema::Database want = database({table("public", "x\nDROP TABLE y;", {})});
  plan::Plan plan = plan::render(diff::compare(want, database({})));
  CHECK(plan::to_script(plan, false) ==
        "-- create table public.x DROP TABLE y;\n"
        "CREATE TABLE \"public\".\"x\nDROP TABLE y;\" (\n);\n");
}

TEST_CASE("renders index keys with operator class, order and nulls", "[plan][ddl]") {
  schema::IndexKey title = key("title");
  title.opclass = "gin_trgm_ops";
  schema::Index trgm = keyed_index("ix_trgm", {title});
  trgm.method = "gin";
  CHECK(plan::create_index_sql(qn("public", "t"), trgm, trgm.name, false) ==
        "CREATE INDEX \"ix_trgm\" ON \"public\".\"t\" USING \"gin\" (\"title\" \"gin_trgm_ops\")");

  schema::IndexKey at = key("at");
  at.order = schema::SortOrder::desc;
  at.nulls = schema::NullsOrder::last;
  schema::IndexKey lower = expression_key("lower(name)");
  lower.opclass = "public.text_pattern_ops";
  lower.order = schema::SortOrder::asc;
  lower.nulls = schema::NullsOrder::first;
  schema::Index mixed = keyed_index("", {at, lower}, true);
  mixed.include = {"id"};
  mixed.where = "deleted_at IS NULL";
  CHECK(plan::create_index_sql(qn("public", "t"), mixed, "", true) ==
        "CREATE UNIQUE INDEX CONCURRENTLY ON \"public\".\"t\" (\"at\" DESC NULLS LAST, "
        "(lower(name)) \"public\".\"text_pattern_ops\" ASC NULLS FIRST) INCLUDE (\"id\") WHERE "
        "deleted_at IS NULL");
}

TEST_CASE("renders referential actions other than NO ACTION", "[plan][ddl]") {
  schema::Constraint fk = foreign_key({"a", "b"}, qn("s", "r"), {"x", "y"});
  CHECK(plan::constraint_body_sql(fk) ==
        "FOREIGN KEY (\"a\", \"b\") REFERENCES \"s\".\"r\" (\"x\", \"y\")");
  fk.on_delete = schema::ReferentialAction::set_default;
  fk.on_update = schema::ReferentialAction::restrict;
  CHECK(plan::constraint_body_sql(fk) ==
        "FOREIGN KEY (\"a\", \"b\") REFERENCES \"s\".\"r\" (\"x\", \"y\") ON DELETE SET DEFAULT "
        "ON UPDATE RESTRICT");
}

TEST_CASE("places enum values before or after a neighbour, or at the end", "[plan][ddl]") {
  auto e = qn("public", "e");
  CHECK(plan::add_enum_value_sql(e, "b", "a", false) ==
        "ALTER TYPE \"public\".\"e\" ADD VALUE IF NOT EXISTS 'b' AFTER 'a'");
  CHECK(plan::add_enum_value_sql(e, "it's", "c", true) ==
        "ALTER TYPE \"public\".\"e\" ADD VALUE IF NOT EXISTS 'it''s' BEFORE 'c'");
  CHECK(plan::add_enum_value_sql(e, "z", "", false) ==
        "ALTER TYPE \"public\".\"e\" ADD VALUE IF NOT EXISTS 'z'");
}

TEST_CASE("generated names follow PostgreSQL's default names", "[plan][names]") {
  CHECK(sql::object_name("messages", sql::columns_part({"conversation_id", "seq"}), "key") ==
        "messages_conversation_id_seq_key");
  CHECK(sql::object_name("t", "", "check") == "t_check");
  std::string long_table(50, 't');
  std::string long_column(40, 'c');
  // The longer part is shortened first until the name fits 63 bytes.
  std::string name = sql::object_name(long_table, long_column, "fkey");
  CHECK(name.size() == 63);
  CHECK(name == std::string(29, 't') + "_" + std::string(28, 'c') + "_fkey");
  // Never in the middle of a UTF-8 character: "é" is two bytes.
  std::string accented;
  for (int i = 0; i < 40; ++i) accented += "\xC3\xA9";
  name = sql::object_name(accented, "", "key");
  CHECK(name == accented.substr(0, 58) + "_key");  // 59 bytes would cut a character
}

TEST_CASE("a check's default name uses the one column it refers to", "[plan][names]") {
  CHECK(plan::check_column("tokens >= 0") == "tokens");
  CHECK(plan::check_column("length(title) > 0 AND title <> 'x y'") == "title");
  CHECK(plan::check_column("(tokens)::numeric >= 0::numeric") == "tokens");
  CHECK(plan::check_column("\"Weird Col\" IS NOT NULL") == "Weird Col");
  CHECK(plan::check_column("price >= 1e5 OR price IS NULL") == "price");
  CHECK(plan::check_column("a < b") == "");
  CHECK(plan::check_column("now() > '2020-01-01'") == "");
  CHECK(plan::check_column("status IN ('a', 'b')") == "status");
}

TEST_CASE("a check's column is never read in strings, dollar quotes or comments", "[plan][names]") {
  CHECK(plan::check_column("note <> E'it\\'s x'") == "note");
  CHECK(plan::check_column("body <> $$a b$$") == "body");
  CHECK(plan::check_column("body <> $tag$ a $$ b $tag$") == "body");
  CHECK(plan::check_column("qty > 0 -- not price") == "qty");
  CHECK(plan::check_column("qty /* not price */ > 0") == "qty");
  CHECK(plan::check_column("qty > $1") == "qty");
  CHECK(plan::check_column("t.qty > 0") == "qty");
  CHECK(plan::check_column("\"f\"(qty) > 0") == "qty");
  CHECK(plan::check_column("qty::\"Money\" > 0") == "qty");
  CHECK(plan::check_column("qty > 'unterminated") == "qty");
}

TEST_CASE("the name allocator adds a number on a clash, like PostgreSQL", "[plan][names]") {
  plan::NameAllocator names;
  names.reserve("public", "t_a_key");
  CHECK(names.choose("public", "t", "a", "key") == "t_a_key1");
  CHECK(names.choose("public", "t", "a", "key") == "t_a_key2");
  CHECK(names.choose("other", "t", "a", "key") == "t_a_key");
}
