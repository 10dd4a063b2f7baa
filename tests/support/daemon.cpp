#include "support/daemon.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/process.hpp"

namespace schemad::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

int free_port() {
  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

HttpReply http_request(int port, const std::string& method, const std::string& target,
                       const std::map<std::string, std::string>& headers) {
  HttpReply reply;
  try {
    net::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(5));
    stream.connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    for (const auto& [name, value] : headers) req.set(name, value);
    req.prepare_payload();
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream, buffer, res);
    reply.status = static_cast<int>(res.result_int());
    reply.body = res.body();
    for (const auto& field : res) {
      reply.headers[std::string(field.name_string())] = std::string(field.value());
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  } catch (const std::exception&) {
    reply.status = 0;
  }
  return reply;
}

Daemon::Daemon(const std::vector<std::string>& args, const std::map<std::string, std::string>& env)
    : port_(free_port()) {
  log_path_ = write_temp_file("daemon-" + std::to_string(port_) + ".log", "");
  std::map<std::string, std::string> overrides;
  for (const char* name :
       {"DATABASE_URL", "ALEMBIC_DATABASE_URL", "SCHEMAD_CONFIG", "SCHEMAD_MODEL", "NOTIFY_SOCKET",
        "WATCHDOG_USEC", "CREDENTIALS_DIRECTORY"}) {
    overrides[name] = "\x01unset";
  }
  overrides["SCHEMAD_HTTP_LISTEN"] = "127.0.0.1:" + std::to_string(port_);
  for (const auto& [k, v] : env) overrides[k] = v;
  std::vector<std::string> argv_store{SCHEMAD_BINARY};
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  argv_store.push_back("run");
  std::vector<std::string> env_store = merged_environment(overrides);
  std::vector<char*> argv, envp;
  for (auto& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  REQUIRE(log_fd >= 0);
  pid_ = ::fork();
  REQUIRE(pid_ >= 0);
  if (pid_ == 0) {
    int devnull = ::open("/dev/null", O_RDWR);
    ::dup2(devnull, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(log_fd);
}

Daemon::~Daemon() {
  if (!exited_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

void Daemon::signal(int signo) const {
  ::kill(pid_, signo);
}

int Daemon::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exited_ = true;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    sleep_ms(20);
  }
  return -1;
}

std::string Daemon::log() const {
  std::ifstream in(log_path_);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void Daemon::sleep_ms(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

}  // namespace schemad::test
