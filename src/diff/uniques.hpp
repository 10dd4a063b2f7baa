#pragma once

// The spec's rule: a non-partial, valid unique index on exactly the same
// columns (in any order) satisfies a unique constraint of the model, and a
// unique constraint satisfies a unique index of the model.

#include <string>
#include <vector>

#include "schema/schema.hpp"

namespace schemad::diff {

// The same names, order aside.
bool same_column_set(std::vector<std::string> a, std::vector<std::string> b);

// The index's key columns when every key is a plain column and there is no
// predicate (sort order and operator class do not change what is unique);
// empty otherwise.
std::vector<std::string> plain_key_columns(const schema::Index& index);

// A unique, valid, non-partial index on exactly `columns` (order aside).
bool index_enforces_unique(const schema::Index& index, const std::vector<std::string>& columns);

// A unique constraint of `table` on exactly `columns` (order aside).
const schema::Constraint* unique_constraint_on(const schema::Table& table,
                                               const std::vector<std::string>& columns);

}  // namespace schemad::diff
