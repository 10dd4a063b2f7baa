#include <catch2/catch.hpp>

#include "diff/diff.hpp"
#include "diff_fixtures.hpp"

using namespace schemad;
using namespace fixtures;
using Strings = std::vector<std::string>;

namespace {

// The model's users table and the database's, to be edited per test.
schema::Table users() {
  return table("public", "users",
               {column("id", "bigint", false), column("email", "character varying(255)", false)});
}

diff::Result compare_users(const schema::Table& want, const schema::Table& have) {
  return diff::compare(database({want}), database({have}));
}

}  // namespace

TEST_CASE("adds a missing column to an existing table", "[diff][columns]") {
  schema::Table want = users();
  want.columns.push_back(column("nickname", "text"));
  want.columns.back().path = "tables[0].columns[2]";
  diff::Result result = compare_users(want, users());
  REQUIRE(result.changes.size() == 1);
  const diff::Change& change = result.changes[0];
  CHECK(change.kind == diff::ChangeKind::add_column);
  CHECK(change.table.name == qn("public", "users"));
  CHECK(change.table.columns.empty());
  CHECK(change.column.name == "nickname");
  CHECK(change.path == "tables[0].columns[2]");
  CHECK(change.description() == "add column public.users.nickname");
  CHECK(result.drift.empty());
  CHECK_FALSE(result.satisfied());
}

TEST_CASE("reports a retyped column as drift and changes nothing", "[diff][columns]") {
  schema::Table have = users();
  have.columns[1].type = builtin("text");
  diff::Result result = compare_users(users(), have);
  CHECK(result.changes.empty());
  CHECK(result.satisfied());
  REQUIRE(result.drift.size() == 1);
  CHECK(result.drift[0].kind == diff::DriftKind::column_type);
  CHECK(result.drift[0].message() ==
        "public.users.email: type is text, model says character varying(255)");
}

TEST_CASE("an array type differs from its element type", "[diff][columns]") {
  schema::Table want = users();
  want.columns.push_back(column("tags", builtin("text", true)));
  schema::Table have = users();
  have.columns.push_back(column("tags", builtin("text")));
  CHECK(messages(compare_users(want, have)) ==
        Strings{"public.users.tags: type is text, model says text[]"});
}

TEST_CASE("an unresolved extension type matches the same type in any schema", "[diff][columns]") {
  schema::Type unresolved;
  unresolved.name = "vector";
  unresolved.modifier = "(1536)";
  unresolved.resolved = false;
  schema::Table want = users();
  want.columns.push_back(column("embedding", unresolved));
  schema::Table have = users();
  have.columns.push_back(column("embedding", user_type("extensions", "vector", "(1536)")));
  CHECK(compare_users(want, have).drift.empty());

  have.columns.back().type.modifier = "(768)";
  CHECK(messages(compare_users(want, have)) ==
        Strings{"public.users.embedding: type is extensions.vector(768), model says vector(1536)"});
}

TEST_CASE("a resolved type in another schema is drift", "[diff][columns]") {
  schema::Table want = users();
  want.columns.push_back(column("role", user_type("public", "role")));
  schema::Table have = users();
  have.columns.push_back(column("role", user_type("app", "role")));
  CHECK(messages(compare_users(want, have)) ==
        Strings{"public.users.role: type is app.role, model says public.role"});
}

TEST_CASE("reports nullability drift in both directions", "[diff][columns]") {
  schema::Table have = users();
  have.columns[1].nullable = true;  // the model says NOT NULL
  schema::Table want = users();
  want.columns.push_back(column("bio", "text"));
  have.columns.push_back(column("bio", "text", false));  // the model says nullable
  diff::Result result = compare_users(want, have);
  CHECK(result.changes.empty());
  CHECK(messages(result) == Strings{"public.users.bio: is NOT NULL, model says nullable",
                                    "public.users.email: is nullable, model says NOT NULL"});
  CHECK(result.drift[0].kind == diff::DriftKind::column_nullability);
  CHECK(result.drift[1].kind == diff::DriftKind::column_nullability);
}

TEST_CASE("compares defaults by their stored form", "[diff][columns]") {
  schema::Table want = users();
  want.columns.push_back(
      with_default(column("status", "text"), literal("active", true, "'active'::text")));
  schema::Table have = users();
  have.columns.push_back(
      with_default(column("status", "text"), sql_default("'active'::text", std::nullopt)));
  CHECK(compare_users(want, have).drift.empty());

  have.columns.back().def = sql_default("'inactive'::text", std::nullopt);
  diff::Result result = compare_users(want, have);
  CHECK(result.changes.empty());
  REQUIRE(result.drift.size() == 1);
  CHECK(result.drift[0].kind == diff::DriftKind::column_default);
  CHECK(result.drift[0].message() ==
        "public.users.status: default is 'inactive'::text, model says 'active'::text");
}

TEST_CASE("reports a default the model lacks and one the database lacks", "[diff][columns]") {
  schema::Table want = users();
  want.columns.push_back(column("a", "integer"));
  want.columns.push_back(with_default(column("b", "integer"), literal("0", false, "0")));
  schema::Table have = users();
  have.columns.push_back(with_default(column("a", "integer"), sql_default("1", std::nullopt)));
  have.columns.push_back(column("b", "integer"));
  diff::Result result = compare_users(want, have);
  CHECK(result.changes.empty());
  CHECK(messages(result) == Strings{"public.users.a: default is 1, model has none",
                                    "public.users.b: no default, model says 0"});
}

TEST_CASE("a serial column is satisfied by any nextval default", "[diff][columns]") {
  schema::Table want = users();
  want.columns[0].serial = true;
  schema::Table have = users();
  have.columns[0].def = sql_default("nextval('users_id_seq'::regclass)", true);
  CHECK(compare_users(want, have).drift.empty());

  have.columns[0].def = sql_default("nextval('public.other_seq'::regclass)", true);
  CHECK(compare_users(want, have).drift.empty());

  have.columns[0].def = schema::Default{};
  have.columns[0].serial = true;  // the inspector saw the owned sequence
  CHECK(compare_users(want, have).drift.empty());
}

TEST_CASE("a serial column without a sequence default is drift", "[diff][columns]") {
  schema::Table want = users();
  want.columns[0].serial = true;
  schema::Table have = users();
  CHECK(messages(compare_users(want, have)) ==
        Strings{"public.users.id: no default, model says nextval(...) (serial)"});
}

TEST_CASE("a nextval default that the model does not declare is drift", "[diff][columns]") {
  schema::Table have = users();
  have.columns[0].def = sql_default("nextval('users_id_seq'::regclass)", true);
  have.columns[0].serial = true;
  CHECK(messages(compare_users(users(), have)) ==
        Strings{"public.users.id: default is nextval('users_id_seq'::regclass), model has none"});
}

TEST_CASE("identity columns compare identity, not defaults", "[diff][columns]") {
  schema::Table want = users();
  want.columns[0].identity = schema::Identity::always;
  schema::Table have = users();
  have.columns[0].identity = schema::Identity::always;
  have.columns[0].def = sql_default("something", true);  // never read for identity columns
  CHECK(compare_users(want, have).drift.empty());

  have.columns[0].identity = schema::Identity::by_default;
  diff::Result result = compare_users(want, have);
  REQUIRE(result.drift.size() == 1);
  CHECK(result.drift[0].kind == diff::DriftKind::column_identity);
  CHECK(result.drift[0].message() ==
        "public.users.id: identity is generated by default, model says generated always");

  have.columns[0].identity = schema::Identity::none;
  have.columns[0].def = schema::Default{};
  CHECK(messages(compare_users(want, have)) ==
        Strings{"public.users.id: identity is none, model says generated always"});
}

TEST_CASE("reports columns the model does not have", "[diff][columns]") {
  schema::Table have = users();
  have.columns.push_back(column("legacy", "text"));
  diff::Result result = compare_users(users(), have);
  CHECK(result.changes.empty());
  REQUIRE(result.drift.size() == 1);
  CHECK(result.drift[0].kind == diff::DriftKind::extra_column);
  CHECK(result.drift[0].message() == "public.users.legacy: column not in the model");
}

TEST_CASE("adds a NOT NULL column with a constant default as declared", "[diff][columns]") {
  schema::Table want = users();
  want.columns.push_back(with_default(column("score", "integer", false), literal("0", false, "0")));
  want.columns.push_back(
      with_default(column("at", "timestamp with time zone", false), sql_default("now()", false)));
  diff::Result result = compare_users(want, users());
  CHECK(descriptions(result) ==
        Strings{"add column public.users.score", "add column public.users.at"});
  CHECK(result.drift.empty());
}

TEST_CASE("a NOT NULL column that cannot be NOT NULL at once is reported not applied",
          "[diff][columns]") {
  schema::Table want = users();
  want.columns.push_back(column("a", "text", false));  // no default
  want.columns.push_back(with_default(column("b", "uuid", false),
                                      sql_default("gen_random_uuid()", true)));  // volatile
  want.columns.push_back(
      with_default(column("c", "uuid", false), sql_default("f()", std::nullopt)));  // unknown
  diff::Result result = compare_users(want, users());
  CHECK(result.changes.size() == 3);
  REQUIRE(result.drift.size() == 3);
  for (const auto& drift : result.drift) CHECK(drift.kind == diff::DriftKind::not_applied);
  CHECK(result.drift[0].message() ==
        "public.users.a: added nullable: NOT NULL needs a non-volatile default on an existing "
        "table");
}

TEST_CASE("a nullable column with a volatile default is not reported", "[diff][columns]") {
  schema::Table want = users();
  want.columns.push_back(with_default(column("b", "uuid"), sql_default("gen_random_uuid()", true)));
  CHECK(compare_users(want, users()).drift.empty());
}

TEST_CASE("adds a missing column comment and reports a different one", "[diff][columns]") {
  schema::Table want = users();
  want.columns[0].comment = "the key";
  want.columns[1].comment = "where we write";
  schema::Table have = users();
  have.columns[1].comment = "old text";
  diff::Result result = compare_users(want, have);
  REQUIRE(result.changes.size() == 1);
  CHECK(result.changes[0].kind == diff::ChangeKind::set_comment);
  CHECK(result.changes[0].column.name == "id");
  CHECK(result.changes[0].comment == "the key");
  CHECK(result.changes[0].description() == "comment on column public.users.id");
  CHECK(messages(result) ==
        Strings{"public.users.email: comment is 'old text', model says 'where we write'"});
}

TEST_CASE("a comment the model does not give is not drift", "[diff][columns]") {
  schema::Table have = users();
  have.columns[1].comment = "someone's note";
  have.comment = "a table note";
  CHECK(compare_users(users(), have).drift.empty());
}

TEST_CASE("a new column's comment is set after it is added", "[diff][columns]") {
  schema::Table want = users();
  want.columns.push_back(column("bio", "text"));
  want.columns.back().comment = "about me";
  CHECK(descriptions(compare_users(want, users())) ==
        Strings{"add column public.users.bio", "comment on column public.users.bio"});
}
