#pragma once

// Sequences the model declares: missing ones are created (with their OWNED
// BY once the owner exists); one of the model's name whose type, numbers or
// owner differ is drift, never altered. The database's other sequences
// (serial columns' among them) are not compared.

#include "diff/diff.hpp"
#include "schema/schema.hpp"

namespace schemad::diff {

void compare_sequences(const schema::Database& desired, const schema::Database& actual,
                       Result& out);

// "bigint start 1 increment 1 min 1 max 9223372036854775807 cache 1 cycle
// owned by orders.number": the whole definition, for drift and plans.
std::string sequence_text(const schema::Sequence& s);

}  // namespace schemad::diff
