// End-to-end: sequences the model declares, with the built binary on a real
// database: created before the tables whose defaults use them and owned by
// their column once it exists; another definition is sequence_definition
// drift, left alone; pull writes them (a serial column's stays part of the
// column); a SQL model keeps a sequence's own name, a renamed table's
// included.

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/pg.hpp"
#include "support/process.hpp"

using namespace schemad::test;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const char* const kModel = R"j({
  "version": 1,
  "sequences": [
    {"name": "order_number_seq", "start": 1000, "increment": 5, "cache": 10,
     "owned_by": {"table": "orders", "column": "number"}},
    {"name": "countdown", "type": "integer", "increment": -1, "cycle": true}
  ],
  "tables": [
    {"name": "orders",
     "columns": [
       {"name": "id", "type": "bigserial", "primary_key": true},
       {"name": "number", "type": "bigint", "nullable": false,
        "default": {"sql": "nextval('order_number_seq')"}}]}
  ]})j";

std::string sequence_row(const TempDatabase& db, const std::string& name) {
  return db.scalar(
      "SELECT format_type(seqtypid, NULL) || ' ' || seqstart || ' ' || seqincrement || ' ' || "
      "seqmin || ' ' || seqmax || ' ' || seqcache || ' ' || seqcycle FROM pg_sequence WHERE "
      "seqrelid = 'public." +
      name + "'::regclass");
}

}  // namespace

TEST_CASE("sequences are created with every number, owned by their column, and in sync",
          "[e2e][pg]") {
  TempDatabase db;
  const std::string model = write_temp_file("sequences/model.json", kModel);
  auto applied = schemad_cmd({"--database-url", db.url(), "--model", model, "apply"});
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  CHECK(sequence_row(db, "order_number_seq") == "bigint 1000 5 1 9223372036854775807 10 false");
  CHECK(sequence_row(db, "countdown") == "integer -1 -1 -2147483648 -1 1 true");
  CHECK(db.scalar("SELECT refobjid::regclass || '.' || refobjsubid FROM pg_depend WHERE objid = "
                  "'public.order_number_seq'::regclass AND deptype = 'a'") == "orders.2");
  db.exec("INSERT INTO public.orders DEFAULT VALUES; INSERT INTO public.orders DEFAULT VALUES");
  CHECK(db.scalar("SELECT string_agg(number::text, ',' ORDER BY id) FROM public.orders") ==
        "1000,1005");

  auto checked = schemad_cmd({"--database-url", db.url(), "--model", model, "check", "--strict"});
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 0);

  // pull writes the two sequences, not the serial column's.
  const std::string pulled = write_temp_file("sequences/pulled.json", "");
  auto pull = schemad_cmd({"--database-url", db.url(), "pull", "-o", pulled});
  INFO(pull.out << pull.err);
  REQUIRE(pull.exit_code == 0);
  const auto doc = nlohmann::json::parse(std::ifstream(pulled));
  REQUIRE(doc.at("sequences").size() == 2);
  CHECK(doc.at("sequences")[1].at("owned_by").at("column") == "number");
  CHECK(doc.at("tables")[0].at("columns")[0].at("type") == "bigserial");
  CHECK(
      schemad_cmd({"--database-url", db.url(), "--model", pulled, "check", "--strict"}).exit_code ==
      0);
}

TEST_CASE("a sequence of other numbers is drift and left alone", "[e2e][pg]") {
  TempDatabase db;
  const std::string model = write_temp_file("sequences/drift.json", kModel);
  REQUIRE(schemad_cmd({"--database-url", db.url(), "--model", model, "apply"}).exit_code == 0);
  db.exec("ALTER SEQUENCE public.countdown INCREMENT BY -2");
  auto checked = schemad_cmd(
      {"--database-url", db.url(), "--model", model, "check", "--strict", "--format", "json"});
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 4);
  CHECK(contains(checked.out, "\"kind\": \"sequence_definition\""));
  CHECK(contains(checked.out, "integer start -1 increment -2"));
  auto applied = schemad_cmd({"--database-url", db.url(), "--model", model, "apply"});
  CHECK(applied.exit_code == 0);
  CHECK(sequence_row(db, "countdown") == "integer -1 -2 -2147483648 -1 1 true");
}

TEST_CASE("a SQL model keeps a sequence's own name, and a renamed table's", "[e2e][pg]") {
  TempDatabase db;
  const std::string script =
      write_temp_file("sequences/schema.sql",
                      "CREATE TABLE accounts (id serial PRIMARY KEY, number bigint);\n"
                      "ALTER TABLE accounts RENAME TO users;\n"
                      "CREATE SEQUENCE number_seq START 7 OWNED BY users.number;\n"
                      "ALTER TABLE users ALTER number SET DEFAULT nextval('number_seq');\n");
  const std::map<std::string, std::string> env{
      {"SCHEMAD_SCRATCH_DATABASE", "scratch_" + db.name()}};
  auto applied = schemad_cmd({"--database-url", db.url(), "--model", script, "apply"}, env);
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  CHECK_FALSE(contains(applied.err, "not managed"));
  CHECK(db.scalar("SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE "
                  "relkind = 'S' AND relnamespace = 'public'::regnamespace AND relname NOT LIKE "
                  "'schemad%'") == "accounts_id_seq,number_seq");
  db.exec("INSERT INTO public.users DEFAULT VALUES");
  CHECK(db.scalar("SELECT id || ' ' || number FROM public.users") == "1 7");
  auto checked =
      schemad_cmd({"--database-url", db.url(), "--model", script, "check", "--strict"}, env);
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 0);
  db.exec("DROP DATABASE IF EXISTS \"scratch_" + db.name() + "\"");
}
