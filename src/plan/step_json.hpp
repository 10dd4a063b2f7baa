#pragma once

// A plan step as JSON, one shape wherever steps are written: schemad_history
// rows, `plan --format json` and `check --format json`. Keys are stable:
// tools parse them, and the history keeps them for good.
//
//   {"phase": "before"|"transaction"|"after", "kind": "table"|"column"|...,
//    "key": Change::key(), "change": Change::description(),
//    "description": the step's, "sql", "path": the model path}

#include <nlohmann/json.hpp>

#include "plan/plan.hpp"

namespace schemad::plan {

nlohmann::json to_json(const Step& step);

}  // namespace schemad::plan
