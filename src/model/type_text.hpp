#pragma once

// The structure of a column's type text, read the way PostgreSQL's grammar
// reads a type name (no COLLATE, no constraints):
//
//   [qualifier .] word... [( modifier, ... )] [tail words] [array suffix]
//
// e.g. `character varying(255)`, `timestamp(3) with time zone`,
// `app."Mood"[]`, `vector(1536)`, `int ARRAY`. This says nothing about
// which types exist: see types.hpp (built-ins) and type_resolve.hpp.

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace schemad::model {

// Type text that no type can have, or a built-in type used wrongly
// (`varchar(0)`). what() is the problem alone, without the text.
class TypeError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct TypeWord {
  std::string folded;  // unquoted: ASCII lower case, as PostgreSQL folds it
  std::string raw;     // as written (quoted: the contents, "" undoubled)
  bool quoted = false;
};

struct TypeText {
  std::vector<TypeWord> qualifier;  // zero or one word: the schema
  std::vector<TypeWord> words;      // one or more; several only unquoted
  bool has_modifiers = false;
  std::vector<TypeWord> modifiers;  // each a number, word or quoted word
  std::vector<std::string> tail;    // folded words after the modifiers
  bool array = false;               // any of [], [n], ARRAY, ARRAY[n]

  // The folded words joined by single spaces: "character varying".
  std::string head() const;
};

// Splits `text`; throws TypeError when it cannot be a type at all.
TypeText parse_type_text(std::string_view text);

}  // namespace schemad::model
