#include "db/error.hpp"

#include <pqxx/except>

namespace schemad::db {

namespace {

// The first line of the server's message, without its "ERROR:  " prefix.
std::string first_line(const std::string& message) {
  std::string out = message;
  for (const char* prefix : {"ERROR:  ", "FATAL:  "}) {
    if (out.rfind(prefix, 0) == 0) out = out.substr(std::string(prefix).size());
  }
  out = out.substr(0, out.find('\n'));
  while (!out.empty() && (out.back() == ' ' || out.back() == '\r')) out.pop_back();
  return out;
}

// The "FIELD:  text" line of a libpq message, "" when there is none.
std::string field(const std::string& message, const char* name) {
  const std::string marker = std::string("\n") + name + ":  ";
  const auto at = message.find(marker);
  if (at == std::string::npos) return "";
  const auto start = at + marker.size();
  const auto end = message.find('\n', start);
  return message.substr(start, end == std::string::npos ? end : end - start);
}

// `type "vectr" does not exist`, `extension "x" is not available`: the
// quoted name in the server's message.
std::string quoted_name(const std::string& message) {
  const auto open = message.find('"');
  if (open == std::string::npos) return "";
  const auto close = message.find('"', open + 1);
  if (close == std::string::npos) return "";
  return message.substr(open + 1, close - open - 1);
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::lock_timeout:
      return "lock_timeout";
    case ErrorKind::deadlock:
      return "deadlock";
    case ErrorKind::serialization:
      return "serialization";
    case ErrorKind::data_conflict:
      return "data_conflict";
    case ErrorKind::permission:
      return "permission";
    case ErrorKind::unavailable:
      return "unavailable";
    case ErrorKind::undefined_object:
      return "undefined_object";
    case ErrorKind::duplicate_object:
      return "duplicate_object";
    case ErrorKind::read_only:
      return "read_only";
    case ErrorKind::connection_lost:
      return "connection_lost";
    case ErrorKind::cancelled:
      return "cancelled";
    case ErrorKind::in_doubt:
      return "in_doubt";
    case ErrorKind::other:
      return "other";
  }
  return "other";
}

ErrorKind kind_of_sqlstate(std::string_view s) {
  if (s == "55P03") return ErrorKind::lock_timeout;           // lock_not_available
  if (s == "40P01") return ErrorKind::deadlock;               // deadlock_detected
  if (s == "40001") return ErrorKind::serialization;          // serialization_failure
  if (starts_with(s, "23")) return ErrorKind::data_conflict;  // integrity_constraint_violation
  if (s == "42501") return ErrorKind::permission;             // insufficient_privilege
  // undefined_file (an extension's control file), feature_not_supported
  if (s == "58P01" || s == "0A000") return ErrorKind::unavailable;
  if (s == "42704") return ErrorKind::undefined_object;
  if (s == "25006") return ErrorKind::read_only;  // read_only_sql_transaction
  if (s == "57014") return ErrorKind::cancelled;  // query_canceled
  // duplicate_database, duplicate_object, duplicate_table, duplicate_schema
  if (s == "42P04" || s == "42710" || s == "42P07" || s == "42P06") {
    return ErrorKind::duplicate_object;
  }
  // connection_exception, admin_shutdown, crash_shutdown, cannot_connect_now
  if (starts_with(s, "08") || s == "57P01" || s == "57P02" || s == "57P03") {
    return ErrorKind::connection_lost;
  }
  return ErrorKind::other;
}

Error make_error(ErrorKind kind, std::string message) {
  Error out;
  out.kind = kind;
  out.message = std::move(message);
  return out;
}

Error translate(const std::exception& e) {
  Error out;
  const std::string what = e.what();
  out.message = first_line(what);
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    out.kind = ErrorKind::in_doubt;
    out.message = "commit in doubt: " + out.message;
  } else if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    out.kind = ErrorKind::connection_lost;
  } else if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    out.sqlstate = sql->sqlstate();
    out.kind = kind_of_sqlstate(out.sqlstate);
    out.detail = field(what, "DETAIL");
    out.hint = field(what, "HINT");
    if (out.kind == ErrorKind::undefined_object) out.object = quoted_name(out.message);
  }
  return out;
}

bool retry_statement(ErrorKind kind) {
  return kind == ErrorKind::lock_timeout || kind == ErrorKind::deadlock ||
         kind == ErrorKind::serialization;
}

bool lock_contention(ErrorKind kind) {
  return kind == ErrorKind::lock_timeout || kind == ErrorKind::deadlock;
}

std::string Error::text() const {
  const std::string& prefix = path.empty() ? context : path;
  std::string out = prefix.empty() ? message : prefix + ": " + message;
  if (!advice.empty()) out += "; " + advice;
  return out;
}

}  // namespace schemad::db
