#pragma once

// Reports as JSON, for `plan --format json`, `check --format json` and, later,
// /status. Keys are stable: tools parse them.

#include <nlohmann/json.hpp>

#include "engine/engine.hpp"

namespace schemad::engine {

nlohmann::json to_json(const plan::Step& step);
nlohmann::json to_json(const diff::Drift& drift);
nlohmann::json to_json(const apply::StampDecision& stamp);

// {"mode", "revision", "satisfied", "error", "duration_seconds",
//  "lock_wait_seconds", "pending": [steps], "drift": [..], "stamp": {..},
//  "applied": [{step..., "ok", "error", "seconds", "attempts"}]}
nlohmann::json to_json(const Report& report);

}  // namespace schemad::engine
