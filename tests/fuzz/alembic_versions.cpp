// Fuzz target: the Alembic migration script reader. Any text is a revision
// or an AlembicError naming the file.

#include <cstdint>
#include <string>

#include "alembic/versions.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    schemad::alembic::parse_revision_script(std::string(reinterpret_cast<const char*>(data), size),
                                            "versions/fuzz.py");
  } catch (const schemad::alembic::AlembicError&) {
  }
  return 0;
}
