#include "util/sql_text.hpp"

#include "util/text.hpp"

namespace schemad::sql {

namespace {

// The longest prefix of `text` of at most `bytes` bytes that does not cut a
// UTF-8 sequence (pg_mbcliplen).
std::size_t clip(const std::string& text, std::size_t bytes) {
  if (bytes >= text.size()) return text.size();
  while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) --bytes;
  return bytes;
}

}  // namespace

std::string object_name(const std::string& name1, const std::string& name2,
                        const std::string& label) {
  std::size_t overhead = (name2.empty() ? 0 : 1) + (label.empty() ? 0 : label.size() + 1);
  std::size_t available = kMaxIdentifierBytes > overhead ? kMaxIdentifierBytes - overhead : 0;
  std::size_t length1 = name1.size();
  std::size_t length2 = name2.size();
  while (length1 + length2 > available) {
    if (length1 > length2) {
      --length1;
    } else {
      --length2;
    }
  }
  std::string out = name1.substr(0, clip(name1, length1));
  if (!name2.empty()) out += "_" + name2.substr(0, clip(name2, length2));
  if (!label.empty()) out += "_" + label;
  return out;
}

std::string columns_part(const std::vector<std::string>& columns) {
  std::string out;
  for (const auto& column : columns) {
    if (!out.empty()) out += '_';
    out += column;
    if (out.size() >= kMaxIdentifierBytes + 1) break;
  }
  return out;
}

namespace {

std::string quoted(std::string_view text, char quote) {
  std::string out;
  out.reserve(text.size() + 2);
  out += quote;
  for (char c : text) {
    if (c == quote) out += quote;
    out += c;
  }
  out += quote;
  return out;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// scan.l: op_chars.
bool is_op_char(char c) {
  return std::string_view("~!@#^&|`?+-*/%<>=").find(c) != std::string_view::npos;
}

// Reads the one token at `offset`.
class Lexer {
 public:
  Lexer(std::string_view text, std::size_t offset) : s_(text), i_(offset) {}

  Token token() {
    next();
    return std::move(token_);
  }

 private:
  char at(std::size_t k) const { return k < s_.size() ? s_[k] : '\0'; }
  bool comment_at(std::size_t k) const {
    return (at(k) == '-' && at(k + 1) == '-') || (at(k) == '/' && at(k + 1) == '*');
  }

  void push(Token::Kind kind, std::size_t start, bool unterminated = false) {
    push(kind, start, std::string(s_.substr(start, i_ - start)), unterminated);
  }
  void push(Token::Kind kind, std::size_t start, std::string text, bool unterminated) {
    token_ = Token{kind, start, i_ - start, std::move(text), unterminated};
  }

  void next() {
    const std::size_t start = i_;
    const char c = s_[i_];
    if (util::is_space(c) || comment_at(i_)) return space(start);
    if (c == '"') return quoted_identifier(start);
    if (c == '\'') return quoted_string(start, false);
    if ((c == 'e' || c == 'E') && at(i_ + 1) == '\'') {
      ++i_;
      return quoted_string(start, true);
    }
    if (is_identifier_start(c)) {
      while (i_ < s_.size() && is_identifier_char(s_[i_])) ++i_;
      return push(Token::Kind::word, start);
    }
    if (is_digit(c) || (c == '.' && is_digit(at(i_ + 1)))) return number(start);
    if (c == '$') return dollar(start);
    if (c == ':') {
      i_ += at(i_ + 1) == ':' || at(i_ + 1) == '=' ? 2 : 1;
      return push(Token::Kind::op, start);
    }
    if (is_op_char(c)) return op(start);
    ++i_;
    push(Token::Kind::op, start);
  }

  void space(std::size_t start) {
    bool unterminated = false;
    while (i_ < s_.size()) {
      if (util::is_space(s_[i_])) {
        ++i_;
      } else if (at(i_) == '-' && at(i_ + 1) == '-') {
        while (i_ < s_.size() && s_[i_] != '\n' && s_[i_] != '\r') ++i_;
      } else if (at(i_) == '/' && at(i_ + 1) == '*') {
        unterminated = !block_comment();
      } else {
        break;
      }
    }
    push(Token::Kind::space, start, unterminated);
  }

  // From "/*" past its matching "*/"; false when the text ends first.
  bool block_comment() {
    int depth = 0;
    while (i_ < s_.size()) {
      if (at(i_) == '/' && at(i_ + 1) == '*') {
        ++depth;
        i_ += 2;
      } else if (at(i_) == '*' && at(i_ + 1) == '/') {
        i_ += 2;
        if (--depth == 0) return true;
      } else {
        ++i_;
      }
    }
    return false;
  }

  void quoted_identifier(std::size_t start) {
    std::string name;
    for (++i_; i_ < s_.size(); ++i_) {
      if (s_[i_] == '"') {
        if (at(i_ + 1) != '"') {
          ++i_;
          return push(Token::Kind::quoted_identifier, start, std::move(name), false);
        }
        ++i_;
      }
      name += s_[i_];
    }
    push(Token::Kind::quoted_identifier, start, std::move(name), true);
  }

  // '...' from the quote at i_; with `escapes` (E'...'), a backslash
  // escapes the next character too.
  void quoted_string(std::size_t start, bool escapes) {
    for (++i_; i_ < s_.size(); ++i_) {
      if (escapes && s_[i_] == '\\') {
        if (++i_ == s_.size()) break;
      } else if (s_[i_] == '\'') {
        if (at(i_ + 1) != '\'') {
          ++i_;
          return push(Token::Kind::string, start);
        }
        ++i_;
      }
    }
    push(Token::Kind::string, start, true);
  }

  // scan.l: integer, decimal, real (a '.' followed by another is not the
  // number's: "1..5" is 1, '.', .5); and identifier characters glued on
  // (integer_junk and the like).
  void number(std::size_t start) {
    while (is_digit(at(i_))) ++i_;
    if (at(i_) == '.' && at(i_ + 1) != '.') {
      ++i_;
      while (is_digit(at(i_))) ++i_;
    }
    if ((at(i_) == 'e' || at(i_) == 'E') &&
        (is_digit(at(i_ + 1)) ||
         ((at(i_ + 1) == '+' || at(i_ + 1) == '-') && is_digit(at(i_ + 2))))) {
      i_ += 2;
      while (is_digit(at(i_))) ++i_;
    }
    if (is_identifier_start(at(i_))) {
      while (is_identifier_char(at(i_))) ++i_;
    }
    push(Token::Kind::number, start);
  }

  // $1, $tag$...$tag$, or a lone "$".
  void dollar(std::size_t start) {
    if (is_digit(at(i_ + 1))) {
      ++i_;
      while (is_identifier_char(at(i_))) ++i_;
      return push(Token::Kind::parameter, start);
    }
    std::size_t end = i_ + 1;
    if (is_identifier_start(at(end))) {
      while (is_identifier_start(at(end)) || is_digit(at(end))) ++end;
    }
    if (at(end) != '$') {
      ++i_;
      return push(Token::Kind::op, start);
    }
    const std::string_view delimiter = s_.substr(start, end + 1 - start);
    const std::size_t close = s_.find(delimiter, end + 1);
    if (close == std::string_view::npos) {
      i_ = s_.size();
      return push(Token::Kind::string, start, true);
    }
    i_ = close + delimiter.size();
    push(Token::Kind::string, start);
  }

  // scan.l's operator rule: op_chars up to a comment; trailing + and - are
  // not part of a longer operator unless it has one of ~!@#^&|`?%.
  void op(std::size_t start) {
    std::size_t end = start;
    while (end < s_.size() && is_op_char(s_[end]) && !(end > start && comment_at(end))) ++end;
    std::size_t length = end - start;
    auto sign = [&](std::size_t n) { return s_[start + n - 1] == '+' || s_[start + n - 1] == '-'; };
    if (length > 1 && sign(length) &&
        s_.substr(start, length - 1).find_first_of("~!@#^&|`?%") == std::string_view::npos) {
      do {
        --length;
      } while (length > 1 && sign(length));
    }
    i_ = start + length;
    push(Token::Kind::op, start);
  }

  std::string_view s_;
  std::size_t i_;
  Token token_;
};

}  // namespace

// scan.l: ident_start (also dolq_start, a dollar quote's tag).
bool is_identifier_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// scan.l: ident_cont.
bool is_identifier_char(char c) {
  return is_identifier_start(c) || (c >= '0' && c <= '9') || c == '$';
}

std::string ident(std::string_view name) {
  return quoted(name, '"');
}

std::string literal(std::string_view text) {
  return quoted(text, '\'');
}

std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

Token lex_one(std::string_view text, std::size_t offset) {
  if (offset >= text.size()) return Token{Token::Kind::space, text.size(), 0, "", false};
  return Lexer(text, offset).token();
}

std::vector<Token> lex(std::string_view text) {
  std::vector<Token> tokens;
  for (std::size_t offset = 0; offset < text.size(); offset += tokens.back().length) {
    tokens.push_back(lex_one(text, offset));
  }
  return tokens;
}

std::string without_outer_parentheses(std::string_view text) {
  const std::vector<Token> tokens = lex(text);
  if (tokens.size() < 2 || tokens.front().text != "(" || tokens.back().text != ")") {
    return std::string(text);
  }
  int depth = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].kind != Token::Kind::op) continue;
    if (tokens[i].text == "(") ++depth;
    if (tokens[i].text == ")" && --depth == 0 && i + 1 != tokens.size()) return std::string(text);
  }
  return std::string(text.substr(1, text.size() - 2));
}

}  // namespace schemad::sql
