#pragma once

// Running Debian's /usr/bin/python3 (where python3-sqlalchemy,
// python3-alembic and python3-psycopg2 live) from end-to-end tests.

#include <map>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace schemad::test {

// The source tree's tests/alembic (the Alembic project, the oracles).
std::string alembic_dir();

// /usr/bin/python3 with `args`, the test's environment plus `env`, and
// PYTHONDONTWRITEBYTECODE=1 (no __pycache__ in the source tree); at most
// `timeout_seconds`. The exit code is the script's.
RunResult python(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env = {}, int timeout_seconds = 60);

// Fails the test (never skips it) when /usr/bin/python3 cannot import the
// modules, naming the Debian packages to install: these tests are the proof
// against the real thing.
void require_python_modules(const std::vector<std::string>& modules);

}  // namespace schemad::test
