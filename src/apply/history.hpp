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

struct HistoryEntry {
  std::chrono::system_clock::time_point started;
  std::string host;     // this machine's host name
  int pid = 0;          // this process
  std::string trigger;  // "apply", "stamp", or the daemon's trigger ("startup", "sighup", ...)
  std::string fingerprint;
  std::string revision;  // the baseline revision of the model
  bool stamped = false;  // `revision` was recorded in alembic_version by this change
  nlohmann::json steps = nlohmann::json::array();
  std::string outcome;  // applied, partial (an online step failed), failed, stamped
  std::string error;    // the first failure, "" when none
};

// An entry for this process (host name, pid), started now.
HistoryEntry new_history_entry(const std::string& trigger, const std::string& fingerprint,
                               const std::string& revision);

// The steps as history JSON: phase, kind, description, sql, and for results
// ok, error, seconds and attempts. Steps given as plan steps are recorded
// with `ok` (they committed with the row).
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
  std::string outcome;
  std::string error;
};

// The newest `limit` rows (all when limit <= 0), newest first; empty when
// the table does not exist.
std::vector<HistoryRow> read_history(pqxx::transaction_base& tx, const std::string& schema,
                                     int limit);

nlohmann::json to_json(const HistoryRow& row);

// Of `changes` (Change descriptions), those whose newest attempt in the
// history failed on a data conflict (SQLSTATE class 23), with the reason:
// change -> "could not create unique index ... (Key (sku)=(a) is
// duplicated.); seen 2026-11-22T10:00:00Z". Empty when the table is missing.
std::map<std::string, std::string> read_conflicts(pqxx::transaction_base& tx,
                                                  const std::string& schema,
                                                  const std::vector<std::string>& changes);

}  // namespace schemad::apply
