#pragma once

// SHA-256 (OpenSSL's), whole or in pieces: the model's fingerprint, the
// advisory lock's key and the constant-time token comparison hash with it.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace schemad::util {

// SHA-256 of `data` (OpenSSL), as 32 bytes or as 64 lowercase hex digits.
std::array<std::uint8_t, 32> sha256(std::string_view data);
std::string sha256_hex(std::string_view data);

// The same, fed piece by piece.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  std::string hex();  // ends it

 private:
  void* ctx_;  // EVP_MD_CTX
};

}  // namespace schemad::util
