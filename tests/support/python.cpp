#include "support/python.hpp"

#include <catch2/catch.hpp>

namespace schemad::test {

std::string alembic_dir() {
  return std::string(SCHEMAD_SOURCE_DIR) + "/tests/alembic";
}

RunResult python(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env, int timeout_seconds) {
  std::vector<std::string> argv{"/usr/bin/python3"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto all = env;
  all["PYTHONDONTWRITEBYTECODE"] = "1";
  return run_program(argv, all, timeout_seconds);
}

void require_python_modules(const std::vector<std::string>& modules) {
  std::string imports;
  for (const auto& m : modules) imports += (imports.empty() ? "import " : ", ") + m;
  auto r = python({"-c", imports});
  INFO(r.err);
  if (r.exit_code != 0) {
    FAIL("/usr/bin/python3 cannot run \"" << imports
                                          << "\": apt-get install python3-alembic "
                                             "python3-sqlalchemy python3-psycopg2 (see "
                                             ".ci/packages.txt)");
  }
}

}  // namespace schemad::test
