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

}  // namespace schemad::diff
