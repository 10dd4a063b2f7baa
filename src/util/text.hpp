#pragma once

// Byte-wise text helpers, independent of the C locale: ASCII case folding
// (as PostgreSQL folds unquoted identifiers and keywords: bytes outside
// A-Z, UTF-8 included, are left as they are) and trimming. Pure.

#include <string>
#include <string_view>

namespace schemad::util {

// The characters isspace() accepts in the "C" locale.
inline constexpr std::string_view kWhitespace = " \t\n\v\f\r";

// Whether `c` is one of kWhitespace.
bool is_space(char c);

// 'A'..'Z' to 'a'..'z'; every other byte unchanged.
char ascii_lower(char c);
std::string ascii_lower(std::string_view text);

// Equal after ascii_lower: "Bearer" and "bEARER" are, "É" and "é" are not.
bool iequals(std::string_view a, std::string_view b);

// `text` without the characters of `chars` at its end, at its start, or
// at both ends. The result views `text`.
std::string_view trim_right(std::string_view text, std::string_view chars = kWhitespace);
std::string_view trim_left(std::string_view text, std::string_view chars = kWhitespace);
std::string_view trim(std::string_view text, std::string_view chars = kWhitespace);

// `text` in double quotes for a message, at most `max_bytes` of it (never
// cutting a UTF-8 character): "abc" as it is, a longer text as
// "abcdef…" (1048576 bytes). Errors quote what they were given, and a
// megabyte of it helps nobody.
std::string quote_for_message(std::string_view text, std::size_t max_bytes = 64);

}  // namespace schemad::util
