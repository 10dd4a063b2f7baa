#include "diff/expressions.hpp"

#include <vector>

#include "util/sql_text.hpp"

namespace schemad::diff {

namespace {

bool is_op(const sql::Token& token, const char* text) {
  return token.kind == sql::Token::Kind::op && token.text == text;
}

// Whitespace and comments outside quotes become one space, none just
// inside parentheses or at the ends; strings and quoted identifiers are
// kept as written (whitespace in them is part of a value or a name).
std::string collapse_whitespace(std::string_view text) {
  std::string out;
  for (const sql::Token& token : sql::lex(text)) {
    if (token.kind == sql::Token::Kind::space) {
      if (!out.empty() && out.back() != ' ' && out.back() != '(') out += ' ';
      continue;
    }
    if (is_op(token, ")") && !out.empty() && out.back() == ' ') out.pop_back();
    out += text.substr(token.offset, token.length);
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Whether the '(' at 0 is closed by the last character (not "(a) AND (b)").
bool outer_parentheses_enclose_all(const std::string& text) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') return false;
  int depth = 0;
  for (const sql::Token& token : sql::lex(text)) {
    if (is_op(token, "(")) {
      ++depth;
    } else if (is_op(token, ")")) {
      --depth;
      if (depth == 0 && token.offset + 1 < text.size()) return false;
    }
  }
  return depth == 0;
}

}  // namespace

std::string normalize_expression(std::string_view text) {
  std::string out = collapse_whitespace(text);
  while (outer_parentheses_enclose_all(out))
    out = collapse_whitespace(out.substr(1, out.size() - 2));
  return out;
}

std::string parenthesized(const std::string& text) {
  return outer_parentheses_enclose_all(text) ? text : "(" + text + ")";
}

bool same_expression(std::string_view a, std::string_view b) {
  return normalize_expression(a) == normalize_expression(b);
}

}  // namespace schemad::diff
