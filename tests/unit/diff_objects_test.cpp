// The diff of functions, views, triggers, policies and row-level security:
// what is created, what is drift, which policy drift is weaker, and what
// the configuration's "replace" turns into changes. Pure.

#include <catch2/catch.hpp>

#include "diff/diff.hpp"
#include "diff/objects.hpp"
#include "diff_fixtures.hpp"

using namespace schemad;
using namespace fixtures;

namespace {

schema::Policy policy(const std::string& command, bool permissive, std::vector<std::string> roles,
                      const std::string& using_expr, const std::string& check_expr = "") {
  schema::Policy p;
  p.name = "p";
  p.command = command;
  p.permissive = permissive;
  p.roles = std::move(roles);
  p.using_expr = p.using_normalized = using_expr;
  p.check_expr = p.check_normalized = check_expr;
  return p;
}

schema::Table notes() {
  schema::Table t = table("public", "notes", {column("id", "integer", false)});
  t.path = "tables[0]";
  return t;
}

std::vector<diff::DriftKind> kinds(const diff::Result& r) {
  std::vector<diff::DriftKind> out;
  for (const auto& d : r.drift) out.push_back(d.kind);
  return out;
}

}  // namespace

TEST_CASE("a policy is weaker when the database's lets more rows through", "[diff][objects]") {
  const auto model = policy("select", false, {"app"}, "(owner = CURRENT_USER)");
  // Permissive where the model restricts.
  CHECK(diff::policy_is_weaker(model, policy("select", true, {"app"}, "(owner = CURRENT_USER)")));
  // A restrictive policy for fewer roles, or for one command where the
  // model's is for all, restricts less.
  CHECK(diff::policy_is_weaker(policy("all", false, {"app", "web"}, "(a)"),
                               policy("all", false, {"app"}, "(a)")));
  CHECK(diff::policy_is_weaker(policy("all", false, {"app"}, "(a)"),
                               policy("select", false, {"app"}, "(a)")));
  // A permissive policy for more roles, PUBLIC, or all commands grants more.
  const auto grant = policy("select", true, {"app"}, "(a)");
  CHECK(diff::policy_is_weaker(grant, policy("select", true, {"app", "web"}, "(a)")));
  CHECK(diff::policy_is_weaker(grant, policy("select", true, {"public"}, "(a)")));
  CHECK(diff::policy_is_weaker(grant, policy("all", true, {"app"}, "(a)")));
  // A lost expression.
  CHECK(diff::policy_is_weaker(policy("all", true, {"public"}, "(a)", "(b)"),
                               policy("all", true, {"public"}, "(a)")));
  // Not weaker: fewer roles on a permissive policy, a restrictive one where
  // the model's is permissive, another expression, another single command.
  CHECK_FALSE(diff::policy_is_weaker(policy("select", true, {"app", "web"}, "(a)"), grant));
  CHECK_FALSE(diff::policy_is_weaker(grant, policy("select", false, {"app"}, "(a)")));
  CHECK_FALSE(diff::policy_is_weaker(grant, policy("select", true, {"app"}, "(b)")));
  CHECK_FALSE(diff::policy_is_weaker(grant, policy("update", true, {"app"}, "(a)")));
  // The model's PUBLIC holds every role.
  CHECK_FALSE(diff::policy_is_weaker(policy("select", true, {"public"}, "(a)"), grant));
}

TEST_CASE("policies and row-level security: created in order, drift by strength",
          "[diff][objects]") {
  schema::Table want = notes();
  want.policies = {policy("select", false, {"public"}, "(a)")};
  want.policies[0].path = "tables[0].policies[0]";
  want.row_security = true;
  const diff::Result created = diff::compare(database({want}), database({notes()}));
  REQUIRE(created.changes.size() == 2);
  CHECK(created.changes[0].kind == diff::ChangeKind::create_policy);
  CHECK(created.changes[1].kind == diff::ChangeKind::enable_row_security);
  CHECK(created.changes[1].description() == "enable row level security on public.notes");

  schema::Table have = notes();
  have.policies = {policy("select", true, {"public"}, "(a)")};
  have.policies.push_back(policy("all", true, {"public"}, "true"));
  have.policies.back().name = "extra";
  have.row_security = have.force_row_security = true;
  const diff::Result drift = diff::compare(database({want}), database({have}));
  CHECK(drift.changes.empty());
  CHECK(kinds(drift) == std::vector<diff::DriftKind>{diff::DriftKind::row_security,
                                                     diff::DriftKind::policy_weaker,
                                                     diff::DriftKind::policy_weaker});
  // Replacing never touches policies or row-level security.
  diff::Options options;
  options.replace = {true, true, true};
  CHECK(diff::compare(database({want}), database({have}), options).changes.empty());
}

TEST_CASE("a differing trigger is drift, or replaced when asked", "[diff][objects]") {
  schema::Trigger t;
  t.name = "touch";
  t.events = schema::Trigger::kUpdate;
  t.function = {"public", "touch"};
  t.path = "tables[0].triggers[0]";
  schema::Table want = notes();
  want.triggers = {t};
  schema::Table have = notes();
  have.triggers = {t};
  have.triggers[0].events |= schema::Trigger::kInsert;
  const diff::Result drift = diff::compare(database({want}), database({have}));
  REQUIRE(drift.drift.size() == 1);
  CHECK(drift.drift[0].message() ==
        "public.notes.touch: trigger is BEFORE INSERT OR UPDATE FOR EACH ROW EXECUTE FUNCTION "
        "public.touch(), model says BEFORE UPDATE FOR EACH ROW EXECUTE FUNCTION public.touch()");
  diff::Options options;
  options.replace.triggers = true;
  const diff::Result replaced = diff::compare(database({want}), database({have}), options);
  CHECK(replaced.drift.empty());
  REQUIRE(replaced.changes.size() == 1);
  CHECK(replaced.changes[0].kind == diff::ChangeKind::replace_trigger);
}

TEST_CASE("a view is replaced only when its columns are kept", "[diff][objects]") {
  auto [want, have] = view_and_older();
  schema::Database desired = database({});
  desired.views = {want};
  schema::Database actual = database({});
  actual.views = {have};
  diff::Options options;
  // Not asked: drift.
  CHECK(kinds(diff::compare(desired, actual)) ==
        std::vector<diff::DriftKind>{diff::DriftKind::view_definition});
  // A column appended: replaced.
  options.replace.views = true;
  const diff::Result appended = diff::compare(desired, actual, options);
  REQUIRE(appended.changes.size() == 1);
  CHECK(appended.changes[0].kind == diff::ChangeKind::replace_view);
  // A column dropped or retyped: drift, and why it was not replaced.
  actual.views[0].columns = {"a integer", "b integer", "c text"};
  const diff::Result dropped = diff::compare(desired, actual, options);
  CHECK(dropped.changes.empty());
  CHECK(kinds(dropped) == std::vector<diff::DriftKind>{diff::DriftKind::not_applied,
                                                       diff::DriftKind::view_definition});
  CHECK(dropped.drift[0].message() == "public.v: not replaced: the new query drops column c text");
  actual.views[0].columns = {"a bigint"};
  CHECK(diff::compare(desired, actual, options).drift[0].actual ==
        "not replaced: column a bigint would become a integer");
  // A materialized view is never replaced.
  desired.views[0].materialized = actual.views[0].materialized = true;
  actual.views[0].columns = {"a integer"};
  CHECK(diff::compare(desired, actual, options).changes.empty());
}

TEST_CASE("a function is created, compared once normalised, and replaced when asked",
          "[diff][objects]") {
  schema::Function f;
  f.name = {"public", "f"};
  f.arguments = {"integer"};
  f.sql = "CREATE FUNCTION f(x int) ...";
  f.path = "functions[0]";
  schema::Database desired = database({});
  desired.functions = {f};
  const diff::Result created = diff::compare(desired, database({}));
  REQUIRE(created.changes.size() == 1);
  CHECK(created.changes[0].key() == "function public.f(integer)");

  schema::Database actual = database({});
  actual.functions = {f};
  actual.functions[0].sql = "line 1\nline 2 in the database\n";
  // Not normalised yet (a check no apply taught): not compared.
  CHECK(diff::compare(desired, actual).drift.empty());
  desired.functions[0].normalized = "line 1\nline 2 in the model\n";
  const diff::Result drift = diff::compare(desired, actual);
  REQUIRE(drift.drift.size() == 1);
  CHECK(drift.drift[0].message() ==
        "public.f(integer): definition differs at line 2: line 2 in the database (model: line 2: "
        "line 2 in the model)");
  diff::Options options;
  options.replace.functions = true;
  const diff::Result replaced = diff::compare(desired, actual, options);
  REQUIRE(replaced.changes.size() == 1);
  CHECK(replaced.changes[0].kind == diff::ChangeKind::replace_function);
  // Another signature is another function: created, the old one left.
  desired.functions[0].arguments = {"bigint"};
  CHECK(diff::compare(desired, actual, options).changes[0].kind ==
        diff::ChangeKind::create_function);
}
