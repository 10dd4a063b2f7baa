// End-to-end: the built schemad binary, its output and exit codes, against a
// real throwaway PostgreSQL.

#include <catch2/catch.hpp>
#include <chrono>

#include "support/models.hpp"
#include "support/pg.hpp"
#include "support/process.hpp"

using namespace schemad::test;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("validate accepts the example model and exits 0", "[e2e]") {
  auto r = schemad_cmd(
      {"--model", std::string(SCHEMAD_SOURCE_DIR) + "/config/model.example.json", "validate"});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "valid: 4 tables"));
}

TEST_CASE("validate with no model configured checks the embedded example", "[e2e]") {
  auto r = schemad_cmd({"validate"});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "<embedded example model>: valid: 4 tables"));
}

TEST_CASE("a model with a typo'd key exits 1 naming the file and the path", "[e2e]") {
  auto path = write_temp_file("typo.json", R"j({"version": 1, "tables": [
    {"name": "t", "columns": [{"name": "id", "type": "integer"},
                              {"name": "x", "type": "text", "nulable": false}]}]})j");
  auto r = schemad_cmd({"--model", path, "validate"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, path + ": tables[0].columns[1]"));
  CHECK(contains(r.err, "nulable"));
}

TEST_CASE("usage errors exit 2", "[e2e]") {
  CHECK(schemad_cmd({}).exit_code == 2);
  CHECK(schemad_cmd({"frobnicate"}).exit_code == 2);
  CHECK(schemad_cmd({"plan", "--format", "yaml"}).exit_code == 2);
  CHECK(schemad_cmd({"--help"}).exit_code == 0);
}

TEST_CASE("an unreachable database is exit 1 with a clear message, quickly, without the password",
          "[e2e]") {
  const auto start = std::chrono::steady_clock::now();
  auto r = schemad_cmd({"--database-url", "postgresql://app:s3cret@127.0.0.1:1/app", "check"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "cannot connect to postgresql://app@127.0.0.1:1/app"));
  CHECK_FALSE(contains(r.err + r.out, "s3cret"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
}

TEST_CASE("apply creates a 3-table model, check passes, a dropped column is pending then healed",
          "[e2e][pg]") {
  TempDatabase db;
  auto model = write_temp_file("three.json", kThreeTableModel);
  const std::vector<std::string> base{"--database-url", db.url(), "--model", model};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };

  auto first = schemad_cmd(with({"check"}));
  CHECK(first.exit_code == 3);
  CHECK(contains(first.out, "pending: create table public.users"));

  auto applied = schemad_cmd(with({"apply"}));
  REQUIRE(applied.exit_code == 0);
  CHECK(db.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN "
                  "('users', 'posts', 'comments')") == "3");
  CHECK(db.scalar("SELECT version_num FROM alembic_version") == "rev_three_tables");

  auto clean = schemad_cmd(with({"check"}));
  CHECK(clean.exit_code == 0);
  CHECK(contains(clean.out, "satisfies the model"));

  db.exec(
      "INSERT INTO users (email) VALUES ('a@example.com');"
      "INSERT INTO posts (author_id) SELECT id FROM users;"
      "ALTER TABLE posts DROP COLUMN score");
  auto pending = schemad_cmd(with({"check"}));
  CHECK(pending.exit_code == 3);
  CHECK(contains(pending.out, "pending: add column public.posts.score"));

  auto healed = schemad_cmd(with({"apply"}));
  CHECK(healed.exit_code == 0);
  CHECK(db.scalar("SELECT score FROM posts") == "0");
  CHECK(schemad_cmd(with({"check"})).exit_code == 0);
  CHECK(schemad_cmd(with({"apply"})).out.find("nothing to do") != std::string::npos);
}

TEST_CASE("check --strict exits 4 on drift, plain check 0, drift is left untouched", "[e2e][pg]") {
  TempDatabase db;
  auto model = write_temp_file("three-drift.json", kThreeTableModel);
  const std::vector<std::string> base{"--database-url", db.url(), "--model", model};
  REQUIRE(schemad_cmd({"--database-url", db.url(), "--model", model, "apply"}).exit_code == 0);
  db.exec(
      "ALTER TABLE users ADD COLUMN legacy text; ALTER TABLE posts ALTER COLUMN title TYPE "
      "varchar(80)");
  auto plain = schemad_cmd({"--database-url", db.url(), "--model", model, "check"});
  CHECK(plain.exit_code == 0);
  CHECK(contains(plain.out, "drift: public.users.legacy"));
  CHECK(contains(plain.out, "drift: public.posts.title"));
  CHECK(
      schemad_cmd({"--database-url", db.url(), "--model", model, "check", "--strict"}).exit_code ==
      4);
  CHECK(schemad_cmd({"--database-url", db.url(), "--model", model, "apply"}).exit_code == 0);
  CHECK(db.scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                  "'posts'::regclass AND attname = 'title'") == "character varying(80)");
  CHECK(db.scalar("SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND "
                  "attname = 'legacy'") == "1");
}

TEST_CASE("plan prints the SQL and changes nothing", "[e2e][pg]") {
  TempDatabase db;
  auto model = write_temp_file("three-plan.json", kThreeTableModel);
  auto r = schemad_cmd({"--database-url", db.url(), "--model", model, "plan"});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "CREATE TABLE \"public\".\"users\""));
  CHECK(contains(r.out, "INSERT INTO \"public\".\"alembic_version\""));
  CHECK(db.scalar("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace") ==
        "0");
  auto json =
      schemad_cmd({"--database-url", db.url(), "--model", model, "plan", "--format", "json"});
  CHECK(json.exit_code == 0);
  CHECK(contains(json.out, "\"pending\""));
}

TEST_CASE("export-sql is a script psql -1 can run on an empty database", "[e2e][pg]") {
  TempDatabase db;
  auto model = write_temp_file("three-export.json", kThreeTableModel);
  auto r = schemad_cmd({"--model", model, "export-sql", "--with-stamp"});
  REQUIRE(r.exit_code == 0);
  CHECK_FALSE(contains(r.out, "CONCURRENTLY"));
  CHECK_FALSE(contains(r.out, "BEGIN"));
  db.exec(r.out);
  CHECK(schemad_cmd({"--database-url", db.url(), "--model", model, "check"}).exit_code == 0);
}

TEST_CASE("the database URL comes from DATABASE_URL, and ALEMBIC_DATABASE_URL wins", "[e2e][pg]") {
  TempDatabase db;
  auto model = write_temp_file("three-env.json", kThreeTableModel);
  auto via_env = schemad_cmd({"--model", model, "check"}, {{"DATABASE_URL", db.url()}});
  CHECK(via_env.exit_code == 3);
  auto alembic_wins = schemad_cmd(
      {"--model", model, "check"},
      {{"DATABASE_URL", "postgresql://nobody@127.0.0.1:1/x"}, {"ALEMBIC_DATABASE_URL", db.url()}});
  CHECK(alembic_wins.exit_code == 3);
  auto sqlalchemy = db.url();
  sqlalchemy.replace(0, std::string("postgresql").size(), "postgresql+asyncpg");
  auto r = schemad_cmd({"--model", model, "check"},
                       {{"DATABASE_URL", sqlalchemy + "?prepared_statement_cache_size=0"}});
  CHECK(r.exit_code == 3);
  CHECK(contains(r.err, "dropped parameter \"prepared_statement_cache_size\""));
}

TEST_CASE("a change the data blocks is pending: check exits 3 naming the rows, apply exits 1",
          "[e2e][pg]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE items (id integer PRIMARY KEY, sku text); "
      "INSERT INTO items VALUES (1, 'a'), (2, 'a')");
  auto model = write_temp_file("blocked/model.json", R"j({"version": 1, "revision": "r1",
    "tables": [{"name": "items", "columns": [{"name": "id", "type": "integer", "primary_key": true},
                                             {"name": "sku", "type": "text"}],
                "indexes": [{"name": "ux_sku", "columns": ["sku"], "unique": true}]}]})j");
  const std::vector<std::string> base{"--database-url", db.url(), "--model", model};
  auto run = [&](const std::string& command) {
    auto args = base;
    args.push_back(command);
    return schemad_cmd(args);
  };
  auto applied = run("apply");
  CHECK(applied.exit_code == 1);
  CHECK(
      contains(applied.err, "blocked: create index ux_sku on public.items: the data prevents it"));
  CHECK(contains(applied.err, "1 changes are blocked by the data; fix the rows, then apply again"));
  CHECK_FALSE(contains(applied.out, "satisfies the model"));
  CHECK(db.scalar("SELECT to_regclass('alembic_version') IS NULL") == "t");

  auto checked = run("check");
  CHECK(checked.exit_code == 3);
  CHECK(contains(checked.out, "blocked: create index ux_sku on public.items"));
  CHECK(contains(checked.out, "Key (sku)=(a) is duplicated."));
  CHECK(contains(checked.out, "1 changes pending (1 blocked by the data)"));

  db.exec("UPDATE items SET sku = 'b' WHERE id = 2");
  CHECK(run("apply").exit_code == 0);
  CHECK(run("check").exit_code == 0);
}
