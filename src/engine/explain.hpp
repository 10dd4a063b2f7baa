#pragma once

// Errors in the terms of whoever can fix them. A type the server does not
// know is the model's fault: the error names the column's type
// ("tables[0].columns[1].type: type "vectr" does not exist"), as model
// errors do. An extension the server refuses says which one, and what is
// missing on the server or in the role's privileges.

#include <vector>

#include "apply/executor.hpp"
#include "db/error.hpp"
#include "schema/schema.hpp"

namespace schemad::engine {

// Sets error.path when the server names a type (undefined_object) that a
// column of `model` declares and schemad left for the server to resolve.
void explain_model(const schema::Database& model, db::Error& error);

// The run's first error (`error`, from the executor), explained: when an
// extension step failed, what the server lacks and who can add it.
db::Error explain_run(const schema::Database& model, db::Error error,
                      const std::vector<apply::StepResult>& steps);

}  // namespace schemad::engine
