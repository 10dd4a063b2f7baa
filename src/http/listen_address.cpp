#include "http/listen_address.hpp"

#include <stdexcept>

namespace schemad::http {

namespace {

[[noreturn]] void invalid(std::string_view text, const char* why) {
  throw std::invalid_argument("invalid listen address \"" + std::string(text) + "\": " + why);
}

std::uint16_t parse_port(std::string_view text, std::string_view digits) {
  if (digits.empty()) invalid(text, "missing port");
  if (digits.size() > 5) invalid(text, "port out of range");
  unsigned value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') invalid(text, "port is not a number");
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 65535) invalid(text, "port out of range");
  return static_cast<std::uint16_t>(value);
}

}  // namespace

ListenAddress parse_listen_address(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) invalid(text, "expected host:port");
  std::string_view host = text.substr(0, colon);
  const std::uint16_t port = parse_port(text, text.substr(colon + 1));
  if (!host.empty() && host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') invalid(text, "unterminated [IPv6] host");
    host = host.substr(1, host.size() - 2);
  } else if (host.find_first_of(":[]") != std::string_view::npos) {
    // "::1:9432" is ambiguous: is 9432 the port or part of the address?
    invalid(text, "an IPv6 host must be written in brackets, as [::1]:9432");
  }
  return {std::string(host), port};
}

}  // namespace schemad::http
