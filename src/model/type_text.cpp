#include "model/type_text.hpp"

#include "util/sql_text.hpp"
#include "util/text.hpp"

namespace schemad::model {

namespace {

struct Token {
  enum class Kind { word, quoted, number, punct } kind;
  TypeWord word;  // word, quoted, number (raw == folded)
  char punct = 0;
};

[[noreturn]] void unexpected(char c) {
  throw TypeError(std::string("unexpected character '") + c + "'");
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_sign(char c) {
  return c == '-' || c == '+';
}

// A type's grammar has integers only (modifiers, array bounds): from a
// number on (sql::lex would read "1.5", "1e5x" or "1$" as SQL reads them),
// the text is read as integers with an optional sign, '.' and words ("e5x")
// as long as it goes on with those, so that "numeric(1.5)" goes wrong
// after "1" like any modifier list without a ','. Returns where that ends.
std::size_t read_numbers(std::string_view text, std::size_t i, std::vector<Token>& tokens) {
  while (i < text.size()) {
    const std::size_t start = i;
    const char c = text[i];
    if (is_digit(c) || (is_sign(c) && i + 1 < text.size() && is_digit(text[i + 1]))) {
      ++i;
      while (i < text.size() && is_digit(text[i])) ++i;
      std::string digits(text.substr(start, i - start));
      tokens.push_back({Token::Kind::number, {digits, digits, false}});
    } else if (c == '.') {
      tokens.push_back({Token::Kind::punct, {}, c});
      ++i;
    } else if (sql::is_identifier_start(c)) {
      while (i < text.size() && sql::is_identifier_char(text[i])) ++i;
      std::string raw(text.substr(start, i - start));
      tokens.push_back({Token::Kind::word, {util::ascii_lower(raw), raw, false}});
    } else {
      break;
    }
  }
  return i;
}

// The type grammar's tokens: words (folded), quoted identifiers, integers
// and ( ) , [ ] . -- anything else SQL has (strings, operators, comments)
// is an unexpected character in a type, reported at its first.
std::vector<Token> tokenize(std::string_view text) {
  using Kind = sql::Token::Kind;
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    const sql::Token t = sql::lex_one(text, i);
    i = t.offset + t.length;
    switch (t.kind) {
      case Kind::space: {
        std::size_t comment = t.text.find_first_not_of(util::kWhitespace);
        if (comment != std::string::npos) unexpected(t.text[comment]);
        break;
      }
      case Kind::word:
        tokens.push_back({Token::Kind::word, {util::ascii_lower(t.text), t.text, false}});
        break;
      case Kind::quoted_identifier:
        if (t.unterminated) throw TypeError("unterminated quoted identifier");
        if (t.text.empty()) throw TypeError("zero-length quoted identifier");
        tokens.push_back({Token::Kind::quoted, {t.text, t.text, true}});
        break;
      case Kind::number:
        i = read_numbers(text, t.offset, tokens);
        break;
      case Kind::op:
        if (is_sign(t.text[0]) && t.offset + 1 < text.size() && is_digit(text[t.offset + 1])) {
          i = read_numbers(text, t.offset, tokens);
        } else if (t.text.size() == 1 &&
                   std::string_view("(),[].").find(t.text[0]) != std::string_view::npos) {
          tokens.push_back({Token::Kind::punct, {}, t.text[0]});
        } else {
          unexpected(t.text[0]);
        }
        break;
      case Kind::string:  // '...', $$...$$, and E'...' (a word E, then the quote)
        unexpected(t.text[0] == '$' ? '$' : '\'');
      case Kind::parameter:
        unexpected('$');
    }
  }
  return tokens;
}

class Reader {
 public:
  explicit Reader(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  bool done() const { return pos_ >= tokens_.size(); }
  const Token* peek() const { return done() ? nullptr : &tokens_[pos_]; }
  bool at_punct(char p) const {
    return peek() && peek()->kind == Token::Kind::punct && peek()->punct == p;
  }
  bool at_word() const { return peek() && peek()->kind == Token::Kind::word; }
  bool at_keyword(const char* word) const { return at_word() && peek()->word.folded == word; }
  const Token& next() { return tokens_[pos_++]; }

  void expect_punct(char p, const char* context) {
    if (!at_punct(p)) throw TypeError(std::string("expected '") + p + "' " + context);
    ++pos_;
  }

 private:
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
};

void read_name(Reader& in, TypeText& out) {
  const Token* first = in.peek();
  if (!first || first->kind == Token::Kind::punct || first->kind == Token::Kind::number) {
    throw TypeError("expected a type name");
  }
  if (first->kind == Token::Kind::word && first->word.folded == "array") {
    throw TypeError("expected a type name");
  }
  out.words.push_back(in.next().word);
  if (in.at_punct('.')) {
    in.next();
    const Token* name = in.peek();
    if (!name || (name->kind != Token::Kind::word && name->kind != Token::Kind::quoted)) {
      throw TypeError("expected a type name after '.'");
    }
    out.qualifier = std::move(out.words);
    out.words = {in.next().word};
    return;
  }
  if (out.words.front().quoted) return;
  while (in.at_word() && !in.at_keyword("array")) out.words.push_back(in.next().word);
}

void read_modifiers(Reader& in, TypeText& out) {
  if (!in.at_punct('(')) return;
  in.next();
  out.has_modifiers = true;
  for (;;) {
    const Token* item = in.peek();
    if (!item || item->kind == Token::Kind::punct) throw TypeError("expected a type modifier");
    out.modifiers.push_back(in.next().word);
    if (in.at_punct(')')) break;
    in.expect_punct(',', "between type modifiers");
  }
  in.next();
  while (in.at_word() && !in.at_keyword("array")) out.tail.push_back(in.next().word.folded);
}

void read_bound(Reader& in) {
  in.expect_punct('[', "in array bounds");
  if (in.peek() && in.peek()->kind == Token::Kind::number) {
    if (in.peek()->word.raw[0] == '-' || in.peek()->word.raw[0] == '+') {
      throw TypeError("array bounds must be unsigned integers");
    }
    in.next();
  }
  in.expect_punct(']', "after an array bound");
}

void read_array_suffix(Reader& in, TypeText& out) {
  if (in.at_keyword("array")) {
    in.next();
    out.array = true;
    if (in.at_punct('[')) read_bound(in);
    return;
  }
  while (in.at_punct('[')) {
    read_bound(in);
    out.array = true;
  }
}

}  // namespace

std::string TypeText::head() const {
  std::string out;
  for (const TypeWord& word : words) {
    if (!out.empty()) out += ' ';
    out += word.folded;
  }
  return out;
}

TypeText parse_type_text(std::string_view text) {
  Reader in(tokenize(text));
  TypeText out;
  read_name(in, out);
  read_modifiers(in, out);
  read_array_suffix(in, out);
  if (!in.done()) throw TypeError("unexpected text after the type");
  return out;
}

}  // namespace schemad::model
