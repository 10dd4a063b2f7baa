#pragma once

// The text forms in which PostgreSQL 15 prints values, reproduced so that the
// loader can predict what pg_get_expr will print for a model's default.
// Pure.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace schemad::model {

// quote_identifier(): `name` unchanged when it is a lower-case identifier
// ([a-z_][a-z0-9_]*) that is not a reserved, column-name or type-function
// keyword; otherwise double-quoted with embedded quotes doubled.
std::string quote_identifier(std::string_view name);

// numeric_out(numeric_in(text)) for a finite decimal number: optional
// surrounding spaces and sign, digits with an optional point, an optional
// exponent. "1.50" -> "1.50", "1e3" -> "1000", "1.5e-2" -> "0.015",
// "-0.0" -> "0.0". nullopt for anything else (NaN, Infinity, garbage,
// exponents beyond +-1000).
std::optional<std::string> numeric_text(std::string_view text);

// jsonb_out(): objects with keys ordered by length then bytes, ", " and ": "
// separators, numbers in numeric_out form, strings escaped like
// util::escape_json(). Precondition: no NUL in any string (jsonb refuses them).
std::string jsonb_text(const nlohmann::json& value);

}  // namespace schemad::model
