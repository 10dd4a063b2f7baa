#pragma once

// schemad_history: one row for every reconcile that changed something (and
// every `schemad stamp`), written in the transaction that made the change,
// so that the record and the schema never disagree.

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "apply/executor.hpp"
#include "plan/plan.hpp"

namespace schemad::apply {

// What a row's change came to. Stored as text (to_string), so rows stay
// readable by people and by older versions.
enum class Outcome {
  applied,  // every step succeeded
  partial,  // the transaction committed, an online step failed
  failed,   // the transaction rolled back (after something before it changed)
  stamped,  // only the revision was recorded
};

const char* to_string(Outcome outcome);

struct HistoryEntry {
  std::chrono::system_clock::time_point started;
  std::string host;     // this machine's host name
  int pid = 0;          // this process
  std::string trigger;  // "apply", "stamp", or the daemon's trigger ("startup", "sighup", ...)
  std::string fingerprint;
  std::string revision;  // the baseline revision of the model
  bool stamped = false;  // `revision` was recorded in alembic_version by this change
  nlohmann::json steps = nlohmann::json::array();
  Outcome outcome = Outcome::applied;
  std::string error;  // the first failure, "" when none
};

// An entry for this process (host name, pid), started now.
HistoryEntry new_history_entry(const std::string& trigger, const std::string& fingerprint,
                               const std::string& revision);

// The steps as history JSON: each step's plan::to_json, and for results
// ok, error, sqlstate, detail, skipped, seconds and attempts. Steps given as plan steps are
// recorded with `ok` (they committed with the row).
nlohmann::json history_steps(const std::vector<StepResult>& results);
nlohmann::json history_steps(const std::vector<plan::Step>& committed);

// Creates the table (and its schema) when missing, then inserts the entry.
// duration_seconds is measured by the server when the row is written, so it
// covers the whole transaction.
std::vector<std::string> history_sql(const HistoryEntry& entry, const std::string& schema);

// One row of schemad_history, as `schemad history` prints it.
struct HistoryRow {
  long long id = 0;
  std::string started_at;  // ISO 8601, UTC
  double duration_seconds = 0;
  std::string host;
  int pid = 0;
  std::string schemad_version;
  std::string trigger;
  std::string fingerprint;
  std::string revision;
  bool stamped = false;
  nlohmann::json steps;
  std::string outcome;  // to_string(Outcome), as stored
  std::string error;
};

// The newest `limit` rows (all when limit <= 0), newest first; empty when
// the table does not exist.
std::vector<HistoryRow> read_history(pqxx::transaction_base& tx, const std::string& schema,
                                     int limit);

nlohmann::json to_json(const HistoryRow& row);

// A change asked about: its key, and its description for the rows that
// schemad 0.1 wrote before steps carried keys.
struct ChangeId {
  std::string key;
  std::string description;
};

// Of `changes`, those whose newest attempt in the history failed on a data
// conflict, by key, with the reason: "could not create unique index ...
// (Key (sku)=(a) is duplicated.); seen 2026-11-22T10:00:00Z". A row's step
// is matched by its key, or, when it has none (older rows), by its change
// description. Empty when the table is missing.
std::map<std::string, std::string> read_conflicts(pqxx::transaction_base& tx,
                                                  const std::string& schema,
                                                  const std::vector<ChangeId>& changes);

}  // namespace schemad::apply
