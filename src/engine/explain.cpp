#include "engine/explain.hpp"

namespace schemad::engine {

namespace {

using db::ErrorKind;

db::Error explain_extension(const apply::StepResult& failed) {
  db::Error e = *failed.error;
  e.context = failed.step.change;  // "create extension pgcrypto"
  const std::string what = e.message + (e.hint.empty() ? "" : " (" + e.hint + ")");
  if (e.kind == ErrorKind::permission) {
    e.message = "permission denied: " + what;
    e.advice =
        "a superuser (or, for a trusted extension, a role with CREATE on the database) must "
        "create it, or grant that privilege";
  } else if (e.kind == ErrorKind::unavailable || e.kind == ErrorKind::undefined_object) {
    e.message = "not available on the database server: " + what;
    e.advice =
        "install the package that provides it there (Debian: postgresql-contrib, or "
        "postgresql-15-<name>)";
  } else {
    e.message = what;
  }
  return e;
}

}  // namespace

void explain_model(const schema::Database& model, db::Error& error) {
  if (error.kind == ErrorKind::read_only) {
    error.advice =
        "the session may not write (a hot standby, or default_transaction_read_only for the "
        "role): apply needs the primary and a role that may write; check and plan only read";
    return;
  }
  if (error.kind != ErrorKind::undefined_object || error.object.empty()) return;
  for (const auto& table : model.tables) {
    for (const auto& column : table.columns) {
      if (!column.type.resolved && column.type.name == error.object) {
        error.path = column.path + ".type";
        return;
      }
    }
  }
}

db::Error explain_run(const schema::Database& model, db::Error error,
                      const std::vector<apply::StepResult>& steps) {
  for (const auto& r : steps) {
    if (r.status == apply::StepResult::Status::failed && r.error &&
        r.step.kind == diff::ChangeKind::create_extension) {
      return explain_extension(r);
    }
  }
  explain_model(model, error);
  return error;
}

}  // namespace schemad::engine
