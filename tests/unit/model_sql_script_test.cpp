// Unit: a SQL model's text cut into statements and sorted by what the
// scratch build does with each (model/sql_script.hpp). Pure: no database.

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "model/load.hpp"
#include "model/sql_script.hpp"
#include "support/process.hpp"

using namespace schemad;
using model::SqlBatch;
using model::SqlFile;
using model::SqlScript;
using model::SqlStatement;
using Action = model::SqlStatement::Action;

namespace {

SqlScript parse(const std::string& text, const std::string& name = "schema.sql") {
  return model::parse_sql_script({SqlFile{name, text}});
}

std::string text_of(const SqlScript& script, const SqlStatement& s) {
  return script.files.at(s.file).text.substr(s.begin, s.end - s.begin);
}

std::vector<std::string> texts(const SqlScript& script) {
  std::vector<std::string> out;
  for (const auto& s : script.statements) out.push_back(text_of(script, s));
  return out;
}

// The statement whose text starts with `prefix`; fails the test when none.
const SqlStatement& statement(const SqlScript& script, const std::string& prefix) {
  for (const auto& s : script.statements) {
    if (text_of(script, s).compare(0, prefix.size(), prefix) == 0) return s;
  }
  FAIL("no statement starts with " << prefix);
  throw std::logic_error("unreachable");
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The what() of the ModelError `f` throws; fails the test when it throws
// nothing or something else.
template <typename F>
std::string model_error(F&& f) {
  try {
    f();
  } catch (const model::ModelError& e) {
    return e.what();
  }
  FAIL("no ModelError");
  return "";
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

TEST_CASE("statements end at semicolons outside quotes, comments and parentheses", "[sql_model]") {
  const std::string text =
      "SELECT ';' AS a, E'\\';' AS b;\n"
      "SELECT \"x;y\" FROM t;\n"
      "SELECT $$ ; $$;\n"
      "SELECT $tag$ ; $$ ; $tag$;\n"
      "-- a comment; with a semicolon\n"
      "/* outer ; /* nested ; */ still a comment ; */ SELECT 1;\n"
      "SELECT (1;2);\n"
      "CREATE TABLE t (a int CHECK (a > 0))";
  const auto got = texts(parse(text));
  const std::vector<std::string> want{"SELECT ';' AS a, E'\\';' AS b",
                                      "SELECT \"x;y\" FROM t",
                                      "SELECT $$ ; $$",
                                      "SELECT $tag$ ; $$ ; $tag$",
                                      "SELECT 1",
                                      "SELECT (1;2)",
                                      "CREATE TABLE t (a int CHECK (a > 0))"};
  CHECK(got == want);
}

TEST_CASE("empty statements and a script of comments only make no statement", "[sql_model]") {
  CHECK(parse(";;\n  ;\n-- nothing\n/* ; */").statements.empty());
  CHECK(parse("").statements.empty());
}

TEST_CASE("a BEGIN ATOMIC body keeps its inner semicolons, as psql does", "[sql_model]") {
  const std::string text =
      "CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql\n"
      "BEGIN ATOMIC\n"
      "  SELECT a + b;\n"
      "  SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END;\n"
      "END;\n"
      "CREATE OR REPLACE PROCEDURE p() LANGUAGE sql\n"
      "BEGIN ATOMIC\n"
      "  INSERT INTO t VALUES (1);\n"
      "END;\n"
      "BEGIN;\n"
      "CREATE TABLE t (id int);\n"
      "COMMIT;\n"
      "create function g() returns trigger language plpgsql as $$ begin return new; end $$;\n"
      "CREATE TABLE u (id int)";
  const auto got = texts(parse(text));
  REQUIRE(got.size() == 7);
  CHECK(starts_with(got[0], "CREATE FUNCTION add"));
  CHECK(got[0].substr(got[0].size() - 3) == "END");
  CHECK(contains(got[0], "SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END;"));
  CHECK(starts_with(got[1], "CREATE OR REPLACE PROCEDURE p()"));
  CHECK(contains(got[1], "INSERT INTO t VALUES (1);\nEND"));
  CHECK(got[2] == "BEGIN");
  CHECK(got[3] == "CREATE TABLE t (id int)");
  CHECK(got[4] == "COMMIT");
  CHECK(starts_with(got[5], "create function g()"));
  CHECK(got[6] == "CREATE TABLE u (id int)");
}

TEST_CASE("a last statement without a semicolon is a statement", "[sql_model]") {
  const auto got = texts(parse("CREATE TABLE a (id int);\nCREATE TABLE b (id int)\n-- end\n"));
  REQUIRE(got.size() == 2);
  CHECK(got[1] == "CREATE TABLE b (id int)");
}

TEST_CASE("psql \\restrict and \\unrestrict are ignored, \\connect is refused at its place",
          "[sql_model]") {
  const auto script = parse(
      "\\restrict Xk1f9s0aTz\n"
      "CREATE TABLE a (id int);\n"
      "\\unrestrict Xk1f9s0aTz\n");
  CHECK(texts(script) == std::vector<std::string>{"CREATE TABLE a (id int)"});

  const std::string what = model_error([] {
    parse("CREATE TABLE a (id int);\n-- next\n  \\connect other\nCREATE TABLE b (id int);\n",
          "dump.sql");
  });
  CHECK(starts_with(what, "dump.sql:3:3: psql meta-command \\connect is not supported"));
  CHECK(contains(model_error([] { parse("\\gexec\n"); }),
                 "schema.sql:1:1: psql meta-command \\gexec"));
}

TEST_CASE("transaction control, timeouts, ownership and extension comments are not sent",
          "[sql_model]") {
  const auto script = parse(
      "BEGIN;\n"
      "SET statement_timeout = 0;\n"
      "SET lock_timeout = 0;\n"
      "SET client_encoding = 'UTF8';\n"
      "CREATE TABLE public.t (id int);\n"
      "ALTER TABLE public.t OWNER TO app_owner;\n"
      "COMMENT ON EXTENSION pgcrypto IS 'crypto';\n"
      "COMMIT;\n");
  CHECK(statement(script, "BEGIN").action == Action::ignore);
  CHECK(statement(script, "COMMIT").action == Action::ignore);
  CHECK(statement(script, "SET statement_timeout").action == Action::ignore);
  CHECK(statement(script, "SET lock_timeout").action == Action::ignore);
  CHECK(statement(script, "SET client_encoding").action == Action::run);
  CHECK(statement(script, "ALTER TABLE public.t OWNER").action == Action::ignore);
  CHECK(statement(script, "COMMENT ON EXTENSION").action == Action::ignore);
  CHECK(statement(script, "CREATE TABLE").action == Action::run);
  const SqlBatch batch(script, {});
  CHECK(batch.text() ==
        "SET client_encoding = 'UTF8';\n"
        "CREATE TABLE public.t (id int);\n");
  CHECK(batch.size() == 2);
  CHECK(batch.piece(1) == "CREATE TABLE public.t (id int)");
  CHECK(script.not_managed().empty());
}

TEST_CASE("grants are skipped and listed, views routines triggers and policies kept",
          "[sql_model]") {
  const auto script = parse(
      "CREATE TABLE t (id int);\n"
      "GRANT SELECT ON TABLE t TO reporting;\n"
      "CREATE VIEW active AS SELECT * FROM t;\n"
      "  CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; "
      "END $$;\n"
      "CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION app.touch();\n"
      "CREATE POLICY own_rows ON t USING (true);\n");
  const auto& grant = statement(script, "GRANT");
  CHECK(grant.skipped);
  CHECK_FALSE(statement(script, "CREATE VIEW").skipped);
  const std::vector<std::string> want{
      "schema.sql:2:1: privileges (GRANT): not managed by schemad; not applied"};
  CHECK(script.not_managed() == want);
  const SqlBatch batch(script, {});
  CHECK_FALSE(contains(batch.text(), "GRANT"));
  CHECK(contains(batch.text(), "CREATE VIEW active"));
  CHECK(contains(batch.text(), "CREATE TRIGGER t_touch"));
  CHECK(contains(batch.text(), "CREATE POLICY own_rows"));
  CHECK(script.defined.count({"app", "touch"}) == 1);
  CHECK(script.defined.count({"public", "active"}) == 1);
}

TEST_CASE("a sequence is run and managed, never a note", "[sql_model]") {
  const auto script = parse(
      "CREATE TABLE public.t (id integer NOT NULL);\n"
      "CREATE SEQUENCE public.t_id_seq AS integer START WITH 1;\n"
      "CREATE SEQUENCE public.other_seq;\n");
  CHECK(script.not_managed().empty());
  for (const auto& s : script.statements) {
    CHECK(s.action == model::SqlStatement::Action::run);
  }
}

TEST_CASE("CREATE INDEX CONCURRENTLY is sent without CONCURRENTLY, at the same offsets",
          "[sql_model]") {
  const std::string first = "CREATE INDEX CONCURRENTLY t_a_idx ON public.t USING btree (a)";
  const std::string second = "create unique index concurrently if not exists t_b_key ON t (b)";
  const auto script = parse("CREATE TABLE t (a int, b int);\n" + first + ";\n" + second + ";\n");
  const SqlBatch batch(script, {});
  CHECK_FALSE(contains(batch.text(), "CONCURRENTLY"));
  CHECK_FALSE(contains(batch.text(), "concurrently"));
  CHECK(batch.piece(1) == "CREATE INDEX              t_a_idx ON public.t USING btree (a)");
  CHECK(batch.piece(1).size() == first.size());
  CHECK(batch.piece(2) == "create unique index              if not exists t_b_key ON t (b)");
  // An index named concurrently_idx keeps its name.
  const auto named = parse("CREATE INDEX concurrently_idx ON t (a);");
  CHECK(SqlBatch(named, {}).text() == "CREATE INDEX concurrently_idx ON t (a);\n");
}

TEST_CASE("CREATE EXTENSION is replaced when the target has it, kept as written otherwise",
          "[sql_model]") {
  const auto script = parse(
      "CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA extensions;\n"
      "CREATE EXTENSION \"uuid-ossp\";\n"
      "create extension hstore;\n");
  REQUIRE(script.statements.size() == 3);
  CHECK(script.statements[0].action == Action::extension);
  CHECK(script.statements[0].extension == "citext");
  CHECK(script.statements[1].extension == "uuid-ossp");
  CHECK(script.statements[2].extension == "hstore");
  const std::map<std::string, std::string> target{
      {"citext", "CREATE EXTENSION IF NOT EXISTS \"citext\" WITH SCHEMA \"ext\" VERSION '1.6'"}};
  const SqlBatch batch(script, target);
  CHECK(batch.text() ==
        "CREATE EXTENSION IF NOT EXISTS \"citext\" WITH SCHEMA \"ext\" VERSION '1.6';\n"
        "CREATE EXTENSION \"uuid-ossp\";\n"
        "create extension hstore;\n");
  // A replaced statement maps back to its own start.
  CHECK(batch.locate(40).text() == "schema.sql:1:1");
  CHECK(batch.locate_in(1, 17).text() == "schema.sql:2:18");
}

TEST_CASE("COPY FROM stdin is refused at its place", "[sql_model]") {
  const std::string what = model_error([] {
    parse("CREATE TABLE t (id int);\n\nCOPY public.t (id) FROM stdin;\n1\n\\.\n", "data.sql");
  });
  CHECK(starts_with(what, "data.sql:3:1: COPY ... FROM stdin"));
}

TEST_CASE("created schemas, referenced tables and where tables and types are defined",
          "[sql_model]") {
  const auto script = model::parse_sql_script(
      {SqlFile{"a.sql",
               "CREATE SCHEMA app;\n"
               "CREATE SCHEMA IF NOT EXISTS \"Billing\";\n"
               "CREATE SCHEMA AUTHORIZATION bob;\n"
               "CREATE TYPE app.mood AS ENUM ('happy', 'sad');\n"
               "CREATE TYPE pair AS (a int, b int);\n"
               "  CREATE TABLE profiles (\n"
               "    user_id uuid REFERENCES auth.users(id) ON DELETE CASCADE,\n"
               "    org_id int REFERENCES orgs (id)\n"
               "  );\n"},
       SqlFile{"b.sql",
               "ALTER TABLE ONLY app.t ADD CONSTRAINT t_fk FOREIGN KEY (x) REFERENCES "
               "\"Billing\".\"Invoices\"(id);\n"
               "CREATE TABLE IF NOT EXISTS app.t (x int);\n"}},
      "app");
  CHECK(script.created_schemas == std::set<std::string>{"app", "Billing", "bob"});
  CHECK(script.referenced ==
        std::set<schema::QualifiedName>{{"auth", "users"}, {"Billing", "Invoices"}});
  REQUIRE(script.defined.count({"app", "mood"}) == 1);
  CHECK(script.defined.at({"app", "mood"}).text() == "a.sql:4:1");
  CHECK(script.defined.count({"app", "pair"}) == 0);  // a composite type: not managed
  REQUIRE(script.defined.count({"app", "profiles"}) == 1);
  CHECK(script.defined.at({"app", "profiles"}).text() == "a.sql:6:3");
  REQUIRE(script.defined.count({"app", "t"}) == 1);
  CHECK(script.defined.at({"app", "t"}).text() == "b.sql:2:1");
  CHECK(script.defined.count({"public", "profiles"}) == 0);
  CHECK(script.not_managed() ==
        std::vector<std::string>{
            "a.sql:5:1: type app.pair: not managed by schemad; not applied (of types, only "
            "enums are)"});
}

TEST_CASE("locations count lines from 1 and columns in characters", "[sql_model]") {
  const auto script = parse("-- é\n  /* ü */ CREATE TABLE t (id int);\n\tCREATE TABLE ä (x int);");
  REQUIRE(script.statements.size() == 2);
  // "  /* ü */ " is 10 characters and 11 bytes.
  CHECK(script.location(script.statements[0]).text() == "schema.sql:2:11");
  CHECK(script.location(script.statements[1]).text() == "schema.sql:3:2");
  const model::SqlLocation at_start = script.location(0, 0);
  CHECK(at_start.file == "schema.sql");
  CHECK(at_start.line == 1);
  CHECK(at_start.column == 1);
  CHECK(model::SqlLocation{"f.sql", 12, 5}.text() == "f.sql:12:5");
}

TEST_CASE("a batch offset maps back to its file, line and column across files", "[sql_model]") {
  const auto script = model::parse_sql_script(
      {SqlFile{"a.sql", "CREATE TABLE a (id int);\n"},
       SqlFile{"b.sql", "-- second file\n\nCREATE TABLE b (\n  id int,\n  ümlaut tëxt);\n"}});
  const SqlBatch batch(script, {});
  REQUIRE(batch.text() ==
          "CREATE TABLE a (id int);\nCREATE TABLE b (\n  id int,\n  ümlaut tëxt);\n");
  CHECK(batch.locate(0).text() == "a.sql:1:1");
  CHECK(batch.locate(batch.text().find("(id")).text() == "a.sql:1:16");
  CHECK(batch.locate(batch.text().find("CREATE TABLE b")).text() == "b.sql:3:1");
  const std::size_t typo = batch.text().find("tëxt");
  CHECK(batch.locate(typo).text() == "b.sql:5:10");
  CHECK(batch.locate_in(1, 0).text() == "b.sql:3:1");
  // As the server reports it: a 1-based position in characters.
  std::size_t characters = 0;
  for (std::size_t i = 0; i < typo; ++i) {
    if ((static_cast<unsigned char>(batch.text()[i]) & 0xC0) != 0x80) ++characters;
  }
  CHECK(characters + 1 < typo + 1);  // the text before holds a multi-byte character
  CHECK(model::byte_offset_of_character(batch.text(), characters + 1) == typo);
  CHECK(batch.locate(model::byte_offset_of_character(batch.text(), characters + 1)).text() ==
        "b.sql:5:10");
}

TEST_CASE("byte_offset_of_character counts UTF-8 characters from 1", "[sql_model]") {
  CHECK(model::byte_offset_of_character("abc", 0) == 0);
  CHECK(model::byte_offset_of_character("abc", 1) == 0);
  CHECK(model::byte_offset_of_character("abc", 3) == 2);
  CHECK(model::byte_offset_of_character("abc", 4) == 3);
  CHECK(model::byte_offset_of_character("abc", 99) == 3);
  CHECK(model::byte_offset_of_character("éa", 2) == 2);
  CHECK(model::byte_offset_of_character("a€b", 3) == 4);
  CHECK(model::byte_offset_of_character("", 1) == 0);
}

TEST_CASE("the script's SHA-256 changes with the text and with the file names", "[sql_model]") {
  const auto base = parse("CREATE TABLE t (id int);", "a.sql");
  CHECK(base.sha256.size() == 64);
  CHECK(parse("CREATE TABLE t (id int);", "a.sql").sha256 == base.sha256);
  CHECK(parse("CREATE TABLE t (id bigint);", "a.sql").sha256 != base.sha256);
  CHECK(parse("CREATE TABLE t (id int);", "b.sql").sha256 != base.sha256);
  // The boundary between files counts: "ab" + "c" is not "a" + "bc".
  const auto one = model::parse_sql_script({SqlFile{"x", "ab"}, SqlFile{"y", "c"}});
  const auto two = model::parse_sql_script({SqlFile{"x", "a"}, SqlFile{"y", "bc"}});
  CHECK(one.sha256 != two.sha256);
}

TEST_CASE("a directory model reads its .sql files in name order, and nothing else", "[sql_model]") {
  const std::string b = test::write_temp_file("sqldir/b_later.sql", "CREATE TABLE b (id int);\n");
  const std::string a = test::write_temp_file("sqldir/a_first.sql", "CREATE TABLE a (id int);\n");
  test::write_temp_file("sqldir/notes.txt", "\\connect elsewhere\n");
  test::write_temp_file("sqldir/schema.sql.orig", "\\connect elsewhere\n");
  const std::string dir = std::filesystem::path(a).parent_path().string();
  for (const std::string& path : {dir, dir + "/"}) {
    const auto script = model::read_sql_script(path);
    REQUIRE(script.files.size() == 2);
    CHECK(std::filesystem::path(script.files[0].name).filename() == "a_first.sql");
    CHECK(std::filesystem::path(script.files[1].name).filename() == "b_later.sql");
    CHECK(texts(script) ==
          std::vector<std::string>{"CREATE TABLE a (id int)", "CREATE TABLE b (id int)"});
    CHECK(script.location(script.statements[1]).text() == script.files[1].name + ":1:1");
  }
  const auto single = model::read_sql_script(b);
  REQUIRE(single.files.size() == 1);
  CHECK(single.files[0].name == b);
}

TEST_CASE("an empty directory or a missing file is a model error", "[sql_model]") {
  const std::string other = test::write_temp_file("nosql/readme.md", "# no SQL here\n");
  const std::string dir = std::filesystem::path(other).parent_path().string();
  CHECK_THROWS_AS(model::read_sql_script(dir), model::ModelError);
  CHECK(contains(model_error([&] { model::read_sql_script(dir); }), "no .sql file"));
  const std::string empty = dir + "/really_empty";
  std::filesystem::create_directories(empty);
  CHECK(starts_with(model_error([&] { model::read_sql_script(empty); }), empty + ": "));
  CHECK(starts_with(model_error([&] { model::read_sql_script(dir + "/missing.sql"); }),
                    dir + "/missing.sql: cannot read"));
}

// A statement whose third-last and second-last words are OWNER TO was once
// ignored as a change of ownership: renaming a column named "owner" never
// reached the scratch build. Only ALTER <object> <name> OWNER TO <role>
// alone is ownership.
TEST_CASE("renaming a column named owner is sent, not taken for OWNER TO", "[sql_model]") {
  const auto script = parse(
      "CREATE TABLE docs (owner int);\n"
      "ALTER TABLE docs RENAME COLUMN owner TO owner_id;\n"
      "ALTER TABLE docs ADD COLUMN c int, OWNER TO bob;\n"
      "ALTER TABLE ONLY public.docs OWNER TO bob;\n");
  CHECK(statement(script, "ALTER TABLE docs RENAME").action == Action::run);
  CHECK(contains(SqlBatch(script, {}).text(), "RENAME COLUMN owner TO owner_id"));
  CHECK(statement(script, "ALTER TABLE docs ADD COLUMN").action == Action::run);
  CHECK(statement(script, "ALTER TABLE ONLY public.docs OWNER").action == Action::ignore);
}

TEST_CASE("a directory named like a .sql file inside a directory model is skipped", "[sql_model]") {
  const std::string dir =
      test::write_temp_file("sql-subdir/001_a.sql", "CREATE TABLE a (id int);\n");
  const std::string root = dir.substr(0, dir.rfind('/'));
  std::filesystem::create_directories(root + "/old.sql");
  const auto script = schemad::model::read_sql_script(root);
  REQUIRE(script.files.size() == 1);
  CHECK(script.files[0].name == root + "/001_a.sql");
}

TEST_CASE("an INSTEAD OF trigger on a view is listed as not applied", "[sql_model]") {
  const auto script = parse(
      "CREATE VIEW v AS SELECT 1 AS x;\n"
      "CREATE TRIGGER v_ins INSTEAD OF INSERT ON v FOR EACH ROW EXECUTE FUNCTION f();\n");
  const std::vector<std::string> want{
      "schema.sql:2:1: trigger v_ins (INSTEAD OF, on a view): not managed by schemad; not "
      "applied"};
  CHECK(script.not_managed() == want);
}
