#include "plan/names.hpp"

#include "util/sql_text.hpp"
#include "util/text.hpp"

namespace schemad::plan {

namespace {

bool is_keyword(const std::string& word) {
  static const std::set<std::string> keywords = {"all",          "and",
                                                 "any",          "array",
                                                 "as",           "asc",
                                                 "between",      "both",
                                                 "case",         "cast",
                                                 "collate",      "current_date",
                                                 "current_time", "current_timestamp",
                                                 "current_user", "desc",
                                                 "distinct",     "else",
                                                 "end",          "escape",
                                                 "false",        "from",
                                                 "ilike",        "in",
                                                 "is",           "isnull",
                                                 "leading",      "like",
                                                 "localtime",    "localtimestamp",
                                                 "not",          "notnull",
                                                 "null",         "or",
                                                 "overlaps",     "session_user",
                                                 "similar",      "some",
                                                 "symmetric",    "then",
                                                 "trailing",     "true",
                                                 "unknown",      "user",
                                                 "when",         "with",
                                                 "without",      "zone",
                                                 "time",         "timestamp",
                                                 "interval",     "date",
                                                 "varying",      "precision",
                                                 "double",       "character"};
  return keywords.count(util::ascii_lower(word)) > 0;
}

}  // namespace

std::string check_column(const std::string& expression) {
  using Kind = sql::Token::Kind;
  // The token at `i`, or the one after it when that is space.
  auto solid = [&expression](std::size_t i) {
    sql::Token token = sql::lex_one(expression, i);
    return token.kind == Kind::space ? sql::lex_one(expression, token.offset + token.length)
                                     : token;
  };
  std::set<std::string> columns;
  bool after_cast = false;  // the previous token was "::"
  std::size_t i = 0;
  while (i < expression.size()) {
    const sql::Token token = sql::lex_one(expression, i);
    i = token.offset + token.length;
    if (token.kind == Kind::space) continue;
    const bool type_name = after_cast;
    after_cast = token.kind == Kind::op && token.text == "::";
    if (token.kind == Kind::number || token.kind == Kind::parameter) {
      // With the identifier characters and dots right after it ("1.5e3x",
      // "$1.a"): no part of a number is a name.
      while (i < expression.size() &&
             (sql::is_identifier_char(expression[i]) || expression[i] == '.')) {
        ++i;
      }
      continue;
    }
    const sql::Token next = solid(i);
    const bool before_call = next.kind == Kind::op && next.text == "(";
    // "t.col", and "t.1" (".1" is a number to the lexer)
    const bool before_dot =
        (next.kind == Kind::op || next.kind == Kind::number) && next.text.rfind('.', 0) == 0;
    if (token.kind == Kind::word) {
      if (!type_name && !before_call && !before_dot && !is_keyword(token.text)) {
        columns.insert(token.text);
      }
    } else if (token.kind == Kind::quoted_identifier) {
      if (!type_name && !before_call) columns.insert(token.text);
    }
  }
  return columns.size() == 1 ? *columns.begin() : "";
}

void NameAllocator::reserve(const std::string& schema, const std::string& name) {
  if (!name.empty()) taken_[schema].insert(name);
}

std::string NameAllocator::choose(const std::string& schema, const std::string& name1,
                                  const std::string& name2, const std::string& label) {
  std::set<std::string>& taken = taken_[schema];
  std::string name = sql::object_name(name1, name2, label);
  for (int pass = 1; taken.count(name) > 0; ++pass) {
    name = sql::object_name(name1, name2, label + std::to_string(pass));
  }
  taken.insert(name);
  return name;
}

}  // namespace schemad::plan
