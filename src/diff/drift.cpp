#include "diff/diff.hpp"

namespace schemad::diff {

namespace {

// "is X, model says Y", with "none" for an empty side.
std::string differs(const std::string& what, const Drift& d) {
  std::string have = d.actual.empty() ? "none" : d.actual;
  std::string want = d.expected.empty() ? "none" : d.expected;
  return what + " is " + have + ", model says " + want;
}

std::string detail(const Drift& d) {
  switch (d.kind) {
    case DriftKind::column_type:
      return differs("type", d);
    case DriftKind::column_nullability:
      return "is " + d.actual + ", model says " + d.expected;
    case DriftKind::column_default:
      if (d.expected.empty()) return "default is " + d.actual + ", model has none";
      if (d.actual.empty()) return "no default, model says " + d.expected;
      return differs("default", d);
    case DriftKind::column_identity:
      return differs("identity", d);
    case DriftKind::column_generated:
      if (d.actual == "not generated" || d.expected == "not generated") {
        return "is " + d.actual + ", model says " + d.expected;
      }
      return differs("generation", d);
    case DriftKind::sequence_definition:
      return differs("sequence", d);
    case DriftKind::function_definition:
      return "definition differs at " + d.actual + " (model: " + d.expected + ")";
    case DriftKind::trigger_definition:
      if (d.expected.empty()) return "trigger not in the model: " + d.actual;
      return differs("trigger", d);
    case DriftKind::policy_definition:
    case DriftKind::policy_weaker: {
      const std::string weaker = d.kind == DriftKind::policy_weaker ? " (weaker)" : "";
      if (d.expected.empty()) return "policy not in the model" + weaker + ": " + d.actual;
      return differs("policy", d) + weaker;
    }
    case DriftKind::row_security:
      return "row level security is " + d.actual + ", model says " + d.expected;
    case DriftKind::view_definition:
      return "definition differs at " + d.actual + " (model: " + d.expected + ")";
    case DriftKind::extra_table:
      return "table not in the model";
    case DriftKind::extra_column:
      return "column not in the model";
    case DriftKind::extra_index:
      return "index not in the model";
    case DriftKind::index_definition:
      return differs("index", d);
    case DriftKind::constraint_definition:
      return differs("constraint", d);
    case DriftKind::constraint_not_valid:
      return "constraint is NOT VALID: rows may violate it";
    case DriftKind::invalid_index:
      return "index is invalid (left by a failed build)";
    case DriftKind::enum_extra_value:
      return "value '" + d.actual + "' not in the model";
    case DriftKind::enum_order:
      return "values are in the order " + d.actual + ", model says " + d.expected;
    case DriftKind::comment:
      return "comment is '" + d.actual + "', model says '" + d.expected + "'";
    case DriftKind::not_applied:
      return d.actual;
    case DriftKind::data_conflict:
      return "the data prevents it: " + d.actual;
  }
  return d.actual;
}

}  // namespace

std::string to_string(DriftKind kind) {
  switch (kind) {
    case DriftKind::column_type:
      return "column_type";
    case DriftKind::column_nullability:
      return "column_nullability";
    case DriftKind::column_default:
      return "column_default";
    case DriftKind::column_identity:
      return "column_identity";
    case DriftKind::extra_table:
      return "extra_table";
    case DriftKind::extra_column:
      return "extra_column";
    case DriftKind::extra_index:
      return "extra_index";
    case DriftKind::index_definition:
      return "index_definition";
    case DriftKind::constraint_definition:
      return "constraint_definition";
    case DriftKind::constraint_not_valid:
      return "constraint_not_valid";
    case DriftKind::invalid_index:
      return "invalid_index";
    case DriftKind::enum_extra_value:
      return "enum_extra_value";
    case DriftKind::enum_order:
      return "enum_order";
    case DriftKind::comment:
      return "comment";
    case DriftKind::not_applied:
      return "not_applied";
    case DriftKind::data_conflict:
      return "data_conflict";
    case DriftKind::column_generated:
      return "column_generated";
    case DriftKind::sequence_definition:
      return "sequence_definition";
    case DriftKind::function_definition:
      return "function_definition";
    case DriftKind::trigger_definition:
      return "trigger_definition";
    case DriftKind::policy_definition:
      return "policy_definition";
    case DriftKind::policy_weaker:
      return "policy_weaker";
    case DriftKind::row_security:
      return "row_security";
    case DriftKind::view_definition:
      return "view_definition";
  }
  return "unknown";
}

std::string Drift::message() const {
  return object + ": " + detail(*this);
}

std::string Drift::labelled() const {
  return message() + " [" + to_string(drift_class()) + "]";
}

std::string to_string(DriftClass drift_class) {
  switch (drift_class) {
    case DriftClass::ahead:
      return "ahead";
    case DriftClass::differs:
      return "differs";
    case DriftClass::weaker:
      return "weaker";
  }
  return "differs";
}

DriftClass Drift::drift_class() const {
  switch (kind) {
    // What the model lacks: a newer model's, or someone else's.
    case DriftKind::extra_table:
    case DriftKind::extra_column:
    case DriftKind::extra_index:
    case DriftKind::enum_extra_value:
    case DriftKind::row_security:  // on (or forced) where the model has it off
      return DriftClass::ahead;
    // The database lets through what the model would not.
    case DriftKind::constraint_not_valid:
    case DriftKind::data_conflict:
    case DriftKind::policy_weaker:
      return DriftClass::weaker;
    case DriftKind::column_nullability:
      // Nullable where the model says NOT NULL; the other way round, the
      // database refuses what the model allows: it differs.
      return expected == "NOT NULL" ? DriftClass::weaker : DriftClass::differs;
    case DriftKind::invalid_index:
      // The model's index does not work; one the model lacks is the
      // leftover (or the build in progress) of someone else's.
      return path.empty() ? DriftClass::ahead : DriftClass::weaker;
    case DriftKind::trigger_definition:
    case DriftKind::policy_definition:
      // A trigger, or a restrictive policy, that the model lacks.
      return expected.empty() ? DriftClass::ahead : DriftClass::differs;
    case DriftKind::not_applied:
      // Something declared was left out (a NOT NULL added nullable, a
      // primary key that would tighten a column): weaker. A definition kept
      // instead of the model's (a view not replaced) names nothing missing.
      return expected.empty() ? DriftClass::differs : DriftClass::weaker;
    case DriftKind::column_type:
    case DriftKind::column_default:
    case DriftKind::column_identity:
    case DriftKind::column_generated:
    case DriftKind::index_definition:
    case DriftKind::constraint_definition:
    case DriftKind::enum_order:
    case DriftKind::comment:
    case DriftKind::sequence_definition:
    case DriftKind::function_definition:
    case DriftKind::view_definition:
      return DriftClass::differs;
  }
  return DriftClass::differs;
}

std::map<DriftClass, std::size_t> count_by_class(const std::vector<Drift>& drift) {
  std::map<DriftClass, std::size_t> counts;
  for (auto c : kAllDriftClasses) counts[c] = 0;
  for (const auto& d : drift) ++counts[d.drift_class()];
  return counts;
}

}  // namespace schemad::diff
