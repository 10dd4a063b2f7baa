#pragma once

// The loader's internal error: a problem at a path of the model. load_text
// turns it into a ModelError that also names the file. The same type as the
// strict JSON parser's (util/strict_json.hpp), so that a syntax error and a
// bad value read alike.

#include "util/strict_json.hpp"

namespace schemad::model {

using Invalid = util::JsonError;
using util::child_path;

// The model document, as parse_strict_json reads it.
using Document = util::JsonDocument;

}  // namespace schemad::model
