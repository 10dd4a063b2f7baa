#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "alembic/graph.hpp"
#include "alembic/versions.hpp"
#include "support/process.hpp"

using namespace schemad;
using alembic::AlembicError;
using alembic::Revision;
using alembic::RevisionGraph;
using Strings = std::vector<std::string>;

namespace {

const std::string kProject = std::string(SCHEMAD_SOURCE_DIR) + "/tests/alembic/project/versions";

Revision rev(const std::string& id, Strings parents) {
  return Revision{id, std::move(parents), "versions/" + id + ".py"};
}

std::string error_of(std::vector<Revision> revs) {
  try {
    RevisionGraph graph(std::move(revs));
  } catch (const AlembicError& e) {
    return e.what();
  }
  return "(no error)";
}

// A folder of scripts under the test's temporary directory.
std::string folder(const std::string& name,
                   const std::vector<std::pair<std::string, std::string>>& scripts) {
  std::string path;
  for (const auto& [file, text] : scripts) {
    path = test::write_temp_file("alembic-graph/" + name + "/" + file, text);
  }
  return std::filesystem::path(path).parent_path().string();
}

}  // namespace

TEST_CASE("the real Alembic project has one head after its merge", "[alembic]") {
  RevisionGraph graph(alembic::read_versions_dir(kProject));
  // `alembic heads` on tests/alembic/project prints "5e6f708192a3 (head)".
  CHECK(graph.heads() == Strings{"5e6f708192a3"});
  CHECK(graph.single_head() == "5e6f708192a3");
  CHECK(graph.knows("3c4d5e6f7081"));
  CHECK_FALSE(graph.knows("3c4d5e6f708"));
  CHECK(graph.revision("4d5e6f708192").parents.size() == 2);
}

TEST_CASE("ancestry follows every parent of a merge and is strict", "[alembic]") {
  RevisionGraph graph(alembic::read_versions_dir(kProject));
  const std::string base = "1a2b3c4d5e6f", projects = "2b3c4d5e6f70", audit = "3c4d5e6f7081",
                    merge = "4d5e6f708192", head = "5e6f708192a3";
  CHECK(graph.is_ancestor(base, head));
  CHECK(graph.is_ancestor(projects, head));
  CHECK(graph.is_ancestor(audit, head));
  CHECK(graph.is_ancestor(audit, merge));
  CHECK(graph.is_ancestor(projects, merge));
  CHECK(graph.is_ancestor(merge, head));
  CHECK_FALSE(graph.is_ancestor(head, base));       // never backwards
  CHECK_FALSE(graph.is_ancestor(head, head));       // strict
  CHECK_FALSE(graph.is_ancestor(projects, audit));  // siblings, despite depends_on
  CHECK_FALSE(graph.is_ancestor(audit, projects));
  CHECK_FALSE(graph.is_ancestor("unknown", head));
  CHECK_FALSE(graph.is_ancestor(base, "unknown"));
}

TEST_CASE("two branches without a merge are several heads, named in the error", "[alembic]") {
  auto dir = folder("branches", {{"a1.py", "revision = 'a1'\ndown_revision = None\n"},
                                 {"c3.py", "revision = 'c3'\ndown_revision = 'a1'\n"},
                                 {"b2.py", "revision = 'b2'\ndown_revision = 'a1'\n"}});
  RevisionGraph graph(alembic::read_versions_dir(dir));
  CHECK(graph.heads() == (Strings{"b2", "c3"}));
  CHECK_THROWS_WITH(graph.single_head(), "several heads: b2, c3; merge them with `alembic merge`");
}

TEST_CASE("depends_on does not join branches", "[alembic]") {
  auto dir =
      folder("depends", {{"a1.py", "revision = 'a1'\ndown_revision = None\n"},
                         {"b2.py", "revision = 'b2'\ndown_revision = 'a1'\n"},
                         {"c3.py", "revision = 'c3'\ndown_revision = 'a1'\ndepends_on = 'b2'\n"}});
  RevisionGraph graph(alembic::read_versions_dir(dir));
  CHECK(graph.heads() == (Strings{"b2", "c3"}));
  CHECK_FALSE(graph.is_ancestor("b2", "c3"));
}

TEST_CASE("independent bases are each a head until merged", "[alembic]") {
  RevisionGraph two({rev("b2", {}), rev("a1", {})});
  CHECK(two.heads() == (Strings{"a1", "b2"}));  // sorted, whatever the order of files
  RevisionGraph merged({rev("a1", {}), rev("b2", {}), rev("m3", {"a1", "b2"})});
  CHECK(merged.single_head() == "m3");
  CHECK(merged.is_ancestor("b2", "m3"));
}

TEST_CASE("a duplicate id is an error naming both files", "[alembic]") {
  auto dir = folder("duplicate", {{"a1_first.py", "revision = 'a1'\ndown_revision = None\n"},
                                  {"a1_again.py", "revision = 'a1'\ndown_revision = None\n"}});
  CHECK_THROWS_WITH(RevisionGraph(alembic::read_versions_dir(dir)),
                    "duplicate revision a1: " + dir + "/a1_again.py and " + dir + "/a1_first.py");
}

TEST_CASE("a parent no revision has is an error", "[alembic]") {
  CHECK(error_of({rev("a1", {}), rev("b2", {"a1", "zz"})}) ==
        "missing parent zz of b2 (versions/b2.py)");
}

TEST_CASE("a cycle is an error naming its revisions", "[alembic]") {
  CHECK(error_of({rev("a1", {}), rev("b2", {"a1", "d4"}), rev("c3", {"b2"}), rev("d4", {"c3"}),
                  rev("e5", {"d4"})}) == "cycle in revisions: b2 -> d4 -> c3 -> b2");
  CHECK(error_of({rev("a1", {"a1"})}) == "cycle in revisions: a1 -> a1");
  // Without any base, every revision is on the cycle or below it.
  CHECK(error_of({rev("x", {"y"}), rev("y", {"x"})}) == "cycle in revisions: x -> y -> x");
}

TEST_CASE("a parent named twice counts once", "[alembic]") {
  RevisionGraph graph({rev("a1", {}), rev("b2", {"a1", "a1"})});
  CHECK(graph.single_head() == "b2");
  CHECK(graph.is_ancestor("a1", "b2"));
}

TEST_CASE("an empty folder has no head", "[alembic]") {
  RevisionGraph graph({});
  CHECK(graph.heads().empty());
  CHECK_THROWS_WITH(graph.single_head(), "no revisions, so no head");
  CHECK_THROWS_AS(graph.revision("a1"), AlembicError);
}

TEST_CASE("tree indicators match what Alembic prints", "[alembic]") {
  RevisionGraph graph(alembic::read_versions_dir(kProject));
  // `alembic history` marks 1a2b3c4d5e6f (branchpoint) and 4d5e6f708192 (mergepoint).
  CHECK(graph.is_branch_point("1a2b3c4d5e6f"));
  CHECK_FALSE(graph.is_branch_point("2b3c4d5e6f70"));
  CHECK(graph.is_merge_point("4d5e6f708192"));
  CHECK_FALSE(graph.is_merge_point("5e6f708192a3"));
  CHECK(graph.is_head("5e6f708192a3"));
  CHECK_FALSE(graph.is_head("4d5e6f708192"));
  CHECK_FALSE(graph.is_head("unknown"));
  CHECK_FALSE(graph.is_branch_point("unknown"));
}

TEST_CASE("load_graph names the folder in its errors", "[alembic]") {
  const std::string dir = folder("load-dup", {{"a.py", "revision = 'a1'\ndown_revision = None\n"},
                                              {"b.py", "revision = 'a1'\ndown_revision = None\n"}});
  try {
    alembic::load_graph(dir);
    FAIL("no error");
  } catch (const AlembicError& e) {
    CHECK_THAT(e.what(), Catch::StartsWith("alembic.versions_dir " + dir + ": duplicate revision"));
  }
  CHECK_THROWS_WITH(alembic::load_graph(dir + "/missing"),
                    Catch::StartsWith("alembic.versions_dir " + dir + "/missing: "));
  CHECK(alembic::load_graph(kProject).heads() == Strings{"5e6f708192a3"});
}
