#pragma once

// The names PostgreSQL gives unnamed constraints, indexes and sequences, for
// the online steps that must name what they create (to VALIDATE it later, or
// to turn an index into a constraint). They follow ChooseConstraintName and
// makeObjectName: "<table>_<columns>_<label>", the longer of the two first
// parts shortened until the whole fits 63 bytes (NAMEDATALEN - 1), never in
// the middle of a UTF-8 character; on a clash, "<label>1", "<label>2"...
//
// Purity has a price: names that exist only in the database are not known
// here, so a generated name can still clash with one (the step then fails
// with PostgreSQL's "already exists" error and nothing is changed).

#include <map>
#include <set>
#include <string>
#include <vector>

#include "util/sql_text.hpp"

namespace schemad::plan {

// The one column a check expression refers to, for "<table>_<column>_check";
// empty when it refers to none or several. A lexical guess over sql::lex's
// tokens (unquoted words that are not keywords, function names, qualifiers
// or type names after "::", and quoted identifiers that are not function
// names; never anything in a string or comment): the server decides by
// parsing, this only picks a readable name.
std::string check_column(const std::string& expression);

// Hands out names that are unique per schema within one plan.
class NameAllocator {
 public:
  // Marks a name as taken (the model's own names, new tables).
  void reserve(const std::string& schema, const std::string& name);
  // sql::object_name(name1, name2, label), or with label1, label2... when taken;
  // the result is reserved.
  std::string choose(const std::string& schema, const std::string& name1, const std::string& name2,
                     const std::string& label);

 private:
  std::map<std::string, std::set<std::string>> taken_;
};

}  // namespace schemad::plan
