#include "plan/step_json.hpp"

namespace schemad::plan {

nlohmann::json to_json(const Step& step) {
  return {{"phase", to_string(step.phase)},
          {"kind", diff::to_string(step.kind)},
          {"key", step.key},
          {"change", step.change},
          {"description", step.description},
          {"sql", step.sql},
          {"path", step.path}};
}

}  // namespace schemad::plan
