#include "plan/names.hpp"

#include <algorithm>
#include <cctype>

namespace schemad::plan {

namespace {

// The longest prefix of `text` of at most `bytes` bytes that does not cut a
// UTF-8 sequence (pg_mbcliplen).
std::size_t clip(const std::string& text, std::size_t bytes) {
  if (bytes >= text.size()) return text.size();
  while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) --bytes;
  return bytes;
}

bool is_word_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' ||
         (static_cast<unsigned char>(c) & 0x80) != 0;
}

bool is_word_char(char c) {
  return is_word_start(c) || std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '$';
}

bool is_keyword(std::string word) {
  std::transform(word.begin(), word.end(), word.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
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
  return keywords.count(word) > 0;
}

std::size_t skip_quoted(const std::string& text, std::size_t i, char quote, std::string* inner) {
  for (++i; i < text.size(); ++i) {
    if (text[i] == quote) {
      if (i + 1 < text.size() && text[i + 1] == quote) {
        if (inner != nullptr) *inner += quote;
        ++i;
        continue;
      }
      return i + 1;
    }
    if (inner != nullptr) *inner += text[i];
  }
  return i;
}

std::size_t skip_spaces(const std::string& text, std::size_t i) {
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) != 0) ++i;
  return i;
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

std::string check_column(const std::string& expression) {
  std::set<std::string> columns;
  bool after_cast = false;
  std::size_t i = 0;
  while (i < expression.size()) {
    char c = expression[i];
    if (c == '\'') {
      i = skip_quoted(expression, i, '\'', nullptr);
      after_cast = false;
    } else if (c == '"') {
      std::string name;
      i = skip_quoted(expression, i, '"', &name);
      if (!after_cast && skip_spaces(expression, i) < expression.size() &&
          expression[skip_spaces(expression, i)] == '(') {
        continue;  // a quoted function name
      }
      if (!after_cast) columns.insert(name);
      after_cast = false;
    } else if (is_word_start(c)) {
      std::size_t end = i;
      while (end < expression.size() && is_word_char(expression[end])) ++end;
      std::string word = expression.substr(i, end - i);
      std::size_t next = skip_spaces(expression, end);
      bool is_call = next < expression.size() && expression[next] == '(';
      bool qualifier = next < expression.size() && expression[next] == '.';
      if (!after_cast && !is_call && !qualifier && !is_keyword(word)) columns.insert(word);
      after_cast = false;
      i = end;
    } else if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      while (i < expression.size() && (is_word_char(expression[i]) || expression[i] == '.')) ++i;
      after_cast = false;
    } else if (c == ':' && i + 1 < expression.size() && expression[i + 1] == ':') {
      after_cast = true;
      i += 2;
    } else {
      if (std::isspace(static_cast<unsigned char>(c)) == 0) after_cast = false;
      ++i;
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
  std::string name = object_name(name1, name2, label);
  for (int pass = 1; taken.count(name) > 0; ++pass) {
    name = object_name(name1, name2, label + std::to_string(pass));
  }
  taken.insert(name);
  return name;
}

}  // namespace schemad::plan
