#pragma once

// A `schemad run` process for end-to-end tests, and a minimal HTTP client
// (Boost.Beast) to talk to it.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace schemad::test {

// A free TCP port on 127.0.0.1 (bound, then released).
int free_port();

struct HttpReply {
  int status = 0;  // 0: no answer (connection refused, reset, timeout)
  std::string body;
  std::map<std::string, std::string> headers;
};

// One request on a fresh connection, with a short timeout.
HttpReply http_request(int port, const std::string& method, const std::string& target,
                       const std::map<std::string, std::string>& headers = {});

class Daemon {
 public:
  // Starts SCHEMAD_BINARY run with `args` (before "run") and `env` added to
  // the environment, HTTP on a free port. Standard error goes to a file.
  Daemon(const std::vector<std::string>& args, const std::map<std::string, std::string>& env);
  ~Daemon();  // SIGKILL if still running
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  void signal(int signo) const;
  // Waits for the exit; the exit code, 128 + signal, or -1 on timeout.
  int wait(std::chrono::milliseconds timeout);
  // What it logged so far.
  std::string log() const;

  HttpReply get(const std::string& target) const { return http_request(port_, "GET", target); }
  // Polls `target` until `ok` holds for the reply or `timeout` passes.
  template <typename Predicate>
  bool wait_for(const std::string& target, Predicate ok,
                std::chrono::milliseconds timeout = std::chrono::seconds(20)) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (ok(get(target))) return true;
      sleep_ms(50);
    }
    return false;
  }
  bool wait_ready(std::chrono::milliseconds timeout = std::chrono::seconds(20)) const {
    return wait_for(
        "/readyz", [](const HttpReply& r) { return r.status == 200; }, timeout);
  }

 private:
  static void sleep_ms(int ms);
  int port_ = 0;
  pid_t pid_ = -1;
  std::string log_path_;
  bool exited_ = false;
};

}  // namespace schemad::test
