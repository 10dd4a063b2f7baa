#include <catch2/catch.hpp>

#include "diff/diff.hpp"
#include "diff_fixtures.hpp"

using namespace schemad;
using namespace fixtures;
using Strings = std::vector<std::string>;

namespace {

schema::Table messages_table() {
  return table("public", "messages",
               {column("id", "bigint", false), column("conversation_id", "uuid", false),
                column("seq", "integer", false), column("tokens", "integer", false)});
}

diff::Result compare_messages(const schema::Table& want, const schema::Table& have) {
  return diff::compare(database({want}), database({have}));
}

schema::Constraint cascade(schema::Constraint c) {
  c.on_delete = schema::ReferentialAction::cascade;
  return c;
}

schema::Index unique_index(const std::string& name, const std::vector<std::string>& columns) {
  return index(name, columns, true);
}

}  // namespace

TEST_CASE("adds a missing primary key", "[diff][constraints]") {
  schema::Table want = messages_table();
  want.constraints.push_back(primary_key({"id"}));
  diff::Result result = compare_messages(want, messages_table());
  REQUIRE(result.changes.size() == 1);
  CHECK(result.changes[0].kind == diff::ChangeKind::add_constraint);
  CHECK(result.changes[0].constraint.kind == schema::ConstraintKind::primary_key);
  CHECK(result.changes[0].description() == "add primary key (id) on public.messages");
}

TEST_CASE("a primary key matches by kind, whatever its name", "[diff][constraints]") {
  schema::Table want = messages_table();
  want.constraints.push_back(primary_key({"id"}));
  schema::Table have = messages_table();
  have.constraints.push_back(primary_key({"id"}, "messages_pkey"));
  CHECK(compare_messages(want, have).changes.empty());
  CHECK(compare_messages(want, have).drift.empty());

  have.constraints[0].columns = {"id", "seq"};
  diff::Result result = compare_messages(want, have);
  CHECK(result.changes.empty());
  REQUIRE(result.drift.size() == 1);
  CHECK(result.drift[0].kind == diff::DriftKind::constraint_definition);
  CHECK(result.drift[0].message() ==
        "public.messages.messages_pkey: constraint is messages_pkey PRIMARY KEY (id, seq), model "
        "says PRIMARY KEY (id)");
}

TEST_CASE("a unique is satisfied by a unique constraint on the same columns in any order",
          "[diff][constraints]") {
  schema::Table want = messages_table();
  want.constraints.push_back(unique({"conversation_id", "seq"}));
  schema::Table have = messages_table();
  have.constraints.push_back(unique({"seq", "conversation_id"}, "some_other_name"));
  diff::Result result = compare_messages(want, have);
  CHECK(result.changes.empty());
  CHECK(result.drift.empty());
}

TEST_CASE("a unique is satisfied by a valid non-partial unique index on the same columns",
          "[diff][constraints]") {
  schema::Table want = messages_table();
  want.constraints.push_back(unique({"conversation_id", "seq"}, "uq_messages_conversation_seq"));
  schema::Table have = messages_table();
  have.indexes.push_back(unique_index("ix_by_seq", {"seq", "conversation_id"}));
  diff::Result result = compare_messages(want, have);
  CHECK(result.changes.empty());
  CHECK(result.drift.empty());  // the index is accounted for: not extra
}

TEST_CASE("a partial unique index does not satisfy a unique", "[diff][constraints]") {
  schema::Table want = messages_table();
  want.constraints.push_back(unique({"conversation_id", "seq"}));
  schema::Table have = messages_table();
  have.indexes.push_back(unique_index("ix_partial", {"conversation_id", "seq"}));
  have.indexes[0].where = "(tokens > 0)";
  diff::Result result = compare_messages(want, have);
  CHECK(descriptions(result) == Strings{"add unique (conversation_id, seq) on public.messages"});
  CHECK(messages(result) == Strings{"public.messages.ix_partial: index not in the model"});
}

TEST_CASE("a non-unique or expression index does not satisfy a unique", "[diff][constraints]") {
  schema::Table want = messages_table();
  want.constraints.push_back(unique({"seq"}));
  schema::Table have = messages_table();
  have.indexes.push_back(index("ix_seq", {"seq"}));
  have.indexes.push_back(keyed_index("ix_seq_expr", {expression_key("seq")}, true));
  CHECK(compare_messages(want, have).changes.size() == 1);
}

TEST_CASE("an invalid unique index left by a failed build is rebuilt", "[diff][constraints]") {
  schema::Table want = messages_table();
  want.constraints.push_back(unique({"conversation_id", "seq"}));
  schema::Table have = messages_table();
  have.indexes.push_back(
      unique_index("messages_conversation_id_seq_key", {"conversation_id", "seq"}));
  have.indexes[0].valid = false;
  diff::Result result = compare_messages(want, have);
  REQUIRE(result.changes.size() == 1);
  CHECK(result.changes[0].kind == diff::ChangeKind::add_constraint);
  CHECK(result.changes[0].invalid_index == "messages_conversation_id_seq_key");
  REQUIRE(result.drift.size() == 1);
  CHECK(result.drift[0].kind == diff::DriftKind::invalid_index);
  CHECK(result.drift[0].message() ==
        "public.messages.messages_conversation_id_seq_key: index is invalid (left by a failed "
        "build)");
}

TEST_CASE("a named unique rebuilds only the invalid index of its own name", "[diff][constraints]") {
  schema::Table want = messages_table();
  want.constraints.push_back(unique({"conversation_id", "seq"}, "uq_seq"));
  schema::Table have = messages_table();
  have.indexes.push_back(unique_index("someone_elses", {"conversation_id", "seq"}));
  have.indexes[0].valid = false;
  diff::Result result = compare_messages(want, have);
  REQUIRE(result.changes.size() == 1);
  CHECK(result.changes[0].invalid_index.empty());

  have.indexes[0].name = "uq_seq";
  result = compare_messages(want, have);
  REQUIRE(result.changes.size() == 1);
  CHECK(result.changes[0].invalid_index == "uq_seq");
}

TEST_CASE("a named unique whose name holds something else is definition drift",
          "[diff][constraints]") {
  schema::Table want = messages_table();
  want.constraints.push_back(unique({"conversation_id", "seq"}, "uq_seq"));
  schema::Table have = messages_table();
  have.constraints.push_back(unique({"seq"}, "uq_seq"));
  diff::Result result = compare_messages(want, have);
  CHECK(result.changes.empty());
  CHECK(messages(result) ==
        Strings{"public.messages.uq_seq: constraint is UNIQUE (seq), model says UNIQUE "
                "(conversation_id, seq)"});

  have.constraints.clear();
  have.indexes.push_back(index("uq_seq", {"conversation_id", "seq"}));  // not unique
  result = compare_messages(want, have);
  CHECK(result.changes.empty());
  CHECK(messages(result) ==
        Strings{"public.messages.uq_seq: constraint is index btree (conversation_id, seq), model "
                "says UNIQUE (conversation_id, seq)"});
}

TEST_CASE("adds a missing foreign key, an unnamed one matches by its definition",
          "[diff][constraints]") {
  schema::Table want = messages_table();
  want.constraints.push_back(
      cascade(foreign_key({"conversation_id"}, qn("public", "conversations"), {"id"})));
  schema::Table have = messages_table();
  diff::Result result = compare_messages(want, have);
  CHECK(descriptions(result) == Strings{"add foreign key (conversation_id) on public.messages"});

  have.constraints.push_back(cascade(foreign_key({"conversation_id"}, qn("public", "conversations"),
                                                 {"id"}, "messages_conversation_id_fkey")));
  result = compare_messages(want, have);
  CHECK(result.changes.empty());
  CHECK(result.drift.empty());

  // Another target is another foreign key.
  have.constraints[0].ref_table = qn("archive", "conversations");
  CHECK(compare_messages(want, have).changes.size() == 1);
}

TEST_CASE("a named foreign key matches by name only", "[diff][constraints]") {
  schema::Table want = messages_table();
  want.constraints.push_back(
      foreign_key({"conversation_id"}, qn("public", "conversations"), {"id"}, "fk_conv"));
  schema::Table have = messages_table();
  have.constraints.push_back(
      foreign_key({"conversation_id"}, qn("public", "conversations"), {"id"}, "other"));
  CHECK(descriptions(compare_messages(want, have)) ==
        Strings{"add foreign key fk_conv on public.messages"});
}

TEST_CASE("a foreign key with other actions is definition drift", "[diff][constraints]") {
  schema::Table want = messages_table();
  want.constraints.push_back(
      cascade(foreign_key({"conversation_id"}, qn("public", "conversations"), {"id"})));
  schema::Table have = messages_table();
  have.constraints.push_back(
      foreign_key({"conversation_id"}, qn("public", "conversations"), {"id"}, "messages_fk"));
  diff::Result result = compare_messages(want, have);
  CHECK(result.changes.empty());
  REQUIRE(result.drift.size() == 1);
  CHECK(result.drift[0].kind == diff::DriftKind::constraint_definition);
  CHECK(result.drift[0].message() ==
        "public.messages.messages_fk: constraint is FOREIGN KEY (conversation_id) REFERENCES "
        "public.conversations (id), model says FOREIGN KEY (conversation_id) REFERENCES "
        "public.conversations (id) ON DELETE CASCADE");
}

TEST_CASE("an unnamed check matches the server's normalised expression", "[diff][constraints]") {
  schema::Table want = messages_table();
  want.constraints.push_back(check("tokens>=0"));
  want.constraints[0].normalized = "((tokens >= 0))";
  schema::Table have = messages_table();
  have.constraints.push_back(check("((tokens >= 0))", "messages_tokens_check"));
  CHECK(compare_messages(want, have).changes.empty());

  have.constraints[0].expression = "((tokens > 0))";
  CHECK(descriptions(compare_messages(want, have)) ==
        Strings{"add check (tokens>=0) on public.messages"});
}

TEST_CASE("before the probe, an unnamed check matches its expression in parentheses",
          "[diff][constraints]") {
  schema::Table want = messages_table();
  want.constraints.push_back(check("tokens >= 0"));
  schema::Table have = messages_table();
  for (const char* server_text : {"(tokens >= 0)", "((tokens >= 0))", "tokens  >=  0"}) {
    have.constraints = {check(server_text, "messages_tokens_check")};
    INFO(server_text);
    CHECK(compare_messages(want, have).changes.empty());
  }
  // Parentheses that do not enclose the whole text are not stripped.
  want.constraints = {check("(tokens >= 0) AND (seq > 0)")};
  have.constraints = {check("(tokens >= 0) AND (seq > 1)", "c")};
  CHECK(compare_messages(want, have).changes.size() == 1);
}

TEST_CASE("a named check is compared only once the probe normalised it", "[diff][constraints]") {
  schema::Table want = messages_table();
  want.constraints.push_back(check("tokens >= 0", "ck_tokens"));
  schema::Table have = messages_table();
  have.constraints.push_back(check("((tokens)::numeric >= 0::numeric)", "ck_tokens"));
  diff::Result result = compare_messages(want, have);
  CHECK(result.changes.empty());
  CHECK(result.drift.empty());  // not comparable: no guess

  want.constraints[0].normalized = "((tokens >= 0))";
  result = compare_messages(want, have);
  CHECK(result.changes.empty());
  CHECK(messages(result) ==
        Strings{"public.messages.ck_tokens: constraint is CHECK ((tokens)::numeric >= "
                "0::numeric), model says CHECK ((tokens >= 0))"});
}

TEST_CASE("a name held by another kind of constraint is definition drift", "[diff][constraints]") {
  schema::Table want = messages_table();
  want.constraints.push_back(check("tokens >= 0", "ck_tokens"));
  schema::Table have = messages_table();
  have.constraints.push_back(unique({"tokens"}, "ck_tokens"));
  diff::Result result = compare_messages(want, have);
  CHECK(result.changes.empty());
  REQUIRE(result.drift.size() == 1);
  CHECK(result.drift[0].kind == diff::DriftKind::constraint_definition);
}

TEST_CASE("reports constraints left NOT VALID", "[diff][constraints]") {
  schema::Table want = messages_table();
  want.constraints.push_back(check("tokens >= 0", "ck_tokens"));
  want.constraints.push_back(
      foreign_key({"conversation_id"}, qn("public", "conversations"), {"id"}));
  schema::Table have = messages_table();
  have.constraints.push_back(check("(tokens >= 0)", "ck_tokens"));
  have.constraints.push_back(foreign_key({"conversation_id"}, qn("public", "conversations"), {"id"},
                                         "messages_conversation_id_fkey"));
  for (auto& c : have.constraints) c.validated = false;
  diff::Result result = compare_messages(want, have);
  CHECK(result.changes.empty());
  CHECK(result.satisfied());
  CHECK(messages(result) ==
        Strings{"public.messages.ck_tokens: constraint is NOT VALID: rows may violate it",
                "public.messages.messages_conversation_id_fkey: constraint is NOT VALID: rows may "
                "violate it"});
  for (const auto& drift : result.drift) CHECK(drift.kind == diff::DriftKind::constraint_not_valid);
}

TEST_CASE("constraints the model does not declare are left alone", "[diff][constraints]") {
  schema::Table have = messages_table();
  have.constraints.push_back(primary_key({"id"}, "messages_pkey"));
  have.constraints.push_back(check("(tokens < 100)", "legacy_check"));
  diff::Result result = compare_messages(messages_table(), have);
  CHECK(result.changes.empty());
  CHECK(result.drift.empty());
}
