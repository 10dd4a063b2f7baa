#include "fleet/report.hpp"

#include <cstdio>
#include <sstream>

namespace schemad::fleet {

nlohmann::json to_json(const TargetResult& r) {
  nlohmann::json j{{"key", r.key},           {"database", r.database},
                   {"schema", r.schema},     {"state", to_string(r.state)},
                   {"applied", r.applied},   {"pending", r.pending},
                   {"drift", r.drift},       {"drift_by_class", r.drift_by_class},
                   {"attempts", r.attempts}, {"statements", r.statements},
                   {"verified", r.verified}, {"seconds", r.seconds}};
  if (r.shared) j["shared"] = true;
  if (!r.error.empty()) j["error"] = r.error;
  if (!r.error_kind.empty()) j["error_kind"] = r.error_kind;
  if (!r.blockers.empty()) j["blockers"] = r.blockers;
  if (!r.changes.empty()) j["changes"] = r.changes;
  if (!r.drift_items.empty()) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& d : r.drift_items) items.push_back(d.message());
    j["drift_items"] = std::move(items);
  }
  return j;
}

nlohmann::json to_json(const Summary& s) {
  nlohmann::json counts = nlohmann::json::object();
  for (const auto& [state, n] : s.counts()) counts[to_string(state)] = n;
  nlohmann::json targets = nlohmann::json::array();
  for (const auto& r : s.targets) targets.push_back(to_json(r));
  nlohmann::json shared = nlohmann::json::array();
  for (const auto& r : s.shared) shared.push_back(to_json(r));
  return {{"mode", engine::to_string(s.mode)},
          {"counts", counts},
          {"targets", targets},
          {"shared", shared},
          {"elsewhere", s.elsewhere.size()},
          {"stopped", s.stopped},
          {"seconds", s.seconds}};
}

std::string counts_line(const Summary& s) {
  std::ostringstream out;
  const auto counts = s.counts();
  out << s.targets.size() << (s.targets.size() == 1 ? " target" : " targets");
  if (!s.shared.empty()) {
    out << " and " << s.shared.size() << (s.shared.size() == 1 ? " shared part" : " shared parts");
  }
  out << ":";
  const char* sep = " ";
  for (State state : kStates) {
    out << sep << counts.at(state) << " " << to_string(state);
    sep = ", ";
  }
  if (!s.elsewhere.empty()) out << "; " << s.elsewhere.size() << " on other shards";
  return out.str();
}

std::string table(const Summary& s, bool all, bool with_changes) {
  std::ostringstream out;
  std::size_t width = 6;
  auto shown = [&](const TargetResult& r) {
    return all || (r.state != State::ok && r.state != State::drift) ||
           (with_changes && r.pending > 0);
  };
  for (const auto* list : {&s.shared, &s.targets}) {
    for (const auto& r : *list) {
      if (shown(r)) width = std::max(width, r.key.size());
    }
  }
  bool header = false;
  char line[256];
  for (const auto* list : {&s.shared, &s.targets}) {
    for (const auto& r : *list) {
      if (!shown(r)) continue;
      if (!header) {
        std::snprintf(line, sizeof line, "%-*s  %-7s  %7s  %7s  %5s  %8s  %s\n",
                      static_cast<int>(width), "TARGET", "STATE", "APPLIED", "PENDING", "DRIFT",
                      "SECONDS", "ERROR");
        out << line;
        header = true;
      }
      std::snprintf(line, sizeof line, "%-*s  %-7s  %7zu  %7zu  %5zu  %8.2f  ",
                    static_cast<int>(width), r.key.c_str(), to_string(r.state), r.applied,
                    r.pending, r.drift, r.seconds);
      out << line << r.error << "\n";
      for (const auto& b : r.blockers) out << "    blocked by " << b << "\n";
      if (with_changes) {
        for (const auto& c : r.changes) out << "    " << c << "\n";
        if (r.pending > r.changes.size()) {
          out << "    ... and " << r.pending - r.changes.size() << " more\n";
        }
      }
    }
  }
  return out.str();
}

}  // namespace schemad::fleet
