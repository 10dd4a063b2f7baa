// catalog::inspect against hand-made databases: every value is asserted in
// the exact canonical form the model side predicts (see schema.hpp).

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "catalog/inspect.hpp"
#include "integration/catalog_support.hpp"
#include "support/pg.hpp"

using namespace schemad;
using schema::Identity;
using schema::NullsOrder;
using schema::QualifiedName;
using schema::SortOrder;
using schema::Type;
using test::column;
using test::constraint;
using test::index;
using test::table;
using test::TempDatabase;

namespace {

Type builtin(std::string name, bool array = false) {
  Type t;
  t.name = std::move(name);
  t.array = array;
  return t;
}

Type qualified(std::string schema_name, std::string name, std::string modifier = "",
               bool array = false) {
  Type t;
  t.schema = std::move(schema_name);
  t.name = std::move(name);
  t.modifier = std::move(modifier);
  t.array = array;
  return t;
}

schema::IndexKey key_column(std::string name, std::string opclass = "",
                            SortOrder order = SortOrder::unspecified,
                            NullsOrder nulls = NullsOrder::unspecified) {
  schema::IndexKey k;
  k.column = std::move(name);
  k.opclass = std::move(opclass);
  k.order = order;
  k.nulls = nulls;
  return k;
}

schema::IndexKey key_expression(std::string expression, SortOrder order = SortOrder::unspecified) {
  schema::IndexKey k;
  k.expression = std::move(expression);
  k.order = order;
  return k;
}

// A base type with a type modifier, built from the server's own C
// functions the way an extension type such as pgvector's vector is.
const char* const kVectorLikeType = R"SQL(
CREATE TYPE app.vec;
CREATE FUNCTION app.vec_in(cstring) RETURNS app.vec AS 'textin' LANGUAGE internal IMMUTABLE STRICT;
CREATE FUNCTION app.vec_out(app.vec) RETURNS cstring AS 'textout' LANGUAGE internal IMMUTABLE STRICT;
CREATE FUNCTION app.vec_typmod_in(cstring[]) RETURNS int4
  AS 'varchartypmodin' LANGUAGE internal IMMUTABLE STRICT;
CREATE FUNCTION app.vec_typmod_out(int4) RETURNS cstring
  AS 'varchartypmodout' LANGUAGE internal IMMUTABLE STRICT;
CREATE TYPE app.vec (INPUT = app.vec_in, OUTPUT = app.vec_out, TYPMOD_IN = app.vec_typmod_in,
                     TYPMOD_OUT = app.vec_typmod_out, INTERNALLENGTH = VARIABLE);
)SQL";

}  // namespace

TEST_CASE("inspection reports every column type in the canonical form the model predicts",
          "[pg][catalog]") {
  TempDatabase db;
  db.exec(std::string("CREATE SCHEMA app;\n") + kVectorLikeType + R"SQL(
    CREATE TYPE public.message_role AS ENUM ('user', 'assistant');
    CREATE TYPE app.status AS ENUM ('active', 'disabled');
    CREATE TYPE app."Mood" AS ENUM ('fine');
    CREATE TABLE public.kinds (
      c_int4 int4, c_int8 int8, c_serial serial, c_bigserial bigserial, c_int2 int2,
      c_varchar varchar(255), c_varchar_plain varchar, c_char char(2), c_numeric numeric(12,2),
      c_timestamptz timestamptz, c_timestamp3 timestamp(3), c_timestamptz3 timestamptz(3),
      c_text_array text[], c_int_array integer[], c_varchar_array varchar(20)[],
      c_jsonb jsonb, c_uuid uuid, c_bool bool, c_float8 float8, c_int2vector int2vector,
      c_role message_role, c_status app.status, c_status_array app.status[], c_mood app."Mood",
      c_role_matrix message_role[][], c_vec app.vec(1536), c_vec_array app.vec(3)[], c_vec_plain app.vec,
      dropped int
    );
    ALTER TABLE public.kinds DROP COLUMN dropped;
    ALTER TABLE public.kinds ADD COLUMN c_last text;
  )SQL");

  const auto inspected = test::inspect(db, {"public", "app"});
  const auto& kinds = table(inspected, "public", "kinds");

  const std::vector<std::pair<std::string, Type>> expected = {
      {"c_int4", builtin("integer")},
      {"c_int8", builtin("bigint")},
      {"c_serial", builtin("integer")},
      {"c_bigserial", builtin("bigint")},
      {"c_int2", builtin("smallint")},
      {"c_varchar", builtin("character varying(255)")},
      {"c_varchar_plain", builtin("character varying")},
      {"c_char", builtin("character(2)")},
      {"c_numeric", builtin("numeric(12,2)")},
      {"c_timestamptz", builtin("timestamp with time zone")},
      {"c_timestamp3", builtin("timestamp(3) without time zone")},
      {"c_timestamptz3", builtin("timestamp(3) with time zone")},
      {"c_text_array", builtin("text", true)},
      {"c_int_array", builtin("integer", true)},
      {"c_varchar_array", builtin("character varying(20)", true)},
      {"c_jsonb", builtin("jsonb")},
      {"c_uuid", builtin("uuid")},
      {"c_bool", builtin("boolean")},
      {"c_float8", builtin("double precision")},
      {"c_int2vector", builtin("int2vector")},  // subscriptable, but not an array type
      {"c_role", qualified("public", "message_role")},
      {"c_status", qualified("app", "status")},
      {"c_status_array", qualified("app", "status", "", true)},
      {"c_mood", qualified("app", "Mood")},
      {"c_role_matrix", qualified("public", "message_role", "", true)},
      {"c_vec", qualified("app", "vec", "(1536)")},
      {"c_vec_array", qualified("app", "vec", "(3)", true)},
      {"c_vec_plain", qualified("app", "vec")},
      {"c_last", builtin("text")},
  };
  std::vector<std::string> expected_names;
  for (const auto& e : expected) expected_names.push_back(e.first);
  // attnum order, the dropped column skipped.
  CHECK(test::column_names(kinds) == expected_names);
  for (const auto& e : expected) {
    INFO("column " << e.first);
    CHECK(column(kinds, e.first).type == e.second);
  }
  CHECK(column(kinds, "c_vec_array").type.display() == "app.vec(3)[]");
  CHECK(column(kinds, "c_varchar_array").type.display() == "character varying(20)[]");
}

TEST_CASE(
    "inspection reports defaults as pg_get_expr prints them, with identity, serial and "
    "comments",
    "[pg][catalog]") {
  TempDatabase db;
  db.exec(R"SQL(
    CREATE SCHEMA app;
    CREATE TYPE public.message_role AS ENUM ('user', 'assistant');
    CREATE TYPE app.status AS ENUM ('active', 'disabled');
    CREATE SEQUENCE public.free_seq;
    CREATE SEQUENCE public.borrowed_seq;
    CREATE TABLE public.messages (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      seq bigserial,
      role public.message_role NOT NULL DEFAULT 'user',
      state app.status DEFAULT 'active',
      content text NOT NULL DEFAULT 'active',
      tokens integer DEFAULT -1,
      ratio numeric(4,2) DEFAULT 1.5,
      flag boolean DEFAULT true,
      meta jsonb DEFAULT '{"a": 1}',
      created_at timestamptz NOT NULL DEFAULT now(),
      ticket bigint GENERATED ALWAYS AS IDENTITY,
      counter integer GENERATED BY DEFAULT AS IDENTITY,
      free bigint DEFAULT nextval('public.free_seq'),
      borrowed bigint DEFAULT nextval('public.borrowed_seq'),
      doubled integer GENERATED ALWAYS AS (tokens * 2) STORED,
      plain text
    );
    ALTER SEQUENCE public.borrowed_seq OWNED BY public.messages.plain;
    COMMENT ON TABLE public.messages IS 'chat messages';
    COMMENT ON COLUMN public.messages.content IS 'what was said';
    CREATE TABLE public.uncommented (id integer);
  )SQL");

  const auto inspected = test::inspect(db, {"public", "app"});
  const auto& t = table(inspected, "public", "messages");

  struct Expected {
    std::string column;
    std::string stored;  // "" for none
    bool nullable;
  };
  const std::vector<Expected> expected = {
      {"id", "gen_random_uuid()", false},
      {"seq", "nextval('public.messages_seq_seq'::regclass)", false},
      {"role", "'user'::public.message_role", false},
      {"state", "'active'::app.status", true},
      {"content", "'active'::text", false},
      {"tokens", "'-1'::integer", true},
      {"ratio", "1.5", true},
      {"flag", "true", true},
      {"meta", "'{\"a\": 1}'::jsonb", true},
      {"created_at", "now()", false},
      {"ticket", "", false},
      {"counter", "", false},
      {"free", "nextval('public.free_seq'::regclass)", true},
      {"borrowed", "nextval('public.borrowed_seq'::regclass)", true},
      {"doubled", "", true},  // a generation expression is not a default
      {"plain", "", true},
  };
  for (const auto& e : expected) {
    INFO("column " << e.column);
    const auto& c = column(t, e.column);
    CHECK(c.nullable == e.nullable);
    if (e.stored.empty()) {
      CHECK(c.def.kind == schema::Default::Kind::none);
      CHECK(c.def.stored.empty());
    } else {
      CHECK(c.def.kind == schema::Default::Kind::sql);
      CHECK(c.def.stored == e.stored);
      CHECK(c.def.value == e.stored);
    }
  }

  // serial: nextval of a sequence OWNED BY the column itself, and only that.
  CHECK(column(t, "seq").serial);
  CHECK_FALSE(column(t, "free").serial);      // sequence owned by nothing
  CHECK_FALSE(column(t, "borrowed").serial);  // sequence owned by another column
  CHECK_FALSE(column(t, "id").serial);
  CHECK_FALSE(column(t, "ticket").serial);  // identity sequences are internal, not OWNED BY

  CHECK(column(t, "ticket").identity == Identity::always);
  CHECK(column(t, "counter").identity == Identity::by_default);
  CHECK(column(t, "seq").identity == Identity::none);

  CHECK(t.comment == std::optional<std::string>("chat messages"));
  CHECK(column(t, "content").comment == std::optional<std::string>("what was said"));
  CHECK_FALSE(column(t, "plain").comment.has_value());
  CHECK_FALSE(table(inspected, "public", "uncommented").comment.has_value());
}

TEST_CASE("inspection qualifies names under its own search_path and leaves the session's alone",
          "[pg][catalog]") {
  TempDatabase db;
  db.exec(R"SQL(
    CREATE TYPE public.message_role AS ENUM ('user', 'assistant');
    CREATE TABLE public.messages (role public.message_role DEFAULT 'user',
                                  CONSTRAINT ck_role CHECK (role <> 'assistant'));
  )SQL");

  pqxx::connection conn(db.url());
  {
    pqxx::nontransaction tx(conn);
    tx.exec0("SET search_path = public");
  }
  catalog::InspectStats stats;
  const auto inspected = catalog::inspect(conn, {"public"}, &stats);
  // BEGIN (with SET TRANSACTION), SET LOCAL, four queries, COMMIT.
  CHECK(stats.queries == 7);

  const auto& t = table(inspected, "public", "messages");
  CHECK(column(t, "role").type == qualified("public", "message_role"));
  CHECK(column(t, "role").def.stored == "'user'::public.message_role");
  CHECK(constraint(t, "ck_role").expression == "((role <> 'assistant'::public.message_role))");

  // The transaction is over and SET LOCAL ended with it.
  pqxx::nontransaction after(conn);
  CHECK(after.exec1("SHOW search_path")[0].as<std::string>() == "public");
  CHECK(after.exec1("SELECT 'user'::message_role::text")[0].as<std::string>() == "user");
}

TEST_CASE("inspection reports keys, foreign keys and checks, primary key first, then by name",
          "[pg][catalog]") {
  TempDatabase db;
  db.exec(R"SQL(
    CREATE SCHEMA app;
    CREATE TABLE app.accounts (
      id bigint PRIMARY KEY,
      owner_id bigint,
      code text NOT NULL,
      region text NOT NULL,
      CONSTRAINT uq_accounts_region_code UNIQUE (region, code)
    );
    CREATE TABLE public.users (
      id bigint PRIMARY KEY,
      account_id bigint NOT NULL,
      email text,
      tokens integer,
      code text DEFAULT 'x',
      region text,
      CONSTRAINT uq_users_email UNIQUE (email),
      CONSTRAINT ck_users_tokens CHECK (tokens >= 0),
      CONSTRAINT a_check CHECK (id > 0),
      CONSTRAINT fk_users_account FOREIGN KEY (account_id) REFERENCES app.accounts (id)
        ON DELETE CASCADE ON UPDATE RESTRICT,
      CONSTRAINT fk_users_account_code FOREIGN KEY (code, region)
        REFERENCES app.accounts (code, region) ON DELETE SET NULL ON UPDATE SET DEFAULT
    );
    -- A cycle between two schemas, and constraints added NOT VALID.
    ALTER TABLE app.accounts ADD CONSTRAINT fk_accounts_owner FOREIGN KEY (owner_id)
      REFERENCES public.users (id) ON DELETE SET NULL NOT VALID;
    ALTER TABLE public.users ADD CONSTRAINT ck_users_email
      CHECK (email <> '' AND email LIKE '%@%') NOT VALID;
    ALTER TABLE public.users ADD CONSTRAINT ck_users_local CHECK (tokens < 1000000) NO INHERIT;
    -- Exclusion constraints are not reported as constraints.
    CREATE TABLE public.bookings (during tsrange, EXCLUDE USING gist (during WITH &&));
    -- A foreign key to a partitioned table: PostgreSQL adds a clone per partition.
    CREATE TABLE public.events (id bigint, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
    CREATE TABLE public.events_2024 PARTITION OF public.events
      FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    CREATE TABLE public.events_2025 PARTITION OF public.events
      FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    CREATE TABLE public.event_refs (event_id bigint, event_at date,
      CONSTRAINT fk_event FOREIGN KEY (event_id, event_at) REFERENCES public.events);
  )SQL");

  const auto inspected = test::inspect(db, {"public", "app"});

  const auto& users = table(inspected, "public", "users");
  CHECK(test::constraint_names(users) ==
        std::vector<std::string>{"users_pkey", "a_check", "ck_users_email", "ck_users_local",
                                 "ck_users_tokens", "fk_users_account", "fk_users_account_code",
                                 "uq_users_email"});
  REQUIRE(users.primary_key() != nullptr);
  CHECK(users.primary_key()->name == "users_pkey");
  CHECK(users.primary_key()->columns == std::vector<std::string>{"id"});

  const auto& uq = constraint(users, "uq_users_email");
  CHECK(uq.kind == schema::ConstraintKind::unique);
  CHECK(uq.columns == std::vector<std::string>{"email"});
  CHECK(uq.validated);

  const auto& ck_tokens = constraint(users, "ck_users_tokens");
  CHECK(ck_tokens.kind == schema::ConstraintKind::check);
  CHECK(ck_tokens.expression == "((tokens >= 0))");
  CHECK(ck_tokens.columns.empty());
  CHECK(ck_tokens.validated);
  CHECK(constraint(users, "a_check").expression == "((id > 0))");
  const auto& ck_email = constraint(users, "ck_users_email");
  CHECK(ck_email.expression == "(((email <> ''::text) AND (email ~~ '%@%'::text)))");
  CHECK_FALSE(ck_email.validated);
  // NO INHERIT changes the meaning, so it stays in the expression.
  CHECK(constraint(users, "ck_users_local").expression == "((tokens < 1000000)) NO INHERIT");

  const auto& fk = constraint(users, "fk_users_account");
  CHECK(fk.kind == schema::ConstraintKind::foreign_key);
  CHECK(fk.columns == std::vector<std::string>{"account_id"});
  CHECK(fk.ref_table == QualifiedName{"app", "accounts"});
  CHECK(fk.ref_columns == std::vector<std::string>{"id"});
  CHECK(fk.on_delete == schema::ReferentialAction::cascade);
  CHECK(fk.on_update == schema::ReferentialAction::restrict);
  CHECK(fk.validated);

  // Columns in declaration order, not attnum or the unique key's order.
  const auto& fk2 = constraint(users, "fk_users_account_code");
  CHECK(fk2.columns == std::vector<std::string>{"code", "region"});
  CHECK(fk2.ref_columns == std::vector<std::string>{"code", "region"});
  CHECK(fk2.on_delete == schema::ReferentialAction::set_null);
  CHECK(fk2.on_update == schema::ReferentialAction::set_default);

  const auto& accounts = table(inspected, "app", "accounts");
  CHECK(test::constraint_names(accounts) ==
        std::vector<std::string>{"accounts_pkey", "fk_accounts_owner", "uq_accounts_region_code"});
  CHECK(constraint(accounts, "uq_accounts_region_code").columns ==
        std::vector<std::string>{"region", "code"});
  const auto& owner = constraint(accounts, "fk_accounts_owner");
  CHECK(owner.ref_table == QualifiedName{"public", "users"});
  CHECK(owner.ref_columns == std::vector<std::string>{"id"});
  CHECK(owner.on_delete == schema::ReferentialAction::set_null);
  CHECK(owner.on_update == schema::ReferentialAction::no_action);
  CHECK_FALSE(owner.validated);

  CHECK(table(inspected, "public", "bookings").constraints.empty());

  const auto& refs = table(inspected, "public", "event_refs");
  REQUIRE(test::constraint_names(refs) == std::vector<std::string>{"fk_event"});
  CHECK(refs.constraints[0].ref_table == QualifiedName{"public", "events"});
  CHECK(refs.constraints[0].columns == std::vector<std::string>{"event_id", "event_at"});
  CHECK(refs.constraints[0].ref_columns == std::vector<std::string>{"id", "at"});
  const auto& events = table(inspected, "public", "events");
  CHECK(test::constraint_names(events) == std::vector<std::string>{"events_pkey"});
}

TEST_CASE("inspection reports every index, constraint-backed ones included, keys in canonical form",
          "[pg][catalog]") {
  TempDatabase db;
  db.exec(R"SQL(
    CREATE TABLE public.people (
      id bigint PRIMARY KEY,
      email text NOT NULL,
      account_id bigint,
      created_at timestamptz,
      deleted_at timestamptz,
      score integer,
      tags text[],
      nickname varchar(40),
      CONSTRAINT uq_people_email UNIQUE (email)
    );
    CREATE INDEX ix_people_account_created ON public.people (account_id, created_at);
    CREATE INDEX ix_people_created_desc ON public.people (created_at DESC NULLS LAST);
    CREATE INDEX ix_people_score_variants ON public.people
      (score DESC, account_id NULLS FIRST, id ASC NULLS LAST, created_at DESC NULLS FIRST);
    CREATE INDEX ix_people_lower_email ON public.people (lower(email));
    CREATE INDEX ix_people_expr_desc ON public.people ((score + 1) DESC);
    CREATE INDEX ix_people_email_pattern ON public.people (email text_pattern_ops);
    CREATE INDEX ix_people_nickname ON public.people (nickname);
    CREATE INDEX ix_people_live ON public.people (account_id) WHERE deleted_at IS NULL;
    CREATE INDEX ix_people_covering ON public.people (account_id) INCLUDE (email, created_at);
    CREATE INDEX ix_people_tags ON public.people USING gin (tags);
    CREATE INDEX ix_people_email_hash ON public.people USING hash (email);
    CREATE UNIQUE INDEX ux_people_account_email ON public.people (account_id, email);
    INSERT INTO public.people (id, email, score) VALUES (1, 'a@x', 5), (2, 'b@x', 5);
    CREATE TABLE public.bookings (during tsrange, CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&));
  )SQL");
  // A failed concurrent build leaves an invalid index behind.
  CHECK_THROWS_AS(
      db.exec("CREATE UNIQUE INDEX CONCURRENTLY ux_people_score ON public.people (score)"),
      pqxx::unique_violation);

  const auto inspected = test::inspect(db, {"public"});
  const auto& people = table(inspected, "public", "people");
  CHECK(test::index_names(people) ==
        std::vector<std::string>{"ix_people_account_created", "ix_people_covering",
                                 "ix_people_created_desc", "ix_people_email_hash",
                                 "ix_people_email_pattern", "ix_people_expr_desc", "ix_people_live",
                                 "ix_people_lower_email", "ix_people_nickname",
                                 "ix_people_score_variants", "ix_people_tags", "people_pkey",
                                 "uq_people_email", "ux_people_account_email", "ux_people_score"});

  const auto& pkey = index(people, "people_pkey");
  CHECK(pkey.constraint_backed);
  CHECK(pkey.unique);
  CHECK(pkey.valid);
  CHECK(pkey.method == "btree");
  CHECK(pkey.keys == std::vector<schema::IndexKey>{key_column("id")});
  const auto& uq = index(people, "uq_people_email");
  CHECK(uq.constraint_backed);
  CHECK(uq.unique);

  const auto& multi = index(people, "ix_people_account_created");
  CHECK(multi.keys ==
        std::vector<schema::IndexKey>{key_column("account_id"), key_column("created_at")});
  CHECK_FALSE(multi.unique);
  CHECK_FALSE(multi.constraint_backed);
  CHECK(multi.valid);
  CHECK(multi.where.empty());
  CHECK(multi.include.empty());

  CHECK(index(people, "ix_people_created_desc").keys ==
        std::vector<schema::IndexKey>{
            key_column("created_at", "", SortOrder::desc, NullsOrder::last)});
  // Default null placement for the direction reads as unspecified.
  CHECK(index(people, "ix_people_score_variants").keys ==
        std::vector<schema::IndexKey>{
            key_column("score", "", SortOrder::desc, NullsOrder::unspecified),
            key_column("account_id", "", SortOrder::unspecified, NullsOrder::first),
            key_column("id", "", SortOrder::unspecified, NullsOrder::unspecified),
            key_column("created_at", "", SortOrder::desc, NullsOrder::unspecified)});

  CHECK(index(people, "ix_people_lower_email").keys ==
        std::vector<schema::IndexKey>{key_expression("lower(email)")});
  CHECK(index(people, "ix_people_expr_desc").keys ==
        std::vector<schema::IndexKey>{key_expression("(score + 1)", SortOrder::desc)});

  CHECK(index(people, "ix_people_email_pattern").keys ==
        std::vector<schema::IndexKey>{key_column("email", "text_pattern_ops")});
  // varchar is indexed with text_ops, the default: no opclass.
  CHECK(index(people, "ix_people_nickname").keys ==
        std::vector<schema::IndexKey>{key_column("nickname")});

  const auto& live = index(people, "ix_people_live");
  CHECK(live.where == "(deleted_at IS NULL)");
  CHECK(live.keys == std::vector<schema::IndexKey>{key_column("account_id")});

  const auto& covering = index(people, "ix_people_covering");
  CHECK(covering.keys == std::vector<schema::IndexKey>{key_column("account_id")});
  CHECK(covering.include == std::vector<std::string>{"email", "created_at"});

  const auto& tags = index(people, "ix_people_tags");
  CHECK(tags.method == "gin");
  CHECK(tags.keys == std::vector<schema::IndexKey>{key_column("tags")});
  const auto& hash = index(people, "ix_people_email_hash");
  CHECK(hash.method == "hash");
  CHECK(hash.keys == std::vector<schema::IndexKey>{key_column("email")});

  const auto& ux = index(people, "ux_people_account_email");
  CHECK(ux.unique);
  CHECK_FALSE(ux.constraint_backed);
  CHECK(ux.keys == std::vector<schema::IndexKey>{key_column("account_id"), key_column("email")});

  const auto& invalid = index(people, "ux_people_score");
  CHECK_FALSE(invalid.valid);
  CHECK(invalid.unique);
  CHECK(invalid.keys == std::vector<schema::IndexKey>{key_column("score")});

  const auto& bookings = table(inspected, "public", "bookings");
  REQUIRE(test::index_names(bookings) == std::vector<std::string>{"no_overlap"});
  CHECK(bookings.indexes[0].method == "gist");
  CHECK(bookings.indexes[0].constraint_backed);
  CHECK_FALSE(bookings.indexes[0].unique);

  // A foreign key points at the index of the key it references: that does
  // not make the index constraint-backed, even when the foreign key is on
  // the index's own table and the index is a plain unique index.
  TempDatabase db2;
  db2.exec(R"SQL(
    CREATE TABLE public.nodes (id bigint NOT NULL, parent_id bigint);
    CREATE UNIQUE INDEX ux_nodes_id ON public.nodes (id);
    ALTER TABLE public.nodes ADD CONSTRAINT fk_nodes_parent
      FOREIGN KEY (parent_id) REFERENCES public.nodes (id);
  )SQL");
  REQUIRE(db2.scalar("SELECT conindid::regclass::text FROM pg_constraint "
                     "WHERE conname = 'fk_nodes_parent'") == "ux_nodes_id");
  const auto second = test::inspect(db2, {"public"});
  const auto& nodes = table(second, "public", "nodes");
  CHECK_FALSE(index(nodes, "ux_nodes_id").constraint_backed);
  CHECK(constraint(nodes, "fk_nodes_parent").ref_columns == std::vector<std::string>{"id"});
}

TEST_CASE("inspection reads only the requested schemas that exist, and only their tables",
          "[pg][catalog]") {
  TempDatabase db;
  db.exec(R"SQL(
    CREATE SCHEMA app;
    CREATE SCHEMA other;
    CREATE EXTENSION citext SCHEMA other;
    CREATE TABLE public.b_table (id integer PRIMARY KEY);
    CREATE TABLE public.a_table ();
    CREATE TABLE app.z (id integer, ref integer REFERENCES public.b_table (id));
    CREATE TABLE other.hidden (id integer PRIMARY KEY, CHECK (id > 0));
    CREATE INDEX ix_hidden ON other.hidden (id);
    CREATE TYPE other.hidden_enum AS ENUM ('x');
    CREATE TYPE app.status AS ENUM ('active', 'disabled');
    ALTER TYPE app.status ADD VALUE 'pending' BEFORE 'disabled';
    CREATE TYPE app.empty AS ENUM ();
    CREATE TABLE public.events (id bigint, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
    CREATE TABLE public.events_2024 PARTITION OF public.events
      FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    CREATE VIEW public.v AS SELECT 1 AS x;
    CREATE MATERIALIZED VIEW public.mv AS SELECT 1 AS x;
    CREATE SEQUENCE public.s;
    CREATE TYPE public.pair AS (a integer, b integer);
    CREATE FOREIGN DATA WRAPPER nothing;
    CREATE SERVER nowhere FOREIGN DATA WRAPPER nothing;
    CREATE FOREIGN TABLE public.ft (x integer) SERVER nowhere;
  )SQL");

  const auto inspected = test::inspect(db, {"public", "app", "missing"});

  CHECK(inspected.schemas == std::vector<std::string>{"app", "public"});
  // Every installed extension, wherever it lives.
  CHECK(inspected.extensions == std::vector<std::string>{"citext", "plpgsql"});

  REQUIRE(inspected.enums.size() == 2);
  CHECK(inspected.enums[0].name == QualifiedName{"app", "empty"});
  CHECK(inspected.enums[0].values.empty());
  CHECK(inspected.enums[1].name == QualifiedName{"app", "status"});
  // Sort order, not creation order.
  CHECK(inspected.enums[1].values == std::vector<std::string>{"active", "pending", "disabled"});

  // Partitioned parents are tables, partitions, views, sequences, composite
  // and foreign tables are not.
  CHECK(test::table_names(inspected) ==
        std::vector<QualifiedName>{
            {"app", "z"}, {"public", "a_table"}, {"public", "b_table"}, {"public", "events"}});
  CHECK(table(inspected, "public", "a_table").columns.empty());
  CHECK(test::index_names(table(inspected, "public", "events")) ==
        std::vector<std::string>{"events_pkey"});
  CHECK(table(inspected, "app", "z").constraints.size() == 1);

  const auto only_other = test::inspect(db, {"other"});
  CHECK(only_other.schemas == std::vector<std::string>{"other"});
  CHECK(test::table_names(only_other) == std::vector<QualifiedName>{{"other", "hidden"}});
  CHECK(test::constraint_names(table(only_other, "other", "hidden")) ==
        std::vector<std::string>{"hidden_pkey", "hidden_id_check"});
  CHECK(test::index_names(table(only_other, "other", "hidden")) ==
        std::vector<std::string>{"hidden_pkey", "ix_hidden"});
  REQUIRE(only_other.enums.size() == 1);
  CHECK(only_other.enums[0].name == QualifiedName{"other", "hidden_enum"});

  // Names are passed as one text[] parameter, whatever they contain.
  db.exec(R"SQL(
    CREATE SCHEMA "We""ird, {sch}";
    CREATE TABLE "We""ird, {sch}"."Mixed Case" (id integer);
  )SQL");
  const auto weird = test::inspect(db, {"We\"ird, {sch}", "We"});
  CHECK(weird.schemas == std::vector<std::string>{"We\"ird, {sch}"});
  CHECK(test::table_names(weird) == std::vector<QualifiedName>{{"We\"ird, {sch}", "Mixed Case"}});

  const auto nothing = test::inspect(db, {});
  CHECK(nothing.schemas.empty());
  CHECK(nothing.tables.empty());
  CHECK(nothing.enums.empty());
  CHECK(nothing.extensions == std::vector<std::string>{"citext", "plpgsql"});
}
