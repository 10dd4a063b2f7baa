#pragma once

// Quoting of SQL text that schemad generates. Rendering is pure (no
// connection), so these assume what every connection schemad opens sets:
// standard_conforming_strings = on (the executor sets it in the startup
// options), under which doubling quotes is the whole escaping rule.

#include <string>
#include <string_view>
#include <vector>

namespace schemad::sql {

// "name" with embedded double quotes doubled. schemad always quotes, so that
// case and keywords never change what a name means.
std::string ident(std::string_view name);

// 'text' with embedded single quotes doubled. Precondition: no NUL byte
// (the model loader refuses them; PostgreSQL cannot store them either).
std::string literal(std::string_view text);

// A PostgreSQL array literal for a text[] parameter: {"a","b\"c"}.
// libpqxx 6.4 converts no containers to parameters, hence this one helper.
std::string text_array(const std::vector<std::string>& items);

}  // namespace schemad::sql
