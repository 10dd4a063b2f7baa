#pragma once

// Comparing one table that exists on both sides. compare() (diff.cpp) calls
// these in order for every model table found in the database; each appends
// its changes and drift to the result. Sources: columns.cpp,
// constraints.cpp, indexes.cpp, tables.cpp.

#include <map>
#include <string>

#include "diff/builders.hpp"
#include "diff/diff.hpp"
#include "schema/schema.hpp"

namespace schemad::diff {

struct TableDiff {
  const schema::Table& want;  // the model's
  const schema::Table& have;  // the database's, same name
  Result& out;
  // Indexes of `have` that a model object accounts for (a model index, or a
  // model unique that the index satisfies), with that object's model path:
  // never reported as extra.
  std::map<std::string, std::string> accounted_indexes;
};

// Drift in the order compare() reports it: by object, then kind.
void sort_drift(std::vector<Drift>& drift);

// Missing tables become create_table; tables present are compared below;
// tables of the model's schemas that the model lacks are extra_table drift
// (Options::unowned_tables excepted).
void compare_tables(const schema::Database& desired, const schema::Database& actual,
                    const Options& options, Result& out);

// Missing columns, their comments, and every difference of type,
// nullability, identity, default and comment; extra columns.
void compare_columns(TableDiff& t);

// Primary key, uniques, foreign keys and checks.
void compare_constraints(TableDiff& t);

// The model's indexes, then the database's indexes that nothing accounts
// for. Runs after compare_constraints (which accounts for indexes that
// satisfy uniques).
void compare_indexes(TableDiff& t);

}  // namespace schemad::diff
