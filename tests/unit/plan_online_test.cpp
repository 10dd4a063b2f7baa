#include <catch2/catch.hpp>

#include "diff/diff.hpp"
#include "diff_fixtures.hpp"
#include "plan/plan.hpp"

using namespace schemad;
using namespace fixtures;
using Strings = std::vector<std::string>;

namespace {

// The database: users (id, email) and conversations (id, owner_id, title),
// an enum, and an invalid index that a failed concurrent build left.
schema::Database existing() {
  schema::Database db = database(
      {table("public", "users", {column("id", "uuid", false), column("email", "text", false)}),
       table("public", "conversations",
             {column("id", "uuid", false), column("owner_id", "uuid", false),
              column("title", "text", false)})});
  db.enums.push_back(enum_type("public", "role", {"user", "tool"}));
  db.tables[0].constraints.push_back(primary_key({"id"}, "users_pkey"));
  db.tables[1].constraints.push_back(primary_key({"id"}, "conversations_pkey"));
  db.tables[1].indexes.push_back(index("ix_conversations_title", {"title"}));
  db.tables[1].indexes[0].valid = false;
  return db;
}

// The model adds to both tables, and a new table whose foreign keys point at
// an existing table's primary key and at a unique the model adds.
schema::Database model() {
  schema::Database db = existing();
  db.enums[0].values = {"user", "assistant", "tool"};
  schema::Table& users = db.tables[0];
  users.columns.push_back(
      with_default(column("active", "boolean", false), literal("true", false, "true")));
  users.constraints.push_back(unique({"email"}));
  users.indexes.push_back(index("", {"active"}));
  schema::Table& conversations = db.tables[1];
  conversations.indexes[0].valid = true;
  conversations.constraints.push_back(foreign_key({"owner_id"}, qn("public", "users"), {"id"}));
  conversations.constraints.push_back(check("length(title) > 0"));
  schema::Table invites = table("public", "invites",
                                {column("id", "bigint", false), column("email", "text", false),
                                 column("invited_by", "uuid")});
  invites.constraints = {primary_key({"id"}),
                         foreign_key({"email"}, qn("public", "users"), {"email"}),
                         foreign_key({"invited_by"}, qn("public", "users"), {"id"}, "fk_inviter")};
  db.tables.push_back(invites);
  return db;
}

Strings sql_of(const plan::Plan& plan, plan::Phase phase) {
  Strings out;
  for (const auto& step : plan.steps) {
    if (step.phase == phase) out.push_back(step.sql);
  }
  return out;
}

}  // namespace

TEST_CASE("heals an existing database online without blocking writers", "[plan][online]") {
  diff::Result result = diff::compare(model(), existing());
  plan::Plan plan = plan::render(result);
  CHECK(plan::to_script(plan, true) ==
        "-- add value 'assistant' to enum public.role\n"
        "ALTER TYPE \"public\".\"role\" ADD VALUE IF NOT EXISTS 'assistant' AFTER 'user';\n"
        "BEGIN;\n"
        "-- create table public.invites\n"
        "CREATE TABLE \"public\".\"invites\" (\n"
        "  \"id\" bigint NOT NULL,\n"
        "  \"email\" text NOT NULL,\n"
        "  \"invited_by\" uuid,\n"
        "  PRIMARY KEY (\"id\")\n"
        ");\n"
        "-- add column public.users.active\n"
        "ALTER TABLE \"public\".\"users\" ADD COLUMN \"active\" boolean NOT NULL DEFAULT true;\n"
        "-- add check (length(title) > 0) on public.conversations\n"
        "ALTER TABLE \"public\".\"conversations\" ADD CONSTRAINT \"conversations_title_check\" "
        "CHECK (length(title) > 0) NOT VALID;\n"
        "-- add foreign key (owner_id) on public.conversations\n"
        "ALTER TABLE \"public\".\"conversations\" ADD CONSTRAINT "
        "\"conversations_owner_id_fkey\" FOREIGN KEY (\"owner_id\") REFERENCES "
        "\"public\".\"users\" (\"id\") NOT VALID;\n"
        "-- add foreign key fk_inviter on public.invites\n"
        "ALTER TABLE \"public\".\"invites\" ADD CONSTRAINT \"fk_inviter\" FOREIGN KEY "
        "(\"invited_by\") REFERENCES \"public\".\"users\" (\"id\");\n"
        "COMMIT;\n"
        "-- add unique (email) on public.users (build index)\n"
        "CREATE UNIQUE INDEX CONCURRENTLY \"users_email_key\" ON \"public\".\"users\" "
        "(\"email\");\n"
        "-- add unique (email) on public.users\n"
        "ALTER TABLE \"public\".\"users\" ADD CONSTRAINT \"users_email_key\" UNIQUE USING INDEX "
        "\"users_email_key\";\n"
        "-- create index on public.users (active)\n"
        "CREATE INDEX CONCURRENTLY ON \"public\".\"users\" (\"active\");\n"
        "-- create index ix_conversations_title on public.conversations (drop invalid index)\n"
        "DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"ix_conversations_title\";\n"
        "-- create index ix_conversations_title on public.conversations\n"
        "CREATE INDEX CONCURRENTLY \"ix_conversations_title\" ON \"public\".\"conversations\" "
        "(\"title\");\n"
        "-- add foreign key (owner_id) on public.conversations (validate)\n"
        "ALTER TABLE \"public\".\"conversations\" VALIDATE CONSTRAINT "
        "\"conversations_owner_id_fkey\";\n"
        "-- add check (length(title) > 0) on public.conversations (validate)\n"
        "ALTER TABLE \"public\".\"conversations\" VALIDATE CONSTRAINT "
        "\"conversations_title_check\";\n"
        "-- add foreign key (email) on public.invites\n"
        "ALTER TABLE \"public\".\"invites\" ADD CONSTRAINT \"invites_email_fkey\" FOREIGN KEY "
        "(\"email\") REFERENCES \"public\".\"users\" (\"email\") NOT VALID;\n"
        "-- add foreign key (email) on public.invites (validate)\n"
        "ALTER TABLE \"public\".\"invites\" VALIDATE CONSTRAINT \"invites_email_fkey\";\n");
}

TEST_CASE("offline, the same changes are one plain transaction", "[plan][online]") {
  plan::Plan plan = plan::render(diff::compare(model(), existing()), plan::Options{false});
  for (const auto& step : plan.steps) CHECK(step.phase == plan::Phase::transaction);
  std::string script = plan::to_script(plan, false);
  CHECK(script.find("CONCURRENTLY") == std::string::npos);
  CHECK(script.find("NOT VALID") == std::string::npos);
  CHECK(script.find("VALIDATE") == std::string::npos);
  CHECK(sql_of(plan, plan::Phase::transaction) ==
        Strings{
            "ALTER TYPE \"public\".\"role\" ADD VALUE IF NOT EXISTS 'assistant' AFTER 'user'",
            "CREATE TABLE \"public\".\"invites\" (\n  \"id\" bigint NOT NULL,\n  \"email\" text "
            "NOT NULL,\n  \"invited_by\" uuid,\n  PRIMARY KEY (\"id\")\n)",
            "ALTER TABLE \"public\".\"users\" ADD COLUMN \"active\" boolean NOT NULL DEFAULT true",
            "ALTER TABLE \"public\".\"users\" ADD UNIQUE (\"email\")",
            "ALTER TABLE \"public\".\"conversations\" ADD CHECK (length(title) > 0)",
            "ALTER TABLE \"public\".\"conversations\" ADD FOREIGN KEY (\"owner_id\") REFERENCES "
            "\"public\".\"users\" (\"id\")",
            "ALTER TABLE \"public\".\"invites\" ADD FOREIGN KEY (\"email\") REFERENCES "
            "\"public\".\"users\" (\"email\")",
            "ALTER TABLE \"public\".\"invites\" ADD CONSTRAINT \"fk_inviter\" FOREIGN KEY "
            "(\"invited_by\") REFERENCES \"public\".\"users\" (\"id\")",
            "CREATE INDEX ON \"public\".\"users\" (\"active\")",
            "DROP INDEX IF EXISTS \"public\".\"ix_conversations_title\"",
            "CREATE INDEX \"ix_conversations_title\" ON \"public\".\"conversations\" (\"title\")"});
}

TEST_CASE("steps carry the kind, description and path of their change", "[plan][online]") {
  diff::Result result;
  diff::Change change;
  change.kind = diff::ChangeKind::add_constraint;
  change.table.name = qn("public", "t");
  change.constraint = check("a > 0", "ck_a");
  change.path = "tables[0].checks[0]";
  result.changes.push_back(change);
  plan::Plan plan = plan::render(result);
  REQUIRE(plan.steps.size() == 2);
  CHECK(plan.steps[0].kind == diff::ChangeKind::add_constraint);
  CHECK(plan.steps[0].description == "add check ck_a on public.t");
  CHECK(plan.steps[0].path == "tables[0].checks[0]");
  CHECK(plan.steps[0].phase == plan::Phase::transaction);
  CHECK(plan.steps[1].description == "add check ck_a on public.t (validate)");
  CHECK(plan.steps[1].phase == plan::Phase::after);
  CHECK(plan.steps[1].sql == "ALTER TABLE \"public\".\"t\" VALIDATE CONSTRAINT \"ck_a\"");
}

TEST_CASE("an invalid unique index is dropped before the unique is built again", "[plan][online]") {
  schema::Database have = database({table("public", "t", {column("a", "integer")})});
  have.tables[0].indexes.push_back(index("t_a_key", {"a"}, true));
  have.tables[0].indexes[0].valid = false;
  schema::Database want = database({table("public", "t", {column("a", "integer")})});
  want.tables[0].constraints.push_back(unique({"a"}));
  plan::Plan plan = plan::render(diff::compare(want, have));
  CHECK(sql_of(plan, plan::Phase::after) ==
        Strings{"DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"t_a_key\"",
                "CREATE UNIQUE INDEX CONCURRENTLY \"t_a_key\" ON \"public\".\"t\" (\"a\")",
                "ALTER TABLE \"public\".\"t\" ADD CONSTRAINT \"t_a_key\" UNIQUE USING INDEX "
                "\"t_a_key\""});
}

TEST_CASE("a primary key on an existing table is built online, then attached", "[plan][online]") {
  schema::Database have = database({table("public", "t", {column("a", "integer", false)})});
  schema::Database want = have;
  want.tables[0].constraints.push_back(primary_key({"a"}, "t_pk"));
  plan::Plan plan = plan::render(diff::compare(want, have));
  CHECK(sql_of(plan, plan::Phase::transaction).empty());
  CHECK(sql_of(plan, plan::Phase::after) ==
        Strings{"CREATE UNIQUE INDEX CONCURRENTLY \"t_pk\" ON \"public\".\"t\" (\"a\")",
                "ALTER TABLE \"public\".\"t\" ADD CONSTRAINT \"t_pk\" PRIMARY KEY USING INDEX "
                "\"t_pk\""});
  // Unnamed: PostgreSQL's own name.
  want.tables[0].constraints[0].name = "";
  plan = plan::render(diff::compare(want, have));
  CHECK(sql_of(plan, plan::Phase::after).back() ==
        "ALTER TABLE \"public\".\"t\" ADD CONSTRAINT \"t_pkey\" PRIMARY KEY USING INDEX "
        "\"t_pkey\"");
  // Offline (export-sql): in the transaction, as written.
  plan::Options offline;
  offline.online = false;
  want.tables[0].constraints[0].name = "t_pk";
  plan = plan::render(diff::compare(want, have), offline);
  CHECK(sql_of(plan, plan::Phase::transaction) ==
        Strings{"ALTER TABLE \"public\".\"t\" ADD CONSTRAINT \"t_pk\" PRIMARY KEY (\"a\")"});
}

TEST_CASE("a primary key is not added where it would make a column NOT NULL", "[plan][online]") {
  schema::Database have = database(
      {table("public", "t", {column("a", "integer", true), column("b", "integer", false)})});
  schema::Database want = have;
  want.tables[0].columns[0].nullable = false;  // the model's key column
  want.tables[0].constraints.push_back(primary_key({"a", "b"}, "t_pk"));
  diff::Result result = diff::compare(want, have);
  CHECK(result.changes.empty());
  Strings messages;
  for (const auto& d : result.drift)
    messages.push_back(diff::to_string(d.kind) + " " + d.message());
  CHECK(messages ==
        Strings{"column_nullability public.t.a: is nullable, model says NOT NULL",
                "not_applied public.t.t_pk: column a is nullable in the database, and adding the "
                "key would make it NOT NULL: make it NOT NULL (after fixing any NULL rows), then "
                "apply again"});
  // A key column this run adds: only when it can be added NOT NULL at once.
  schema::Database narrow = database({table("public", "t", {column("b", "integer", false)})});
  result = diff::compare(want, narrow);
  bool reported = false;
  for (const auto& d : result.drift) {
    reported = reported || (d.kind == diff::DriftKind::not_applied &&
                            d.message().find("column a is added nullable") != std::string::npos);
  }
  CHECK(reported);
  for (const auto& c : result.changes) CHECK(c.kind != diff::ChangeKind::add_constraint);
}

TEST_CASE("generated names do not clash within a plan", "[plan][online]") {
  schema::Database have = database({table("public", "t", {column("a", "integer")})});
  schema::Database want = have;
  want.tables[0].constraints = {check("a > 0"), check("a < 10"), check("a <> 5", "t_a_check1")};
  plan::Plan plan = plan::render(diff::compare(want, have));
  CHECK(sql_of(plan, plan::Phase::after) ==
        Strings{"ALTER TABLE \"public\".\"t\" VALIDATE CONSTRAINT \"t_a_check\"",
                "ALTER TABLE \"public\".\"t\" VALIDATE CONSTRAINT \"t_a_check2\"",
                "ALTER TABLE \"public\".\"t\" VALIDATE CONSTRAINT \"t_a_check1\""});
}

TEST_CASE("an empty diff renders an empty plan and script", "[plan][online]") {
  plan::Plan plan = plan::render(diff::Result{});
  CHECK(plan.steps.empty());
  CHECK(plan::to_script(plan, true).empty());
}

TEST_CASE("phases have stable labels", "[plan][online]") {
  CHECK(plan::to_string(plan::Phase::before) == "before");
  CHECK(plan::to_string(plan::Phase::transaction) == "transaction");
  CHECK(plan::to_string(plan::Phase::after) == "after");
}
