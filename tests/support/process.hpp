#pragma once

// Running the built schemad binary from end-to-end tests.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
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

// Runs the program `argv[0]` (a path) with the rest of `argv`, like
// run_schemad. Exit code 127 (the program cannot be executed) fails the test.
RunResult run_program(const std::vector<std::string>& argv,
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

// A new, empty directory `name` under that temporary directory.
std::filesystem::path fresh_dir(const std::string& name);

// Replaces the file at `path` with `text`.
void write_file(const std::filesystem::path& path, const std::string& text);

// Holds processes back until open(): each SchemadProcess started with a gate
// waits on it (before executing schemad), so that several start at the same
// instant. Not copyable: it owns a pipe.
class StartGate {
 public:
  StartGate();
  ~StartGate();
  StartGate(const StartGate&) = delete;
  StartGate& operator=(const StartGate&) = delete;

  // Releases every process waiting on the gate, and any started later.
  void open();

  // For SchemadProcess: the pipe's ends (-1 once open() closed the writer).
  int read_fd() const { return fds_[0]; }
  int write_fd() const { return fds_[1]; }

 private:
  int fds_[2] = {-1, -1};
};

// A schemad process running beside the test: started without waiting for it,
// its standard output and error going to files. SIGKILLed and reaped when the
// object goes away if it still runs. Move-only: it owns the child.
class SchemadProcess {
 public:
  // Starts SCHEMAD_BINARY with `args` and the environment of schemad_cmd
  // (the machine's own schemad settings unset unless `env` sets them). With
  // a `gate`, the child waits for gate->open() before executing schemad;
  // the gate must outlive that moment.
  explicit SchemadProcess(const std::vector<std::string>& args,
                          std::map<std::string, std::string> env = {},
                          const StartGate* gate = nullptr);
  ~SchemadProcess();
  SchemadProcess(SchemadProcess&& other) noexcept;
  SchemadProcess& operator=(SchemadProcess&&) = delete;
  SchemadProcess(const SchemadProcess&) = delete;
  SchemadProcess& operator=(const SchemadProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Waits at most `timeout` for the exit: the exit code, 128 + signal, or -1
  // when it still runs. Once it has exited, returns the same code at once.
  int wait(std::chrono::milliseconds timeout);
  // SIGKILL, then reaps it; returns what wait() returns (128 + 9, or the
  // code of an exit that came first).
  int kill();
  // Whether wait() or kill() saw it exit (no probe: wait(0ms) is one).
  bool exited() const { return exited_; }
  // What it printed so far.
  std::string out() const;
  std::string err() const;

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
  std::string out_path_;
  std::string err_path_;
};

}  // namespace schemad::test
