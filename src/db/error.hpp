#pragma once

// Errors as values. Whatever goes wrong while schemad talks to the database
// becomes a db::Error, translated from libpqxx's exceptions in this one
// place: error.cpp is the only source that knows SQLSTATE codes, and the
// only one that reads the server's message text. Everything else branches on
// Error::kind, and the retry rules below are decided from it alone.

#include <exception>
#include <string>
#include <string_view>

namespace schemad::db {

enum class ErrorKind {
  lock_timeout,      // gave up waiting for a lock (lock_timeout, or the advisory lock's wait)
  deadlock,          // chosen as a deadlock's victim
  serialization,     // a serialization failure
  data_conflict,     // the rows prevent it: duplicates, rows violating a constraint
  permission,        // the role lacks a privilege
  unavailable,       // the server lacks what it needs (an extension's files, a feature)
  undefined_object,  // a name the server does not know (a type, an extension)
  duplicate_object,  // it exists already (a database another replica created)
  read_only,         // the session may not write: a hot standby, or a read-only role
  connection_lost,   // the session is gone: reconnect, later
  cancelled,         // the statement was cancelled: statement_timeout, or a cancel request
  in_doubt,          // a commit whose outcome is unknown
  other,
};

// "lock_timeout", "data_conflict", ...: for logs, JSON and history.
const char* to_string(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::other;
  std::string message;   // one line: the server's first, without "ERROR:  "
  std::string sqlstate;  // "" when the server did not give one
  std::string detail;    // the server's DETAIL ("Key (sku)=(a) is duplicated.")
  std::string hint;      // the server's HINT
  // undefined_object: the name the server says does not exist ("vectr" in
  // `type "vectr" does not exist`); "" when it did not name one.
  std::string object;
  std::string context;  // what schemad was doing ("add column public.t.c"); "" when obvious
  std::string path;     // the model path, when the model's text caused it
  std::string advice;   // what to do about it, when schemad knows

  // One line for logs and output: "PATH: message", else "CONTEXT: message",
  // then "; advice".
  std::string text() const;
};

// An error schemad itself detected (not the server): `kind`, `message`.
Error make_error(ErrorKind kind, std::string message);

// The typed error for `e`: pqxx::in_doubt_error, pqxx::broken_connection and
// pqxx::sql_error (by SQLSTATE), anything else as `other` with what().
Error translate(const std::exception& e);

// The kind a SQLSTATE stands for (as persisted in schemad_history).
ErrorKind kind_of_sqlstate(std::string_view sqlstate);

// The retry rules, written once (after libpqxx's transactor):
// - a lost lock wait, a deadlock or a serialization failure rolled the
//   statement's transaction back entirely: it may be tried again, with
//   backoff (retry_statement);
// - a lost connection cannot be retried on the same session: the caller
//   reconnects later (the daemon's backoff);
// - after a commit in doubt, never retry: observe the database again;
// - anything else is a fact about the model, the data or the server, and
//   trying again at once would fail the same way.
bool retry_statement(ErrorKind kind);

// Other sessions hold what the statement needed (lock_timeout, deadlock).
bool lock_contention(ErrorKind kind);

}  // namespace schemad::db
