#pragma once

// Comparing SQL text that the model's author wrote (check expressions, index
// predicates and expressions) with the text the server prints for it. Pure
// and best effort: the probe's normalised text is preferred where it exists.

#include <string>
#include <string_view>

namespace schemad::diff {

// The text with surrounding whitespace removed, runs of whitespace and
// comments outside quotes collapsed to one space, no space just inside
// parentheses, and every pair of parentheses that encloses the whole text
// removed: " ((tokens  >= 0)) -- positive" -> "tokens >= 0". Quoted text
// ('...', E'...', $$...$$, "...", as sql::lex reads them) is kept as it is.
std::string normalize_expression(std::string_view text);

// The text in one pair of parentheses: as it is when a pair already
// encloses all of it, else wrapped. "(a > 0)" -> "(a > 0)", "a > 0" -> "(a > 0)".
std::string parenthesized(const std::string& text);

// normalize_expression(a) == normalize_expression(b).
bool same_expression(std::string_view a, std::string_view b);

// A rougher comparison, for when the server's own text for the model's
// expression is not at hand (a read-only check that no apply has taught
// yet): equal after dropping every parenthesis, bracket and ARRAY, every
// cast ("::text", "::public.mood[]", "::character varying(255)[]") and the
// schema in front of a function's name, reading "IN" as "= ANY" and "NOT
// IN" as "<> ALL", unquoted words compared without case.
// "((amount >= (0)::numeric))" and "amount >= 0" are roughly the same;
// so, wrongly, are "a * (b + c)" and "a * b + c": callers say the result is
// not verified.
bool roughly_same_expression(std::string_view a, std::string_view b);

}  // namespace schemad::diff
