#include "apply/alembic_stamp.hpp"

#include <algorithm>

#include "util/sql_text.hpp"

namespace schemad::apply {

namespace {
constexpr const char* kFingerprintPrefix = "schemad_";

std::string table_sql(const std::string& schema) {
  return sql::ident(schema) + "." + sql::ident("alembic_version");
}
}  // namespace

std::string baseline_revision(const schema::Database& model, const std::string& configured) {
  if (!model.revision.empty()) return model.revision;
  if (!configured.empty()) return configured;
  return kFingerprintPrefix + model.fingerprint.substr(0, 24);
}

StampState read_stamp(pqxx::transaction_base& tx, const std::string& schema) {
  StampState state;
  const std::string table = table_sql(schema);
  state.table_exists = !tx.exec_params1("SELECT to_regclass($1)", table)[0].is_null();
  if (state.table_exists) state.revisions = read_revisions(tx, schema);
  return state;
}

std::vector<std::string> read_revisions(pqxx::transaction_base& tx, const std::string& schema) {
  std::vector<std::string> revisions;
  for (const auto& row : tx.exec("SELECT version_num FROM " + table_sql(schema))) {
    revisions.push_back(row[0].c_str());
  }
  std::sort(revisions.begin(), revisions.end());
  return revisions;
}

StampDecision decide_stamp(const StampState& state, const std::string& target) {
  StampDecision d;
  d.target = target;
  d.state = state;
  if (state.revisions.size() > 1) {
    d.action = StampDecision::Action::leave_several;
  } else if (state.revisions.empty()) {
    d.action = StampDecision::Action::insert;
  } else if (state.revisions.front() == target) {
    d.action = StampDecision::Action::none;
  } else if (state.revisions.front().rfind(kFingerprintPrefix, 0) == 0) {
    d.action = StampDecision::Action::update;
  } else {
    d.action = StampDecision::Action::leave_unknown;
  }
  return d;
}

std::string StampDecision::message() const {
  auto joined = [&] {
    std::string out;
    for (const auto& r : state.revisions) out += (out.empty() ? "" : ", ") + r;
    return out;
  };
  switch (action) {
    case Action::none:
      return "";
    case Action::insert:
      return "alembic_version: record revision " + target;
    case Action::update:
      return "alembic_version: move revision " + state.revisions.front() + " forward to " + target;
    case Action::leave_unknown:
      return "alembic_version holds revision " + state.revisions.front() +
             ", which schemad did not record; left alone (target " + target + ")";
    case Action::leave_several:
      return "alembic_version holds several heads (" + joined() +
             "); left alone: merge them with Alembic";
  }
  return "";
}

std::vector<std::string> stamp_sql(const StampDecision& d, const std::string& schema) {
  std::vector<std::string> out;
  const std::string table = table_sql(schema);
  if (d.action == StampDecision::Action::insert) {
    if (!d.state.table_exists) {
      out.push_back("CREATE SCHEMA IF NOT EXISTS " + sql::ident(schema));
      out.push_back("CREATE TABLE IF NOT EXISTS " + table +
                    " (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc "
                    "PRIMARY KEY (version_num))");
    }
    out.push_back("INSERT INTO " + table + " (version_num) VALUES (" + sql::literal(d.target) +
                  ")");
  } else if (d.action == StampDecision::Action::update) {
    out.push_back("UPDATE " + table + " SET version_num = " + sql::literal(d.target) +
                  " WHERE version_num = " + sql::literal(d.state.revisions.front()));
  }
  return out;
}

}  // namespace schemad::apply
