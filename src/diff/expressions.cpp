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
// kept as written (whitespace in them is part of a value or a name, even in
// one that is not terminated).
std::string collapse_whitespace(std::string_view text) {
  std::string out;
  bool space = false;      // whitespace since the last token written
  bool after_open = true;  // nothing written yet, or "(" last
  for (const sql::Token& token : sql::lex(text)) {
    if (token.kind == sql::Token::Kind::space) {
      space = true;
      continue;
    }
    if (space && !after_open && !is_op(token, ")")) out += ' ';
    space = false;
    out += text.substr(token.offset, token.length);
    after_open = is_op(token, "(");
  }
  return out;
}

// The text's tokens other than space, each '(' with the index of the ')'
// that closes it (npos when none does).
struct Parens {
  std::vector<sql::Token> tokens;
  std::vector<std::size_t> closed_by;
};

Parens match_parentheses(std::string_view text) {
  Parens p;
  std::vector<std::size_t> open;
  for (sql::Token& token : sql::lex(text)) {
    if (token.kind == sql::Token::Kind::space) continue;
    p.closed_by.push_back(std::string::npos);
    if (is_op(token, "(")) {
      open.push_back(p.tokens.size());
    } else if (is_op(token, ")") && !open.empty()) {
      p.closed_by[open.back()] = p.tokens.size();
      open.pop_back();
    }
    p.tokens.push_back(std::move(token));
  }
  return p;
}

// How many pairs of parentheses enclose the whole text ("((a))" 2,
// "(a) AND (b)" 0), in one pass: nesting thousands deep costs no more than
// the text's length.
std::size_t enclosing_pairs(const Parens& p) {
  std::size_t pairs = 0;
  for (std::size_t i = 0, j = p.tokens.size(); i + 1 < j; ++i) {
    if (!is_op(p.tokens[i], "(") || p.closed_by[i] != j - 1) break;
    ++pairs;
    --j;
  }
  return pairs;
}

}  // namespace

std::string normalize_expression(std::string_view text) {
  std::string out = collapse_whitespace(text);
  const Parens p = match_parentheses(out);
  const std::size_t pairs = enclosing_pairs(p);
  if (pairs == 0) return out;
  const sql::Token& first = p.tokens[pairs];
  const sql::Token& last = p.tokens[p.tokens.size() - 1 - pairs];
  return collapse_whitespace(
      std::string_view(out).substr(first.offset, last.offset + last.length - first.offset));
}

std::string parenthesized(const std::string& text) {
  const bool enclosed = !text.empty() && text.front() == '(' && text.back() == ')' &&
                        enclosing_pairs(match_parentheses(text)) > 0;
  return enclosed ? text : "(" + text + ")";
}

bool same_expression(std::string_view a, std::string_view b) {
  return normalize_expression(a) == normalize_expression(b);
}

}  // namespace schemad::diff
