// Fuzz target: a SQL model's text cut into statements (model/sql_script).
// The input is two files (split at the first NUL byte). Whatever the bytes:
// only ModelError escapes; statements lie inside their file, in order,
// without overlap; every CHECK and WHERE source lies inside its file; the
// batch sent to the server maps every byte back to a place with a line and
// a column of at least 1.

#include <cstdint>
#include <cstdlib>
#include <string>

#include "model/load.hpp"
#include "model/sql_script.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace schemad;
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  std::vector<model::SqlFile> files{{"a.sql", input.substr(0, nul)}};
  if (nul != std::string::npos) files.push_back({"b.sql", input.substr(nul + 1)});
  try {
    const model::SqlScript script = model::parse_sql_script(files);
    std::size_t file = 0;
    std::size_t end = 0;
    for (const auto& s : script.statements) {
      check(s.file < script.files.size());
      if (s.file != file) {
        check(s.file > file);
        file = s.file;
        end = 0;
      }
      check(s.begin >= end && s.begin < s.end && s.end <= script.files[s.file].text.size());
      end = s.end;
      for (std::size_t at : s.blanked) check(at >= s.begin && at < s.end);
    }
    for (const auto& c : script.checks) {
      check(c.begin < c.end && c.end <= script.files[c.file].text.size());
    }
    for (const auto& [index, w] : script.index_wheres) {
      check(w.begin < w.end && w.end <= script.files[w.file].text.size());
    }
    const model::SqlBatch batch(script, {{"citext", "CREATE EXTENSION citext"}});
    for (std::size_t i = 0; i <= batch.text().size(); i += 7) {
      const model::SqlLocation where = batch.locate(i);
      check(where.line >= 1 && where.column >= 1);
    }
    check(model::byte_offset_of_character(batch.text(), batch.text().size() + 5) ==
          batch.text().size());
    script.not_managed();
  } catch (const model::ModelError&) {
  }
  return 0;
}
