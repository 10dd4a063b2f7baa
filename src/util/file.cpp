#include "util/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace schemad::util {

namespace {

std::string system_message(int error) {
  return std::generic_category().message(error);
}

FileError too_large(std::size_t size, std::size_t max_bytes) {
  return FileError(
      FileError::Reason::too_large,
      std::to_string(size) + " bytes, more than the limit of " + std::to_string(max_bytes), size);
}

// Closes the descriptor on every way out.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() { ::close(fd_); }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

FileError::FileError(Reason reason, const std::string& problem, std::size_t size)
    : std::runtime_error(problem), reason_(reason), size_(size) {}

std::string read_file(const std::string& path, std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw FileError(FileError::Reason::cannot_open, system_message(errno));
  Descriptor file(fd);
  struct stat info {};
  if (::fstat(file.get(), &info) != 0) {
    throw FileError(FileError::Reason::read_failed, system_message(errno));
  }
  if (!S_ISREG(info.st_mode)) {
    throw FileError(FileError::Reason::not_regular, "not a regular file");
  }
  const auto size = static_cast<std::size_t>(info.st_size);
  if (size > max_bytes) throw too_large(size, max_bytes);

  std::string out;
  out.reserve(size);
  char chunk[65536];
  while (out.size() <= max_bytes) {
    // One byte past the limit at most: enough to tell that the file grew.
    const std::size_t room = max_bytes - out.size();
    const std::size_t want = room >= sizeof chunk ? sizeof chunk : room + 1;
    const ssize_t n = ::read(file.get(), chunk, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw FileError(FileError::Reason::read_failed, system_message(errno));
    }
    if (n == 0) return out;
    out.append(chunk, static_cast<std::size_t>(n));
  }
  // It grew while being read: report its size now, when that says more.
  std::size_t found = out.size();
  if (::fstat(file.get(), &info) == 0) {
    found = std::max(found, static_cast<std::size_t>(info.st_size));
  }
  throw too_large(found, max_bytes);
}

}  // namespace schemad::util
