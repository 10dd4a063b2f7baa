#pragma once

// Reading an Alembic versions folder without Python: the revision id and the
// parents of every migration script, taken from its module-level assignments
//
//   revision = "ae1027a6acf"                      # or 'ae1027a6acf'
//   revision: str = "ae1027a6acf"                 # annotated (Alembic >= 1.11)
//   down_revision = None                          # a base
//   down_revision = ("a1", "b2")                  # a merge; lists and
//                                                 # multi-line forms too
//
// Only statements at column 0 count, as Python sees them: text inside
// strings (the docstring's "Revision ID: ..." lines), comments and indented
// blocks is never taken for an assignment. `branch_labels` and `depends_on`
// may hold anything: they do not shape the graph of down revisions, so they
// are not read. When a name is assigned twice, the last value wins, as in
// Python.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace schemad::alembic {

// A versions folder or script that cannot be read. The message names the
// file, and the line when there is one: "versions/ab12_x.py:7: down_revision:
// expected a string, None, or a tuple of strings".
class AlembicError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Revision {
  std::string id;
  std::vector<std::string> parents;  // down_revision, in the order written; empty for a base
  std::string file;                  // the script's path, as named in errors
};

// Parses one script's text; `file` only names it in errors. Throws
// AlembicError when `revision` or `down_revision` is missing, or when either
// is assigned something other than string literals (and None, or a tuple or
// list of strings, for down_revision), or when the text cannot be tokenized
// (an unterminated string or bracket). A revision id must be non-empty and
// free of the characters Alembic refuses in one ("@", "-", "+").
Revision parse_revision_script(const std::string& text, const std::string& file);

// Largest migration script read (4 MiB; generated ones are a few KiB).
inline constexpr std::size_t kMaxScriptBytes = 4u * 1024u * 1024u;

// Every `*.py` file directly in `dir` (not recursive, Alembic's default
// layout), sorted by file name. Skipped as Alembic skips them: names starting
// with "__init__" and editor lock files starting with ".#"; directories
// (__pycache__) and other extensions are not scripts. Throws AlembicError
// when `dir` is not a readable directory or any script fails to parse, or
// is not a regular file of at most kMaxScriptBytes (a FIFO, a link to a
// device): "versions/ab12_x.py: cannot read: not a regular file".
// Revision::file is `dir` joined with the file name.
std::vector<Revision> read_versions_dir(const std::string& dir);

}  // namespace schemad::alembic
