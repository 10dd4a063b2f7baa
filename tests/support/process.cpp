#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace schemad::test {

std::vector<std::string> merged_environment(const std::map<std::string, std::string>& overrides) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos) vars[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [key, value] : overrides) {
    if (value == "\x01unset") {
      vars.erase(key);
    } else {
      vars[key] = value;
    }
  }
  std::vector<std::string> out;
  for (const auto& [key, value] : vars) out.push_back(key + "=" + value);
  return out;
}

RunResult run_schemad(const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env, int timeout_seconds,
                      const std::string& stdin_text) {
  std::vector<std::string> argv{SCHEMAD_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, env, timeout_seconds, stdin_text);
}

RunResult run_program(const std::vector<std::string>& argv_store,
                      const std::map<std::string, std::string>& env, int timeout_seconds,
                      const std::string& stdin_text) {
  REQUIRE_FALSE(argv_store.empty());
  int out_pipe[2], err_pipe[2], in_pipe[2];
  REQUIRE(::pipe2(out_pipe, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(err_pipe, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(in_pipe, O_CLOEXEC) == 0);

  std::vector<std::string> env_store = merged_environment(env);
  std::vector<char*> argv, envp;
  std::vector<std::string> args_copy = argv_store;
  for (auto& a : args_copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ::close(in_pipe[0]);
  if (!stdin_text.empty()) {
    ssize_t ignored = ::write(in_pipe[1], stdin_text.data(), stdin_text.size());
    (void)ignored;
  }
  ::close(in_pipe[1]);

  RunResult result;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  bool timed_out = false;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    if (::poll(fds, 2, static_cast<int>(left)) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      char buf[4096];
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? result.out : result.err).append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  INFO(argv_store.front() << " " << (argv_store.size() < 2 ? "" : argv_store.back())
                          << "\nstdout:\n"
                          << result.out << "\nstderr:\n"
                          << result.err);
  REQUIRE_FALSE(timed_out);
  REQUIRE(result.exit_code != 127);  // the program itself is missing
  return result;
}

namespace {

// The test process's temporary directory: made on first use, removed when
// the process exits (ctest runs each test case in a process of its own),
// unless SCHEMAD_TEST_KEEP_FILES is set, to look at what a test left.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "schemad-test.XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~ScratchDir() {
    if (std::getenv("SCHEMAD_TEST_KEEP_FILES") != nullptr) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

std::string write_temp_file(const std::string& name, const std::string& text) {
  static const ScratchDir dir;
  auto path = dir.path() / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path.string();
}

std::filesystem::path fresh_dir(const std::string& name) {
  return std::filesystem::path(write_temp_file(name + "/.keep", "")).parent_path();
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

RunResult schemad_cmd(const std::vector<std::string>& args,
                      std::map<std::string, std::string> env) {
  static const std::string kUnset = "\x01unset";
  static const std::map<std::string, std::string> kClean = {
      {"DATABASE_URL", kUnset},
      {"ALEMBIC_DATABASE_URL", kUnset},
      {"SCHEMAD_CONFIG", kUnset},
      {"SCHEMAD_MODEL", kUnset},
      {"SCHEMAD_LOG_LEVEL", kUnset},
      {"CREDENTIALS_DIRECTORY", kUnset},
      {"SCHEMAD_DATABASE_PASSWORD_FILE", kUnset}};
  for (const auto& [k, v] : kClean) env.emplace(k, v);
  return run_schemad(args, env);
}

namespace {

// The variables schemad_cmd unsets, so that the machine's own settings never
// reach a test's schemad.
std::map<std::string, std::string> without_machine_settings(
    std::map<std::string, std::string> env) {
  static const std::string kUnset = "\x01unset";
  for (const char* key :
       {"DATABASE_URL", "ALEMBIC_DATABASE_URL", "SCHEMAD_CONFIG", "SCHEMAD_MODEL",
        "SCHEMAD_LOG_LEVEL", "CREDENTIALS_DIRECTORY", "SCHEMAD_DATABASE_PASSWORD_FILE"}) {
    env.emplace(key, kUnset);
  }
  return env;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::atomic<int> process_counter{0};

}  // namespace

StartGate::StartGate() {
  REQUIRE(::pipe2(fds_, O_CLOEXEC) == 0);
}

StartGate::~StartGate() {
  for (int fd : fds_) {
    if (fd >= 0) ::close(fd);
  }
}

void StartGate::open() {
  // Every child closed its copy of the writer: closing ours is end-of-file
  // for all of them at once.
  if (fds_[1] >= 0) ::close(fds_[1]);
  fds_[1] = -1;
}

SchemadProcess::SchemadProcess(const std::vector<std::string>& args,
                               std::map<std::string, std::string> env, const StartGate* gate) {
  const std::string stem =
      "process/" + std::to_string(::getpid()) + "-" + std::to_string(process_counter++);
  out_path_ = write_temp_file(stem + ".out", "");
  err_path_ = write_temp_file(stem + ".err", "");
  const int out_fd = ::open(out_path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  const int err_fd = ::open(err_path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  REQUIRE(out_fd >= 0);
  REQUIRE(err_fd >= 0);
  REQUIRE(null_fd >= 0);

  // Everything the child needs is built before fork(): between fork and
  // exec only async-signal-safe calls are allowed (the test may run threads).
  std::vector<std::string> argv_store{SCHEMAD_BINARY};
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<std::string> env_store = merged_environment(without_machine_settings(std::move(env)));
  std::vector<char*> argv, envp;
  for (auto& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int gate_read = gate != nullptr ? gate->read_fd() : -1;
  const int gate_write = gate != nullptr ? gate->write_fd() : -1;

  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(null_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    if (gate_read >= 0) {
      if (gate_write >= 0) ::close(gate_write);
      char byte;
      while (::read(gate_read, &byte, 1) < 0 && errno == EINTR) {
      }
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out_fd);
  ::close(err_fd);
  ::close(null_fd);
  REQUIRE(pid_ > 0);
}

SchemadProcess::SchemadProcess(SchemadProcess&& other) noexcept
    : pid_(other.pid_),
      exited_(other.exited_),
      exit_code_(other.exit_code_),
      out_path_(std::move(other.out_path_)),
      err_path_(std::move(other.err_path_)) {
  other.pid_ = -1;
  other.exited_ = true;
}

SchemadProcess::~SchemadProcess() {
  if (pid_ > 0 && !exited_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

int SchemadProcess::wait(std::chrono::milliseconds timeout) {
  if (exited_) return exit_code_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exited_ = true;
      exit_code_ = decode_status(status);
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int SchemadProcess::kill() {
  if (exited_) return exit_code_;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  exited_ = true;
  exit_code_ = decode_status(status);
  return exit_code_;
}

std::string SchemadProcess::out() const {
  return slurp(out_path_);
}

std::string SchemadProcess::err() const {
  return slurp(err_path_);
}

}  // namespace schemad::test
