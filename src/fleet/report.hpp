#pragma once

// A fleet run as people and programs read it: the JSON report (check, plan
// and apply --format json; the daemon's /status/targets) and the summary
// table the commands print.

#include <nlohmann/json.hpp>
#include <string>

#include "fleet/run.hpp"

namespace schemad::fleet {

// {"state", "key", "database", "schema", "error", "error_kind", "blockers",
//  "applied", "pending", "drift", "changes", "attempts", "statements",
//  "verified", "seconds"}; "shared": true for a shared part.
nlohmann::json to_json(const TargetResult& result);

// {"mode", "counts": {state: n}, "targets": [...], "shared": [...],
//  "elsewhere", "stopped", "seconds"}
nlohmann::json to_json(const Summary& summary);

// "1000 targets: 997 ok, 0 drift, 0 pending, 1 failed, 2 locked, 0 skipped"
// (and ", 12 on other shards" when sharded).
std::string counts_line(const Summary& summary);

// A table of the targets that are not ok (every one when `all`): key,
// state, steps applied, pending, drift, seconds, error; the blockers of a
// locked target and the changes of a pending one below it.
std::string table(const Summary& summary, bool all, bool with_changes);

}  // namespace schemad::fleet
