#include "engine/report_json.hpp"

#include "plan/step_json.hpp"

namespace schemad::engine {

using nlohmann::json;

json to_json(const diff::Drift& drift) {
  return {{"kind", diff::to_string(drift.kind)},
          {"class", diff::to_string(drift.drift_class())},
          {"object", drift.object},
          {"expected", drift.expected},
          {"actual", drift.actual},
          {"path", drift.path},
          {"message", drift.message()}};
}

json to_json(const apply::StampDecision& stamp) {
  const auto drift_class = stamp_drift_class(stamp);
  return {{"action", apply::to_string(stamp.action)},
          {"class", drift_class ? json(diff::to_string(*drift_class)) : json(nullptr)},
          {"target", stamp.target},
          {"current", stamp.state.revisions},
          {"pending", stamp.pending()},
          {"message", stamp.message()}};
}

json to_json(const Report& report) {
  json pending = json::array();
  for (const auto& step : report.pending.steps) pending.push_back(plan::to_json(step));
  json drift = json::array();
  for (const auto& d : report.remaining.diff.drift) drift.push_back(to_json(d));
  json blocked = json::array();
  for (const auto& b : report.remaining.blocked) blocked.push_back(to_json(b));
  json applied = json::array();
  for (const auto& r : report.steps) {
    json item = plan::to_json(r.step);
    item["ok"] = r.ok();
    item["error"] = r.why();
    item["seconds"] = r.seconds;
    item["attempts"] = r.attempts;
    applied.push_back(item);
  }
  return {{"mode", to_string(report.mode)},
          {"revision", report.revision},
          {"satisfied", report.satisfied()},
          {"error", report.error_text()},
          {"duration_seconds", report.duration.count()},
          {"lock_wait_seconds", report.lock_wait.count()},
          {"pending", pending},
          {"drift", drift},
          {"drift_by_class", drift_by_class(report.remaining)},
          {"blocked", blocked},
          {"unverified", report.remaining.unverified},
          {"stamp", to_json(report.remaining.stamp)},
          {"applied", applied},
          {"verified_at", report.verified_at.empty() ? json(nullptr) : json(report.verified_at)}};
}

}  // namespace schemad::engine
