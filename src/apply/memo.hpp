#pragma once

// schemad_memo, beside alembic_version: the server's answers to the
// questions schemad cannot predict (how PostgreSQL prints a default, a check
// or an index expression of the model, whether a default is volatile, what
// an extension's type is called), by the server's major version. A run that
// may write (apply, the daemon) asks the server and records the answers with
// its bookkeeping; every later run, checks under a read-only role and on hot
// standbys included (the table replicates), reads them instead of creating
// scratch objects, so a comparison with nothing to do sends no DDL.

#include <map>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace schemad::apply {

// Question -> answer (engine/probe.hpp says what the questions are).
using Answers = std::map<std::string, std::string>;

// Creates the table (and its schema) when missing, then upserts `learned`
// for `server_major` (15 for PostgreSQL 15.x). With nothing learned, only the
// table: every bookkeeping write creates it, so that a later no-op reads it
// in the same statement as alembic_version.
std::vector<std::string> memo_sql(const Answers& learned, int server_major,
                                  const std::string& schema);

// Only the upsert of memo_sql (nothing when `learned` is empty), for a table
// known to exist: no DDL.
std::vector<std::string> memo_upsert_sql(const Answers& learned, int server_major,
                                         const std::string& schema);

// Whether the table exists (one query).
bool memo_exists(pqxx::transaction_base& tx, const std::string& schema);

// The answers recorded for `server_major`; the table must exist.
Answers read_memo(pqxx::transaction_base& tx, const std::string& schema, int server_major);

// alembic_version's rows (sorted) and the memo, in one statement: a no-op
// comparison reads its bookkeeping in one round trip. Both tables must exist.
std::pair<std::vector<std::string>, Answers> read_revisions_and_memo(pqxx::transaction_base& tx,
                                                                     const std::string& schema,
                                                                     int server_major);

// The server's major version, as the memo keys it.
int server_major(const pqxx::connection_base& conn);

}  // namespace schemad::apply
