#pragma once

// Small constructors of Change and Drift values, shared by the comparing
// sources of diff/.

#include <string>

#include "diff/diff.hpp"
#include "schema/schema.hpp"

namespace schemad::diff {

// A change on the existing table `table`: only its name (and path) is
// copied, as Change documents.
Change change_on(const schema::Table& table, ChangeKind kind, const std::string& path);

// "tables[3]" + ".comment"; empty when the parent has no path (an object
// built in code rather than loaded).
std::string child_path(const std::string& parent, const std::string& child);

void add_drift(Result& out, DriftKind kind, std::string object, std::string expected,
               std::string actual, std::string path);

}  // namespace schemad::diff
