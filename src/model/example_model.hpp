#pragma once

// The embedded example model.

#include <string_view>

namespace schemad::model {

// The example model of config/model.example.json, compiled into the binary.
// It is the model schemad uses when none is configured, so that a first run
// against an empty database shows what schemad does.
std::string_view example_model_json();

// The name under which the embedded model appears in messages and /status.
inline constexpr std::string_view kEmbeddedModelName = "<embedded example model>";

}  // namespace schemad::model
