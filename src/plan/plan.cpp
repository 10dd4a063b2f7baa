#include "plan/plan.hpp"

namespace schemad::plan {

namespace {

// A description is one comment line: a name with a line break in it must
// not turn the rest of the line into SQL.
std::string comment_line(const std::string& text) {
  std::string out = "-- ";
  for (char c : text) out += (c == '\n' || c == '\r') ? ' ' : c;
  return out + "\n";
}

}  // namespace

std::string to_string(Phase phase) {
  switch (phase) {
    case Phase::before:
      return "before";
    case Phase::transaction:
      return "transaction";
    case Phase::after:
      return "after";
  }
  return "unknown";
}

std::string to_script(const Plan& plan, bool with_transaction_markers) {
  std::string out;
  bool open = false;
  for (const auto& step : plan.steps) {
    bool in_transaction = step.phase == Phase::transaction;
    if (with_transaction_markers && in_transaction && !open) out += "BEGIN;\n";
    if (with_transaction_markers && !in_transaction && open) out += "COMMIT;\n";
    open = with_transaction_markers && in_transaction;
    out += comment_line(step.description);
    out += step.sql + ";\n";
  }
  if (open) out += "COMMIT;\n";
  return out;
}

}  // namespace schemad::plan
