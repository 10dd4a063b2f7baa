#pragma once

// Reading a whole file whose path an operator gives (the configuration, the
// model, Alembic scripts, secrets) without trusting what the path names: a
// FIFO, a device (/dev/zero) or a huge file is refused instead of blocking
// the caller or exhausting memory. Only regular files are read, and never
// more than a given number of bytes.

#include <cstddef>
#include <stdexcept>
#include <string>

namespace schemad::util {

// Why read_file() refused. what() names the problem alone, without the
// path, so that callers can prefix their own context ("model.json: cannot
// read: not a regular file"):
//   cannot_open  the system's message: "No such file or directory"
//   not_regular  "not a regular file" (a directory, FIFO, socket, device)
//   too_large    "17 bytes, more than the limit of 16"
//   read_failed  the system's message: "Input/output error"
class FileError : public std::runtime_error {
 public:
  enum class Reason { cannot_open, not_regular, too_large, read_failed };

  FileError(Reason reason, const std::string& problem, std::size_t size = 0);

  Reason reason() const { return reason_; }
  // too_large: the size found (more than the limit); otherwise 0.
  std::size_t size() const { return size_; }

 private:
  Reason reason_;
  std::size_t size_;
};

// The contents of the regular file at `path` (symbolic links followed),
// at most `max_bytes` long. Opens without blocking (O_NONBLOCK, so a FIFO
// without writer cannot hang the open) and with O_CLOEXEC, checks the open
// descriptor (fstat: no race with a rename), refuses anything but a regular
// file, and reads at most max_bytes + 1 bytes: a file over the limit is
// refused, also when it grows while being read. Throws FileError.
std::string read_file(const std::string& path, std::size_t max_bytes);

// Files that hold one secret (a database password, an admin token): read
// with this limit.
inline constexpr std::size_t kMaxSecretBytes = 64 * 1024;

}  // namespace schemad::util
