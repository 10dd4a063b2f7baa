#include <sys/stat.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "alembic/versions.hpp"
#include "support/process.hpp"

using namespace schemad;
using alembic::AlembicError;
using Catch::Matchers::Equals;
using Strings = std::vector<std::string>;

namespace {

const std::string kProject = std::string(SCHEMAD_SOURCE_DIR) + "/tests/alembic/project/versions";

// Writes `text` as `name` into a fresh folder `folder` under the test's
// temporary directory and returns the script's path.
std::string script(const std::string& folder, const std::string& name, const std::string& text) {
  return test::write_temp_file("alembic-versions/" + folder + "/" + name, text);
}

std::string folder_of(const std::string& path) {
  return std::filesystem::path(path).parent_path().string();
}

alembic::Revision parse(const std::string& text) {
  return alembic::parse_revision_script(text, "versions/x.py");
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const AlembicError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("reads every revision of the real Alembic project", "[alembic]") {
  auto revs = alembic::read_versions_dir(kProject);
  REQUIRE(revs.size() == 5);
  CHECK(revs[0].id == "1a2b3c4d5e6f");
  CHECK(revs[0].parents.empty());
  CHECK(revs[0].file == kProject + "/1a2b3c4d5e6f_create_accounts.py");
  CHECK(revs[1].id == "2b3c4d5e6f70");  // annotated, Alembic 1.11 style
  CHECK(revs[1].parents == Strings{"1a2b3c4d5e6f"});
  CHECK(revs[2].id == "3c4d5e6f7081");  // depends_on the other branch: not a parent
  CHECK(revs[2].parents == Strings{"1a2b3c4d5e6f"});
  CHECK(revs[3].id == "4d5e6f708192");  // the merge, black-formatted over several lines
  CHECK(revs[3].parents == (Strings{"3c4d5e6f7081", "2b3c4d5e6f70"}));
  CHECK(revs[4].id == "5e6f708192a3");
  CHECK(revs[4].parents == Strings{"4d5e6f708192"});
}

TEST_CASE("reads the assignments Alembic 1.8 generates, in single quotes", "[alembic]") {
  auto rev = parse(R"py("""create accounts

Revision ID: 1a2b3c4d5e6f
Revises: 
Create Date: 2026-11-22 08:15:36.522780

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1a2b3c4d5e6f'
down_revision = '0f0f0f0f0f0f'
branch_labels = None
depends_on = None
)py");
  CHECK(rev.id == "1a2b3c4d5e6f");
  CHECK(rev.parents == Strings{"0f0f0f0f0f0f"});
  CHECK(rev.file == "versions/x.py");
}

TEST_CASE("reads type-annotated assignments", "[alembic]") {
  auto rev = parse(R"py(from typing import Sequence, Union
revision: str = "ae1027a6acf"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None
)py");
  CHECK(rev.id == "ae1027a6acf");
  CHECK(rev.parents.empty());

  auto merge = parse(
      "revision: str = 'm1'\n"
      "down_revision: Union[str, Sequence[str], None] = ('a1', 'b2')\n");
  CHECK(merge.parents == (Strings{"a1", "b2"}));
}

TEST_CASE("the docstring's Revision ID lines are not taken for the assignments", "[alembic]") {
  auto rev = parse(R"py("""add users
revision = "from_docstring"
Revision ID: from_docstring
Revises: also_docstring
down_revision = "also_docstring"
"""
# revision = "from_comment"
revision = "real"
down_revision = None

def upgrade():
    revision = "indented"
    s = """
revision = "inside a string in a function"
"""
)py");
  CHECK(rev.id == "real");
  CHECK(rev.parents.empty());
}

TEST_CASE("reads merge parents as tuples or lists, over several lines", "[alembic]") {
  auto rev = parse(
      "revision = \"m\"\n"
      "down_revision = (\n"
      "    \"a1\",  # the first branch\n"
      "\n"
      "    'b2',\n"
      ")\n");
  CHECK(rev.parents == (Strings{"a1", "b2"}));
  CHECK(parse("revision = 'm'\ndown_revision = ['a1', 'b2', 'c3']\n").parents ==
        (Strings{"a1", "b2", "c3"}));
  CHECK(parse("revision = 'm'\ndown_revision = 'a1', 'b2'\n").parents == (Strings{"a1", "b2"}));
  CHECK(parse("revision = 'm'\ndown_revision = ('a1',)\n").parents == Strings{"a1"});
  CHECK(parse("revision = 'm'\ndown_revision = ()\n").parents.empty());
}

TEST_CASE("takes only revision and down_revision, depends_on may hold anything", "[alembic]") {
  auto rev = parse(R"py(revision = "b2"
down_revision = "a1"
branch_labels = ("feature",)
depends_on = ["c3", some_name]
)py");
  CHECK(rev.id == "b2");
  CHECK(rev.parents == Strings{"a1"});
}

TEST_CASE("follows Python: last assignment wins, semicolons, continuations, CRLF", "[alembic]") {
  CHECK(parse("revision = 'old'\nrevision = 'new'\ndown_revision = None\n").id == "new");
  CHECK(parse("revision = 'a'; down_revision = 'b'\n").parents == Strings{"b"});
  CHECK(
      parse("if True:\n    x = 1; revision = 'no'\nrevision = 'yes'\ndown_revision = None\n").id ==
      "yes");
  CHECK(parse("revision = \\\n  'a'\r\ndown_revision = None\r\n").id == "a");
  CHECK(parse("\xEF\xBB\xBFrevision = r'a'\ndown_revision = u'b'\n").parents == Strings{"b"});
  CHECK(parse("revision = 'a' 'b'\ndown_revision = None").id == "ab");
  CHECK(parse("revision = ('a')\ndown_revision = None").id == "a");
  CHECK_THROWS_WITH(parse("revision = ('a',)\ndown_revision = None"),
                    "versions/x.py:1: revision: expected a string");
}

TEST_CASE("a value that is not a literal is an error naming the file and line", "[alembic]") {
  CHECK_THAT(error_of("'''doc'''\n\nrevision = make_id()\ndown_revision = None\n"),
             Equals("versions/x.py:3: revision: expected a string"));
  CHECK_THAT(error_of("revision = 'a'\n\n\n\n\n\ndown_revision = 42\n"),
             Equals("versions/x.py:7: down_revision: expected a string, None, or a tuple of "
                    "strings"));
  CHECK_THAT(error_of("revision = 'a'\ndown_revision = (\n  'b',\n  other,\n)\n"),
             Equals("versions/x.py:2: down_revision: expected a string, None, or a tuple of "
                    "strings"));
  CHECK_THAT(error_of("revision = f'a{x}'\ndown_revision = None\n"),
             Equals("versions/x.py:1: revision: expected a string"));
  CHECK_THAT(error_of("revision = None\ndown_revision = None\n"),
             Equals("versions/x.py:1: revision: expected a string"));
  CHECK_THAT(error_of("revision = 'a'\ndown_revision = ('b', None)\n"),
             Equals("versions/x.py:2: down_revision: expected a string, None, or a tuple of "
                    "strings"));
  CHECK_THAT(error_of("revision = down_revision = 'a'\n"),
             Equals("versions/x.py:1: revision: chained assignments are not supported"));
  CHECK_THAT(error_of("revision = 'a'\nrevision += 'b'\ndown_revision = None\n"),
             Equals("versions/x.py:2: revision: only a plain assignment is supported"));
  CHECK_THAT(error_of("revision = 'a-b'\ndown_revision = None\n"),
             Equals("versions/x.py:1: revision: character '-' is not allowed in a revision id"));
  CHECK_THAT(error_of("revision = ''\ndown_revision = None\n"),
             Equals("versions/x.py:1: revision: empty id"));
}

TEST_CASE("a script that cannot be tokenized or lacks an assignment is an error", "[alembic]") {
  CHECK_THAT(error_of("revision = 'a'\ndown_revision = None\n\"\"\"never closed\n"),
             Equals("versions/x.py:3: unterminated string"));
  CHECK_THAT(error_of("revision = 'a\ndown_revision = None\n"),
             Equals("versions/x.py:1: unterminated string"));
  CHECK_THAT(error_of("revision = 'a'\ndown_revision = ('b',\n"),
             Equals("versions/x.py:2: unclosed bracket"));
  CHECK_THAT(error_of("down_revision = None\n"),
             Equals("versions/x.py: no module-level assignment of revision"));
  CHECK_THAT(error_of("revision = 'a'\n"),
             Equals("versions/x.py: no module-level assignment of down_revision"));
  CHECK_THAT(error_of("revision: str\ndown_revision = None\n"),
             Equals("versions/x.py: no module-level assignment of revision"));
}

TEST_CASE("reads only the folder's own scripts, as Alembic does", "[alembic]") {
  auto dir = folder_of(script("layout", "b2_second.py", "revision = 'b2'\ndown_revision = 'a1'\n"));
  script("layout", "a1_first.py", "revision = 'a1'\ndown_revision = None\n");
  script("layout", "__init__.py", "");
  script("layout", ".#a1_first.py", "not python");
  script("layout", "README", "Generic single-database configuration.");
  script("layout", "notes.txt", "revision = 'txt'\ndown_revision = None\n");
  script("layout", "sub/c3_nested.py", "revision = 'c3'\ndown_revision = 'b2'\n");
  auto revs = alembic::read_versions_dir(dir);
  REQUIRE(revs.size() == 2);
  CHECK(revs[0].id == "a1");
  CHECK(revs[0].file == dir + "/a1_first.py");
  CHECK(revs[1].id == "b2");
}

TEST_CASE("a script without revision in a versions folder is an error naming it", "[alembic]") {
  auto dir = folder_of(script("norev", "a1.py", "revision = 'a1'\ndown_revision = None\n"));
  script("norev", "helpers.py", "def helper():\n    pass\n");
  CHECK_THROWS_WITH(alembic::read_versions_dir(dir),
                    dir + "/helpers.py: no module-level assignment of revision");
}

TEST_CASE("a missing versions folder is an error naming it", "[alembic]") {
  CHECK_THROWS_AS(alembic::read_versions_dir("/nonexistent/versions"), AlembicError);
  CHECK_THROWS_WITH(alembic::read_versions_dir("/nonexistent/versions"),
                    Catch::Matchers::StartsWith("/nonexistent/versions: not a directory"));
}

TEST_CASE("a script that is not a regular file is an error naming it, never a wait", "[alembic]") {
  auto dir = folder_of(script("special", "a1_first.py", "revision = 'a1'\ndown_revision = None\n"));
  const std::string fifo = dir + "/b2_fifo.py";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH(alembic::read_versions_dir(dir), fifo + ": cannot read: not a regular file");
  std::filesystem::remove(fifo);

  const std::string zero = dir + "/b2_zero.py";
  std::filesystem::create_symlink("/dev/zero", zero);
  CHECK_THROWS_WITH(alembic::read_versions_dir(dir), zero + ": cannot read: not a regular file");
  std::filesystem::remove(zero);
  CHECK(alembic::read_versions_dir(dir).size() == 1);
}

TEST_CASE("a script over 4 MiB is an error naming it", "[alembic]") {
  std::string text = "revision = 'a1'\ndown_revision = None\n";
  text += std::string(alembic::kMaxScriptBytes - text.size(), '#');
  auto path = script("large", "a1_large.py", text);
  CHECK(alembic::read_versions_dir(folder_of(path)).size() == 1);
  script("large", "a1_large.py", text + "\n");
  CHECK_THROWS_WITH(alembic::read_versions_dir(folder_of(path)),
                    path + ": cannot read: 4194305 bytes, more than the limit of 4194304");
}
