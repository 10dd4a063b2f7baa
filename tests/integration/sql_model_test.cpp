// Integration: SQL models normalised by PostgreSQL in a scratch database
// (scratch/normalize.hpp), then converged like any model. Every test uses a
// scratch database of its own ("schemad_scratch_" + its temporary database)
// and drops it at the end: tests run in parallel against one server.

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "config/config.hpp"
#include "db/connection.hpp"
#include "engine/engine.hpp"
#include "model/load.hpp"
#include "model/sql_script.hpp"
#include "scratch/normalize.hpp"
#include "scratch/source.hpp"
#include "support/pg.hpp"
#include "support/process.hpp"

using namespace schemad;
using schemad::test::StatementWitness;
using schemad::test::TempDatabase;
using test::admin_exec;

namespace {

// First column of the first row of `sql` run in database `dbname` ("" for
// NULL or no row).
std::string scalar_in(const std::string& dbname, const std::string& sql) {
  pqxx::connection conn(test::server_url() + "/" + dbname);
  pqxx::nontransaction tx(conn);
  const pqxx::result r = tx.exec(sql);
  if (r.empty() || r[0][0].is_null()) return "";
  return r[0][0].c_str();
}

// Relations (tables, views, sequences ...) outside the system schemas.
const char* const kRelations =
    "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
    "c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'i') AND n.nspname NOT IN "
    "('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'";

const char* const kUserSchemas =
    "SELECT coalesce(string_agg(nspname, ',' ORDER BY nspname), '') FROM pg_catalog.pg_namespace "
    "WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public') AND nspname !~ '^pg_'";

const char* const kExtensions =
    "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_catalog.pg_extension";

bool database_exists(const std::string& name) {
  pqxx::connection conn(test::server_url() + "/postgres");
  pqxx::nontransaction tx(conn);
  return tx.exec_params1("SELECT count(*) FROM pg_database WHERE datname = $1", name)[0]
             .as<int>() == 1;
}

// A LOGIN role for one test: created with `attributes`, dropped (its
// sessions ended first) when the test ends; url() is the server's URL as it.
struct TempRole {
  std::string name;
  TempRole(std::string role, const std::string& attributes) : name(std::move(role)) {
    admin_exec("CREATE ROLE " + name + " LOGIN " + attributes);
  }
  ~TempRole() {
    try {
      admin_exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + name +
                 "'");
      admin_exec("DROP ROLE IF EXISTS " + name);
    } catch (...) {
    }
  }
  TempRole(const TempRole&) = delete;
  TempRole& operator=(const TempRole&) = delete;
  std::string url() const {
    std::string url = test::server_url();
    const std::string user = "postgres@";
    REQUIRE(url.find(user) != std::string::npos);
    return url.replace(url.find(user), user.size(), name + "@");
  }
};

// A temporary target database and the scratch database its tests use,
// dropped (scratch first) when the test ends.
struct Setup {
  TempDatabase db;
  std::string scratch_db = "schemad_scratch_" + db.name();
  scratch::Options options;

  Setup() {
    options.database = scratch_db;
    admin_exec("DROP DATABASE IF EXISTS " + scratch_db + " WITH (FORCE)");
  }
  ~Setup() {
    try {
      admin_exec("DROP DATABASE IF EXISTS " + scratch_db + " WITH (FORCE)");
    } catch (...) {
    }
  }
  Setup(const Setup&) = delete;
  Setup& operator=(const Setup&) = delete;

  db::ConnectionOptions target() const {
    db::ConnectionOptions o;
    o.conninfo = db.url();
    return o;
  }

  schema::Database normalize(const model::SqlScript& script, scratch::Cache* cache = nullptr,
                             scratch::Stats* stats = nullptr) const {
    const auto o = target();
    auto conn = db::connect(o);
    return scratch::normalize(*conn, o, script, options, cache, stats);
  }

  schema::Database normalize(const std::string& sql, scratch::Cache* cache = nullptr,
                             scratch::Stats* stats = nullptr) const {
    return normalize(model::parse_sql_script({{"schema.sql", sql}}), cache, stats);
  }

  engine::Report converge(const schema::Database& model, engine::Mode mode) const {
    auto conn = db::connect(target());
    return engine::converge(*conn, model, mode, engine::Settings{}, util::system_clock());
  }

  long scratch_relations() const { return std::stol(scalar_in(scratch_db, kRelations)); }
};

std::vector<std::string> findings(const engine::Observation& o) {
  std::vector<std::string> out;
  for (const auto& d : o.diff.drift) out.push_back("drift: " + d.message());
  for (const auto& c : o.diff.changes) out.push_back("pending: " + c.description());
  for (const auto& b : o.blocked) out.push_back("blocked: " + b.message());
  return out;
}

// Applies `model`, then checks: nothing pending, no drift.
void apply_then_check_clean(const Setup& s, const schema::Database& model) {
  auto applied = s.converge(model, engine::Mode::apply);
  INFO("apply: " << applied.error_text());
  REQUIRE(applied.errors.empty());
  REQUIRE(applied.satisfied());
  CHECK_FALSE(applied.steps.empty());
  auto checked = s.converge(model, engine::Mode::check);
  INFO("check: " << Catch::Detail::stringify(findings(checked.found)));
  CHECK(checked.errors.empty());
  CHECK(checked.found.satisfied());
  CHECK(checked.found.diff.changes.empty());
  CHECK(checked.found.diff.drift.empty());
  CHECK(checked.pending.steps.empty());
}

std::string model_error_of(const std::function<void()>& f) {
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

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// What the shell command prints on standard output; REQUIREs exit 0.
std::string run(const std::string& command) {
  INFO(command);
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return out;
}

std::string pg_tool(const std::string& name) {
  const std::string packaged = "/usr/lib/postgresql/15/bin/" + name;
  return ::access(packaged.c_str(), X_OK) == 0 ? packaged : name;
}

// A script as pg_dump writes it, with what a model must ignore or skip.
const char* const kDumpStyle = R"sql(--
-- PostgreSQL database dump
--

\restrict Xk1f9s0aTz3mQp7vB2nR

-- Dumped from database version 15.14
-- Dumped by pg_dump version 15.14

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;

COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';

CREATE TYPE public.mood AS ENUM (
    'happy',
    'sad'
);

ALTER TYPE public.mood OWNER TO app_owner;

SET default_tablespace = '';

SET default_table_access_method = heap;

CREATE TABLE public.users (
    id integer NOT NULL,
    email text NOT NULL,
    mood public.mood DEFAULT 'happy'::public.mood NOT NULL,
    age integer,
    token text DEFAULT encode(public.gen_random_bytes(8), 'hex'::text),
    CONSTRAINT users_age_check CHECK ((age >= 0))
);

ALTER TABLE public.users OWNER TO app_owner;

CREATE SEQUENCE public.users_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.users_id_seq OWNER TO app_owner;

ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;

CREATE TABLE public.posts (
    id bigint NOT NULL,
    user_id integer NOT NULL,
    body text
);

CREATE SEQUENCE public.posts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.posts_id_seq OWNED BY public.posts.id;

ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);

ALTER TABLE ONLY public.posts ALTER COLUMN id SET DEFAULT nextval('public.posts_id_seq'::regclass);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.posts
    ADD CONSTRAINT posts_pkey PRIMARY KEY (id);

CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON public.users USING btree (email);

CREATE INDEX CONCURRENTLY posts_user_id_idx ON public.posts USING btree (user_id);

ALTER TABLE ONLY public.posts
    ADD CONSTRAINT posts_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

GRANT SELECT ON TABLE public.users TO reporting;

--
-- PostgreSQL database dump complete
--

\unrestrict Xk1f9s0aTz3mQp7vB2nR
)sql";

}  // namespace

TEST_CASE("a pg_dump-style script normalises, heals an empty database, and then checks clean",
          "[pg][sql_model]") {
  Setup s;
  const auto script = model::parse_sql_script({{"dump.sql", kDumpStyle}});
  const auto model = s.normalize(script);
  REQUIRE(model.tables.size() == 2);
  const schema::Table* users = model.table({"public", "users"});
  const schema::Table* posts = model.table({"public", "posts"});
  REQUIRE(users != nullptr);
  REQUIRE(posts != nullptr);
  CHECK(users->path == "dump.sql:36:1");
  REQUIRE(users->column("id") != nullptr);
  CHECK(users->column("id")->serial);
  REQUIRE(posts->column("id") != nullptr);
  CHECK(posts->column("id")->serial);
  CHECK(model.find_enum({"public", "mood"}) != nullptr);
  CHECK(std::find(model.extensions.begin(), model.extensions.end(), "pgcrypto") !=
        model.extensions.end());
  const schema::Constraint* fk = nullptr;
  for (const auto& k : posts->constraints) {
    if (k.kind == schema::ConstraintKind::foreign_key) fk = &k;
  }
  REQUIRE(fk != nullptr);
  CHECK(fk->on_delete == schema::ReferentialAction::cascade);
  CHECK_FALSE(fk->external);
  // Only the grant is not managed: the sequences belong to serial columns.
  CHECK(model.not_managed ==
        std::vector<std::string>{
            "dump.sql:91:1: privileges (GRANT): not managed by schemad; not applied"});
  CHECK(s.scratch_relations() == 0);

  apply_then_check_clean(s, model);
  CHECK(s.db.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN "
                    "('users', 'posts')") == "2");
  CHECK(s.db.scalar("SELECT confdeltype FROM pg_constraint WHERE conname = 'posts_user_id_fkey'") ==
        "c");
  CHECK(s.db.scalar("SELECT count(*) FROM pg_indexes WHERE indexname IN ('users_email_key', "
                    "'posts_user_id_idx')") == "2");
  CHECK(s.db.scalar("SELECT count(*) FROM pg_roles WHERE rolname = 'reporting'") == "0");
}

TEST_CASE("pg_dump of a database healed from a SQL model equals that of psql -1 -f of the SQL",
          "[pg][sql_model]") {
  // Only what schemad manages: a dump of either side must then be the same.
  const std::string sql = R"sql(\restrict RoundTripKey123
SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SELECT pg_catalog.set_config('search_path', '', false);
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;
COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';
CREATE SCHEMA billing;
CREATE TYPE public.mood AS ENUM ('happy', 'sad', 'ok');
CREATE TABLE public.users (
    id integer NOT NULL,
    email text NOT NULL,
    mood public.mood DEFAULT 'ok'::public.mood NOT NULL,
    age integer,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    token uuid DEFAULT public.gen_random_uuid(),
    CONSTRAINT users_age_check CHECK ((age >= 0))
);
CREATE SEQUENCE public.users_id_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;
ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);
ALTER TABLE ONLY public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.users ADD CONSTRAINT users_email_key UNIQUE (email);
CREATE TABLE billing.invoices (
    id bigint NOT NULL,
    user_id integer NOT NULL,
    amount numeric(12,2) DEFAULT 0 NOT NULL,
    note character varying(200),
    CONSTRAINT invoices_amount_check CHECK ((amount >= (0)::numeric))
);
ALTER TABLE ONLY billing.invoices ADD CONSTRAINT invoices_pkey PRIMARY KEY (id);
CREATE INDEX invoices_user_id_idx ON billing.invoices USING btree (user_id);
CREATE INDEX invoices_note_lower_idx ON billing.invoices USING btree (lower((note)::text)) WHERE (note IS NOT NULL);
ALTER TABLE ONLY billing.invoices
    ADD CONSTRAINT invoices_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;
\unrestrict RoundTripKey123
)sql";
  const std::string file = test::write_temp_file("round_trip.sql", sql);

  Setup healed;
  const auto model = healed.normalize(model::read_sql_script(file));
  CHECK(model.not_managed.empty());
  apply_then_check_clean(healed, model);

  TempDatabase built;
  run(pg_tool("psql") + " -X -q -v ON_ERROR_STOP=1 -1 -f '" + file + "' --dbname='" + built.url() +
      "' 2>&1");

  const std::string want = schema_dump(built);
  REQUIRE(contains(want, "CREATE TABLE billing.invoices"));
  CHECK(schema_dump(healed.db) == want);
}

TEST_CASE("normalising writes nothing to the target and leaves nothing in the scratch database",
          "[pg][sql_model]") {
  Setup s;
  StatementWitness witness(s.db);
  const std::string oid =
      s.db.scalar("SELECT oid FROM pg_database WHERE datname = current_database()");
  const std::string sql =
      "CREATE EXTENSION IF NOT EXISTS hstore;\n"
      "CREATE SCHEMA iso_app;\n"
      "CREATE TYPE iso_app.iso_state AS ENUM ('a', 'b');\n"
      "CREATE TABLE iso_app.iso_marker (id bigserial PRIMARY KEY, state iso_app.iso_state, "
      "attrs hstore);\n"
      "CREATE INDEX iso_marker_state_idx ON iso_app.iso_marker (state);\n"
      "CREATE VIEW iso_app.iso_view AS SELECT id FROM iso_app.iso_marker;\n"
      "INSERT INTO iso_app.iso_marker (state) VALUES ('a');\n";
  auto script_mentions = [&] {
    return std::stol(s.db.scalar(
        "SELECT count(*) FROM pg_stat_statements WHERE dbid = " + oid +
        " AND (query ILIKE '%iso_marker%' OR query ILIKE '%iso_app%' OR query ILIKE '%hstore%')"));
  };

  // The first time, the scratch database is created: through the target's
  // connection, but the target database itself is not written.
  witness.reset();
  const auto model = s.normalize(sql);
  REQUIRE(model.table({"iso_app", "iso_marker"}) != nullptr);
  const std::string first = witness.writes();
  std::istringstream lines(first);
  for (std::string line; std::getline(lines, line);) {
    CHECK(starts_with(line, "CREATE DATABASE"));
  }
  CHECK(script_mentions() == 0);
  REQUIRE(database_exists(s.scratch_db));

  witness.reset();
  const auto again = s.normalize(sql);
  CHECK(again.fingerprint == model.fingerprint);
  CHECK(witness.writes() == "");
  CHECK(witness.statements() > 0);  // the target was read
  CHECK(script_mentions() == 0);

  CHECK(s.db.scalar("SELECT to_regclass('iso_app.iso_marker')") == "");
  CHECK(s.db.scalar(kUserSchemas) == "");
  CHECK_FALSE(contains(s.db.scalar(kExtensions), "hstore"));

  CHECK(s.scratch_relations() == 0);
  CHECK(scalar_in(s.scratch_db, kUserSchemas) == "");
  CHECK(scalar_in(s.scratch_db, kExtensions) == "plpgsql");
  CHECK(scalar_in(s.scratch_db, "SELECT count(*) FROM pg_type WHERE typname = 'iso_state'") == "0");
}

TEST_CASE("extensions in their schemas: normalised, applied, checked clean", "[pg][sql_model]") {
  const std::string sql = R"sql(
CREATE SCHEMA IF NOT EXISTS extensions;
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA extensions;
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
CREATE EXTENSION IF NOT EXISTS hstore;
CREATE TABLE accounts (
    id uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
    token text DEFAULT encode(gen_random_bytes(16), 'hex'),
    email extensions.citext NOT NULL UNIQUE,
    attrs hstore,
    name text
);
CREATE INDEX accounts_name_trgm ON accounts USING gin (name gin_trgm_ops);
)sql";

  SECTION("citext already in schema extensions on the target") {
    Setup s;
    s.db.exec("CREATE SCHEMA extensions; CREATE EXTENSION citext WITH SCHEMA extensions");
    const auto model = s.normalize(sql);
    const schema::Table* accounts = model.table({"public", "accounts"});
    REQUIRE(accounts != nullptr);
    REQUIRE(accounts->column("email") != nullptr);
    CHECK(accounts->column("email")->type.display() == "extensions.citext");
    REQUIRE(model.extension_schemas.count("citext") == 1);
    CHECK(model.extension_schemas.at("citext") == "extensions");
    CHECK(model.extensions.size() == 5);
    CHECK(s.scratch_relations() == 0);
    apply_then_check_clean(s, model);
    CHECK(s.db.scalar(kExtensions) == "citext,hstore,pg_trgm,pgcrypto,plpgsql,uuid-ossp");
  }
  SECTION("an empty target") {
    Setup s;
    const auto model = s.normalize(sql);
    REQUIRE(model.table({"public", "accounts"}) != nullptr);
    apply_then_check_clean(s, model);
    CHECK(s.db.scalar("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = "
                      "e.extnamespace WHERE e.extname = 'citext'") == "extensions");
    CHECK(s.db.scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'accounts_name_trgm' AND "
                      "indexdef LIKE '%gin_trgm_ops%'") == "1");
    // The model as the target's apply left it normalises to the same.
    CHECK(s.normalize(sql).fingerprint == model.fingerprint);
  }
}

TEST_CASE("a foreign key to a table outside the script is external, and no table of the model",
          "[pg][sql_model]") {
  Setup s;
  s.db.exec(
      "CREATE SCHEMA auth; CREATE TABLE auth.users (id uuid PRIMARY KEY, email text NOT NULL, "
      "created_at timestamptz)");
  const auto model = s.normalize(
      "CREATE TABLE public.profiles (\n"
      "  id uuid PRIMARY KEY REFERENCES auth.users(id) ON DELETE CASCADE,\n"
      "  bio text\n"
      ");\n");
  CHECK(model.table({"auth", "users"}) == nullptr);
  CHECK(std::find(model.schemas.begin(), model.schemas.end(), "auth") == model.schemas.end());
  const schema::Table* profiles = model.table({"public", "profiles"});
  REQUIRE(profiles != nullptr);
  const schema::Constraint* fk = nullptr;
  for (const auto& k : profiles->constraints) {
    if (k.kind == schema::ConstraintKind::foreign_key) fk = &k;
  }
  REQUIRE(fk != nullptr);
  CHECK(fk->external);
  CHECK(fk->ref_table == schema::QualifiedName{"auth", "users"});
  CHECK(fk->on_delete == schema::ReferentialAction::cascade);
  CHECK(s.scratch_relations() == 0);
  CHECK(scalar_in(s.scratch_db, kUserSchemas) == "");
  apply_then_check_clean(s, model);
  CHECK(
      s.db.scalar("SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.profiles'::regclass "
                  "AND confrelid = 'auth.users'::regclass") == "1");
}

TEST_CASE("a refused statement is reported at its file, line and column", "[pg][sql_model]") {
  Setup s;
  // The target has citext: the script's CREATE EXTENSION is sent as a longer
  // text of schemad's, which must not shift the place of what follows.
  s.db.exec("CREATE SCHEMA extensions; CREATE EXTENSION citext WITH SCHEMA extensions");
  const std::string first =
      test::write_temp_file("bad_model/01_base.sql",
                            "CREATE EXTENSION IF NOT EXISTS citext;\n"
                            "CREATE TABLE a1 (id int PRIMARY KEY);\nCREATE TABLE b1 (id int);\n");
  const std::string second = test::write_temp_file("bad_model/02_more.sql",
                                                   "-- more tables\n"
                                                   "CREATE TABLE a2 (id int);\n"
                                                   "CREATE TABLE b2 (id int);\n"
                                                   "CREATE TABLE c2 (\n"
                                                   "  id int,\n"
                                                   "  naïve txet\n"
                                                   ");\n"
                                                   "CREATE TABLE d2 (id int);\n");
  const std::string dir = std::filesystem::path(first).parent_path().string();
  const auto script = model::read_sql_script(dir);
  const std::string what = model_error_of([&] { s.normalize(script); });
  INFO(what);
  CHECK(starts_with(what, second + ":6:9: "));
  CHECK(contains(what, "type \"txet\" does not exist"));
  CHECK(contains(what, "(SQLSTATE 42704)"));
  CHECK(s.scratch_relations() == 0);
  CHECK(scalar_in(s.scratch_db, "SELECT to_regclass('public.a1')") == "");
}

TEST_CASE("a refused statement the server gives no position for is located at its statement",
          "[pg][sql_model]") {
  Setup s;
  const std::string what = model_error_of([&] {
    s.normalize(
        "CREATE TABLE t (id int);\n"
        "CREATE TABLE u (id int);\n"
        "\n"
        "   CREATE TRIGGER t_touch BEFORE UPDATE ON t\n"
        "  FOR EACH ROW EXECUTE FUNCTION missing_fn();\n"
        "CREATE TABLE v (id int);\n");
  });
  INFO(what);
  CHECK(starts_with(what, "schema.sql:4:4: "));
  CHECK(contains(what, "missing_fn"));
  CHECK(contains(what, "(SQLSTATE 42883)"));
  CHECK(s.scratch_relations() == 0);
}

TEST_CASE("a scratch database that holds a table is refused as unsuitable", "[pg][sql_model]") {
  Setup s;
  TempDatabase busy;
  busy.exec("CREATE TABLE precious (id int)");
  scratch::Options o = s.options;
  o.url = busy.url();
  const auto target = s.target();
  auto conn = db::connect(target);
  const auto script = model::parse_sql_script({{"schema.sql", "CREATE TABLE t (id int);"}});
  try {
    scratch::normalize(*conn, target, script, o);
    FAIL("no ScratchError");
  } catch (const scratch::ScratchError& e) {
    CHECK(e.reason() == scratch::ScratchError::Reason::unsuitable);
    CHECK(contains(e.what(), "holds 1 tables"));
  }
  CHECK(busy.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == "1");
  CHECK(busy.scalar("SELECT to_regclass('public.t')") == "");
}

TEST_CASE("a role that may not create the missing scratch database gets ScratchError(unavailable)",
          "[pg][sql_model]") {
  Setup s;
  const TempRole role("nocreatedb_" + s.db.name(), "NOCREATEDB");
  db::ConnectionOptions target;
  target.conninfo = role.url() + "/" + s.db.name();
  auto conn = db::connect(target);
  const auto script = model::parse_sql_script({{"schema.sql", "CREATE TABLE t (id int);"}});
  try {
    scratch::normalize(*conn, target, script, s.options);
    FAIL("no ScratchError");
  } catch (const scratch::ScratchError& e) {
    CHECK(e.reason() == scratch::ScratchError::Reason::unavailable);
    CHECK(contains(e.what(), "CREATE DATABASE"));
    CHECK(contains(e.what(), s.scratch_db));
  }
  CHECK_FALSE(database_exists(s.scratch_db));
}

TEST_CASE("a build reads its catalogs with their statistics refreshed, or goes on without",
          "[pg][sql_model]") {
  Setup s;
  const std::string sql =
      "CREATE TYPE mood AS ENUM ('ok', 'sad');\n"
      "CREATE TABLE a (id int PRIMARY KEY, m mood DEFAULT 'ok', at timestamptz DEFAULT now());\n"
      "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id), note text);\n"
      "CREATE INDEX b_a_id_idx ON b (a_id);\n";
  // Owned by schemad's role (a superuser here): ANALYZE in the build.
  scratch::Stats refreshed;
  const auto model = s.normalize(sql, nullptr, &refreshed);
  CHECK(refreshed.statistics_refreshed);
  REQUIRE(model.table({"public", "b"}) != nullptr);
  CHECK(s.scratch_relations() == 0);

  SECTION("another build holds a catalog: this one goes on, and makes the same model") {
    pqxx::connection other(test::server_url() + "/" + s.scratch_db);
    pqxx::work hold(other);
    hold.exec0("LOCK TABLE pg_catalog.pg_depend IN SHARE UPDATE EXCLUSIVE MODE");
    scratch::Stats waited;
    const auto again = s.normalize(sql, nullptr, &waited);
    CHECK_FALSE(waited.statistics_refreshed);
    CHECK(again.fingerprint == model.fingerprint);
    hold.abort();
  }

  SECTION("a role that does not own the scratch database does not ANALYZE") {
    const TempRole role("notowner_" + s.db.name(), "");
    admin_exec("GRANT CREATE ON DATABASE " + s.scratch_db + " TO " + role.name);
    {
      pqxx::connection in_scratch(test::server_url() + "/" + s.scratch_db);
      pqxx::nontransaction tx(in_scratch);
      tx.exec0("GRANT CREATE ON SCHEMA public TO " + role.name);
    }
    scratch::Options o = s.options;
    o.url = role.url() + "/" + s.scratch_db;
    const auto target = s.target();
    auto conn = db::connect(target);
    scratch::Stats stats;
    const auto built = scratch::normalize(
        *conn, target, model::parse_sql_script({{"schema.sql", sql}}), o, nullptr, &stats);
    CHECK_FALSE(stats.statistics_refreshed);
    CHECK(built.fingerprint == model.fingerprint);
    admin_exec("REVOKE ALL ON DATABASE " + s.scratch_db + " FROM " + role.name);
    pqxx::connection in_scratch(test::server_url() + "/" + s.scratch_db);
    pqxx::nontransaction tx(in_scratch);
    tx.exec0("REVOKE ALL ON SCHEMA public FROM " + role.name);
  }
}

TEST_CASE("the cache spares the scratch build while nothing changed", "[pg][sql_model]") {
  Setup s;
  scratch::Cache cache;
  const std::string sql = "CREATE TABLE t (id int PRIMARY KEY, name text);\n";
  scratch::Stats first;
  const auto model = s.normalize(sql, &cache, &first);
  CHECK_FALSE(first.cached);
  CHECK(first.scratch_queries > 0);
  CHECK(first.script_statements == 1);

  scratch::Stats second;
  const auto cached = s.normalize(sql, &cache, &second);
  CHECK(second.cached);
  CHECK(second.scratch_queries == 0);
  CHECK(second.target_queries > 0);
  CHECK(cached.fingerprint == model.fingerprint);

  scratch::Stats third;
  const auto changed = s.normalize(sql + "CREATE TABLE u (id int);\n", &cache, &third);
  CHECK_FALSE(third.cached);
  CHECK(third.scratch_queries > 0);
  CHECK(changed.fingerprint != model.fingerprint);
  CHECK(changed.table({"public", "u"}) != nullptr);

  // Where the target has an extension is part of the key too.
  const std::string with_ext =
      "SET search_path = public, ext;\nCREATE EXTENSION IF NOT EXISTS citext;\n"
      "CREATE TABLE e (x citext);\n";
  scratch::Stats a, b, c;
  const auto in_public = s.normalize(with_ext, &cache, &a);
  CHECK_FALSE(a.cached);
  s.normalize(with_ext, &cache, &b);
  CHECK(b.cached);
  s.db.exec("CREATE SCHEMA ext; CREATE EXTENSION citext WITH SCHEMA ext");
  const auto in_ext = s.normalize(with_ext, &cache, &c);
  CHECK_FALSE(c.cached);
  REQUIRE(in_ext.table({"public", "e"}) != nullptr);
  REQUIRE(in_public.table({"public", "e"}) != nullptr);
  CHECK(in_public.table({"public", "e"})->column("x")->type.display() == "public.citext");
  CHECK(in_ext.table({"public", "e"})->column("x")->type.display() == "ext.citext");
}

TEST_CASE("views, functions and triggers of a SQL model are part of it, and applied",
          "[pg][sql_model]") {
  Setup s;
  const std::string path = test::write_temp_file("not_managed.sql",
                                                 "CREATE TABLE t (id int PRIMARY KEY, n int);\n"
                                                 "CREATE VIEW t_view AS SELECT id FROM t;\n"
                                                 "CREATE FUNCTION t_touch() RETURNS trigger\n"
                                                 "  LANGUAGE plpgsql AS $$\n"
                                                 "BEGIN\n"
                                                 "  NEW.n := 1; RETURN NEW;\n"
                                                 "END $$;\n"
                                                 "  CREATE TRIGGER t_touch_trg BEFORE UPDATE ON t\n"
                                                 "    FOR EACH ROW EXECUTE FUNCTION t_touch();\n");
  config::Config config;
  config.database_url = s.db.url();
  config.model = path;
  config.scratch.database = s.scratch_db;
  REQUIRE(scratch::is_sql_model(config));
  scratch::Stats stats;
  const auto model = scratch::load_model(config, nullptr, &stats);
  CHECK(stats.script_statements == 4);
  CHECK(model.not_managed.empty());
  REQUIRE(model.views.size() == 1);
  CHECK(model.views[0].path == path + ":2:1");
  REQUIRE(model.table({"public", "t"}) != nullptr);
  REQUIRE(model.functions.size() == 1);
  CHECK(model.functions[0].signature() == "public.t_touch()");
  CHECK(model.functions[0].path == path + ":3:1");
  REQUIRE(model.table({"public", "t"})->triggers.size() == 1);
  CHECK(model.table({"public", "t"})->triggers[0].name == "t_touch_trg");
  CHECK(model.tables.size() == 1);
  CHECK(model.table({"public", "t"})->path == path + ":1:1");

  apply_then_check_clean(s, model);
  CHECK(s.db.scalar("SELECT to_regclass('public.t')") == "t");
  CHECK(s.db.scalar("SELECT to_regclass('public.t_view')") == "t_view");
  CHECK(s.db.scalar("SELECT count(*) FROM pg_proc WHERE proname = 't_touch'") == "1");
  CHECK(s.db.scalar("SELECT count(*) FROM pg_trigger WHERE tgname = 't_touch_trg'") == "1");
  CHECK(s.scratch_relations() == 0);
}
