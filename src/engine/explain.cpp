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

// A step that runs the model's own SQL text (a function's, a view's query,
// a trigger's WHEN, a policy's expressions): the server's refusal is about
// that text, so the error names its place in the model.
bool runs_model_text(diff::ChangeKind kind) {
  using K = diff::ChangeKind;
  return kind == K::create_function || kind == K::replace_function || kind == K::create_view ||
         kind == K::replace_view || kind == K::create_trigger || kind == K::replace_trigger ||
         kind == K::create_policy;
}

const char* text_key(diff::ChangeKind kind) {
  using K = diff::ChangeKind;
  if (kind == K::create_function || kind == K::replace_function) return ".sql";
  if (kind == K::create_view || kind == K::replace_view) return ".query";
  return "";
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
    if (r.status == apply::StepResult::Status::failed && r.error && !r.step.path.empty() &&
        runs_model_text(r.step.kind) && error.path.empty()) {
      error.message = r.step.change + ": " + error.message;
      // A SQL model's path is a place in its file already ("schema.sql:3:1").
      error.path = r.step.path + (model.canonical ? "" : text_key(r.step.kind));
      return error;
    }
  }
  explain_model(model, error);
  return error;
}

}  // namespace schemad::engine
