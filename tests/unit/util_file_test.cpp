#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <string>

#include "support/process.hpp"
#include "util/file.hpp"

using namespace schemad;
using util::FileError;

namespace {

// What read_file() refused with, or "<read N bytes>".
std::string outcome(const std::string& path, std::size_t max_bytes) {
  try {
    return "<read " + std::to_string(util::read_file(path, max_bytes).size()) + " bytes>";
  } catch (const FileError& e) {
    return e.what();
  }
}

FileError::Reason reason_of(const std::string& path, std::size_t max_bytes) {
  try {
    util::read_file(path, max_bytes);
  } catch (const FileError& e) {
    return e.reason();
  }
  FAIL("read " << path);
  return FileError::Reason::read_failed;
}

// A path that does not exist yet in the test's temporary directory.
std::string fresh_path(const std::string& name) {
  auto dir = std::filesystem::path(test::write_temp_file("util-file/.keep", "")).parent_path();
  auto path = dir / name;
  std::filesystem::remove(path);
  return path.string();
}

}  // namespace

TEST_CASE("reads a regular file whole, up to exactly the limit", "[util][file]") {
  const std::string text("line 1\n\0binary\xFF", 15);
  auto path = test::write_temp_file("util-file/whole.txt", text);
  CHECK(util::read_file(path, 1024) == text);
  CHECK(util::read_file(path, text.size()) == text);
  CHECK(util::read_file(test::write_temp_file("util-file/empty.txt", ""), 0).empty());
  std::string big(200000, 'x');  // more than one read
  CHECK(util::read_file(test::write_temp_file("util-file/big.txt", big), big.size()) == big);
}

TEST_CASE("a file over the limit is refused with its size", "[util][file]") {
  auto path = test::write_temp_file("util-file/large.txt", std::string(17, 'x'));
  CHECK(outcome(path, 16) == "17 bytes, more than the limit of 16");
  CHECK(reason_of(path, 16) == FileError::Reason::too_large);
  try {
    util::read_file(path, 0);
    FAIL("read");
  } catch (const FileError& e) {
    CHECK(e.size() == 17);
  }
}

TEST_CASE("a file longer than its stat said is cut one byte past the limit and refused",
          "[util][file]") {
  // Files in /proc say 0 bytes and have more, as a file growing after
  // fstat would.
  REQUIRE(std::filesystem::exists("/proc/self/status"));
  CHECK_THAT(outcome("/proc/self/status", 1 << 20), Catch::StartsWith("<read "));
  try {
    util::read_file("/proc/self/status", 10);
    FAIL("read");
  } catch (const FileError& e) {
    CHECK(e.reason() == FileError::Reason::too_large);
    CHECK(e.size() >= 11);
    CHECK_THAT(e.what(), Catch::EndsWith(" bytes, more than the limit of 10"));
  }
}

TEST_CASE("a missing file is refused with the system's reason, without the path", "[util][file]") {
  CHECK(outcome("/nonexistent/file.json", 100) == "No such file or directory");
  CHECK(reason_of("/nonexistent/file.json", 100) == FileError::Reason::cannot_open);
  CHECK(outcome("", 100) == "No such file or directory");
}

TEST_CASE("directories and devices are not regular files", "[util][file]") {
  CHECK(outcome("/tmp", 100) == "not a regular file");
  CHECK(reason_of("/tmp", 100) == FileError::Reason::not_regular);
  CHECK(outcome("/dev/null", 100) == "not a regular file");
  auto zero = fresh_path("zero.json");
  std::filesystem::create_symlink("/dev/zero", zero);
  CHECK(outcome(zero, 100) == "not a regular file");
}

TEST_CASE("a FIFO is refused at once, without waiting for a writer", "[util][file]") {
  auto fifo = fresh_path("fifo.json");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto read = std::async(std::launch::async, [&] { return outcome(fifo, 100); });
  if (read.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    // Unblock the reader so that the test ends, then fail.
    int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (writer >= 0) ::close(writer);
    read.wait();
    FAIL("read_file blocked on a FIFO");
  }
  CHECK(read.get() == "not a regular file");
}
