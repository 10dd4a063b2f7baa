#include "apply/alembic_stamp.hpp"

#include <algorithm>

#include "apply/bookkeeping.hpp"
#include "util/sql_text.hpp"

namespace schemad::apply {

namespace {
constexpr const char* kFingerprintPrefix = "schemad_";

std::string table_sql(const std::string& schema, const char* table = kAlembicVersionTable) {
  return sql::ident(schema) + "." + sql::ident(table);
}

std::string create_table_sql(const std::string& schema) {
  return "CREATE TABLE IF NOT EXISTS " + table_sql(schema) +
         " (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc "
         "PRIMARY KEY (version_num))";
}
}  // namespace

RevisionSource load_revision_source(const std::string& configured,
                                    const std::string& versions_dir) {
  RevisionSource source;
  source.configured = configured;
  source.versions_dir = versions_dir;
  if (!versions_dir.empty()) {
    source.graph =
        std::make_shared<const alembic::RevisionGraph>(alembic::load_graph(versions_dir));
  }
  return source;
}

std::string baseline_revision(const schema::Database& model, const RevisionSource& source) {
  if (!model.revision.empty()) return model.revision;
  if (!source.configured.empty()) return source.configured;
  if (source.graph) {
    try {
      const std::string& head = source.graph->single_head();
      if (head.size() > 32) {
        throw alembic::AlembicError("head " + head +
                                    " is longer than alembic_version's 32 characters");
      }
      return head;
    } catch (const alembic::AlembicError& e) {
      throw alembic::AlembicError("alembic.versions_dir " + source.versions_dir + ": " + e.what());
    }
  }
  return kFingerprintPrefix + model.fingerprint.substr(0, 24);
}

bool is_fingerprint_revision(const std::string& revision) {
  return revision.rfind(kFingerprintPrefix, 0) == 0;
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

bool needs_history(const StampState& state, const std::string& target,
                   const alembic::RevisionGraph* graph) {
  if (state.revisions.size() != 1) return false;
  const std::string& current = state.revisions.front();
  if (current == target || is_fingerprint_revision(current)) return false;
  return !(graph && graph->knows(current) && graph->knows(target));
}

void read_recorded(pqxx::transaction_base& tx, const std::string& schema, const std::string& target,
                   StampState& state) {
  state.current_recorded = 0;
  state.target_recorded = 0;
  if (state.revisions.size() != 1) return;
  const std::string& current = state.revisions.front();
  const std::string table = table_sql(schema, kHistoryTable);
  if (tx.exec_params1("SELECT to_regclass($1)", table)[0].is_null()) return;
  auto r = tx.exec_params("SELECT revision, max(id) FROM " + table +
                              " WHERE stamped AND revision IN ($1, $2) "
                              "GROUP BY revision",
                          current, target);
  for (const auto& row : r) {
    const std::string revision = row[0].c_str();
    const long long id = row[1].as<long long>();
    if (revision == current) state.current_recorded = id;
    if (revision == target) state.target_recorded = id;
  }
}

StampDecision decide_stamp(const StampState& state, const std::string& target,
                           const alembic::RevisionGraph* graph) {
  using Action = StampDecision::Action;
  StampDecision d;
  d.target = target;
  d.state = state;
  if (state.revisions.size() > 1) {
    d.action = Action::leave_several;
    return d;
  }
  if (state.revisions.empty()) {
    d.action = Action::insert;
    return d;
  }
  const std::string& current = state.revisions.front();
  if (current == target) {
    d.action = Action::none;
  } else if (graph && graph->knows(current) && graph->knows(target)) {
    if (graph->is_ancestor(current, target)) {
      d.action = Action::update;
      d.because = "an ancestor in the versions folder";
    } else if (graph->is_ancestor(target, current)) {
      d.action = Action::leave_newer;
      d.because = "a descendant of the target in the versions folder";
    } else {
      d.action = Action::leave_unknown;
      d.because = "on another branch in the versions folder";
    }
  } else if (is_fingerprint_revision(current)) {
    d.action = Action::update;
    d.because = "an id schemad made up from an earlier model";
  } else if (state.current_recorded != 0 && state.target_recorded != 0 &&
             state.target_recorded < state.current_recorded) {
    d.action = Action::leave_newer;
    d.because = "which schemad stamped after the target: the model is older than the database";
  } else if (state.current_recorded != 0) {
    d.action = Action::update;
    d.because = "stamped by schemad earlier";
  } else {
    d.action = Action::leave_unknown;
    if (graph && !graph->knows(target)) {
      d.because = "while the target is not in alembic.versions_dir";
    } else if (graph) {
      d.because = "which alembic.versions_dir does not know";
    } else {
      d.because = "which schemad did not record; set alembic.versions_dir to let it move forward";
    }
  }
  return d;
}

void hold_stamp(StampDecision& d, std::size_t blocked) {
  if (!d.pending() || blocked == 0) return;
  d.action = StampDecision::Action::hold;
  d.because = std::to_string(blocked) + (blocked == 1 ? " change is" : " changes are") +
              " blocked by the data";
}

const char* to_string(StampDecision::Action action) {
  using Action = StampDecision::Action;
  switch (action) {
    case Action::none:
      return "none";
    case Action::insert:
      return "insert";
    case Action::update:
      return "update";
    case Action::leave_unknown:
      return "leave_unknown";
    case Action::leave_newer:
      return "leave_newer";
    case Action::leave_several:
      return "leave_several";
    case Action::hold:
      return "hold";
  }
  return "none";
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
      return "alembic_version: move revision " + state.revisions.front() + " forward to " + target +
             " (" + because + ")";
    case Action::leave_unknown:
      return "alembic_version holds revision " + state.revisions.front() + ", " + because +
             "; left alone (target " + target + ")";
    case Action::leave_newer:
      return "alembic_version holds revision " + state.revisions.front() + ", " + because +
             "; left alone, never moved backwards (target " + target + ")";
    case Action::leave_several:
      return "alembic_version holds several heads (" + joined() +
             "); left alone: merge them with Alembic";
    case Action::hold:
      return "alembic_version: revision " + target + " not recorded while " + because;
  }
  return "";
}

std::vector<std::string> stamp_sql(const StampDecision& d, const std::string& schema) {
  std::vector<std::string> out;
  const std::string table = table_sql(schema);
  if (d.action == StampDecision::Action::insert) {
    if (!d.state.table_exists) {
      out.push_back("CREATE SCHEMA IF NOT EXISTS " + sql::ident(schema));
      out.push_back(create_table_sql(schema));
    }
    out.push_back("INSERT INTO " + table + " (version_num) VALUES (" + sql::literal(d.target) +
                  ")");
  } else if (d.action == StampDecision::Action::update) {
    out.push_back("UPDATE " + table + " SET version_num = " + sql::literal(d.target) +
                  " WHERE version_num = " + sql::literal(d.state.revisions.front()));
  }
  return out;
}

std::vector<std::string> force_stamp_sql(const StampState& state, const std::string& revision,
                                         const std::string& schema) {
  std::vector<std::string> out;
  if (state.revisions.size() == 1 && state.revisions.front() == revision) return out;
  if (!state.table_exists) {
    out.push_back("CREATE SCHEMA IF NOT EXISTS " + sql::ident(schema));
    out.push_back(create_table_sql(schema));
  } else if (!state.revisions.empty()) {
    out.push_back("DELETE FROM " + table_sql(schema));
  }
  out.push_back("INSERT INTO " + table_sql(schema) + " (version_num) VALUES (" +
                sql::literal(revision) + ")");
  return out;
}

}  // namespace schemad::apply
