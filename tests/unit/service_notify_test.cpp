#define CATCH_CONFIG_ENABLE_OPTIONAL_STRINGMAKER
#include <catch2/catch.hpp>

#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

#include "service/notify.hpp"

using schemad::service::Notifier;
namespace fs = std::filesystem;

namespace {

// A stand-in for the service manager: a unix datagram socket in a fresh
// temporary directory, named by NOTIFY_SOCKET while the object lives.
class FakeManager {
 public:
  FakeManager() {
    std::string pattern = (fs::temp_directory_path() / "schemad-notify-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    path_ = (dir_ / "notify.sock").string();
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path_.size() >= sizeof(address.sun_path)) throw std::runtime_error("path too long");
    std::memcpy(address.sun_path, path_.c_str(), path_.size() + 1);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      throw std::runtime_error("bind failed");
    }
    setenv("NOTIFY_SOCKET", path_.c_str(), 1);
  }
  ~FakeManager() {
    unsetenv("NOTIFY_SOCKET");
    close(fd_);
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  FakeManager(const FakeManager&) = delete;
  FakeManager& operator=(const FakeManager&) = delete;

  // The next datagram, or nullopt when none arrives within `wait`.
  std::optional<std::string> receive(std::chrono::milliseconds wait = std::chrono::seconds(2)) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(wait.count())) != 1) return std::nullopt;
    char buffer[4096];
    ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n < 0) return std::nullopt;
    return std::string(buffer, static_cast<std::size_t>(n));
  }

 private:
  fs::path dir_;
  std::string path_;
  int fd_ = -1;
};

// Sets or unsets an environment variable for the scope, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    if (value) {
      setenv(name, value->c_str(), 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("ready, status, watchdog and stopping reach the service manager", "[notify]") {
  FakeManager manager;
  Notifier n;
  CHECK(n.ready());
  CHECK(manager.receive() == "READY=1");
  CHECK(n.status("x"));
  CHECK(manager.receive() == "STATUS=x");
  CHECK(n.watchdog());
  CHECK(manager.receive() == "WATCHDOG=1");
  CHECK(n.stopping());
  CHECK(manager.receive() == "STOPPING=1");
}

TEST_CASE("reloading sends RELOADING=1 with the monotonic time", "[notify]") {
  FakeManager manager;
  timespec before{};
  clock_gettime(CLOCK_MONOTONIC, &before);
  CHECK(Notifier().reloading());
  std::optional<std::string> message = manager.receive();
  REQUIRE(message);
  const std::string prefix = "RELOADING=1\nMONOTONIC_USEC=";
  REQUIRE(message->rfind(prefix, 0) == 0);
  std::string digits = message->substr(prefix.size());
  REQUIRE(!digits.empty());
  REQUIRE(digits.find_first_not_of("0123456789") == std::string::npos);
  long long usec = std::stoll(digits);
  long long before_usec = before.tv_sec * 1000000LL + before.tv_nsec / 1000;
  CHECK(usec >= before_usec);
  CHECK(usec - before_usec < 10 * 1000000LL);
}

TEST_CASE("a status with newlines stays one STATUS assignment", "[notify]") {
  FakeManager manager;
  CHECK(Notifier().status("model.json: bad\nREADY=1\r\tend"));
  CHECK(manager.receive() == "STATUS=model.json: bad READY=1  end");
}

TEST_CASE("a long status is cut without splitting a UTF-8 character", "[notify]") {
  FakeManager manager;
  // 1023 ASCII bytes, then a two-byte "é" that straddles the 1024-byte limit.
  std::string text = std::string(1023, 'a') + "\xc3\xa9" + std::string(100, 'b');
  CHECK(Notifier().status(text));
  CHECK(manager.receive() == "STATUS=" + std::string(1023, 'a'));
}

TEST_CASE("nothing is sent and false returned when NOTIFY_SOCKET is unset", "[notify]") {
  FakeManager manager;
  {
    ScopedEnv no_socket("NOTIFY_SOCKET", std::nullopt);
    Notifier n;
    CHECK_FALSE(n.ready());
    CHECK_FALSE(n.status("ignored"));
    CHECK_FALSE(n.watchdog());
    CHECK_FALSE(n.stopping());
    CHECK_FALSE(n.reloading());
  }
  // NOTIFY_SOCKET is back: the first datagram on the socket is this one.
  CHECK(Notifier().status("after"));
  CHECK(manager.receive() == "STATUS=after");
  CHECK(manager.receive(std::chrono::milliseconds(50)) == std::nullopt);
}

TEST_CASE("the watchdog interval comes from WATCHDOG_USEC for this process only", "[notify]") {
  Notifier n;
  SECTION("set for this pid") {
    ScopedEnv usec("WATCHDOG_USEC", "2000000");
    ScopedEnv pid("WATCHDOG_PID", std::to_string(getpid()));
    CHECK(n.watchdog_interval() == std::chrono::microseconds(std::chrono::seconds(2)));
  }
  SECTION("set without WATCHDOG_PID") {
    ScopedEnv usec("WATCHDOG_USEC", "2000000");
    ScopedEnv pid("WATCHDOG_PID", std::nullopt);
    CHECK(n.watchdog_interval() == std::chrono::microseconds(std::chrono::seconds(2)));
  }
  SECTION("meant for another process") {
    ScopedEnv usec("WATCHDOG_USEC", "2000000");
    ScopedEnv pid("WATCHDOG_PID", std::to_string(getpid() + 1));
    CHECK(n.watchdog_interval() == std::nullopt);
  }
  SECTION("unset") {
    ScopedEnv usec("WATCHDOG_USEC", std::nullopt);
    ScopedEnv pid("WATCHDOG_PID", std::nullopt);
    CHECK(n.watchdog_interval() == std::nullopt);
  }
  SECTION("not a number") {
    ScopedEnv usec("WATCHDOG_USEC", "soon");
    ScopedEnv pid("WATCHDOG_PID", std::nullopt);
    CHECK(n.watchdog_interval() == std::nullopt);
  }
}
