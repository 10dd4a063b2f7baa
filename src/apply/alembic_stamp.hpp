#pragma once

// The baseline revision in Alembic's alembic_version table: which revision,
// what the table holds, and whether to insert, move forward or leave it.

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "schema/schema.hpp"

namespace schemad::apply {

// The model's "revision", else the configured one (alembic.revision), else
// "schemad_" + the first 24 hex digits of the model's fingerprint.
std::string baseline_revision(const schema::Database& model, const std::string& configured);

struct StampState {
  bool table_exists = false;
  std::vector<std::string> revisions;  // the rows of alembic_version, sorted
};

// Reads alembic_version in `schema` (one query to find the table, one to read it).
StampState read_stamp(pqxx::transaction_base& tx, const std::string& schema);

// The rows of alembic_version in `schema`, sorted; the table must exist.
std::vector<std::string> read_revisions(pqxx::transaction_base& tx, const std::string& schema);

struct StampDecision {
  enum class Action {
    none,           // the target revision is there
    insert,         // no row (and maybe no table): record the target
    update,         // a revision schemad recorded earlier: move it forward
    leave_unknown,  // a revision schemad does not know: left alone, reported
    leave_several,  // several heads: left alone, an error
  };
  Action action = Action::none;
  std::string target;
  StampState state;

  // A missing or older stamp counts as a pending change.
  bool pending() const { return action == Action::insert || action == Action::update; }
  bool error() const { return action == Action::leave_several; }
  // One line for logs and output; "" when there is nothing to say.
  std::string message() const;
};

// Pure. A row equal to the target: none; no row: insert; one row that
// schemad recorded (a "schemad_" fingerprint id): update; any other single
// row: leave_unknown (never move a database to a revision whose relation to
// the current one is unknown); several rows: leave_several.
StampDecision decide_stamp(const StampState& state, const std::string& target);

// The statements that carry out a pending decision, creating the table as
// Alembic does (version_num VARCHAR(32) NOT NULL, primary key
// alembic_version_pkc) when it is missing. Empty when nothing is pending.
std::vector<std::string> stamp_sql(const StampDecision& decision, const std::string& schema);

}  // namespace schemad::apply
