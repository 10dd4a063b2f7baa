#pragma once

// The plan while render() builds it: steps tagged with the slot that orders
// them, the names handed out so far, and what the online steps build after
// the commit. Used by render.cpp and by the per-object sources beside it
// (columns.cpp, constraints.cpp, indexes.cpp).

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "diff/diff.hpp"
#include "plan/names.hpp"
#include "plan/plan.hpp"
#include "schema/schema.hpp"

namespace schemad::plan {

// Execution order. Within a slot, steps keep the order of the changes.
enum class Slot {
  enum_value,  // Phase::before (online): new labels must be committed before use
  schema,
  extension,
  enum_type,
  sequence,        // before the tables whose defaults may call nextval() on it
  function,        // before the tables whose defaults and checks may call it
                   // (bodies are not checked yet: they may read those tables)
  table,           // every new table, before any foreign key: cycles work
  column,          // columns on existing tables
  sequence_owner,  // ALTER SEQUENCE … OWNED BY, once its table and column exist
  primary_key,     // on existing tables
  constraint,      // uniques and checks on existing tables (checks NOT VALID online)
  unique_index,    // unique indexes built in the transaction: a foreign key may need them
  foreign_key,
  index,
  comment,
  view,               // after the tables, columns and functions a query may read; in
                      // the model's order (a view after those it reads)
  view_index,         // a new materialized view's indexes
  trigger,            // after its table and function
  policy,             // before row-level security is turned on: never locked out
  row_security,       // ENABLE / FORCE ROW LEVEL SECURITY
  after_unique,       // Phase::after: unique index CONCURRENTLY, then ADD CONSTRAINT
                      // (UNIQUE or PRIMARY KEY) USING INDEX
  after_index,        // CREATE INDEX CONCURRENTLY
  after_validate,     // VALIDATE CONSTRAINT
  after_foreign_key,  // foreign keys that reference a unique built after the commit
};

// A table and a set of its columns (sorted).
using ColumnSet = std::pair<schema::QualifiedName, std::vector<std::string>>;

ColumnSet column_set(const schema::QualifiedName& table, std::vector<std::string> columns);

struct Builder {
  explicit Builder(const Options& plan_options) : options(plan_options) {}

  // Appends a step rendered from `source`: its kind, key, description
  // (with " (note)" when a change needs several steps), path and tables.
  // Returns it, for the caller to mark what it builds.
  Step& add(Slot slot, const diff::Change& source, std::string sql, const std::string& note = "");

  // The steps in execution order.
  Plan finish() const;

  Options options;
  NameAllocator names;
  // Online: uniques (constraints or unique indexes) on existing tables,
  // built after the commit; a foreign key that references one must wait.
  std::set<ColumnSet> unique_after_commit;
  std::vector<std::pair<Slot, Step>> steps;
};

// Each appends the steps of one change.
void render_column(Builder& b, const diff::Change& change);
// `new_table`: the constraint or index belongs to a table created in this
// plan (empty: no NOT VALID, no CONCURRENTLY needed).
void render_constraint(Builder& b, const diff::Change& change, bool new_table);
// `of_new_view`: an index of a materialized view created in this plan.
void render_index(Builder& b, const diff::Change& change, bool new_table, bool of_new_view = false);

}  // namespace schemad::plan
