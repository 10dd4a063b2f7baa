#pragma once

// Reports as JSON, for `plan --format json` and `check --format json`. Keys
// are stable: tools parse them.

#include <nlohmann/json.hpp>

#include "engine/engine.hpp"

namespace schemad::engine {

nlohmann::json to_json(const diff::Drift& drift);
nlohmann::json to_json(const apply::StampDecision& stamp);

// {"mode", "revision", "satisfied", "error", "duration_seconds",
//  "lock_wait_seconds", "pending": [steps], "drift": [..], "blocked": [..],
//  "stamp": {..},
//  "applied": [{step..., "ok", "error", "seconds", "attempts"}]}
// A step is plan::to_json's (plan/step_json.hpp); "pending" is
// Report::pending, the plan of what remains (rendered once, by the engine);
// "blocked" the changes the data blocks (drift-shaped, kind data_conflict).
nlohmann::json to_json(const Report& report);

}  // namespace schemad::engine
