#include <algorithm>
#include <catch2/catch.hpp>
#include <map>

#include "diff/diff.hpp"
#include "diff_fixtures.hpp"
#include "engine/observe.hpp"

using namespace schemad;
using namespace fixtures;
using diff::DriftClass;
using diff::DriftKind;

namespace {

schema::Table users() {
  return table("public", "users", {column("id", "bigint", false), column("email", "text", false)});
}

using Classes = std::vector<std::pair<DriftKind, DriftClass>>;

// (kind, class) of every drift item of comparing `want` with `have`.
Classes classes(const schema::Database& want, const schema::Database& have,
                const diff::Options& options = {}) {
  Classes out;
  for (const auto& d : diff::compare(want, have, options).drift) {
    out.emplace_back(d.kind, d.drift_class());
  }
  return out;
}

}  // namespace

TEST_CASE("what a newer model added is ahead", "[diff][drift-class]") {
  schema::Table have = users();
  have.columns.push_back(column("nickname", "text"));
  have.indexes.push_back(index("users_nickname_idx", {"nickname"}));
  schema::Database actual = database({have, table("public", "audit", {column("id", "bigint")})});
  actual.enums.push_back(enum_type("public", "mood", {"ok", "sad", "happy"}));
  schema::Database desired = database({users()});
  desired.enums.push_back(enum_type("public", "mood", {"ok", "sad"}));
  desired.enums.back().path = "enums[0]";
  auto found = classes(desired, actual);
  std::sort(found.begin(), found.end());
  CHECK(found == Classes{{DriftKind::extra_table, DriftClass::ahead},
                         {DriftKind::extra_column, DriftClass::ahead},
                         {DriftKind::extra_index, DriftClass::ahead},
                         {DriftKind::enum_extra_value, DriftClass::ahead}});
}

TEST_CASE("the model's object with another definition differs", "[diff][drift-class]") {
  schema::Table have = users();
  have.columns[1].type = builtin("character varying(255)");
  CHECK(classes(database({users()}), database({have})) ==
        Classes{{DriftKind::column_type, DriftClass::differs}});
  // NOT NULL where the model allows NULL: stricter, yet not what the model says.
  schema::Table want = users();
  want.columns[1].nullable = true;
  CHECK(classes(database({want}), database({users()})) ==
        Classes{{DriftKind::column_nullability, DriftClass::differs}});
}

TEST_CASE("a database less strict than the model is weaker", "[diff][drift-class]") {
  schema::Table have = users();
  have.columns[1].nullable = true;
  CHECK(classes(database({users()}), database({have})) ==
        Classes{{DriftKind::column_nullability, DriftClass::weaker}});

  // A NOT NULL column that an existing table gets nullable: weaker before
  // the change and after it.
  schema::Table want = users();
  want.columns.push_back(column("nickname", "text", false));
  want.columns.back().path = "tables[0].columns[2]";
  const diff::Result found = diff::compare(database({want}), database({users()}));
  REQUIRE(found.drift.size() == 1);
  CHECK(found.drift[0].kind == DriftKind::not_applied);
  CHECK(found.drift[0].drift_class() == DriftClass::weaker);
  const diff::Result after = diff::after_applying(found);
  REQUIRE(after.drift.size() == 1);
  CHECK(after.drift[0].kind == DriftKind::column_nullability);
  CHECK(after.drift[0].drift_class() == DriftClass::weaker);

  // A constraint of the model's that is NOT VALID, an index of the model's
  // left invalid: weaker. An invalid index the model lacks: someone else's.
  diff::Drift d;
  d.kind = DriftKind::constraint_not_valid;
  d.path = "tables[0].constraints[0]";
  CHECK(d.drift_class() == DriftClass::weaker);
  d.kind = DriftKind::invalid_index;
  CHECK(d.drift_class() == DriftClass::weaker);
  d.path.clear();
  CHECK(d.drift_class() == DriftClass::ahead);
  d.kind = DriftKind::data_conflict;
  CHECK(d.drift_class() == DriftClass::weaker);
}

TEST_CASE("policies: weaker lets more rows through, a restrictive extra is ahead",
          "[diff][drift-class]") {
  diff::Drift d;
  d.kind = DriftKind::policy_weaker;
  d.actual = "AS PERMISSIVE FOR ALL USING (true)";
  CHECK(d.drift_class() == DriftClass::weaker);
  d.kind = DriftKind::policy_definition;
  CHECK(d.drift_class() == DriftClass::ahead);  // the model lacks it
  d.expected = "AS RESTRICTIVE FOR ALL USING (owner = current_user)";
  CHECK(d.drift_class() == DriftClass::differs);
  d.kind = DriftKind::row_security;
  CHECK(d.drift_class() == DriftClass::ahead);
  d.kind = DriftKind::trigger_definition;
  CHECK(d.drift_class() == DriftClass::differs);
  d.expected.clear();
  CHECK(d.drift_class() == DriftClass::ahead);
}

TEST_CASE("a view kept instead of the model's differs", "[diff][drift-class]") {
  auto [want, have] = view_and_older();
  have.columns = {"a integer", "b integer", "c text"};  // the new query drops c
  schema::Database desired = database({});
  desired.views = {want};
  schema::Database actual = database({});
  actual.views = {have};
  diff::Options options;
  options.replace.views = true;
  CHECK(classes(desired, actual, options) ==
        Classes{{DriftKind::not_applied, DriftClass::differs},
                {DriftKind::view_definition, DriftClass::differs}});
}

TEST_CASE("drift counted by class has every class", "[diff][drift-class]") {
  std::vector<diff::Drift> drift(3);
  drift[0].kind = DriftKind::extra_column;
  drift[1].kind = DriftKind::extra_table;
  drift[2].kind = DriftKind::column_type;
  const auto counts = diff::count_by_class(drift);
  CHECK(counts == std::map<DriftClass, std::size_t>{
                      {DriftClass::ahead, 2}, {DriftClass::differs, 1}, {DriftClass::weaker, 0}});
  CHECK(diff::to_string(DriftClass::ahead) == "ahead");
  CHECK(diff::to_string(DriftClass::differs) == "differs");
  CHECK(diff::to_string(DriftClass::weaker) == "weaker");
}

TEST_CASE("a revision kept in alembic_version is drift of its own class", "[diff][drift-class]") {
  using Action = apply::StampDecision::Action;
  apply::StampDecision stamp;
  stamp.action = Action::leave_newer;
  CHECK(engine::stamp_drift_class(stamp) == DriftClass::ahead);
  stamp.action = Action::leave_unknown;
  CHECK(engine::stamp_drift_class(stamp) == DriftClass::differs);
  for (auto action :
       {Action::none, Action::insert, Action::update, Action::leave_several, Action::hold}) {
    stamp.action = action;
    CHECK_FALSE(engine::stamp_drift_class(stamp).has_value());
  }
}
