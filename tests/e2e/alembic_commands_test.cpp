// End-to-end: the commands that mirror Alembic's (current, heads, history,
// stamp) and the alembic_version rules, through the built binary.

#include <catch2/catch.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "support/pg.hpp"
#include "support/process.hpp"

using namespace schemad::test;

namespace {

const std::string kSource = SCHEMAD_SOURCE_DIR;
const std::string kVersions = kSource + "/tests/alembic/project/versions";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// A model file with one table; `revision` may be empty.
std::string model_file(const std::string& name, const std::string& revision,
                       const std::string& extra_column = "") {
  std::string top = revision.empty() ? "" : R"j("revision": ")j" + revision + R"j(", )j";
  return write_temp_file(name, R"j({"version": 1, )j" + top + R"j("tables": [
      {"name": "items", "columns": [{"name": "id", "type": "integer", "primary_key": true})j" +
                                   extra_column + "]}]}");
}

std::string stamp(const TempDatabase& db) {
  return db.scalar("SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version");
}

// Standard output of a shell command, and its exit status.
std::pair<std::string, int> shell(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  const int status = ::pclose(pipe);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

}  // namespace

TEST_CASE("current prints nothing for a fresh database, then one revision a line",
          "[e2e][alembic]") {
  TempDatabase db;
  auto none = schemad_cmd({"-d", db.url(), "current"});
  CHECK(none.exit_code == 0);
  CHECK(none.out.empty());

  const std::string model = model_file("current.json", "r1");
  REQUIRE(schemad_cmd({"-d", db.url(), "-m", model, "apply"}).exit_code == 0);
  auto one = schemad_cmd({"-d", db.url(), "current"});
  CHECK(one.exit_code == 0);
  CHECK(one.out == "r1\n");

  db.exec("INSERT INTO alembic_version VALUES ('a0')");
  auto two = schemad_cmd({"-d", db.url(), "current"});
  CHECK(two.exit_code == 0);
  CHECK(two.out == "a0\nr1\n");
  CHECK(contains(two.err, "several heads"));
}

TEST_CASE("heads prints what `alembic heads` prints for the same folder", "[e2e][alembic]") {
  auto r = schemad_cmd({"--versions-dir", kVersions, "heads"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "5e6f708192a3 (head)\n");

  // The oracle: Debian's Alembic on the same project (heads needs no database).
  auto [alembic_out, alembic_status] =
      shell("cd '" + kSource + "/tests/alembic/project' && /usr/bin/python3 -m alembic heads");
  REQUIRE(alembic_status == 0);
  auto ours = lines(r.out);
  auto theirs = lines(alembic_out);
  // Alembic does not sort several heads: compare as sets.
  CHECK(std::set<std::string>(ours.begin(), ours.end()) ==
        std::set<std::string>(theirs.begin(), theirs.end()));

  auto missing = schemad_cmd({"heads"});
  CHECK(missing.exit_code == 2);
  CHECK(contains(missing.err, "alembic.versions_dir"));
}

TEST_CASE("alembic.versions_dir in the config is read relative to the config file",
          "[e2e][alembic]") {
  const std::string config = write_temp_file(
      "cfg/schemad.json", R"j({"alembic": {"versions_dir": ")j" + kVersions + R"j("}})j");
  auto r = schemad_cmd({"-c", config, "heads"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "5e6f708192a3 (head)\n");
  const std::string relative =
      write_temp_file("cfg/relative.json", R"j({"alembic": {"versions_dir": "nowhere"}})j");
  auto bad = schemad_cmd({"-c", relative, "heads"});
  CHECK(bad.exit_code == 1);
  CHECK(contains(bad.err, "cfg/nowhere"));
}

TEST_CASE("apply stamps the single head of the versions folder and moves an ancestor forward",
          "[e2e][alembic]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE alembic_version (version_num varchar(32) NOT NULL, CONSTRAINT "
      "alembic_version_pkc PRIMARY KEY (version_num)); INSERT INTO alembic_version VALUES "
      "('3c4d5e6f7081')");
  const std::string model = model_file("graph.json", "");
  auto check = schemad_cmd({"-d", db.url(), "-m", model, "--versions-dir", kVersions, "check"});
  CHECK(check.exit_code == 3);
  CHECK(contains(check.out, "move revision 3c4d5e6f7081 forward to 5e6f708192a3"));
  auto r = schemad_cmd({"-d", db.url(), "-m", model, "--versions-dir", kVersions, "apply"});
  CHECK(r.exit_code == 0);
  CHECK(stamp(db) == "5e6f708192a3");
}

TEST_CASE("a versions folder with several heads is an error naming them, nothing changes",
          "[e2e][alembic]") {
  TempDatabase db;
  write_temp_file("two-heads/a.py", "revision = 'a1'\ndown_revision = None\n");
  write_temp_file("two-heads/b.py", "revision = 'b2'\ndown_revision = 'a1'\n");
  const std::string script =
      write_temp_file("two-heads/c.py", "revision = 'c3'\ndown_revision = 'a1'\n");
  const std::string folder = script.substr(0, script.rfind('/'));
  const std::string model = model_file("heads.json", "");
  auto r = schemad_cmd({"-d", db.url(), "-m", model, "--versions-dir", folder, "apply"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "alembic.versions_dir " + folder + ": several heads: b2, c3"));
  CHECK(db.scalar("SELECT to_regclass('items') IS NULL") == "t");
  auto heads = schemad_cmd({"--versions-dir", folder, "heads"});
  CHECK(heads.exit_code == 0);
  CHECK(heads.out == "b2 (head)\nc3 (head)\n");
}

TEST_CASE("several rows in alembic_version: apply heals, check and plan exit 1 naming them",
          "[e2e][alembic]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY); "
      "INSERT INTO alembic_version VALUES ('a1'), ('b2')");
  const std::string model = model_file("several.json", "r1");
  auto plan = schemad_cmd({"-d", db.url(), "-m", model, "plan"});
  CHECK(plan.exit_code == 1);
  CHECK(contains(plan.err, "several heads (a1, b2)"));
  auto apply = schemad_cmd({"-d", db.url(), "-m", model, "apply"});
  CHECK(apply.exit_code == 1);
  CHECK(contains(apply.err, "several heads (a1, b2)"));
  CHECK(db.scalar("SELECT to_regclass('items') IS NOT NULL") == "t");
  CHECK(stamp(db) == "a1,b2");
  auto check = schemad_cmd({"-d", db.url(), "-m", model, "check"});
  CHECK(check.exit_code == 1);
  CHECK(contains(check.err, "several heads (a1, b2)"));
}

TEST_CASE("stamp follows apply's rules unless --force, and is recorded in the history",
          "[e2e][alembic]") {
  TempDatabase db;
  const std::string model = model_file("stamp.json", "");
  const std::vector<std::string> base = {"-d", db.url(), "-m", model, "--versions-dir", kVersions};
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> args = base;
    args.insert(args.end(), more.begin(), more.end());
    return schemad_cmd(args);
  };

  // The database does not satisfy the model yet: refused, nothing written.
  auto early = with({"stamp", "2b3c4d5e6f70"});
  CHECK(early.exit_code == 1);
  CHECK(contains(early.err, "does not satisfy the model"));
  CHECK(contains(early.err, "create table public.items"));
  CHECK(db.scalar("SELECT to_regclass('alembic_version') IS NULL") == "t");

  REQUIRE(with({"apply"}).exit_code == 0);
  CHECK(stamp(db) == "5e6f708192a3");

  auto backwards = with({"stamp", "2b3c4d5e6f70"});
  CHECK(backwards.exit_code == 1);
  CHECK(contains(backwards.err, "never moved backwards"));
  CHECK(contains(backwards.err, "--force"));
  CHECK(stamp(db) == "5e6f708192a3");

  auto unknown = with({"stamp", "0000abcd"});
  CHECK(unknown.exit_code == 1);
  CHECK(contains(unknown.err, "0000abcd is not in alembic.versions_dir"));

  auto invalid = with({"stamp", "no spaces"});
  CHECK(invalid.exit_code == 2);
  CHECK(contains(invalid.err, "[A-Za-z0-9_.-]"));

  auto same = with({"stamp", "5e6f708192a3"});
  CHECK(same.exit_code == 0);
  CHECK(contains(same.out, "already holds 5e6f708192a3"));

  auto forced = with({"stamp", "2b3c4d5e6f70", "--force"});
  CHECK(forced.exit_code == 0);
  CHECK(forced.out == "alembic_version: 5e6f708192a3 -> 2b3c4d5e6f70\n");
  CHECK(stamp(db) == "2b3c4d5e6f70");

  // 2b3c4d5e6f70 is an ancestor of the head: a plain stamp moves it forward.
  auto forward = with({"stamp", "4d5e6f708192"});
  CHECK(forward.exit_code == 0);
  CHECK(stamp(db) == "4d5e6f708192");

  auto text = schemad_cmd({"-d", db.url(), "history"});
  CHECK(text.exit_code == 0);
  auto rows = lines(text.out);
  REQUIRE(rows.size() == 3);  // newest first
  CHECK(contains(rows[0], "stamped  4d5e6f708192 (stamped)  0 steps"));
  CHECK(contains(rows[0], "  stamp  "));
  CHECK(contains(rows[1], "stamped  2b3c4d5e6f70 (stamped)"));
  CHECK(contains(rows[1], "  stamp --force  "));
  CHECK(contains(rows[2], "applied  5e6f708192a3 (stamped)  1 step  "));

  auto json = schemad_cmd({"-d", db.url(), "history", "--format", "json", "-n", "1"});
  CHECK(json.exit_code == 0);
  auto parsed = nlohmann::json::parse(json.out);
  REQUIRE(parsed.size() == 1);
  CHECK(parsed[0]["revision"] == "4d5e6f708192");
  CHECK(parsed[0]["outcome"] == "stamped");

  auto verbose = schemad_cmd({"-d", db.url(), "history", "-v", "-n", "3"});
  CHECK(contains(verbose.out, "    ok      create table public.items"));
}

TEST_CASE("history prints nothing before schemad changed anything", "[e2e][alembic]") {
  TempDatabase db;
  auto r = schemad_cmd({"-d", db.url(), "history"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
}
