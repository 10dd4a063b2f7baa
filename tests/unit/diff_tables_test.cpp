#include <catch2/catch.hpp>

#include "diff/diff.hpp"
#include "diff_fixtures.hpp"

using namespace schemad;
using namespace fixtures;
using Strings = std::vector<std::string>;

namespace {

schema::Table users() {
  schema::Table t = table("public", "users", {column("id", "uuid", false)});
  t.constraints.push_back(primary_key({"id"}));
  t.path = "tables[0]";
  return t;
}

}  // namespace

TEST_CASE("creates a missing table whole, with its constraints and indexes", "[diff][tables]") {
  schema::Table want = users();
  want.indexes.push_back(index("ix", {"id"}));
  want.comment = "people";
  diff::Result result = diff::compare(database({want}), database({}));
  REQUIRE(result.changes.size() == 1);
  CHECK(result.changes[0].kind == diff::ChangeKind::create_table);
  CHECK(result.changes[0].table.columns.size() == 1);
  CHECK(result.changes[0].table.constraints.size() == 1);
  CHECK(result.changes[0].table.indexes.size() == 1);
  CHECK(result.changes[0].table.comment == std::optional<std::string>("people"));
  CHECK(result.changes[0].path == "tables[0]");
  CHECK(result.changes[0].description() == "create table public.users");
  CHECK(result.drift.empty());
}

TEST_CASE("creates missing schemas and extensions and keeps the present ones", "[diff][tables]") {
  schema::Database want = database({});
  want.schemas = {"app", "public"};
  want.extensions = {"pg_trgm", "pgcrypto"};
  schema::Database have = database({});
  have.extensions = {"pgcrypto", "plpgsql"};
  diff::Result result = diff::compare(want, have);
  CHECK(descriptions(result) == Strings{"create schema app", "create extension pg_trgm"});
  CHECK(result.changes[0].name == "app");
  CHECK(result.changes[1].name == "pg_trgm");
  CHECK(result.drift.empty());  // extra extensions are nobody's business
}

TEST_CASE("a database in sync with the model needs nothing", "[diff][tables]") {
  schema::Database want = database({users()});
  want.extensions = {"pgcrypto"};
  want.enums.push_back(enum_type("public", "role", {"a", "b"}));
  schema::Database have = want;
  have.tables[0].constraints[0].name = "users_pkey";
  have.tables[0].indexes.push_back(index("users_pkey", {"id"}, true));
  have.tables[0].indexes[0].constraint_backed = true;
  diff::Result result = diff::compare(want, have);
  CHECK(result.changes.empty());
  CHECK(result.drift.empty());
  CHECK(result.satisfied());
}

TEST_CASE("reports tables of the model's schemas that the model lacks", "[diff][tables]") {
  schema::Database want = database({users()});
  want.schemas = {"app", "public"};
  schema::Database have =
      database({users(), table("public", "legacy", {}), table("app", "old", {}),
                table("other", "elsewhere", {}), table("public", "alembic_version", {}),
                table("public", "schemad_history", {}), table("app", "alembic_version", {})});
  have.schemas = {"app", "other", "public"};
  diff::Result result = diff::compare(want, have, {{"alembic_version", "schemad_history"}, {}});
  CHECK(result.changes.empty());
  CHECK(messages(result) ==
        Strings{"app.old: table not in the model", "public.legacy: table not in the model"});
  for (const auto& drift : result.drift) CHECK(drift.kind == diff::DriftKind::extra_table);
}

TEST_CASE("changes come in the model's order", "[diff][tables]") {
  schema::Database want = database({});
  want.schemas = {"app", "public"};
  want.extensions = {"pgcrypto"};
  want.enums.push_back(enum_type("app", "status", {"a", "b"}));
  want.enums.push_back(enum_type("public", "role", {"x", "y"}));
  schema::Table existing = users();
  existing.columns.push_back(column("name", "text"));
  existing.comment = "people";
  want.tables = {table("app", "zeta", {}), existing, table("app", "alpha", {})};

  schema::Database have = database({users()});
  have.enums.push_back(enum_type("public", "role", {"x"}));
  have.tables[0].constraints[0].name = "users_pkey";

  diff::Result result = diff::compare(want, have);
  CHECK(descriptions(result) == Strings{"create schema app", "create extension pgcrypto",
                                        "create enum app.status",
                                        "add value 'y' to enum public.role",
                                        "create table app.zeta", "add column public.users.name",
                                        "comment on table public.users", "create table app.alpha"});
}

TEST_CASE("drift is sorted by object, then kind", "[diff][tables]") {
  schema::Table want = users();
  want.columns.push_back(column("b", "text", false));
  want.columns.push_back(column("a", "text", false));
  schema::Table have = users();
  have.columns.push_back(column("b", "integer"));
  have.columns.push_back(column("a", "integer"));
  have.constraints[0].name = "users_pkey";
  diff::Result result = diff::compare(database({want}), database({have, table("public", "t", {})}));
  CHECK(messages(result) == Strings{"public.t: table not in the model",
                                    "public.users.a: type is integer, model says text",
                                    "public.users.a: is nullable, model says NOT NULL",
                                    "public.users.b: type is integer, model says text",
                                    "public.users.b: is nullable, model says NOT NULL"});
}

TEST_CASE("a table comment missing in the database is added, a different one is drift",
          "[diff][tables]") {
  schema::Table want = users();
  want.comment = "people who sign in";
  schema::Table have = users();
  have.constraints[0].name = "users_pkey";
  diff::Result result = diff::compare(database({want}), database({have}));
  REQUIRE(result.changes.size() == 1);
  CHECK(result.changes[0].kind == diff::ChangeKind::set_comment);
  CHECK(result.changes[0].column.name.empty());
  CHECK(result.changes[0].comment == "people who sign in");
  CHECK(result.changes[0].path == "tables[0].comment");

  have.comment = "";  // an empty comment is no comment
  CHECK(diff::compare(database({want}), database({have})).changes.size() == 1);

  have.comment = "users";
  result = diff::compare(database({want}), database({have}));
  CHECK(result.changes.empty());
  REQUIRE(result.drift.size() == 1);
  CHECK(result.drift[0].kind == diff::DriftKind::comment);
  CHECK(result.drift[0].message() ==
        "public.users: comment is 'users', model says 'people who sign in'");
}

TEST_CASE("describes every kind of change in one line", "[diff][tables]") {
  diff::Change c;
  c.table.name = qn("public", "messages");
  c.kind = diff::ChangeKind::add_constraint;
  c.constraint = foreign_key({"conversation_id"}, qn("public", "conversations"), {"id"}, "fk_x");
  CHECK(c.description() == "add foreign key fk_x on public.messages");
  c.constraint = unique({"conversation_id", "seq"});
  CHECK(c.description() == "add unique (conversation_id, seq) on public.messages");
  c.constraint = check("tokens >= 0");
  CHECK(c.description() == "add check (tokens >= 0) on public.messages");
  c.constraint = primary_key({"id"}, "pk");
  CHECK(c.description() == "add primary key pk on public.messages");

  c.kind = diff::ChangeKind::create_index;
  c.index = index("ix_x", {"a"});
  CHECK(c.description() == "create index ix_x on public.messages");
  c.index = keyed_index("", {key("a"), expression_key("lower(b)")});
  CHECK(c.description() == "create index on public.messages (a, lower(b))");

  c.kind = diff::ChangeKind::set_comment;
  CHECK(c.description() == "comment on table public.messages");
  c.column.name = "seq";
  CHECK(c.description() == "comment on column public.messages.seq");
}

TEST_CASE("change and drift kinds have stable labels", "[diff][tables]") {
  using diff::ChangeKind;
  using diff::DriftKind;
  CHECK(Strings{
            diff::to_string(ChangeKind::create_schema),
            diff::to_string(ChangeKind::create_extension), diff::to_string(ChangeKind::create_enum),
            diff::to_string(ChangeKind::add_enum_value), diff::to_string(ChangeKind::create_table),
            diff::to_string(ChangeKind::add_column), diff::to_string(ChangeKind::add_constraint),
            diff::to_string(ChangeKind::create_index), diff::to_string(ChangeKind::set_comment)} ==
        Strings{"schema", "extension", "enum", "enum_value", "table", "column", "constraint",
                "index", "comment"});
  CHECK(Strings{
            diff::to_string(DriftKind::column_type), diff::to_string(DriftKind::column_nullability),
            diff::to_string(DriftKind::column_default), diff::to_string(DriftKind::column_identity),
            diff::to_string(DriftKind::extra_table), diff::to_string(DriftKind::extra_column),
            diff::to_string(DriftKind::extra_index), diff::to_string(DriftKind::index_definition),
            diff::to_string(DriftKind::constraint_definition),
            diff::to_string(DriftKind::constraint_not_valid),
            diff::to_string(DriftKind::invalid_index), diff::to_string(DriftKind::enum_extra_value),
            diff::to_string(DriftKind::enum_order), diff::to_string(DriftKind::comment),
            diff::to_string(DriftKind::not_applied)} ==
        Strings{"column_type", "column_nullability", "column_default", "column_identity",
                "extra_table", "extra_column", "extra_index", "index_definition",
                "constraint_definition", "constraint_not_valid", "invalid_index",
                "enum_extra_value", "enum_order", "comment", "not_applied"});
}
