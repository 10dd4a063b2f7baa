#pragma once

// libpq as the oracle for the masking of passwords (config::mask_passwords):
// whatever password libpq would take from a connection string, no message
// schemad builds from that string may contain it. Shared by the unit test
// (adversarial cases) and the fuzz target (random ones).

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/database_url.hpp"

namespace schemad::test {

// The password libpq reads from `conninfo`; nullopt when libpq refuses it.
inline std::optional<std::string> libpq_password(const std::string& conninfo) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(conninfo.c_str(), &error), &PQconninfoFree);
  PQfreemem(error);
  if (!options) return std::nullopt;
  for (auto* o = options.get(); o->keyword != nullptr; ++o) {
    if (std::string(o->keyword) == "password" && o->val != nullptr) return std::string(o->val);
  }
  return std::string();
}

// For a URL: the user-info password as libpq splits it, as written, even
// when libpq refuses the URL for its percent-escapes. Every '%' is escaped
// (so no escape can fail) and the query dropped (so no parameter can); libpq
// then decodes the password back to what was written.
inline std::optional<std::string> libpq_written_password(const std::string& url) {
  if (url.rfind("postgresql://", 0) != 0 && url.rfind("postgres://", 0) != 0) return std::nullopt;
  std::string escaped;
  for (char c : url) escaped += c == '%' ? std::string("%25") : std::string(1, c);
  const auto scheme = escaped.find("://") + 3;
  std::size_t p = scheme;
  while (p < escaped.size() && escaped[p] != '@' && escaped[p] != '/') ++p;
  const auto query = escaped.find('?', p < escaped.size() && escaped[p] == '@' ? p : scheme);
  return libpq_password(escaped.substr(0, query));
}

// "" when every message schemad builds from `input` keeps libpq's password
// out; otherwise what leaked where.
inline std::string password_leak(const std::string& input) {
  std::vector<std::string> secrets;
  if (auto p = libpq_password(input); p && !p->empty()) secrets.push_back(*p);
  if (auto p = libpq_written_password(input); p && !p->empty()) secrets.push_back(*p);
  // What schemad may print: the error (after its constant prefix: a short
  // password may well be a word of it) and the input as masked. Warnings
  // quote parameter names only, and the target shows user and host (either
  // may happen to contain a short password's text without being it).
  std::vector<std::pair<std::string, std::string>> messages;  // where, text
  try {
    config::describe_target(config::normalize_url(input).conninfo);
  } catch (const std::exception& e) {
    const std::string prefix = "invalid database URL: ";
    std::string text = e.what();
    if (text.rfind(prefix, 0) == 0) text.erase(0, prefix.size());
    messages.emplace_back("error", text);
  }
  messages.emplace_back("mask", config::mask_passwords(input, input));
  // Between the masks: a password of '*' is in "***" by construction.
  for (const auto& secret : secrets) {
    for (const auto& [where, text] : messages) {
      for (std::size_t start = 0; start <= text.size();) {
        const auto mask = text.find("***", start);
        const auto piece = text.substr(start, mask == std::string::npos ? mask : mask - start);
        if (piece.find(secret) != std::string::npos) {
          return where + " \"" + text + "\" contains the password \"" + secret + "\"";
        }
        if (mask == std::string::npos) break;
        start = mask + 3;
      }
    }
  }
  return "";
}

}  // namespace schemad::test
