#pragma once

// Comparing functions, and the triggers, policies and row-level security of
// the model's tables (docs/model-format.md, "Functions", "Triggers",
// "Row-level security"). Additive: what is missing is created; what
// differs is drift, never replaced.

#include <string>

#include "diff/diff.hpp"
#include "schema/schema.hpp"

namespace schemad::diff {

// Missing functions -> create_function; a function of the model's
// signature whose pg_get_functiondef differs from the model's (once the
// probe has it: Function::normalized) -> function_definition. Functions the
// model does not declare are not compared.
// With replace.functions, a differing function is replace_function instead.
void compare_functions(const schema::Database& desired, const schema::Database& actual,
                       const Replace& replace, Result& out);

// Missing views -> create_view (in the model's order); a view of the
// model's name of the other kind, or whose pg_get_viewdef differs from the
// model's (once the probe has it: View::normalized) -> view_definition; a
// materialized view's indexes as a table's. Views the model does not
// declare are not compared.
// With replace.views, a differing plain view whose query keeps every column
// of the database's (names and types, in order; new ones may follow) is
// replace_view; one that would not is left, with not_applied drift saying
// why. Materialized views are never replaced.
void compare_views(const schema::Database& desired, const schema::Database& actual,
                   const Replace& replace, Result& out);

// The triggers, policies and row-level security of one model table; `have`
// is the database's table, null when it is to be created.
//  - triggers: missing -> create_trigger; different, or a trigger the
//    model lacks -> trigger_definition;
//  - policies: missing -> create_policy; different -> policy_weaker when
//    the database's grants more (policy_is_weaker), else
//    policy_definition; a permissive policy the model lacks ->
//    policy_weaker, a restrictive one -> policy_definition;
//  - ENABLE / FORCE the model asks for and the table lacks ->
//    enable_row_security; on where the model has it off -> row_security.
// With replace.triggers, a differing trigger of the model's name is
// replace_trigger.
void compare_table_objects(const schema::Table& want, const schema::Table* have,
                           const Replace& replace, Result& out);

// Whether `have` (the database's policy of the model's name) lets through
// rows that `want` would not: it is permissive where the model's restricts;
// a permissive one applies to a role or command the model's does not, a
// restrictive one to fewer; or it lacks a USING or WITH CHECK the model's
// has. Other differences (another expression) say nothing of strength.
bool policy_is_weaker(const schema::Policy& want, const schema::Policy& have);

// For drift messages: "BEFORE UPDATE FOR EACH ROW WHEN (…) EXECUTE FUNCTION
// public.touch()", "PERMISSIVE FOR SELECT TO app USING (…)".
std::string trigger_text(const schema::Trigger& trigger);
std::string policy_text(const schema::Policy& policy);

}  // namespace schemad::diff
