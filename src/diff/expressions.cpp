#include "diff/expressions.hpp"

#include <vector>

#include "util/sql_text.hpp"
#include "util/text.hpp"

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

namespace {

// Words that continue a type name after a cast's first word
// ("character varying", "timestamp with time zone", "double precision").
bool continues_type(const std::string& word) {
  static const char* const kWords[] = {"varying", "precision", "with", "without", "time", "zone"};
  for (const char* w : kWords) {
    if (word == w) return true;
  }
  return false;
}

bool is_word(const sql::Token& token) {
  return token.kind == sql::Token::Kind::word || token.kind == sql::Token::Kind::quoted_identifier;
}

// Skips the type of the cast whose "::" is tokens[i]: its (qualified) name,
// modifiers and array brackets. Returns the index of its last token.
std::size_t skip_cast(std::string_view text, const std::vector<sql::Token>& tokens, std::size_t i) {
  bool first = true;    // the type's first word is still to come
  bool dotted = false;  // after "schema."
  while (i + 1 < tokens.size()) {
    const sql::Token& next = tokens[i + 1];
    const bool word = is_word(next);
    const std::string lower = util::ascii_lower(text.substr(next.offset, next.length));
    if (next.kind == sql::Token::Kind::space || is_op(next, ".") || is_op(next, "[") ||
        is_op(next, "]") || (word && (first || dotted || continues_type(lower)))) {
      if (next.kind != sql::Token::Kind::space) dotted = is_op(next, ".");
      first = first && !word;
      ++i;
    } else if (is_op(next, "(") && !first) {  // modifiers: up to the closing parenthesis
      while (i + 1 < tokens.size() && !is_op(tokens[i + 1], ")")) ++i;
      ++i;
    } else {
      break;
    }
  }
  return i;
}

// The index of the next token after `i` that is not space, or tokens.size().
std::size_t next_solid(const std::vector<sql::Token>& tokens, std::size_t i) {
  for (++i; i < tokens.size(); ++i) {
    if (tokens[i].kind != sql::Token::Kind::space) return i;
  }
  return i;
}

// A schema in front of a function's name ("public.digest(") that the server
// prints when the search_path lacks it.
bool qualifies_a_call(const std::vector<sql::Token>& tokens, std::size_t i) {
  const std::size_t dot = next_solid(tokens, i);
  if (dot >= tokens.size() || !is_op(tokens[dot], ".")) return false;
  const std::size_t name = next_solid(tokens, dot);
  if (name >= tokens.size() || !is_word(tokens[name])) return false;
  const std::size_t open = next_solid(tokens, name);
  return open < tokens.size() && is_op(tokens[open], "(");
}

// The tokens that matter to roughly_same_expression, spelled comparably.
std::vector<std::string> rough_tokens(std::string_view text) {
  const std::vector<sql::Token> tokens = sql::lex(text);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const sql::Token& token = tokens[i];
    if (token.kind == sql::Token::Kind::space || is_op(token, "(") || is_op(token, ")") ||
        is_op(token, "[") || is_op(token, "]")) {
      continue;
    }
    if (is_op(token, "::")) {
      i = skip_cast(text, tokens, i);
      continue;
    }
    if (is_word(token) && qualifies_a_call(tokens, i)) {
      i = next_solid(tokens, i);  // the dot
      continue;
    }
    const std::string spelled(text.substr(token.offset, token.length));
    const std::string word = token.kind == sql::Token::Kind::word ? util::ascii_lower(spelled) : "";
    // The server prints "x IN (a, b)" as "x = ANY (ARRAY[a, b])", and
    // "x NOT IN (…)" as "x <> ALL (ARRAY[…])".
    if (word == "array") continue;
    if (word == "in" && !out.empty() && out.back() == "not") {
      out.back() = "<>";
      out.push_back("all");
    } else if (word == "in") {
      out.push_back("=");
      out.push_back("any");
    } else {
      out.push_back(word.empty() ? spelled : word);
    }
  }
  return out;
}

}  // namespace

bool roughly_same_expression(std::string_view a, std::string_view b) {
  return rough_tokens(a) == rough_tokens(b);
}

bool same_expression(std::string_view a, std::string_view b) {
  return normalize_expression(a) == normalize_expression(b);
}

}  // namespace schemad::diff
