#include "alembic/versions.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <system_error>

#include "util/file.hpp"

namespace schemad::alembic {

namespace {

namespace fs = std::filesystem;

// A Python token, as far as finding module-level assignments needs: names,
// string literals (decoded), brackets and operators. Numbers are kept as
// opaque text. Comments and line structure never become tokens.
struct Token {
  enum class Kind { name, string, number, op };
  Kind kind = Kind::op;
  std::string text;    // the name, operator or number; a string's decoded value
  int line = 0;        // 1-based line where the token starts
  bool plain = false;  // a string Python yields as written: no b/f prefix, no
                       // escape this decoder does not know
};

// One simple statement: a logical line, or part of one split by ";".
// `indented` is true when its logical line does not start at column 0, i.e.
// it belongs to a block (a function body, an `if`), not to the module.
struct Statement {
  int line = 0;
  bool indented = false;
  std::vector<Token> tokens;
};

bool is_name_start(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Splits Python source into statements, following the rules of Python's
// tokenizer that decide where a statement starts: strings (including
// triple-quoted ones spanning lines), comments, brackets (inside which
// newlines do not end a statement) and backslash continuations.
class Lexer {
 public:
  Lexer(const std::string& text, const std::string& file) : s_(text), file_(file) {
    if (s_.compare(0, 3, "\xEF\xBB\xBF") == 0) i_ = line_start_ = 3;  // UTF-8 BOM
  }

  std::vector<Statement> statements() {
    while (i_ < s_.size()) step();
    if (!brackets_.empty()) fail(brackets_.back(), "unclosed bracket");
    end_statement();
    return std::move(out_);
  }

 private:
  [[noreturn]] void fail(int line, const std::string& what) const {
    throw AlembicError(file_ + ":" + std::to_string(line) + ": " + what);
  }

  char at(std::size_t k) const { return k < s_.size() ? s_[k] : '\0'; }

  // Length of the line break at i_, 0 if there is none.
  std::size_t newline_length() const {
    if (at(i_) == '\r') return at(i_ + 1) == '\n' ? 2 : 1;
    return at(i_) == '\n' ? 1 : 0;
  }

  void step() {
    const char c = s_[i_];
    if (std::size_t nl = newline_length()) {
      i_ += nl;
      ++line_;
      line_start_ = i_;
      if (brackets_.empty()) end_logical_line();
    } else if (c == ' ' || c == '\t' || c == '\f') {
      ++i_;
    } else if (c == '#') {
      while (i_ < s_.size() && newline_length() == 0) ++i_;
    } else if (c == '\\') {
      ++i_;
      std::size_t cont = newline_length();
      if (cont == 0) fail(line_, "unexpected backslash");
      i_ += cont;
      ++line_;
      line_start_ = i_;
    } else if (c == ';' && brackets_.empty()) {
      ++i_;
      end_statement();
    } else {
      token();
    }
  }

  void token() {
    const char c = s_[i_];
    if (current_.tokens.empty()) {
      if (!logical_line_open_) line_indented_ = i_ != line_start_;
      logical_line_open_ = true;
      current_.line = line_;
      current_.indented = line_indented_;
    }
    if (c == '"' || c == '\'') return string_token(i_);
    if (is_name_start(c)) return name_token();
    if (is_digit(c) || (c == '.' && is_digit(at(i_ + 1)))) return number_token();
    op_token();
  }

  void name_token() {
    std::size_t start = i_;
    while (i_ < s_.size() && is_name_char(s_[i_])) ++i_;
    std::string name = s_.substr(start, i_ - start);
    bool prefix = name.size() <= 2 && name.find_first_not_of("rRbBuUfF") == std::string::npos &&
                  (at(i_) == '"' || at(i_) == '\'');
    if (prefix) return string_token(start);
    push(Token::Kind::name, name, line_, false);
  }

  void number_token() {
    std::size_t start = i_;
    while (i_ < s_.size() && (is_name_char(s_[i_]) || s_[i_] == '.')) ++i_;
    push(Token::Kind::number, s_.substr(start, i_ - start), line_, false);
  }

  void op_token() {
    static const char* const kLong[] = {
        "**=", "//=", ">>=", "<<=", "...", "==", "!=", "<=", ">=", "+=", "-=", "*=",
        "/=",  "%=",  "&=",  "|=",  "^=",  "@=", ":=", "->", "**", "//", "<<", ">>"};
    const char c = s_[i_];
    if (c == '(' || c == '[' || c == '{') brackets_.push_back(line_);
    if (c == ')' || c == ']' || c == '}') {
      if (brackets_.empty()) fail(line_, std::string("unmatched '") + c + "'");
      brackets_.pop_back();
    }
    for (const char* op : kLong) {
      if (s_.compare(i_, std::char_traits<char>::length(op), op) == 0) {
        i_ += std::char_traits<char>::length(op);
        return push(Token::Kind::op, op, line_, false);
      }
    }
    ++i_;
    push(Token::Kind::op, std::string(1, c), line_, false);
  }

  // A string literal starting at `start` (its prefix, if any); i_ is at the
  // opening quote.
  void string_token(std::size_t start) {
    std::string prefix = s_.substr(start, i_ - start);
    bool raw = prefix.find_first_of("rR") != std::string::npos;
    bool plain = prefix.find_first_of("bBfF") == std::string::npos;
    const char q = s_[i_];
    const bool triple = at(i_ + 1) == q && at(i_ + 2) == q;
    const int first_line = line_;
    i_ += triple ? 3 : 1;
    std::string value;
    for (;;) {
      if (i_ >= s_.size()) fail(first_line, "unterminated string");
      if (s_[i_] == q && (!triple || (at(i_ + 1) == q && at(i_ + 2) == q))) break;
      if (std::size_t nl = newline_length()) {
        if (!triple) fail(first_line, "unterminated string");
        value += '\n';
        i_ += nl;
        ++line_;
        line_start_ = i_;
      } else if (s_[i_] == '\\' && i_ + 1 < s_.size()) {
        plain = escape(raw, value) && plain;
      } else {
        value += s_[i_++];
      }
    }
    i_ += triple ? 3 : 1;
    push(Token::Kind::string, value, first_line, plain);
  }

  // Decodes the escape at i_ into `value`; false when Python would decode it
  // in a way this does not (\x41, \u00e9, \N{...}, octal): such a string is
  // not taken for an id.
  bool escape(bool raw, std::string& value) {
    ++i_;
    if (std::size_t nl = newline_length()) {
      if (raw) value += '\\' + s_.substr(i_, nl);
      i_ += nl;
      ++line_;
      line_start_ = i_;
      return true;
    }
    const char e = s_[i_++];
    if (raw) {
      value += '\\';
      value += e;
      return true;
    }
    switch (e) {
      case '\\':
        value += '\\';
        return true;
      case '\'':
        value += '\'';
        return true;
      case '"':
        value += '"';
        return true;
      case 'n':
        value += '\n';
        return true;
      case 't':
        value += '\t';
        return true;
      default:
        value += '\\';
        value += e;
        return false;
    }
  }

  void push(Token::Kind kind, std::string text, int line, bool plain) {
    current_.tokens.push_back(Token{kind, std::move(text), line, plain});
  }

  void end_statement() {
    if (!current_.tokens.empty()) out_.push_back(std::move(current_));
    current_ = Statement{};
  }

  void end_logical_line() {
    end_statement();
    logical_line_open_ = false;
  }

  const std::string& s_;
  const std::string& file_;
  std::size_t i_ = 0;
  std::size_t line_start_ = 0;
  int line_ = 1;
  std::vector<int> brackets_;  // the line of each open bracket
  bool logical_line_open_ = false;
  bool line_indented_ = false;
  Statement current_;
  std::vector<Statement> out_;
};

using Tokens = std::vector<Token>;

bool is_op(const Token& t, const char* op) {
  return t.kind == Token::Kind::op && t.text == op;
}

int depth_change(const Token& t) {
  if (is_op(t, "(") || is_op(t, "[") || is_op(t, "{")) return 1;
  if (is_op(t, ")") || is_op(t, "]") || is_op(t, "}")) return -1;
  return 0;
}

// A value's tokens and where to point when it is wrong.
struct Value {
  Tokens::const_iterator begin, end;
  int line;  // the statement's line, for an empty value
};

// Where a wrong value starts.
int line_of(const Value& v) {
  return v.begin != v.end ? v.begin->line : v.line;
}

// One or more adjacent plain string literals ("a" "b" is "ab" in Python).
std::optional<std::string> string_of(Tokens::const_iterator begin, Tokens::const_iterator end) {
  if (begin == end) return std::nullopt;
  std::string out;
  for (auto t = begin; t != end; ++t) {
    if (t->kind != Token::Kind::string || !t->plain) return std::nullopt;
    out += t->text;
  }
  return out;
}

// The strings of a comma-separated sequence (a trailing comma allowed), or
// nullopt when any element is not a string.
std::optional<std::vector<std::string>> strings_of(Tokens::const_iterator begin,
                                                   Tokens::const_iterator end) {
  std::vector<std::string> out;
  auto item = begin;
  for (auto t = begin;; ++t) {
    if (t != end && !is_op(*t, ",")) continue;
    if (item == t && t == end && item != begin) break;  // after a trailing comma
    auto s = string_of(item, t);
    if (!s) return std::nullopt;
    out.push_back(*s);
    if (t == end) break;
    item = t + 1;
  }
  return out;
}

// down_revision: None, a string, or a tuple or list of strings (in brackets
// or bare, as in `down_revision = "a", "b"`).
std::optional<std::vector<std::string>> parents_of(const Value& v) {
  const auto n = v.end - v.begin;
  if (n == 1 && v.begin->kind == Token::Kind::name && v.begin->text == "None") {
    return std::vector<std::string>{};
  }
  if (n >= 2) {
    const Token& open = *v.begin;
    const Token& close = *(v.end - 1);
    if ((is_op(open, "(") && is_op(close, ")")) || (is_op(open, "[") && is_op(close, "]"))) {
      if (n == 2) return std::vector<std::string>{};  // () or []
      return strings_of(v.begin + 1, v.end - 1);
    }
  }
  if (v.begin == v.end) return std::nullopt;
  return strings_of(v.begin, v.end);
}

// Alembic refuses these in a revision id (alembic.script.revision).
void check_id(const std::string& id, const std::string& where) {
  if (id.empty()) throw AlembicError(where + ": revision: empty id");
  auto bad = id.find_first_of("@-+");
  if (bad != std::string::npos) {
    throw AlembicError(where + ": revision: character '" + id.substr(bad, 1) +
                       "' is not allowed in a revision id");
  }
}

struct Assigned {
  std::optional<Value> revision, down_revision;
};

// Records `statement` when it assigns revision or down_revision at module
// level: `name = value` or `name: annotation = value`.
void collect(const Statement& st, Assigned& found, const std::string& file) {
  const Tokens& t = st.tokens;
  if (st.indented || t.front().kind != Token::Kind::name || t.size() < 2) return;
  const std::string& name = t.front().text;
  std::optional<Value>* slot = name == "revision"        ? &found.revision
                               : name == "down_revision" ? &found.down_revision
                                                         : nullptr;
  if (slot == nullptr) return;
  auto where = file + ":" + std::to_string(st.line) + ": " + name;
  auto eq = t.begin() + 1;
  if (is_op(*eq, ":")) {  // an annotation: the value follows its "=" at depth 0
    int depth = 0;
    for (; eq != t.end() && !(depth == 0 && is_op(*eq, "=")); ++eq) {
      depth += depth_change(*eq);
    }
    if (eq == t.end()) return;  // `revision: str` declares, assigns nothing
  } else if (!is_op(*eq, "=")) {
    const std::string& op = eq->text;
    bool augmented = eq->kind == Token::Kind::op && op.size() >= 2 && op.back() == '=' &&
                     op != "==" && op != "!=" && op != "<=" && op != ">=";
    if (augmented) throw AlembicError(where + ": only a plain assignment is supported");
    return;  // an expression that merely uses the name
  }
  int depth = 0;
  for (auto k = eq + 1; k != t.end(); ++k) {
    depth += depth_change(*k);
    if (depth == 0 && is_op(*k, "=")) {
      throw AlembicError(file + ":" + std::to_string(k->line) + ": " + name +
                         ": chained assignments are not supported");
    }
  }
  *slot = Value{eq + 1, t.end(), st.line};
}

}  // namespace

Revision parse_revision_script(const std::string& text, const std::string& file) {
  const std::vector<Statement> statements = Lexer(text, file).statements();
  Assigned found;
  for (const auto& st : statements) collect(st, found, file);
  if (!found.revision) throw AlembicError(file + ": no module-level assignment of revision");
  if (!found.down_revision) {
    throw AlembicError(file + ": no module-level assignment of down_revision");
  }
  Revision rev;
  rev.file = file;
  const Value& r = *found.revision;
  auto id = string_of(r.begin, r.end);
  if (!id && r.end - r.begin >= 3 && is_op(*r.begin, "(") && is_op(*(r.end - 1), ")")) {
    id = string_of(r.begin + 1, r.end - 1);  // ("a1") is the string "a1"
  }
  if (!id)
    throw AlembicError(file + ":" + std::to_string(line_of(r)) + ": revision: expected a string");
  check_id(*id, file + ":" + std::to_string(line_of(r)));
  rev.id = *id;
  const Value& d = *found.down_revision;
  auto parents = parents_of(d);
  if (!parents) {
    throw AlembicError(file + ":" + std::to_string(line_of(d)) +
                       ": down_revision: expected a string, None, or a tuple of strings");
  }
  rev.parents = std::move(*parents);
  return rev;
}

std::vector<Revision> read_versions_dir(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw AlembicError(dir + ": not a directory" + (ec ? " (" + ec.message() + ")" : ""));
  }
  std::vector<std::string> names;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->path().extension() != ".py" || name.rfind("__init__", 0) == 0 ||
        name.rfind(".#", 0) == 0 || it->is_directory(ec)) {
      continue;
    }
    names.push_back(name);
  }
  if (ec) throw AlembicError(dir + ": cannot list: " + ec.message());
  std::sort(names.begin(), names.end());
  std::vector<Revision> out;
  for (const auto& name : names) {
    const std::string path = (fs::path(dir) / name).string();
    std::string text;
    try {
      text = util::read_file(path, kMaxScriptBytes);
    } catch (const util::FileError& e) {
      const bool opened = e.reason() != util::FileError::Reason::cannot_open;
      throw AlembicError(path + (opened ? ": cannot read: " : ": cannot open: ") + e.what());
    }
    out.push_back(parse_revision_script(text, path));
  }
  return out;
}

}  // namespace schemad::alembic
