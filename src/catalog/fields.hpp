#pragma once

// Reading inspection's result fields: NULL is "" or false.

#include <pqxx/field>
#include <string>

namespace schemad::catalog {

inline std::string text(const pqxx::field& f) {
  return f.is_null() ? std::string() : std::string(f.c_str(), f.size());
}

inline bool flag(const pqxx::field& f) {
  return !f.is_null() && f.as<bool>();
}

}  // namespace schemad::catalog
