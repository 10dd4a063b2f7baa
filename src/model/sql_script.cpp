#include "model/sql_script.hpp"

#include <sys/stat.h>

#include <dirent.h>
#include <algorithm>
#include <cctype>
#include <optional>
#include <utility>

#include "model/load.hpp"
#include "util/file.hpp"
#include "util/sha256.hpp"
#include "util/sql_text.hpp"

namespace schemad::model {

namespace {

using schema::QualifiedName;
using sql::Token;
using Action = SqlStatement::Action;

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<std::size_t> line_starts(const std::string& text) {
  std::vector<std::size_t> starts{0};
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') starts.push_back(i + 1);
  }
  return starts;
}

int characters(const std::string& text, std::size_t from, std::size_t to) {
  int n = 0;
  for (std::size_t i = from; i < to && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// The significant tokens of one statement, read by position.
class Words {
 public:
  explicit Words(const std::vector<Token>& tokens) : t_(tokens) {}

  std::size_t size() const { return t_.size(); }
  const Token& at(std::size_t i) const { return t_[i]; }
  // The keyword at `i`, upper-cased; "" when it is not an unquoted word.
  std::string word(std::size_t i) const {
    return i < t_.size() && t_[i].kind == Token::Kind::word ? upper(t_[i].text) : std::string();
  }
  bool is(std::size_t i, const char* keyword) const { return word(i) == keyword; }
  bool is_op(std::size_t i, const char* op) const {
    return i < t_.size() && t_[i].kind == Token::Kind::op && t_[i].text == op;
  }
  // An identifier as the server folds it; nullopt when `i` holds none.
  std::optional<std::string> name(std::size_t i) const {
    if (i >= t_.size()) return std::nullopt;
    if (t_[i].kind == Token::Kind::word) return lower(t_[i].text);
    if (t_[i].kind == Token::Kind::quoted_identifier) return t_[i].text;
    return std::nullopt;
  }
  // A possibly qualified name at `i` (skipping IF NOT EXISTS / IF EXISTS);
  // `next` is set past it.
  std::optional<QualifiedName> qualified(std::size_t i, const std::string& default_schema,
                                         std::size_t* next = nullptr) const {
    if (is(i, "IF") && is(i + 1, "NOT") && is(i + 2, "EXISTS")) i += 3;
    if (is(i, "IF") && is(i + 1, "EXISTS")) i += 2;
    auto first = name(i);
    if (!first) return std::nullopt;
    QualifiedName q{default_schema, *first};
    ++i;
    if (is_op(i, ".")) {
      if (auto second = name(i + 1)) {
        q = {*first, *second};
        i += 2;
      }
    }
    if (next != nullptr) *next = i;
    return q;
  }
  bool contains(const char* keyword) const {
    for (std::size_t i = 0; i < t_.size(); ++i) {
      if (is(i, keyword)) return true;
    }
    return false;
  }

 private:
  const std::vector<Token>& t_;
};

std::string display(const std::optional<QualifiedName>& q) {
  return q ? " " + q->display() : std::string();
}

struct Classifier {
  SqlScript& script;
  const std::string& default_schema;

  [[noreturn]] void fail(const SqlStatement& s, const std::string& problem) const {
    throw ModelError(script.location(s).text(), "", problem);
  }

  void note(SqlStatement& s, const std::string& what, const std::string& why, bool skip) const {
    s.not_managed = what + ": not managed by schemad; " + why;
    s.skipped = skip;
  }

  void references(const Words& w) const {
    for (std::size_t i = 0; i + 1 < w.size(); ++i) {
      if (!w.is(i, "REFERENCES")) continue;
      std::size_t next = 0;
      auto target = w.qualified(i + 1, "", &next);
      if (target && !target->schema.empty()) script.referenced.insert(*target);
    }
  }

  // CHECK (...) on `table`: from the opening parenthesis to its match.
  void checks(const SqlStatement& s, const Words& w, const QualifiedName& table) const {
    for (std::size_t i = 0; i + 1 < w.size(); ++i) {
      if (!w.is(i, "CHECK") || !w.is_op(i + 1, "(")) continue;
      int depth = 0;
      for (std::size_t j = i + 1; j < w.size(); ++j) {
        if (w.is_op(j, "(")) ++depth;
        if (w.is_op(j, ")") && --depth == 0) {
          script.checks.push_back(
              {table, s.file, w.at(i + 1).offset, w.at(j).offset + w.at(j).length});
          i = j;
          break;
        }
      }
    }
  }

  void create(SqlStatement& s, const Words& w) const {
    std::size_t i = 1;
    if (w.is(i, "OR") && w.is(i + 1, "REPLACE")) i += 2;
    static const char* const kModifiers[] = {"TEMP",       "TEMPORARY", "UNLOGGED",
                                             "GLOBAL",     "LOCAL",     "TRUSTED",
                                             "PROCEDURAL", "RECURSIVE", "DEFAULT"};
    for (bool again = true; again;) {
      again = false;
      for (const char* m : kModifiers) {
        if (w.is(i, m)) {
          ++i;
          again = true;
        }
      }
    }
    const std::string kind = w.word(i);
    const SqlLocation where = script.location(s);
    if (kind == "EXTENSION") {
      std::size_t j = i + 1;
      if (w.is(j, "IF") && w.is(j + 1, "NOT") && w.is(j + 2, "EXISTS")) j += 3;
      if (auto name = w.name(j)) {
        s.action = Action::extension;
        s.extension = *name;
      }
      return;
    }
    if (kind == "UNIQUE" || kind == "INDEX") {
      std::size_t j = kind == "UNIQUE" ? i + 1 : i;
      if (!w.is(j, "INDEX")) return;
      ++j;
      if (w.is(j, "CONCURRENTLY")) s.blanked.push_back(w.at(j++).offset);
      if (w.is(j, "IF") && w.is(j + 1, "NOT") && w.is(j + 2, "EXISTS")) j += 3;
      auto index = w.is(j, "ON") ? std::nullopt : w.name(j);
      if (index) ++j;
      if (!w.is(j, "ON")) return;
      ++j;
      if (w.is(j, "ONLY")) ++j;
      auto table = w.qualified(j, default_schema);
      if (!index || !table) return;
      int depth = 0;
      for (std::size_t k = j; k + 1 < w.size(); ++k) {
        if (w.is_op(k, "(")) ++depth;
        if (w.is_op(k, ")")) --depth;
        if (depth == 0 && w.is(k, "WHERE")) {
          const Token& last = w.at(w.size() - 1);
          script.index_wheres[{table->schema, *index}] = {*table, s.file, w.at(k + 1).offset,
                                                          last.offset + last.length};
          break;
        }
      }
      return;
    }
    if (kind == "SCHEMA") {
      std::size_t j = i + 1;
      if (w.is(j, "IF") && w.is(j + 1, "NOT") && w.is(j + 2, "EXISTS")) j += 3;
      if (w.is(j, "AUTHORIZATION")) ++j;
      if (auto name = w.name(j)) script.created_schemas.insert(*name);
      return;
    }
    if (kind == "VIEW" || (kind == "MATERIALIZED" && w.is(i + 1, "VIEW"))) {
      std::size_t j = kind == "VIEW" ? i + 1 : i + 2;
      if (w.is(j, "IF") && w.is(j + 1, "NOT") && w.is(j + 2, "EXISTS")) j += 3;
      auto name = w.qualified(j, default_schema);
      if (name && !script.defined.count(*name)) script.defined.emplace(*name, where);
      return;
    }
    if (kind == "TRIGGER" && w.contains("INSTEAD")) {  // on a view: not in the model
      const auto name = w.name(i + 1);
      note(s, "trigger " + (name ? *name : std::string()) + " (INSTEAD OF, on a view)",
           "not applied", false);
      return;
    }
    if (kind == "FUNCTION" || kind == "PROCEDURE") {
      auto name = w.qualified(i + 1, default_schema);
      if (name && !script.defined.count(*name)) script.defined.emplace(*name, where);
      return;
    }
    if (kind == "TABLE") {
      auto name = w.qualified(i + 1, default_schema);
      std::size_t at = 0;
      for (std::size_t j = 0; j + 1 < w.size(); ++j) {
        if (w.is(j, "PARTITION") && (w.is(j + 1, "OF") || w.is(j + 1, "BY"))) at = j;
      }
      if (at != 0 && name && w.is(at + 1, "OF")) {
        note(s, "partition " + name->display(), "not applied", false);
      } else if (at != 0 && name) {
        note(s, "partitioning (PARTITION BY) of table " + name->display(),
             "the table is created without it", false);
      }
      if (name && !script.defined.count(*name)) script.defined.emplace(*name, where);
      if (name) checks(s, w, *name);
      return;
    }
    if (kind == "TYPE") {
      std::size_t next = 0;
      auto name = w.qualified(i + 1, default_schema, &next);
      if (name && w.is(next, "AS") && w.is(next + 1, "ENUM")) {
        if (!script.defined.count(*name)) script.defined.emplace(*name, where);
        return;
      }
      note(s, "type" + display(name), "not applied (of types, only enums are)", false);
      return;
    }
    struct Kind {
      const char* first;
      const char* second;  // nullptr: one word
      const char* what;
      bool skip;  // cannot or must not run in the scratch transaction
    };
    static const Kind kKinds[] = {
        {"AGGREGATE", nullptr, "aggregate", false},
        {"CONSTRAINT", "TRIGGER", "constraint trigger", false},
        {"EVENT", "TRIGGER", "event trigger", false},
        {"RULE", nullptr, "rule", false},
        {"DOMAIN", nullptr, "domain", false},
        {"OPERATOR", nullptr, "operator", false},
        {"CAST", nullptr, "cast", false},
        {"COLLATION", nullptr, "collation", false},
        {"CONVERSION", nullptr, "conversion", false},
        {"TEXT", "SEARCH", "text search object", false},
        {"PUBLICATION", nullptr, "publication", false},
        {"STATISTICS", nullptr, "statistics object", false},
        {"LANGUAGE", nullptr, "language", false},
        {"ACCESS", "METHOD", "access method", false},
        {"TRANSFORM", nullptr, "transform", false},
        {"SERVER", nullptr, "foreign server", false},
        {"FOREIGN", "TABLE", "foreign table", false},
        {"FOREIGN", "DATA", "foreign-data wrapper", false},
        {"USER", "MAPPING", "user mapping", false},
        {"SUBSCRIPTION", nullptr, "subscription", true},
        {"ROLE", nullptr, "role", true},
        {"USER", nullptr, "role", true},
        {"GROUP", nullptr, "role", true},
        {"TABLESPACE", nullptr, "tablespace", true},
        {"DATABASE", nullptr, "database", true},
    };
    for (const Kind& k : kKinds) {
      if (kind != k.first || (k.second != nullptr && !w.is(i + 1, k.second))) continue;
      const std::size_t at = i + (k.second != nullptr ? 2 : 1);
      std::size_t after = at;
      if (w.is(after, "IF") && w.is(after + 1, "NOT") && w.is(after + 2, "EXISTS")) after += 3;
      // Triggers, policies and rules are named without a schema (they
      // belong to their table); the rest like tables.
      std::optional<QualifiedName> name;
      const std::string what = k.what;
      if (what == "trigger" || what == "constraint trigger" || what == "policy" || what == "rule" ||
          what == "event trigger" || what == "role" || what == "tablespace" || what == "database" ||
          what == "subscription" || what == "publication" || what == "language" ||
          what == "foreign server") {
        if (auto bare = w.name(after)) name = QualifiedName{"", *bare};
      } else if (what != "cast" && what != "user mapping" && what != "transform" &&
                 what != "operator") {
        name = w.qualified(after, default_schema);
      }
      std::string label = what;
      if (name) label += " " + (name->schema.empty() ? name->name : name->display());
      note(s, label,
           k.skip ? "not applied, and not run while normalising (it reaches beyond the database)"
                  : "not applied",
           k.skip);
      return;
    }
  }

  void alter(SqlStatement& s, const Words& w) const {
    const std::size_t n = w.size();
    // ALTER <object> <name> OWNER TO <role>, alone: ownership is not part
    // of the model. Not a RENAME ... owner TO x, nor a list of
    // sub-commands whose last one changes the owner (sent as written).
    if (n >= 4 && w.is(n - 3, "OWNER") && w.is(n - 2, "TO") && !w.is_op(n - 4, ",") &&
        !w.contains("RENAME")) {
      s.action = Action::ignore;
      return;
    }
    if (w.is(1, "DEFAULT") && w.is(2, "PRIVILEGES")) {
      note(s, "default privileges", "not applied", true);
      return;
    }
    if (!w.is(1, "TABLE")) return;
    std::size_t i = 2;
    if (w.is(i, "IF") && w.is(i + 1, "EXISTS")) i += 2;
    if (w.is(i, "ONLY")) ++i;
    auto table = w.qualified(i, default_schema);
    if (table) checks(s, w, *table);
    for (std::size_t j = i; j + 2 < n; ++j) {
      if ((w.is(j, "ENABLE") || w.is(j, "DISABLE")) &&
          (w.is(j + 1, "TRIGGER") || w.is(j + 2, "TRIGGER") || w.is(j + 1, "RULE") ||
           w.is(j + 2, "RULE"))) {
        note(s, "trigger or rule state on" + display(table), "not applied", false);
        return;
      }
    }
  }

  void classify(SqlStatement& s, const std::vector<Token>& tokens) const {
    const Words w(tokens);
    references(w);
    const std::string first = w.word(0);
    if (first == "BEGIN" || first == "START" || first == "COMMIT" || first == "END" ||
        first == "ROLLBACK" || first == "ABORT" || first == "SAVEPOINT" || first == "RELEASE" ||
        (first == "PREPARE" && w.is(1, "TRANSACTION"))) {
      s.action = Action::ignore;  // the build is one transaction, always rolled back
      return;
    }
    if (first == "SET" || first == "RESET") {
      std::size_t i = 1;
      if (w.is(i, "SESSION") || w.is(i, "LOCAL")) ++i;
      if (ends_with(w.word(i), "TIMEOUT")) s.action = Action::ignore;  // the build sets its own
      return;
    }
    if (first == "COPY") {
      for (std::size_t i = 0; i + 1 < w.size(); ++i) {
        if (w.is(i, "FROM") && w.is(i + 1, "STDIN")) {
          fail(s,
               "COPY ... FROM stdin: a model holds the schema, not data (use pg_dump "
               "--schema-only)");
        }
      }
      note(s, "data (COPY)", "not applied", true);
      return;
    }
    if (first == "INSERT" || first == "UPDATE" || first == "DELETE" || first == "TRUNCATE" ||
        first == "MERGE") {
      note(s, "data (" + first + ")", "not applied", true);
      return;
    }
    if (first == "GRANT" || first == "REVOKE") {
      note(s, "privileges (" + first + ")", "not applied", true);
      return;
    }
    if (first == "COMMENT" && w.is(1, "ON") && w.is(2, "EXTENSION")) {
      s.action = Action::ignore;  // belongs to the extension
      return;
    }
    if (first == "CREATE") create(s, w);
    if (first == "ALTER") alter(s, w);
  }
};

bool allowed_meta_command(const std::string& command) {
  return command == "restrict" || command == "unrestrict" || command == "set" ||
         command == "echo" || command == "encoding";
}

// Cuts one file into statements as psql does: at semicolons outside
// parentheses, quotes, comments, and the BEGIN ... END body of a
// CREATE FUNCTION or PROCEDURE (psqlscan.l's heuristic); psql
// meta-commands between statements run to the end of their line.
void split(SqlScript& script, std::size_t file, const Classifier& classifier) {
  const std::string& text = script.files[file].text;
  std::size_t pos = 0;
  std::vector<Token> tokens;
  int paren_depth = 0;
  int begin_depth = 0;
  std::string initials;  // of the statement's first words, psqlscan.l's way

  auto finish = [&] {
    if (tokens.empty()) return;
    SqlStatement s;
    s.file = file;
    s.begin = tokens.front().offset;
    s.end = tokens.back().offset + tokens.back().length;
    classifier.classify(s, tokens);
    script.statements.push_back(std::move(s));
    tokens.clear();
    paren_depth = 0;
    begin_depth = 0;
    initials.clear();
  };

  while (pos < text.size()) {
    Token t = sql::lex_one(text, pos);
    pos = t.offset + std::max<std::size_t>(t.length, 1);
    if (t.kind == Token::Kind::space) continue;
    if (tokens.empty() && t.kind == Token::Kind::op && t.text.size() == 1 && t.text[0] == '\\') {
      std::size_t eol = text.find('\n', t.offset);
      if (eol == std::string::npos) eol = text.size();
      std::size_t word_end = t.offset + 1;
      while (word_end < eol && !std::isspace(static_cast<unsigned char>(text[word_end]))) {
        ++word_end;
      }
      const std::string command = text.substr(t.offset + 1, word_end - t.offset - 1);
      if (!allowed_meta_command(command)) {
        throw ModelError(script.location(file, t.offset).text(), "",
                         "psql meta-command \\" + command +
                             " is not supported in a SQL model (only \\restrict, \\unrestrict, "
                             "\\set, \\echo and \\encoding are ignored)");
      }
      pos = eol;
      continue;
    }
    if (t.kind == Token::Kind::op && t.text == ";" && paren_depth == 0 && begin_depth == 0) {
      finish();
      continue;
    }
    if (t.kind == Token::Kind::op && t.text == "(") ++paren_depth;
    if (t.kind == Token::Kind::op && t.text == ")" && paren_depth > 0) --paren_depth;
    if (t.kind == Token::Kind::word) {
      const std::string w = upper(t.text);
      if (initials.size() < 4 &&
          (w == "CREATE" || w == "FUNCTION" || w == "PROCEDURE" || w == "OR" || w == "REPLACE")) {
        initials += static_cast<char>(std::tolower(static_cast<unsigned char>(w[0])));
      } else if (initials.size() < 4) {
        initials += ' ';
      }
      const bool routine = initials.size() >= 2 && initials[0] == 'c' &&
                           (initials[1] == 'f' || initials[1] == 'p' ||
                            (initials.size() >= 4 && initials[1] == 'o' && initials[2] == 'r' &&
                             (initials[3] == 'f' || initials[3] == 'p')));
      if (routine && paren_depth == 0) {
        if (w == "BEGIN") {
          ++begin_depth;
        } else if (w == "CASE" && begin_depth >= 1) {
          ++begin_depth;
        } else if (w == "END" && begin_depth > 0) {
          --begin_depth;
        }
      }
    }
    tokens.push_back(std::move(t));
  }
  finish();
}

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> sql_files_in(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) throw ModelError(dir, "", "cannot read the directory");
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() <= 4 || !ends_with(name, ".sql") || name[0] == '.') continue;
    struct stat st {};
    const std::string full = dir + "/" + name;
    if (::stat(full.c_str(), &st) == 0 && S_ISREG(st.st_mode)) names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

std::string SqlLocation::text() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

SqlLocation SqlScript::location(std::size_t file, std::size_t offset) const {
  const std::string& text = files.at(file).text;
  const std::vector<std::size_t>& starts = line_starts.at(file);
  auto it = std::upper_bound(starts.begin(), starts.end(), offset);
  const std::size_t line = static_cast<std::size_t>(it - starts.begin());  // >= 1: starts[0] == 0
  return {files.at(file).name, static_cast<int>(line),
          1 + characters(text, starts[line - 1], offset)};
}

std::vector<std::string> SqlScript::not_managed() const {
  std::vector<std::string> out;
  for (const auto& s : statements) {
    if (s.not_managed.empty()) continue;
    out.push_back(location(s).text() + ": " + s.not_managed);
  }
  return out;
}

SqlScript parse_sql_script(std::vector<SqlFile> files, const std::string& default_schema) {
  SqlScript script;
  script.files = std::move(files);
  util::Sha256 hash;
  for (const auto& f : script.files) {
    hash.update(f.name);
    hash.update(std::string_view("\0", 1));
    hash.update(f.text);
    hash.update(std::string_view("\0", 1));
  }
  script.sha256 = hash.hex();
  for (const auto& f : script.files) script.line_starts.push_back(line_starts(f.text));
  const Classifier classifier{script, default_schema};
  for (std::size_t i = 0; i < script.files.size(); ++i) split(script, i, classifier);
  return script;
}

SqlScript read_sql_script(const std::string& path, const std::string& default_schema,
                          std::size_t max_bytes) {
  const std::size_t limit = max_bytes == 0 ? kMaxSqlModelBytes : max_bytes;
  std::vector<std::string> paths;
  if (is_directory(path)) {
    for (const auto& name : sql_files_in(path)) {
      paths.push_back(path + (ends_with(path, "/") ? "" : "/") + name);
    }
    if (paths.empty()) throw ModelError(path, "", "the directory holds no .sql file");
    if (paths.size() > kMaxSqlModelFiles) {
      throw ModelError(path, "",
                       "the directory holds " + std::to_string(paths.size()) +
                           " .sql files, more than the limit of " +
                           std::to_string(kMaxSqlModelFiles));
    }
  } else {
    paths.push_back(path);
  }
  std::vector<SqlFile> files;
  std::size_t total = 0;
  for (const auto& p : paths) {
    try {
      files.push_back({p, util::read_file(p, limit - total)});
    } catch (const util::FileError& e) {
      if (e.reason() == util::FileError::Reason::too_large) {
        throw ModelError(p, "",
                         "the SQL model is more than the limit of " + std::to_string(limit) +
                             (max_bytes == 0 ? " bytes (64 MiB; model_max_bytes raises it)"
                                             : " bytes (model_max_bytes)") +
                             " in all");
      }
      throw ModelError(p, "", std::string("cannot read: ") + e.what());
    }
    total += files.back().text.size();
  }
  return parse_sql_script(std::move(files), default_schema);
}

SqlBatch::SqlBatch(const SqlScript& script, const std::map<std::string, std::string>& extensions)
    : script_(script) {
  for (const auto& s : script.statements) {
    if (s.action == Action::ignore || s.skipped) continue;
    Piece piece;
    piece.statement = &s;
    piece.begin = text_.size();
    auto replacement =
        s.action == Action::extension ? extensions.find(s.extension) : extensions.end();
    if (replacement != extensions.end()) {
      text_ += replacement->second;
      piece.replaced = true;
    } else {
      const std::string& source = script.files[s.file].text;
      std::string body = source.substr(s.begin, s.end - s.begin);
      for (std::size_t at : s.blanked) {
        const std::size_t from = at - s.begin;
        for (std::size_t i = from; i < body.size() && i < from + 12; ++i) body[i] = ' ';
      }
      text_ += body;
    }
    piece.end = text_.size();
    text_ += ";\n";
    pieces_.push_back(piece);
  }
}

std::string SqlBatch::piece(std::size_t i) const {
  const Piece& p = pieces_.at(i);
  return text_.substr(p.begin, p.end - p.begin);
}

SqlLocation SqlBatch::locate(std::size_t offset) const {
  auto it = std::upper_bound(pieces_.begin(), pieces_.end(), offset,
                             [](std::size_t o, const Piece& p) { return o < p.begin; });
  if (it == pieces_.begin()) return {script_.files.empty() ? "" : script_.files[0].name, 1, 1};
  --it;
  return locate_in(static_cast<std::size_t>(it - pieces_.begin()), offset - it->begin);
}

SqlLocation SqlBatch::locate_in(std::size_t piece, std::size_t offset) const {
  const Piece& p = pieces_.at(piece);
  const SqlStatement& s = *p.statement;
  if (p.replaced) return script_.location(s);
  const std::size_t length = s.end - s.begin;
  return script_.location(s.file, s.begin + std::min(offset, length));
}

std::size_t byte_offset_of_character(const std::string& text, std::size_t position) {
  if (position <= 1) return 0;
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++seen;
      if (seen == position) return i;
    }
  }
  return text.size();
}

}  // namespace schemad::model
