#pragma once

// The "host:port" form of the http.listen setting.

#include <cstdint>
#include <string>
#include <string_view>

namespace schemad::http {

struct ListenAddress {
  std::string host;        // without brackets; "" means 0.0.0.0
  std::uint16_t port = 0;  // 0: the system picks a free port
};

// Splits "host:port" at the last ':'. An IPv6 host must be bracketed
// ("[::1]:9432"); an empty host (":9432") means 0.0.0.0 ("[::]:9432" listens
// on IPv6 and, where the system allows, IPv4 too). A name is resolved when
// the server starts, and the first address found is used. Throws
// std::invalid_argument naming the text when it is not of that form or the
// port is not a number in 0..65535.
ListenAddress parse_listen_address(std::string_view text);

}  // namespace schemad::http
