#include "model/type_text.hpp"

#include <cctype>

namespace schemad::model {

namespace {

struct Token {
  enum class Kind { word, quoted, number, punct } kind;
  TypeWord word;  // word, quoted, number (raw == folded)
  char punct = 0;
};

bool word_start(unsigned char c) {
  return std::isalpha(c) || c == '_' || c >= 0x80;
}
bool word_char(unsigned char c) {
  return word_start(c) || std::isdigit(c) || c == '$';
}

std::string fold(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (std::isspace(c)) {
      ++i;
    } else if (word_start(c)) {
      std::size_t start = i;
      while (i < text.size() && word_char(static_cast<unsigned char>(text[i]))) ++i;
      std::string raw(text.substr(start, i - start));
      tokens.push_back({Token::Kind::word, {fold(raw), raw, false}});
    } else if (c == '"') {
      std::string contents;
      for (++i;; ++i) {
        if (i >= text.size()) throw TypeError("unterminated quoted identifier");
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            ++i;
          } else {
            break;
          }
        }
        contents += text[i];
      }
      ++i;
      if (contents.empty()) throw TypeError("zero-length quoted identifier");
      tokens.push_back({Token::Kind::quoted, {contents, contents, true}});
    } else if (std::isdigit(c) || ((c == '-' || c == '+') && i + 1 < text.size() &&
                                   std::isdigit(static_cast<unsigned char>(text[i + 1])))) {
      std::size_t start = i++;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
      std::string digits(text.substr(start, i - start));
      tokens.push_back({Token::Kind::number, {digits, digits, false}});
    } else if (c == '(' || c == ')' || c == ',' || c == '[' || c == ']' || c == '.') {
      tokens.push_back({Token::Kind::punct, {}, static_cast<char>(c)});
      ++i;
    } else {
      throw TypeError(std::string("unexpected character '") + text[i] + "'");
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
