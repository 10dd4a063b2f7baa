#pragma once

// How PostgreSQL 15's input functions read a constant's text, reproduced so
// that the loader can tell whether a model's default fits its column, and
// predict the constant the server would store. Pure.

#include <optional>
#include <string>
#include <string_view>

namespace schemad::model {

// An integer as int2in/int4in/int8in read it: optional spaces and sign
// around decimal digits. `digits` has no leading zeros ("0" for zero).
struct PgInteger {
  bool negative = false;
  std::string digits;

  // As int4out prints it: "-5", "7", "0" (never "-0").
  std::string text() const;
  // Whether it lies in the range of `type`: "smallint", "integer" or
  // "bigint" (any other name: bigint's range).
  bool fits(std::string_view type) const;
};
std::optional<PgInteger> parse_integer(std::string_view text);

// boolin: a prefix of true/false/yes/no, "on", "of"/"off", 1 or 0, any case,
// spaces around.
std::optional<bool> parse_boolean(std::string_view text);

// NaN and the infinities that float8in and numeric_in accept besides
// numbers ("nan", "inf", "-Infinity", any case).
bool special_float(std::string_view text);

// Whether `text` (UTF-8) fits character(n) / character varying(n) where
// n = `length`: PostgreSQL silently drops spaces beyond n and refuses any
// other character beyond n.
bool fits_length(std::string_view text, long length);

// uuid_out(uuid_in(text)): lower case, 8-4-4-4-12; `text` unchanged when it
// is not 32 hex digits (with optional hyphens and braces).
std::string canonical_uuid(std::string_view text);

}  // namespace schemad::model
