#include "engine/report_json.hpp"

namespace schemad::engine {

using nlohmann::json;

json to_json(const plan::Step& step) {
  return {{"phase", plan::to_string(step.phase)},
          {"kind", step.kind},
          {"description", step.description},
          {"sql", step.sql},
          {"path", step.path}};
}

json to_json(const diff::Drift& drift) {
  return {{"kind", diff::to_string(drift.kind)},
          {"object", drift.object},
          {"expected", drift.expected},
          {"actual", drift.actual},
          {"path", drift.path},
          {"message", drift.message()}};
}

json to_json(const apply::StampDecision& stamp) {
  return {{"action", apply::to_string(stamp.action)},
          {"target", stamp.target},
          {"current", stamp.state.revisions},
          {"pending", stamp.pending()},
          {"message", stamp.message()}};
}

json to_json(const Report& report) {
  json pending = json::array();
  const plan::Plan remaining_plan =
      report.mode == Mode::check ? report.plan : plan::render(report.remaining.diff);
  for (const auto& step : remaining_plan.steps) pending.push_back(to_json(step));
  json drift = json::array();
  for (const auto& d : report.remaining.diff.drift) drift.push_back(to_json(d));
  json applied = json::array();
  for (const auto& r : report.steps) {
    json item = to_json(r.step);
    item["ok"] = r.ok;
    item["error"] = r.error;
    item["seconds"] = r.seconds;
    item["attempts"] = r.attempts;
    applied.push_back(item);
  }
  return {{"mode", report.mode == Mode::check ? "check" : "apply"},
          {"revision", report.revision},
          {"satisfied", report.satisfied()},
          {"error", report.error},
          {"duration_seconds", report.duration.count()},
          {"lock_wait_seconds", report.lock_wait.count()},
          {"pending", pending},
          {"drift", drift},
          {"stamp", to_json(report.remaining.stamp)},
          {"applied", applied}};
}

}  // namespace schemad::engine
