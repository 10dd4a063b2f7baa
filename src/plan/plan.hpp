#pragma once

// Plan: changes -> ordered SQL steps. Pure: rendering needs no connection
// (see util/sql_text.hpp for the quoting rules it relies on).

#include <string>
#include <vector>

#include "diff/diff.hpp"

namespace schemad::plan {

// When a step runs relative to the one healing transaction.
enum class Phase {
  before,       // alone, before the transaction: enum values, which the
                // transaction may then use
  transaction,  // inside the one transaction (all or nothing)
  after,        // alone, after the commit: CREATE INDEX CONCURRENTLY,
                // VALIDATE CONSTRAINT (each its own short transaction)
};

std::string to_string(Phase phase);

struct Step {
  Phase phase = Phase::transaction;
  diff::ChangeKind kind = diff::ChangeKind::create_schema;  // of the change it comes from
  // The change's identity (Change::key()): the steps of one change share it,
  // and it is what schemad_history remembers a change by.
  std::string key;
  std::string sql;          // one statement, no trailing semicolon
  std::string description;  // the change it comes from, as Change::description(), + " (note)"
  std::string change;       // Change::description() alone
  std::string path;         // model path
  std::string table;        // the table it alters, as SQL ("public"."items"); "" for none
  std::string references;   // a foreign key's: the table it references, as SQL; else ""
  // CREATE or DROP INDEX CONCURRENTLY: waits for every older transaction by
  // design, so it runs without statement_timeout.
  bool concurrent = false;
  std::string builds;  // CREATE INDEX CONCURRENTLY: the index, as SQL; else ""
};

struct Options {
  // true (apply, plan): objects on existing tables are built without blocking
  // writers: CREATE INDEX CONCURRENTLY, constraints NOT VALID then VALIDATE.
  // false (export-sql): one plain script for an empty database, all in
  // Phase::transaction.
  bool online = true;
};

struct Plan {
  std::vector<Step> steps;  // in execution order: before, transaction, after
};

// Orders and renders the changes: schemas and extensions, enums, tables with
// their primary keys, uniques and checks, columns on existing tables, then
// foreign keys once every table exists (so cycles work), then indexes, then
// comments; enum values before the transaction; online steps after it.
// Unique indexes built in the transaction come before the foreign keys (one
// may reference them); online, a foreign key that references a unique built
// after the commit is added after it. An invalid index that a change
// replaces (Change::invalid_index) is dropped (IF EXISTS) just before the
// rebuild. Online steps name what they create: an unnamed constraint gets
// PostgreSQL's default name (see plan/names.hpp).
Plan render(const diff::Result& changes, const Options& options = {});

// The whole plan as a SQL script, each step ended by ";\n" and preceded by a
// "-- description" comment line. With `online`, BEGIN/COMMIT bracket the
// transactional part.
std::string to_script(const Plan& plan, bool with_transaction_markers);

}  // namespace schemad::plan
