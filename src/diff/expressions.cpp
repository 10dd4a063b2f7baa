#include "diff/expressions.hpp"

#include <cctype>

namespace schemad::diff {

namespace {

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

// Whitespace is collapsed only outside '...' and "...": inside them it is
// part of a value or a name.
std::string collapse_whitespace(std::string_view text) {
  std::string out;
  char quote = 0;
  for (char c : text) {
    if (quote != 0) {
      out += c;
      if (c == quote) quote = 0;  // a doubled quote closes and reopens: same result
      continue;
    }
    if (c == '\'' || c == '"') quote = c;
    if (is_space(c)) {
      if (!out.empty() && out.back() != ' ' && out.back() != '(') out += ' ';
      continue;
    }
    if (c == ')' && !out.empty() && out.back() == ' ') out.pop_back();
    out += c;
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Whether the '(' at 0 is closed by the last character (not "(a) AND (b)").
bool outer_parentheses_enclose_all(const std::string& text) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') return false;
  int depth = 0;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
      if (depth == 0 && i + 1 < text.size()) return false;
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
