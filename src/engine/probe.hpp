#pragma once

// The probe: PostgreSQL's own judgement on model text that schemad cannot
// canonicalise alone (questions.hpp lists what it asks). The answers come
// from schemad_memo (apply/memo.hpp) where an earlier run recorded them;
// what the memo lacks is asked of the server by creating the objects on
// scratch temporary tables, in a transaction that is rolled back, only when
// the run may write (apply, the daemon). A run that may not (check, plan)
// sends no DDL: it compares what is left by the rough normalisation and
// says which model objects it could not verify exactly.

#include <pqxx/connection_base>
#include <stdexcept>
#include <string>
#include <vector>

#include "apply/memo.hpp"
#include "db/error.hpp"
#include "schema/schema.hpp"

namespace schemad::engine {

// The server refused something the model says: an unknown type, a default
// that does not fit its column, a check that does not parse. error() is the
// server's error with its model path (tables[2].columns[1].type); what() is
// error().text(): "PATH: server's message".
class ProbeError : public std::runtime_error {
 public:
  explicit ProbeError(db::Error error)
      : std::runtime_error(error.text()), error_(std::move(error)) {}
  const db::Error& error() const { return error_; }

 private:
  db::Error error_;
};

struct ProbeStats {
  int queries = 0;     // statements sent (0 when nothing was asked of the server)
  int items = 0;       // questions raised
  int remembered = 0;  // of them, answered by the memo
};

// Whether the server may be asked what the memo does not answer.
enum class Asking {
  never,        // a run that may not write (check, plan): the rough comparison
  when_needed,  // what this comparison needs
  ahead,        // that, and how it will print what is about to be created
};

struct ProbeResult {
  apply::Answers learned;               // the server's answers now: for the memo
  std::vector<std::string> unverified;  // model paths compared by the rough normalisation
  // The server refused questions asked ahead: what they ask about needs
  // what the run creates first. Ask again once it exists.
  bool ahead_refused = false;
};

// Updates `desired` in place where the server's text is needed to compare it
// with `actual` (the inspected database):
//  - Default::stored of columns present in both whose predicted text differs
//    from the catalog's (the server prints the model's default for the
//    column's actual type);
//  - Default::is_volatile of sql defaults of columns that will be added to
//    existing tables (PostgreSQL keeps a "missing value" instead of
//    rewriting exactly when the default is not volatile);
//  - Constraint::normalized of check constraints on existing tables;
//  - index predicates and expressions on existing tables;
//  - Type of columns naming an extension's type (resolved = false), once
//    every extension of the model is installed.
// Answers come from `memo`, else from the server (as `asking` allows; the
// same question is asked once), else from the rough comparison. Throws ProbeError for a model value
// the server refuses, pqxx errors otherwise. Precondition: no transaction open on `conn`.
ProbeResult probe(pqxx::connection_base& conn, schema::Database& desired,
                  const schema::Database& actual, const apply::Answers& memo, Asking asking,
                  ProbeStats* stats = nullptr);

}  // namespace schemad::engine
