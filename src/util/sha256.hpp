#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace schemad::util {

// SHA-256 of `data` (OpenSSL), as 32 bytes or as 64 lowercase hex digits.
std::array<std::uint8_t, 32> sha256(std::string_view data);
std::string sha256_hex(std::string_view data);

}  // namespace schemad::util
