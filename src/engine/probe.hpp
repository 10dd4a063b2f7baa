#pragma once

// The probe: PostgreSQL's own judgement on model text that schemad cannot
// canonicalise alone. The model loader predicts how the server will print a
// default or a check; where that prediction disagrees with the catalog, the
// server decides, by creating the object on a scratch temporary table and
// reading it back. The same trick answers whether a default is volatile
// (would adding a NOT NULL column with it rewrite the table?) and resolves
// types that extensions provide.

#include <pqxx/connection_base>
#include <stdexcept>
#include <string>

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
  int queries = 0;  // statements sent (0 when there was nothing to ask)
  int items = 0;    // defaults, volatilities, checks and types asked about
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
//  - Type of columns naming an extension's type (resolved = false), once
//    every extension of the model is installed.
// Nothing is asked when there is nothing to ask. Everything runs in one
// transaction that is rolled back; it needs the TEMP privilege. Throws
// ProbeError for a model value the server refuses, pqxx errors otherwise.
// Precondition: no transaction open on `conn`.
void probe(pqxx::connection_base& conn, schema::Database& desired, const schema::Database& actual,
           ProbeStats* stats = nullptr);

}  // namespace schemad::engine
