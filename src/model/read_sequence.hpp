#pragma once

// One entry of the model's "sequences" -> schema::Sequence.

#include <string>

#include "model/node.hpp"
#include "schema/schema.hpp"

namespace schemad::model {

// Reads a sequence object (keys name, schema, type, start, increment, min,
// max, cache, cycle, owned_by) and fills in what it leaves out as CREATE
// SEQUENCE would: increment 1; min 1 and max the type's largest when
// ascending, the type's smallest and -1 when descending; start at min when
// ascending, at max when descending; cache 1; no cycle. Refuses what
// PostgreSQL would refuse (a zero increment, min not below max, start
// outside them, a bound outside the type, cache below 1). `owned_by` is
// {"table", "column"} in the sequence's schema; that they exist is checked
// by validate_model. Throws Invalid.
schema::Sequence read_sequence(const Node& node, const std::string& default_schema);

}  // namespace schemad::model
