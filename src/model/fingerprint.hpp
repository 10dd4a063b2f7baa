#pragma once

// The model's fingerprint: what identifies a model's meaning, whatever its
// spelling.

#include <string>

#include "schema/schema.hpp"

namespace schemad::model {

// SHA-256, lower-case hex (64 characters), of the canonical JSON of `db`
// (schema/json.hpp) with `fingerprint` cleared and tables and enums sorted
// by schema-qualified name. So key order, whitespace, "x-" keys, type
// aliases (int4 = integer) and the order of tables and enums in the file do
// not change it; any change to what the model declares (a column, its type,
// nullability, default, a constraint, an index, a comment, the revision, ...)
// does. The text is hashed as it is written, in pieces: memory stays flat.
// Stable across versions: revisions schemad_<first 24 hex digits> are
// stored in users' databases, so the canonical JSON must not change.
std::string fingerprint(const schema::Database& db);

// The text the fingerprint hashes, whole.
std::string canonical_text(const schema::Database& db);

}  // namespace schemad::model
