#include "apply/blockers.hpp"

#include <spdlog/spdlog.h>

#include <pqxx/nontransaction>
#include <pqxx/result>

namespace schemad::apply {

namespace {

const char* const kColumns =
    "a.pid, coalesce(a.application_name, ''), coalesce(a.state, ''), "
    "coalesce(to_char(a.xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), "
    "left(coalesce(a.query, ''), 200)";

void read(const pqxx::result& rows, bool with_modes, std::vector<Blocker>& out) {
  for (const auto& row : rows) {
    Blocker b;
    b.pid = row[0].as<int>();
    b.application_name = row[1].c_str();
    b.state = row[2].c_str();
    b.xact_start = row[3].c_str();
    b.query = row[4].c_str();
    if (with_modes) b.lock_modes = row[5].c_str();
    out.push_back(std::move(b));
  }
}

}  // namespace

std::string Blocker::describe() const {
  std::string out = "pid " + std::to_string(pid) + " (application \"" + application_name + "\", " +
                    (state.empty() ? "state unknown" : state);
  if (!xact_start.empty()) out += ", transaction since " + xact_start;
  if (!lock_modes.empty()) out += ", holds " + lock_modes;
  if (!query.empty()) out += ", last query \"" + query + "\"";
  return out + ")";
}

std::vector<Blocker> find_blockers(pqxx::connection_base& conn, const std::string& table) {
  std::vector<Blocker> out;
  try {
    pqxx::nontransaction q(conn, "schemad-blockers");
    if (!table.empty()) {
      read(q.exec_params(
               std::string("SELECT ") + kColumns +
                   ", string_agg(DISTINCT l.mode, ',') FROM pg_locks l JOIN pg_stat_activity a "
                   "ON a.pid = l.pid WHERE l.locktype = 'relation' AND l.granted AND "
                   "l.relation = to_regclass($1) AND l.pid <> pg_backend_pid() "
                   "GROUP BY 1, 2, 3, 4, 5, a.xact_start ORDER BY a.xact_start NULLS LAST LIMIT 5",
               table),
           true, out);
    }
    if (out.empty()) {
      read(q.exec(std::string("SELECT ") + kColumns +
                  " FROM pg_stat_activity a WHERE a.xact_start IS NOT NULL AND a.pid <> "
                  "pg_backend_pid() AND a.backend_type = 'client backend' "
                  "ORDER BY a.xact_start LIMIT 5"),
           false, out);
    }
  } catch (const std::exception& e) {
    spdlog::debug("could not look up blocking sessions: {}", e.what());
  }
  return out;
}

}  // namespace schemad::apply
