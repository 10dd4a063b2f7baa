// End-to-end round trips between the model's two spellings, with the built
// binary: every example and test model exported as SQL (export-sql) and
// used as a SQL model plans the same steps on an empty database and builds
// the same database (pg_dump --schema-only); a database schemad built,
// pulled back as JSON, checks clean against itself; a SQL model checks
// clean against the database its JSON twin built.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "support/pg.hpp"
#include "support/process.hpp"

using namespace schemad::test;

namespace {

std::string source(const std::string& relative) {
  return std::string(SCHEMAD_SOURCE_DIR) + "/" + relative;
}

// The plan's steps, by what they do ("create table public.users", ...),
// sorted: the two spellings may order independent steps differently.
std::vector<std::string> steps(const std::string& plan_json) {
  std::vector<std::string> out;
  const auto doc = nlohmann::json::parse(plan_json);
  for (const auto& step : doc.at("pending")) {
    out.push_back(step.at("description").get<std::string>());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("every example and test model round-trips through SQL: same plan, same database",
          "[e2e][sql]") {
  const std::string model = GENERATE(std::string("config/model.example.json"),
                                     std::string("tests/alembic/project_model.json"),
                                     std::string("tests/alembic/full_model.json"));
  INFO(model);
  const std::string json_model = source(model);
  auto exported = schemad_cmd({"--model", json_model, "export-sql"});
  REQUIRE(exported.exit_code == 0);
  const std::string sql_model = write_temp_file("model.sql", exported.out);

  TempDatabase from_json;
  TempDatabase from_sql;
  auto env = scratch_env(from_sql);

  // The same steps for an empty database.
  auto json_plan =
      schemad_cmd({"-d", from_json.url(), "--model", json_model, "plan", "--format", "json"});
  REQUIRE(json_plan.exit_code == 0);
  env["DATABASE_URL"] = from_sql.url();
  auto sql_plan = schemad_cmd({"--model", sql_model, "plan", "--format", "json"}, env);
  INFO(sql_plan.err);
  REQUIRE(sql_plan.exit_code == 0);
  CHECK(steps(sql_plan.out) == steps(json_plan.out));
  CHECK(nlohmann::json::parse(sql_plan.out).at("not_managed").empty());

  // The same database.
  REQUIRE(schemad_cmd({"-d", from_json.url(), "--model", json_model, "apply"}).exit_code == 0);
  auto applied = schemad_cmd({"--model", sql_model, "apply"}, env);
  INFO(applied.err);
  REQUIRE(applied.exit_code == 0);
  CHECK(schema_dump(from_sql) == schema_dump(from_json));

  // The SQL model checks clean against what its JSON twin built (and the
  // other way round), given the revision that the JSON model names.
  const std::string revision = from_json.scalar("SELECT version_num FROM public.alembic_version");
  const std::string config =
      write_temp_file("schemad.json", R"({"alembic": {"revision": ")" + revision + R"("}})");
  env["DATABASE_URL"] = from_json.url();
  auto cross = schemad_cmd({"-c", config, "--model", sql_model, "check", "--strict"}, env);
  INFO(cross.out + cross.err);
  CHECK(cross.exit_code == 0);
  if (nlohmann::json::parse(std::ifstream(json_model)).contains("revision")) {
    auto back = schemad_cmd({"-d", from_sql.url(), "--model", json_model, "check", "--strict"});
    INFO(back.out + back.err);
    CHECK(back.out.find("pending: create") == std::string::npos);
    CHECK(back.out.find("pending: add") == std::string::npos);
    CHECK(back.out.find("drift:") == std::string::npos);
  }

  // A database schemad built, pulled as JSON, checks clean against it; the
  // pulled model carries the revision alembic_version holds.
  auto pulled = schemad_cmd({"-d", from_json.url(), "pull"});
  INFO(pulled.err);
  REQUIRE(pulled.exit_code == 0);
  const auto pulled_doc = nlohmann::json::parse(pulled.out);
  CHECK(pulled_doc.at("revision").get<std::string>() ==
        from_json.scalar("SELECT version_num FROM public.alembic_version"));
  const std::string pulled_path = write_temp_file("pulled.json", pulled.out);
  auto strict = schemad_cmd({"-d", from_json.url(), "--model", pulled_path, "check", "--strict"});
  INFO(strict.out + strict.err);
  CHECK(strict.exit_code == 0);

  // pull is deterministic, in both formats.
  CHECK(schemad_cmd({"-d", from_json.url(), "pull"}).out == pulled.out);
  auto sql1 = schemad_cmd({"-d", from_json.url(), "pull", "--format", "sql"});
  REQUIRE(sql1.exit_code == 0);
  CHECK(schemad_cmd({"-d", from_json.url(), "pull", "--format", "sql"}).out == sql1.out);
  drop_scratch(from_sql);
}

TEST_CASE(
    "pull lists what the model format cannot say, and writes sequences, views, functions, "
    "triggers and policies",
    "[e2e][sql]") {
  TempDatabase db;
  db.exec(R"sql(
    CREATE TABLE public.accounts (id bigint PRIMARY KEY, name text NOT NULL);
    CREATE VIEW public.named AS SELECT id, name FROM public.accounts;
    CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS
      $$BEGIN RETURN NEW; END$$;
    CREATE TRIGGER accounts_touch BEFORE UPDATE ON public.accounts
      FOR EACH ROW EXECUTE FUNCTION public.touch();
    ALTER TABLE public.accounts ENABLE ROW LEVEL SECURITY;
    CREATE POLICY own ON public.accounts USING (true);
    CREATE SEQUENCE public.tickets;
    CREATE DOMAIN public.positive AS integer CHECK (VALUE > 0);
  )sql");
  auto pulled = schemad_cmd({"-d", db.url(), "pull"});
  REQUIRE(pulled.exit_code == 0);
  CHECK(pulled.err.find("domain public.positive") != std::string::npos);
  for (const char* unsaid : {"view", "function", "trigger", "policy", "row-level security"}) {
    INFO(unsaid);
    CHECK(pulled.err.find(unsaid) == std::string::npos);
  }
  const auto doc = nlohmann::json::parse(pulled.out);
  REQUIRE(doc.at("tables").size() == 1);
  CHECK(doc.at("tables")[0].at("name") == "accounts");
  CHECK(doc.at("functions")[0].at("name") == "touch");
  CHECK(doc.at("views")[0].at("name") == "named");
  CHECK(doc.at("tables")[0].at("triggers")[0].at("name") == "accounts_touch");
  CHECK(doc.at("tables")[0].at("policies")[0].at("name") == "own");
  CHECK(doc.at("tables")[0].at("row_level_security") == "enabled");
  CHECK(pulled.err.find("sequence") == std::string::npos);
  REQUIRE(doc.at("sequences").size() == 1);
  CHECK(doc.at("sequences")[0].at("name") == "tickets");
  CHECK_FALSE(doc.contains("revision"));
}
