#pragma once

// Enums: missing enums, missing labels (placed so that the model's order is
// kept where possible), extra labels and labels in another order.

#include "diff/diff.hpp"
#include "schema/schema.hpp"

namespace schemad::diff {

void compare_enums(const schema::Database& desired, const schema::Database& actual, Result& out);

}  // namespace schemad::diff
