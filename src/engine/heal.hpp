#pragma once

// Healing, the apply half of a reconcile, under the advisory lock:
//
//   1. take the lock (any number of replicas: only the holder writes);
//   2. observe again, unless the catalog version and alembic_version's rows
//      show nothing changed since the look: another replica may have done
//      the work meanwhile;
//   3. execute the plan (apply/executor.hpp); with nothing online to
//      follow, the stamp and the history row join its transaction;
//   4. go around a table that other sessions kept locked past lock_retry:
//      the steps that neither alter nor name it run in a second transaction;
//   5. settle what remains: derived from the executor's results where that
//      is exact (every step succeeded, or the transaction rolled back as a
//      whole), observed again otherwise (an online step failed and may have
//      left its change half made, the run went around a locked table, or a
//      commit is in doubt);
//   6. record: after online steps (or a failure that changed something), a
//      final short transaction writes the history row, and the stamp when
//      the database now satisfies the model.
//
// So a healing run observes once when nothing changed while it waited for
// the lock, twice otherwise, and once more only in the cases of 5.

#include <pqxx/connection_base>

#include "apply/memo.hpp"
#include "engine/engine.hpp"

namespace schemad::engine {

// Precondition: report.revision is set, and report.found, plan, remaining
// and pending hold the observation made without the lock, learning ahead,
// at catalog version `looked_at` (catalog/version.hpp; "" when not taken).
// Under the lock, that observation is used again when the catalog version
// and alembic_version's rows are still the same; otherwise it observes
// again. Throws what observe() and the advisory lock throw; execution
// errors go to report.errors.
void heal(pqxx::connection_base& conn, const schema::Database& model, const Settings& settings,
          util::Clock& clock, Report& report, const std::string& looked_at);

// Writes `learned` to schemad_memo (creating it when missing) in a short
// transaction of its own; the caller holds the advisory lock. An error goes
// to report.errors.
void record_answers(pqxx::connection_base& conn, const apply::Answers& learned,
                    const Settings& settings, util::Clock& clock, Report& report);

// The baseline to observe and record for these settings.
Baseline baseline_of(const Settings& settings, const std::string& revision);

}  // namespace schemad::engine
