// Fuzz target: the database URL normaliser and the password masking, with
// libpq as the oracle (url_oracle.hpp): whatever password libpq would read
// from the input never appears in an error or in the masked input. Aborts
// on a leak.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz/url_oracle.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  if (input.find('\0') != std::string::npos) return 0;  // not a C string: libpq never sees it
  const std::string leak = schemad::test::password_leak(input);
  if (!leak.empty()) {
    std::fprintf(stderr, "password leak for input \"%s\": %s\n", input.c_str(), leak.c_str());
    std::abort();
  }
  return 0;
}
