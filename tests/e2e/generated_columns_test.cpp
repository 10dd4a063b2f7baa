// End-to-end: generated columns (GENERATED ALWAYS AS (…) STORED), with the
// built binary on a real database: created with their table or added to a
// table with rows, compared as the server prints them (a different
// expression, or a plain column where the model says generated, is
// column_generated drift, left alone), pulled back, and read from a SQL
// model.

#include <catch2/catch.hpp>

#include "support/pg.hpp"
#include "support/process.hpp"

using namespace schemad::test;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// `check --strict` of a model on a database built from its twin: nothing
// pending but the stamp of this model's own revision, and no drift.
void in_sync_but_the_stamp(const RunResult& r) {
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK(contains(r.out, "pending: alembic_version: "));
  CHECK(contains(r.out, "1 changes pending"));
  CHECK_FALSE(contains(r.out, "drift:"));
}

const char* const kModel = R"j({
  "version": 1,
  "tables": [
    {"name": "items",
     "columns": [
       {"name": "id", "type": "integer", "primary_key": true},
       {"name": "price", "type": "numeric(10,2)", "nullable": false, "default": 0},
       {"name": "qty", "type": "integer", "nullable": false, "default": 1},
       {"name": "total", "type": "numeric", "generated": "price * qty"},
       {"name": "name", "type": "varchar(40)"},
       {"name": "lname", "type": "text", "generated": "lower(name)"}]}
  ]})j";

}  // namespace

TEST_CASE("generated columns are created with their table and are in sync afterwards",
          "[e2e][pg]") {
  TempDatabase db;
  const std::string model = write_temp_file("generated/model.json", kModel);
  auto plan = schemad_cmd({"--database-url", db.url(), "--model", model, "plan"});
  INFO(plan.out << plan.err);
  CHECK(contains(plan.out, "\"total\" numeric GENERATED ALWAYS AS (price * qty) STORED"));

  auto applied = schemad_cmd({"--database-url", db.url(), "--model", model, "apply"});
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  db.exec("INSERT INTO public.items (id, price, qty, name) VALUES (1, 2.50, 4, 'ABC')");
  CHECK(db.scalar("SELECT total || ' ' || lname FROM public.items") == "10.00 abc");

  // The server's text was learned by the apply: check has nothing to guess.
  auto checked = schemad_cmd({"--database-url", db.url(), "--model", model, "check", "--strict"});
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 0);
  CHECK_FALSE(contains(checked.out + checked.err, "rough form"));

  // pull writes them back, as the server prints them; that model is in sync.
  const std::string pulled = write_temp_file("generated/pulled.json", "");
  REQUIRE(schemad_cmd({"--database-url", db.url(), "pull", "-o", pulled}).exit_code == 0);
  auto again = schemad_cmd({"--database-url", db.url(), "--model", pulled, "check", "--strict"});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
}

TEST_CASE("a generated column added to a table with rows is computed for them", "[e2e][pg]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE public.items (id integer PRIMARY KEY, price numeric(10,2) NOT NULL DEFAULT 0,"
      " qty integer NOT NULL DEFAULT 1, name varchar(40));"
      "INSERT INTO public.items SELECT g, g, 2, 'N' || g FROM generate_series(1, 50) g");
  const std::string model = write_temp_file("generated/existing.json", kModel);
  auto applied = schemad_cmd({"--database-url", db.url(), "--model", model, "apply"});
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  CHECK(db.scalar("SELECT sum(total) || ' ' || min(lname) FROM public.items") == "2550.00 n1");
  CHECK(
      schemad_cmd({"--database-url", db.url(), "--model", model, "check", "--strict"}).exit_code ==
      0);
}

TEST_CASE("another generation expression, or a plain column, is drift and left alone",
          "[e2e][pg]") {
  TempDatabase db;
  const std::string model = write_temp_file("generated/drift.json", kModel);
  REQUIRE(schemad_cmd({"--database-url", db.url(), "--model", model, "apply"}).exit_code == 0);
  db.exec(
      "ALTER TABLE public.items DROP COLUMN total;"
      "ALTER TABLE public.items ADD COLUMN total numeric GENERATED ALWAYS AS (price + qty) STORED;"
      "ALTER TABLE public.items DROP COLUMN lname;"
      "ALTER TABLE public.items ADD COLUMN lname text");
  auto checked = schemad_cmd(
      {"--database-url", db.url(), "--model", model, "check", "--strict", "--format", "json"});
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 4);
  CHECK(contains(checked.out, "\"kind\": \"column_generated\""));
  CHECK(contains(checked.out, "GENERATED ALWAYS AS (price + (qty)::numeric) STORED"));
  CHECK(contains(checked.out, "not generated"));

  auto applied = schemad_cmd({"--database-url", db.url(), "--model", model, "apply"});
  INFO(applied.out << applied.err);
  CHECK(applied.exit_code == 0);
  CHECK(contains(applied.out, "2 drift items"));
  CHECK(db.scalar("SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = "
                  "'public.items'::regclass AND adnum = (SELECT attnum FROM pg_attribute WHERE "
                  "attrelid = 'public.items'::regclass AND attname = 'total')") ==
        "(price + (qty)::numeric)");
}

TEST_CASE("a SQL model's generated columns build the same database as its JSON twin", "[e2e][pg]") {
  TempDatabase from_json;
  TempDatabase from_sql;
  const std::string model = write_temp_file("generated/twin.json", kModel);
  const std::string script = write_temp_file(
      "generated/twin.sql",
      "CREATE TABLE items (id integer PRIMARY KEY, price numeric(10,2) NOT NULL DEFAULT 0,\n"
      "  qty integer NOT NULL DEFAULT 1,\n"
      "  total numeric GENERATED ALWAYS AS (price * qty) STORED,\n"
      "  name varchar(40), lname text GENERATED ALWAYS AS (lower(name)) STORED);\n");
  const std::map<std::string, std::string> env{
      {"SCHEMAD_SCRATCH_DATABASE", "scratch_" + from_sql.name()}};
  REQUIRE(schemad_cmd({"--database-url", from_json.url(), "--model", model, "apply"}).exit_code ==
          0);
  auto applied = schemad_cmd({"--database-url", from_sql.url(), "--model", script, "apply"}, env);
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  CHECK(schema_dump(from_sql) == schema_dump(from_json));
  // Each model is in sync with the other's database.
  in_sync_but_the_stamp(schemad_cmd(
      {"--database-url", from_json.url(), "--model", script, "check", "--strict"}, env));
  in_sync_but_the_stamp(
      schemad_cmd({"--database-url", from_sql.url(), "--model", model, "check", "--strict"}));
  from_sql.exec("DROP DATABASE IF EXISTS \"scratch_" + from_sql.name() + "\"");
}
