#pragma once

// The baseline revision in Alembic's alembic_version table: which revision,
// what the table holds, and whether to insert, move forward or leave it.

#include <iterator>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "alembic/graph.hpp"
#include "schema/schema.hpp"

namespace schemad::apply {

// Where a baseline revision can come from besides the model.
struct RevisionSource {
  std::string configured;    // alembic.revision
  std::string versions_dir;  // alembic.versions_dir, as configured (for messages)
  std::shared_ptr<const alembic::RevisionGraph> graph;  // its graph; null without one
};

// Reads `versions_dir` (when not empty) into a RevisionSource along with
// `configured`. Throws alembic::AlembicError naming the folder.
RevisionSource load_revision_source(const std::string& configured, const std::string& versions_dir);

// The model's "revision", else the configured one (alembic.revision), else
// the single head of the versions folder, else "schemad_" + the first 24 hex
// digits of the model's fingerprint. Throws alembic::AlembicError when the
// versions folder decides and has several heads (naming them).
std::string baseline_revision(const schema::Database& model, const RevisionSource& source);

// True for the ids schemad makes up from a model's fingerprint.
bool is_fingerprint_revision(const std::string& revision);

struct StampState {
  bool table_exists = false;
  std::vector<std::string> revisions;  // the rows of alembic_version, sorted
  // From schemad_history, read only when the decision needs them: the id of
  // the newest history row that recorded the current revision, and the one
  // that recorded the target (0: none).
  long long current_recorded = 0;
  long long target_recorded = 0;
};

// Reads alembic_version in `schema` (one query to find the table, one to read it).
StampState read_stamp(pqxx::transaction_base& tx, const std::string& schema);

// The rows of alembic_version in `schema`, sorted; the table must exist.
std::vector<std::string> read_revisions(pqxx::transaction_base& tx, const std::string& schema);

// Whether decide_stamp needs StampState's history ids: one row that is not
// the target, not a fingerprint id, and that the graph (if any) does not know.
bool needs_history(const StampState& state, const std::string& target,
                   const alembic::RevisionGraph* graph);

// Fills StampState's history ids from schemad_history in `schema` (two
// queries: whether the table exists, then its rows).
void read_recorded(pqxx::transaction_base& tx, const std::string& schema, const std::string& target,
                   StampState& state);

struct StampDecision {
  enum class Action {
    none,           // the target revision is there
    insert,         // no row (and maybe no table): record the target
    update,         // an older revision: move it forward
    leave_unknown,  // a revision whose relation to the target is unknown: left alone, reported
    leave_newer,    // a descendant of the target (the model is older): left alone, reported
    leave_several,  // several heads: left alone, an error
    hold,           // would be recorded, but the data blocks part of the model
  };
  Action action = Action::none;
  std::string target;
  StampState state;
  std::string because;  // why an update or a leave: "an ancestor in the versions folder", ...

  // A missing or older stamp counts as a pending change.
  bool pending() const { return action == Action::insert || action == Action::update; }
  bool error() const { return action == Action::leave_several; }
  // Left alone, but worth a warning.
  bool left_alone() const {
    return action == Action::leave_unknown || action == Action::leave_newer ||
           action == Action::hold;
  }
  // One line for logs and output; "" when there is nothing to say.
  std::string message() const;
};

const char* to_string(StampDecision::Action action);

// Every action, in declaration order (the label values of schemad_stamp_action).
inline constexpr StampDecision::Action kAllStampActions[] = {
    StampDecision::Action::none,        StampDecision::Action::insert,
    StampDecision::Action::update,      StampDecision::Action::leave_unknown,
    StampDecision::Action::leave_newer, StampDecision::Action::leave_several,
    StampDecision::Action::hold,
};
static_assert(std::size(kAllStampActions) ==
                  static_cast<std::size_t>(StampDecision::Action::hold) + 1,
              "kAllStampActions must list every StampDecision::Action");

// A pending decision held back because `blocked` changes cannot be made
// while the rows conflict with them: the revision is not recorded (the
// database lacks what the model declares), yet nothing more can be done.
void hold_stamp(StampDecision& decision, std::size_t blocked);

// Pure. Several rows: leave_several. No row: insert. The target: none.
// Otherwise, for the one row `current`:
//  - the graph knows both: current an ancestor of the target → update; a
//    descendant → leave_newer; on another branch → leave_unknown;
//  - a fingerprint id ("schemad_…") → update;
//  - stamped by schemad (schemad_history): when the target was stamped
//    before it (a model rolled back) → leave_newer, else → update;
//  - anything else → leave_unknown (never move a database to a revision whose
//    relation to the current one is unknown).
StampDecision decide_stamp(const StampState& state, const std::string& target,
                           const alembic::RevisionGraph* graph = nullptr);

// The statements that carry out a pending decision, creating the table as
// Alembic does (version_num VARCHAR(32) NOT NULL, primary key
// alembic_version_pkc) when it is missing. Empty when nothing is pending.
std::vector<std::string> stamp_sql(const StampDecision& decision, const std::string& schema);

// `schemad stamp --force`: whatever the table holds becomes exactly `revision`.
std::vector<std::string> force_stamp_sql(const StampState& state, const std::string& revision,
                                         const std::string& schema);

}  // namespace schemad::apply
