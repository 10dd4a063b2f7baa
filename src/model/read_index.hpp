#pragma once

// One entry of a table's "indexes" -> schema::Index.

#include "model/node.hpp"
#include "schema/schema.hpp"

namespace schemad::model {

// Reads an index object (keys name, columns, method, unique, where,
// include). An entry of "columns" is a column name, {"column": name} or
// {"expression": sql}, the objects with optional opclass, order ("asc",
// "desc") and nulls ("first", "last"). Throws Invalid at the offending path
// for a wrong shape, a column that `table` does not have, and what
// PostgreSQL 15 refuses: a method other than btree, hash, gin, gist, brin,
// spgist; unique other than btree; include other than btree, gist, spgist;
// order or nulls other than btree. Fills path with `node`'s path.
// Without `check_columns` (a materialized view's index, whose columns the
// model does not list), column names are not checked against `table`.
schema::Index read_index(const Node& node, const schema::Table& table, bool check_columns = true);

}  // namespace schemad::model
