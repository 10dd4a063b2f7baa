#pragma once

// A schema::Database in canonical form (inspected, or a normalised SQL
// model) written as a model file of format version 1 (docs/model-format.md):
// what `schemad pull` prints. Deterministic: tables and enums by schema and
// name, keys in a fixed order, so equal databases give equal bytes.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "schema/schema.hpp"

namespace schemad::model {

// The model file's document. What the format cannot say is left out and
// appended to `warnings`, one line each ("public.t: index t_x uses method
// bloom, which the model format does not know"); nothing is dropped
// silently.
nlohmann::ordered_json to_model_json(const schema::Database& db,
                                     std::vector<std::string>& warnings);

}  // namespace schemad::model
