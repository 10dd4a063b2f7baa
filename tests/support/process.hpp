#pragma once

// Running the built schemad binary from end-to-end tests.

#include <map>
#include <string>
#include <vector>

namespace schemad::test {

struct RunResult {
  int exit_code = -1;  // 128 + signal number when killed by a signal
  std::string out;     // standard output
  std::string err;     // standard error
};

// Runs SCHEMAD_BINARY with `args`, waits for it (at most `timeout_seconds`,
// then SIGKILL and a failed test), and returns what it printed. `env` is
// added to (and overrides) the test's environment; a value of "\x01unset"
// removes the variable.
RunResult run_schemad(const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env = {}, int timeout_seconds = 60,
                      const std::string& stdin_text = "");

// run_schemad without the machine's own schemad settings: DATABASE_URL,
// ALEMBIC_DATABASE_URL, SCHEMAD_CONFIG, SCHEMAD_MODEL, SCHEMAD_LOG_LEVEL,
// CREDENTIALS_DIRECTORY and SCHEMAD_DATABASE_PASSWORD_FILE are unset unless
// `env` sets them.
RunResult schemad_cmd(const std::vector<std::string>& args,
                      std::map<std::string, std::string> env = {});

// The test's environment as KEY=VALUE strings, with `overrides` applied (a
// value of "\x01unset" removes the variable).
std::vector<std::string> merged_environment(const std::map<std::string, std::string>& overrides);

// Writes `text` to a new file under a per-test temporary directory and
// returns its path.
std::string write_temp_file(const std::string& name, const std::string& text);

}  // namespace schemad::test
