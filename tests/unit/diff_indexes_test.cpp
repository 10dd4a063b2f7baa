#include <catch2/catch.hpp>

#include "diff/diff.hpp"
#include "diff_fixtures.hpp"

using namespace schemad;
using namespace fixtures;
using Strings = std::vector<std::string>;

namespace {

schema::Table docs() {
  return table("public", "documents",
               {column("id", "uuid", false), column("owner_id", "uuid", false),
                column("tags", builtin("text", true)), column("deleted_at", "timestamp")});
}

diff::Result compare_docs(const schema::Table& want, const schema::Table& have) {
  return diff::compare(database({want}), database({have}));
}

}  // namespace

TEST_CASE("creates a missing index on an existing table", "[diff][indexes]") {
  schema::Table want = docs();
  want.indexes.push_back(index("ix_documents_owner", {"owner_id"}));
  want.indexes.back().path = "tables[0].indexes[0]";
  diff::Result result = compare_docs(want, docs());
  REQUIRE(result.changes.size() == 1);
  CHECK(result.changes[0].kind == diff::ChangeKind::create_index);
  CHECK(result.changes[0].index.name == "ix_documents_owner");
  CHECK(result.changes[0].invalid_index.empty());
  CHECK(result.changes[0].path == "tables[0].indexes[0]");
  CHECK(result.changes[0].description() == "create index ix_documents_owner on public.documents");
}

TEST_CASE("an unnamed index matches any index with the same definition", "[diff][indexes]") {
  schema::Table want = docs();
  want.indexes.push_back(index("", {"tags"}));
  want.indexes[0].method = "gin";
  schema::Table have = docs();
  have.indexes.push_back(index("documents_tags_idx", {"tags"}));
  have.indexes[0].method = "gin";
  diff::Result result = compare_docs(want, have);
  CHECK(result.changes.empty());
  CHECK(result.drift.empty());

  have.indexes[0].method = "btree";  // another method: another index
  result = compare_docs(want, have);
  CHECK(descriptions(result) == Strings{"create index on public.documents (tags)"});
  CHECK(messages(result) == Strings{"public.documents.documents_tags_idx: index not in the model"});
}

TEST_CASE("index keys compare column, expression, opclass, order and nulls", "[diff][indexes]") {
  schema::IndexKey owner = key("owner_id");
  schema::Table want = docs();
  want.indexes.push_back(keyed_index("", {owner, expression_key("lower(id::text)")}));
  schema::Table have = docs();
  have.indexes.push_back(keyed_index("x", {owner, expression_key("(lower(id::text))")}));
  CHECK(compare_docs(want, have).changes.empty());

  SECTION("spelled-out defaults equal omitted ones") {
    have.indexes[0].keys[0].order = schema::SortOrder::asc;
    have.indexes[0].keys[0].nulls = schema::NullsOrder::last;
    CHECK(compare_docs(want, have).changes.empty());
  }
  SECTION("descending differs") {
    have.indexes[0].keys[0].order = schema::SortOrder::desc;
    CHECK(compare_docs(want, have).changes.size() == 1);
  }
  SECTION("descending is NULLS FIRST by default") {
    want.indexes[0].keys[0].order = schema::SortOrder::desc;
    have.indexes[0].keys[0].order = schema::SortOrder::desc;
    have.indexes[0].keys[0].nulls = schema::NullsOrder::first;
    CHECK(compare_docs(want, have).changes.empty());
  }
  SECTION("another operator class differs") {
    have.indexes[0].keys[0].opclass = "uuid_ops";
    CHECK(compare_docs(want, have).changes.size() == 1);
  }
  SECTION("another expression differs") {
    have.indexes[0].keys[1].expression = "upper(id::text)";
    CHECK(compare_docs(want, have).changes.size() == 1);
  }
  SECTION("covering columns count") {
    have.indexes[0].include = {"tags"};
    CHECK(compare_docs(want, have).changes.size() == 1);
  }
  SECTION("uniqueness counts") {
    have.indexes[0].unique = true;
    CHECK(compare_docs(want, have).changes.size() == 1);
  }
}

TEST_CASE("an index predicate matches the server's parenthesised form", "[diff][indexes]") {
  schema::Table want = docs();
  want.indexes.push_back(index("ix_live", {"owner_id"}));
  want.indexes[0].where = " deleted_at IS NULL ";
  schema::Table have = docs();
  have.indexes.push_back(index("ix_live", {"owner_id"}));
  have.indexes[0].where = "(deleted_at IS NULL)";
  diff::Result result = compare_docs(want, have);
  CHECK(result.changes.empty());
  CHECK(result.drift.empty());
}

TEST_CASE("a named index with another definition is drift, not a change", "[diff][indexes]") {
  schema::Table want = docs();
  want.indexes.push_back(index("ix_owner", {"owner_id"}));
  schema::Table have = docs();
  have.indexes.push_back(index("ix_owner", {"owner_id", "id"}));
  diff::Result result = compare_docs(want, have);
  CHECK(result.changes.empty());
  REQUIRE(result.drift.size() == 1);
  CHECK(result.drift[0].kind == diff::DriftKind::index_definition);
  CHECK(result.drift[0].message() ==
        "public.documents.ix_owner: index is btree (owner_id, id), model says btree (owner_id)");
}

TEST_CASE("an invalid index that matches the model is rebuilt and reported", "[diff][indexes]") {
  schema::Table want = docs();
  want.indexes.push_back(index("ix_owner", {"owner_id"}));
  want.indexes.push_back(index("", {"tags"}));
  schema::Table have = docs();
  have.indexes.push_back(index("ix_owner", {"owner_id"}));
  have.indexes.push_back(index("documents_tags_idx", {"tags"}));
  for (auto& i : have.indexes) i.valid = false;
  diff::Result result = compare_docs(want, have);
  REQUIRE(result.changes.size() == 2);
  CHECK(result.changes[0].invalid_index == "ix_owner");
  CHECK(result.changes[1].invalid_index == "documents_tags_idx");
  CHECK(result.changes[1].index.name.empty());
  CHECK(messages(result) ==
        Strings{"public.documents.documents_tags_idx: index is invalid (left by a failed build)",
                "public.documents.ix_owner: index is invalid (left by a failed build)"});
}

TEST_CASE("a valid index wins over an invalid one of the same definition", "[diff][indexes]") {
  schema::Table want = docs();
  want.indexes.push_back(index("", {"owner_id"}));
  schema::Table have = docs();
  have.indexes.push_back(index("documents_owner_id_idx", {"owner_id"}));
  have.indexes.push_back(index("documents_owner_id_idx1", {"owner_id"}));
  have.indexes[0].valid = false;
  diff::Result result = compare_docs(want, have);
  CHECK(result.changes.empty());
  CHECK(messages(result) ==
        Strings{
            "public.documents.documents_owner_id_idx: index not in the model",
            "public.documents.documents_owner_id_idx: index is invalid (left by a failed build)"});
}

TEST_CASE("a model unique index is satisfied by a unique constraint", "[diff][indexes]") {
  schema::Table want = docs();
  want.indexes.push_back(index("ux_owner_id", {"owner_id", "id"}, true));
  schema::Table have = docs();
  have.constraints.push_back(unique({"id", "owner_id"}, "documents_id_owner_id_key"));
  have.indexes.push_back(index("documents_id_owner_id_key", {"id", "owner_id"}, true));
  have.indexes[0].constraint_backed = true;
  diff::Result result = compare_docs(want, have);
  CHECK(result.changes.empty());
  CHECK(result.drift.empty());

  want.indexes[0].where = "deleted_at IS NULL";  // a partial unique index is something else
  CHECK(compare_docs(want, have).changes.size() == 1);
}

TEST_CASE("reports extra indexes, except constraint-backed ones", "[diff][indexes]") {
  schema::Table have = docs();
  have.indexes.push_back(index("documents_pkey", {"id"}, true));
  have.indexes[0].constraint_backed = true;
  have.indexes.push_back(index("ix_legacy", {"tags"}));
  diff::Result result = compare_docs(docs(), have);
  CHECK(result.changes.empty());
  REQUIRE(result.drift.size() == 1);
  CHECK(result.drift[0].kind == diff::DriftKind::extra_index);
  CHECK(result.drift[0].message() == "public.documents.ix_legacy: index not in the model");
  CHECK(result.drift[0].actual == "btree (tags)");
}

TEST_CASE("an unnamed index prefers an index that backs no constraint and is not matched yet",
          "[diff][indexes]") {
  // The table has a unique constraint and, beside it, a unique index of its
  // own on the same column; the model has an unnamed unique and an unnamed
  // unique index on it. Both are in the model: no drift.
  schema::Table want = docs();
  want.constraints.push_back(unique({"owner_id"}, ""));
  want.indexes.push_back(index("", {"owner_id"}, true));
  schema::Table have = docs();
  have.constraints.push_back(unique({"owner_id"}, "documents_owner_id_key"));
  have.indexes.push_back(index("documents_owner_id_key", {"owner_id"}, true));
  have.indexes[0].constraint_backed = true;
  have.indexes.push_back(index("ux_documents_owner", {"owner_id"}, true));
  for (const bool reversed : {false, true}) {
    if (reversed) std::swap(have.indexes[0], have.indexes[1]);  // whatever the catalog's order
    diff::Result result = compare_docs(want, have);
    CHECK(result.changes.empty());
    CHECK(result.drift.empty());
  }
  // Two unnamed unique indexes in the model, two in the database: each its own.
  want.constraints.clear();
  want.indexes.push_back(index("", {"owner_id"}, true));
  have.constraints.clear();
  have.indexes[0].constraint_backed = false;
  have.indexes[1].constraint_backed = false;
  diff::Result result = compare_docs(want, have);
  CHECK(result.changes.empty());
  CHECK(result.drift.empty());
}
