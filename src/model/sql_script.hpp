#pragma once

// A SQL model's text (docs/sql-models.md): one .sql file, or every .sql
// file of a directory in name order, cut into statements the way psql cuts
// them, and each statement sorted by what the scratch build does with it.
// Pure apart from reading the files: PostgreSQL parses the statements
// (scratch/normalize.hpp); this only lexes (util/sql_text.hpp), as psql does
// to find where a statement ends, and reads the first words of each one.

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "schema/schema.hpp"

namespace schemad::model {

// Largest SQL model accepted (all files together), and most files.
inline constexpr std::size_t kMaxSqlModelBytes = 64u * 1024u * 1024u;
inline constexpr std::size_t kMaxSqlModelFiles = 10000;

struct SqlFile {
  std::string name;  // as given, for messages
  std::string text;
};

// A place in the script: "schema.sql:12:5" (1-based line and column, the
// column counted in characters).
struct SqlLocation {
  std::string file;
  int line = 0;
  int column = 0;
  std::string text() const;
};

struct SqlStatement {
  enum class Action {
    run,        // sent to the scratch database as written
    ignore,     // not sent: transaction control, psql meta-commands, SET of
                // timeouts, OWNER TO, COMMENT ON EXTENSION
    extension,  // CREATE EXTENSION: sent as the target's schema and version
  };
  Action action = Action::run;
  std::size_t file = 0;
  std::size_t begin = 0;  // bytes of the file's text, `;` excluded
  std::size_t end = 0;
  // Byte offsets (in the file) of words sent as spaces: the CONCURRENTLY of
  // CREATE INDEX CONCURRENTLY, which cannot run in a transaction.
  std::vector<std::size_t> blanked;
  std::string extension;  // Action::extension: its name
  // What the statement makes that schemad does not manage ("view
  // public.active_users"), and why it is not applied; "" otherwise.
  std::string not_managed;
  // Statements that are never sent either (privileges, data, roles): the
  // reason is in not_managed.
  bool skipped = false;
};

// The text of a CHECK (...) in a CREATE TABLE or ALTER TABLE statement,
// parentheses included, and the table it is on (unqualified: under the
// default schema).
struct SqlCheckSource {
  schema::QualifiedName table;
  std::size_t file = 0;
  std::size_t begin = 0;
  std::size_t end = 0;
};

struct SqlScript {
  std::vector<SqlFile> files;
  std::vector<SqlStatement> statements;
  // SHA-256 hex of the files' names and texts, in order.
  std::string sha256;
  // Schemas the script creates (CREATE SCHEMA), and the schema-qualified
  // tables its foreign keys reference (REFERENCES s.t), as written.
  std::set<std::string> created_schemas;
  std::set<schema::QualifiedName> referenced;
  // Where each table and type is created (CREATE TABLE / CREATE TYPE),
  // unqualified names under `default_schema`.
  std::map<schema::QualifiedName, SqlLocation> defined;
  // Every CHECK (...) of a table, as written: the model creates a check
  // from its own text, which the server may print otherwise than the
  // text it printed for itself (scratch/normalize.cpp).
  std::vector<SqlCheckSource> checks;
  // The WHERE of each named CREATE INDEX, as written, by index (in its
  // table's schema); `table` is the index's table.
  std::map<schema::QualifiedName, SqlCheckSource> index_wheres;

  SqlLocation location(std::size_t file, std::size_t offset) const;
  SqlLocation location(const SqlStatement& statement) const {
    return location(statement.file, statement.begin);
  }
  // One line per statement that makes something schemad does not manage:
  // "schema.sql:40:1: view public.active_users: not managed by schemad; not applied".
  std::vector<std::string> not_managed() const;

  // Where each file's lines start (filled by parse_sql_script).
  std::vector<std::vector<std::size_t>> line_starts;
};

// Reads `path`: a .sql file, or a directory whose *.sql files are read in
// byte order of their names (not recursively). Throws ModelError: a file
// that cannot be read, an empty directory, too much text, a psql
// meta-command other than \restrict, \unrestrict, \set, \echo and
// \encoding, or COPY ... FROM stdin (data, not a schema).
// `max_bytes`: the configuration's model_max_bytes (0: kMaxSqlModelBytes).
SqlScript read_sql_script(const std::string& path, const std::string& default_schema = "public",
                          std::size_t max_bytes = 0);

// The same for text in memory (each file's name for messages).
SqlScript parse_sql_script(std::vector<SqlFile> files,
                           const std::string& default_schema = "public");

// The text sent to the scratch database: every run statement, with its
// blanked words as spaces, and each extension statement replaced by the
// text `extensions` gives for its name (or sent as written when it has
// none), each followed by ";\n".
class SqlBatch {
 public:
  SqlBatch(const SqlScript& script, const std::map<std::string, std::string>& extensions);

  const std::string& text() const { return text_; }
  // The statements, one piece of text each, in order.
  std::size_t size() const { return pieces_.size(); }
  std::string piece(std::size_t i) const;
  // Where byte `offset` of text() (or of piece(i) when given) comes from in
  // the script; a replaced statement maps to its start.
  SqlLocation locate(std::size_t offset) const;
  SqlLocation locate_in(std::size_t piece, std::size_t offset) const;

 private:
  struct Piece {
    std::size_t begin = 0;  // in text_
    std::size_t end = 0;    // the statement's text, ";\n" excluded
    const SqlStatement* statement = nullptr;
    bool replaced = false;
  };
  const SqlScript& script_;
  std::string text_;
  std::vector<Piece> pieces_;
};

// The byte offset of character `position` (1-based, as the server reports
// it) in UTF-8 `text`; text.size() when past the end.
std::size_t byte_offset_of_character(const std::string& text, std::size_t position);

}  // namespace schemad::model
