#pragma once

// Short, readable definitions of constraints and indexes for drift messages
// ("FOREIGN KEY (owner_id) REFERENCES public.users (id) ON DELETE CASCADE").
// Not SQL to run: names are not quoted (plan/ renders SQL).

#include <string>
#include <vector>

#include "schema/schema.hpp"

namespace schemad::diff {

// "a, b"
std::string join(const std::vector<std::string>& items, const std::string& separator = ", ");

// "schema.table.name": how drift names an object that belongs to a table.
std::string object_name(const schema::QualifiedName& table, const std::string& name);

// The constraint without its name: "UNIQUE (a, b)", "CHECK (tokens >= 0)".
// For a check, the server's text when it is known.
std::string constraint_text(const schema::Constraint& constraint);

// "UNIQUE btree (a, lower(b) DESC) INCLUDE (c) WHERE (d IS NULL)".
std::string index_text(const schema::Index& index);

}  // namespace schemad::diff
