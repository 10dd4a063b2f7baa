#pragma once

// The model's schema objects besides tables, enums and sequences: entries of
// "functions" (top level), and a table's "triggers", "policies" and
// "row_level_security".

#include <string>

#include "model/node.hpp"
#include "schema/schema.hpp"

namespace schemad::model {

// A function object (keys name, schema, arguments, sql). `arguments` are
// input argument types, each built-in one read in any spelling and written
// as format_type prints it ("int4" -> "integer", "varchar" -> "character
// varying"); another type is schema-qualified, the model's default schema
// when the text names none. `sql` is trusted: that it creates exactly this
// function is checked by the server (engine/probe.hpp). Throws Invalid.
schema::Function read_function(const Node& node, const std::string& default_schema);

// A trigger object (keys name, timing, events, columns, for_each, when,
// function, arguments) of `table`: columns exist, UPDATE OF only with an
// update event, TRUNCATE only for each statement, no INSTEAD OF (that is
// for views). Throws Invalid.
schema::Trigger read_trigger(const Node& node, const schema::Table& table,
                             const std::string& default_schema);

// A policy object (keys name, command, as, roles, using, with_check), as
// CREATE POLICY allows it: INSERT has no USING, SELECT and DELETE no WITH
// CHECK, and one of the two is given. Throws Invalid.
schema::Policy read_policy(const Node& node);

// A view object (keys name, schema, query, materialized, indexes): indexes
// only on a materialized view, their columns unchecked (the server knows
// the view's columns). Throws Invalid.
schema::View read_view(const Node& node, const std::string& default_schema);

// The table's "triggers", "policies" and "row_level_security" ("enabled" or
// "forced"), with names distinct within the table.
void read_table_objects(const Node& table_node, schema::Table& table,
                        const std::string& default_schema);

}  // namespace schemad::model
