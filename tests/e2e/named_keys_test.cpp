// End-to-end: names the model gives keys and index keys, with the built
// binary on a real database. A named primary key is created under its name,
// reported (never renamed) when the database's has another, and written back
// by `pull`; a SQL model's renamed table keeps its key's old name; an index
// key that spells out its type's default operator class is in sync.

#include <catch2/catch.hpp>

#include "support/pg.hpp"
#include "support/process.hpp"

using namespace schemad::test;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const char* const kNamedKey = R"j({
  "version": 1,
  "tables": [
    {"name": "users",
     "columns": [{"name": "id", "type": "bigint"}, {"name": "email", "type": "text"}],
     "primary_key": {"name": "accounts_pkey", "columns": ["id"]}}
  ]})j";

}  // namespace

TEST_CASE("a named primary key is created under its name, and another name is drift", "[e2e][pg]") {
  TempDatabase db;
  const std::string model = write_temp_file("named-keys/named.json", kNamedKey);

  auto plan = schemad_cmd({"--database-url", db.url(), "--model", model, "plan"});
  INFO(plan.out << plan.err);
  CHECK(contains(plan.out, "CONSTRAINT \"accounts_pkey\" PRIMARY KEY (\"id\")"));

  auto applied = schemad_cmd({"--database-url", db.url(), "--model", model, "apply"});
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  CHECK(db.scalar("SELECT conname FROM pg_constraint WHERE contype = 'p' AND conrelid = "
                  "'public.users'::regclass") == "accounts_pkey");
  CHECK(
      schemad_cmd({"--database-url", db.url(), "--model", model, "check", "--strict"}).exit_code ==
      0);

  // pull writes the name back; the pulled model is in sync.
  const std::string pulled = write_temp_file("named-keys/pulled.json", "");
  auto pull = schemad_cmd({"--database-url", db.url(), "pull", "-o", pulled});
  INFO(pull.out << pull.err);
  REQUIRE(pull.exit_code == 0);
  CHECK_FALSE(contains(pull.err, "primary key"));
  CHECK(
      schemad_cmd({"--database-url", db.url(), "--model", pulled, "check", "--strict"}).exit_code ==
      0);

  // Renamed in the database: drift, reported and left alone.
  db.exec("ALTER TABLE public.users RENAME CONSTRAINT accounts_pkey TO users_pkey");
  auto drifted = schemad_cmd({"--database-url", db.url(), "--model", model, "check", "--strict"});
  INFO(drifted.out << drifted.err);
  CHECK(drifted.exit_code == 4);
  CHECK(contains(drifted.out, "public.users.users_pkey"));
  CHECK(contains(drifted.out, "accounts_pkey"));
  auto again = schemad_cmd({"--database-url", db.url(), "--model", model, "apply"});
  CHECK(again.exit_code == 0);
  CHECK(db.scalar("SELECT conname FROM pg_constraint WHERE contype = 'p' AND conrelid = "
                  "'public.users'::regclass") == "users_pkey");
}

TEST_CASE("a named primary key added to an existing table is built online under its name",
          "[e2e][pg]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE public.users (id bigint NOT NULL, email text);"
      "INSERT INTO public.users SELECT g, 'u' || g FROM generate_series(1, 100) g");
  const std::string model = write_temp_file("named-keys/online.json", kNamedKey);
  auto applied = schemad_cmd({"--database-url", db.url(), "--model", model, "apply"});
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  CHECK(db.scalar("SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
                  "WHERE contype = 'p' AND conrelid = 'public.users'::regclass") ==
        "accounts_pkey PRIMARY KEY (id)");
  CHECK(db.scalar("SELECT count(*) FROM public.users") == "100");
}

TEST_CASE("a SQL model's table renamed with its key keeps the key's old name", "[e2e][pg]") {
  TempDatabase db;
  const std::string script =
      write_temp_file("named-keys/schema.sql",
                      "CREATE TABLE public.accounts (id bigint PRIMARY KEY);\n"
                      "ALTER TABLE public.accounts RENAME TO users;\n");
  const std::map<std::string, std::string> env{
      {"SCHEMAD_SCRATCH_DATABASE", "scratch_" + db.name()}};
  auto applied = schemad_cmd({"--database-url", db.url(), "--model", script, "apply"}, env);
  INFO(applied.out << applied.err);
  CHECK(applied.exit_code == 0);
  CHECK(db.scalar("SELECT conname FROM pg_constraint WHERE contype = 'p' AND conrelid = "
                  "'public.users'::regclass") == "accounts_pkey");
  db.exec("DROP DATABASE IF EXISTS \"scratch_" + db.name() + "\"");
}

TEST_CASE("an index key that names its type's default operator class is in sync", "[e2e][pg]") {
  TempDatabase db;
  const std::string model = write_temp_file("named-keys/opclass.json", R"j({
    "version": 1,
    "tables": [
      {"name": "docs",
       "columns": [{"name": "id", "type": "integer", "primary_key": true},
                   {"name": "body", "type": "jsonb"}, {"name": "title", "type": "text"}],
       "indexes": [
         {"name": "ix_docs_body", "columns": [{"column": "body", "opclass": "jsonb_ops"}],
          "method": "gin"},
         {"name": "ix_docs_title", "columns": [{"column": "title", "opclass": "text_ops"}]}]}
    ]})j");
  auto applied = schemad_cmd({"--database-url", db.url(), "--model", model, "apply"});
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  auto checked = schemad_cmd({"--database-url", db.url(), "--model", model, "check", "--strict"});
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 0);

  // Another operator class than the one named is still drift.
  db.exec(
      "DROP INDEX public.ix_docs_body;"
      "CREATE INDEX ix_docs_body ON public.docs USING gin (body jsonb_path_ops)");
  auto drifted = schemad_cmd({"--database-url", db.url(), "--model", model, "check", "--strict"});
  INFO(drifted.out << drifted.err);
  CHECK(drifted.exit_code == 4);
  CHECK(contains(drifted.out, "jsonb_path_ops"));
}
