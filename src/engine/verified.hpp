#pragma once

// A verification that outlives the process: what lets a one-shot check,
// plan or apply answer "nothing to do" in three small statements instead of
// a full inspection.
//
// A run that may write (apply, the daemon) and whose full comparison found
// nothing to create records, in schemad_memo beside the server's answers,
// the catalog version it took *before* comparing (catalog/version.hpp) and
// everything else that answer depends on: the model (its fingerprint, and
// the SHA-256 of the JSON text it was read from), the baseline revision and
// what decided it, alembic_version's rows, the settings that change a
// comparison, schemad's own version, and the drift it found. A later run
// that trusts records reads the catalog version and the record; when every
// part is equal it reports that observation again, and it inspects in full
// otherwise (and always with --full).
//
// Sound because the version is taken before the comparison: DDL committed
// after it changes the version a later run reads, whether or not the
// comparison saw it; alembic_version's rows, which change without DDL, are
// compared one by one.

#include <optional>
#include <pqxx/connection_base>
#include <string>
#include <vector>

#include "apply/alembic_stamp.hpp"
#include "diff/diff.hpp"

namespace schemad::engine {

struct Verification {
  std::vector<std::string> schemas;    // the model's, sorted
  std::string catalog_version;         // taken before the comparison
  std::string fingerprint;             // the model's
  std::string source;                  // schema::Database::source ("" for a SQL model)
  std::string revision;                // the baseline revision
  std::string revision_source;         // revision_source(): what else decides it
  std::vector<std::string> revisions;  // alembic_version's rows, sorted
  std::string settings;                // settings_key()
  std::string schemad_version;
  std::vector<diff::Drift> drift;  // what the comparison reported
};

// The schemad_memo question a model's record is kept under: one per set of
// schemas ("verified public,sales").
std::string verification_question(const std::vector<std::string>& schemas);

// What of the settings changes a comparison, as text.
std::string settings_key(const diff::Replace& replace);

// What decides the baseline revision besides the model: alembic.revision and
// the versions folder's heads.
std::string revision_source(const apply::RevisionSource& revisions);

// The record as schemad_memo keeps it (compact JSON), and back: nullopt for
// a record that is not one (another layout, a hand edit), which then counts
// as no record.
std::string to_text(const Verification& verification);
std::optional<Verification> parse_verification(const std::string& text);

// What the database holds now: alembic_version's rows, the records of
// schemad_memo (every set of schemas), and, for the record picked, the
// catalog version of its schemas. Three statements (one when schemad_memo
// does not exist, two when no record is picked).
struct Recorded {
  std::optional<Verification> record;
  std::string recorded_at;             // when it was written (the server's text)
  std::string catalog_version;         // now, for record->schemas
  bool stamp_table = false;            // alembic_version exists
  std::vector<std::string> revisions;  // its rows, sorted
  int queries = 0;
};

// Reads the record whose schemas are `schemas` (a parsed model), or, with
// `schemas` null, the record whose source is `source` (a JSON model not
// read yet). `schema`: where the bookkeeping tables are.
Recorded read_recorded(pqxx::connection_base& conn, const std::string& schema,
                       const std::vector<std::string>* schemas, const std::string& source);

// The same for many models in one database at once (a fleet's tenants),
// each with its bookkeeping in `schemas[i]` and its record under
// `model_schemas[i]`, in three statements whatever their number (two when
// no record is picked, one when no schemad_memo exists). `queries` of the
// first result counts them; the others' are 0.
std::vector<Recorded> read_recorded_batch(
    pqxx::connection_base& conn, const std::vector<std::string>& schemas,
    const std::vector<std::vector<std::string>>& model_schemas);

}  // namespace schemad::engine
