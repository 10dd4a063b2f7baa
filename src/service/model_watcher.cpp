#include "service/model_watcher.hpp"

#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "model/load.hpp"
#include "model/sql_script.hpp"
#include "util/file.hpp"
#include "util/sha256.hpp"

namespace schemad::service {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kWatchMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE |
                                     IN_ATTRIB | IN_MOVED_FROM | IN_MODIFY | IN_DELETE_SELF |
                                     IN_MOVE_SELF | IN_ONLYDIR;

// The kubelet's name for the current version of a ConfigMap volume.
constexpr std::string_view kConfigMapData = "..data";

constexpr std::chrono::milliseconds kMinRewatchPeriod{1000};

// The content's SHA-256; nullopt when the file cannot be read.
using Fingerprint = std::optional<std::array<std::uint8_t, 32>>;

// Read as the loader reads it (util/file.hpp): a FIFO put in the model's
// place must not block the event loop, nor a link to a device fill memory.
// A directory (a SQL model's): its *.sql files' names and contents.
Fingerprint read_fingerprint(const std::string& path, std::size_t max_bytes) {
  try {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      return util::sha256(model::read_sql_script(path, "public", max_bytes).sha256);
    }
    return util::sha256(
        util::read_file(path, std::max(max_bytes, std::size_t{model::kMaxSqlModelBytes})));
  } catch (const util::FileError&) {
    return std::nullopt;  // the reload that follows says why
  } catch (const model::ModelError&) {
    return std::nullopt;
  }
}

bool is_sql_file(std::string_view name) {
  return name.size() > 4 && name.substr(name.size() - 4) == ".sql";
}

}  // namespace

class ModelWatcher::State : public std::enable_shared_from_this<State> {
 public:
  State(boost::asio::io_context& io, std::string path, std::size_t max_bytes,
        std::chrono::milliseconds debounce, std::function<void()> on_change)
      : path_(std::move(path)),
        max_bytes_(max_bytes),
        debounce_(debounce),
        rewatch_period_(std::max<std::chrono::milliseconds>(debounce, kMinRewatchPeriod)),
        on_change_(std::move(on_change)),
        inotify_(io),
        debounce_timer_(io),
        rewatch_timer_(io) {}

  void start();
  void stop();

 private:
  bool try_watch();
  void read_events();
  void on_events(const boost::system::error_code& error, std::size_t size);
  void on_event(const inotify_event& event, std::string_view name);
  void relevant_event();
  void on_debounce(const boost::system::error_code& error);
  void schedule_rewatch();
  void compare();

  std::string path_;

  std::size_t max_bytes_;  // model_max_bytes (0: the default)  // absolute after start()
  std::string directory_;
  std::string name_;
  const std::chrono::milliseconds debounce_;
  const std::chrono::milliseconds rewatch_period_;
  std::function<void()> on_change_;

  boost::asio::posix::stream_descriptor inotify_;
  boost::asio::steady_timer debounce_timer_;
  boost::asio::steady_timer rewatch_timer_;
  int watch_ = -1;  // the directory's watch descriptor; -1 while it is lost
  bool started_ = false;
  bool stopped_ = false;
  bool debounce_armed_ = false;
  bool rewatch_armed_ = false;
  Clock::time_point deadline_;
  Fingerprint last_;
  // Room for many events at once; inotify never splits one across reads.
  alignas(inotify_event) std::array<char, 16 * (sizeof(inotify_event) + NAME_MAX + 1)> buffer_;
};

void ModelWatcher::State::start() {
  if (started_ || stopped_)
    throw std::logic_error("ModelWatcher::start called twice or after stop");
  started_ = true;
  std::filesystem::path path = std::filesystem::absolute(path_);
  if (!path.has_filename()) {
    throw std::system_error(std::make_error_code(std::errc::is_a_directory),
                            "model path " + path_ + " names no file");
  }
  path_ = path.string();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    // A directory of .sql files: watched itself; any .sql file is relevant.
    directory_ = path_;
    name_.clear();
  } else {
    directory_ = path.parent_path().string();
    name_ = path.filename().string();
  }

  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::system_category(), "inotify_init1");
  try {
    inotify_.assign(fd);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (!try_watch()) {
    int error = errno;
    stop();
    throw std::system_error(error, std::system_category(),
                            "cannot watch " + directory_ + ", the model file's directory");
  }
  // After the watch: a change racing with start() is then either in this
  // fingerprint or reported by an event.
  last_ = read_fingerprint(path_, max_bytes_);
  read_events();
}

void ModelWatcher::State::stop() {
  stopped_ = true;
  debounce_timer_.cancel();
  rewatch_timer_.cancel();
  boost::system::error_code ignored;
  inotify_.close(ignored);  // closing the inotify fd removes its watches
}

bool ModelWatcher::State::try_watch() {
  int watch = ::inotify_add_watch(inotify_.native_handle(), directory_.c_str(), kWatchMask);
  if (watch < 0) return false;
  watch_ = watch;
  return true;
}

void ModelWatcher::State::read_events() {
  inotify_.async_read_some(
      boost::asio::buffer(buffer_),
      [self = shared_from_this()](const boost::system::error_code& error, std::size_t size) {
        self->on_events(error, size);
      });
}

void ModelWatcher::State::on_events(const boost::system::error_code& error, std::size_t size) {
  if (stopped_ || error == boost::asio::error::operation_aborted) return;
  if (error) {
    // Not expected from inotify; reading again would only spin on it.
    spdlog::error(
        "model watcher: reading inotify events failed ({}); changes to {} are no "
        "longer seen",
        error.message(), path_);
    return;
  }
  std::size_t offset = 0;
  while (offset + sizeof(inotify_event) <= size) {
    inotify_event event;
    std::memcpy(&event, buffer_.data() + offset, sizeof(event));
    const char* name = buffer_.data() + offset + sizeof(inotify_event);
    on_event(event, std::string_view(name, ::strnlen(name, event.len)));
    offset += sizeof(inotify_event) + event.len;
  }
  read_events();
}

void ModelWatcher::State::on_event(const inotify_event& event, std::string_view name) {
  if (event.mask & IN_Q_OVERFLOW) {  // events were lost: anything may have changed
    relevant_event();
    return;
  }
  if (watch_ < 0 || event.wd != watch_) return;  // from a watch given up before
  if (event.mask & IN_IGNORED) {
    // The directory was removed or unmounted, and the kernel dropped the watch.
    watch_ = -1;
    relevant_event();
    return;
  }
  if (event.mask & IN_MOVE_SELF) {
    // The watch would follow the directory to its new name; the model path
    // now names something else, or nothing.
    ::inotify_rm_watch(inotify_.native_handle(), watch_);
    watch_ = -1;
    relevant_event();
    return;
  }
  if (event.len == 0 || name == kConfigMapData) {
    relevant_event();
  } else if (name_.empty() ? is_sql_file(name) : name == name_) {
    relevant_event();
  }
}

void ModelWatcher::State::relevant_event() {
  deadline_ = Clock::now() + debounce_;
  // One timer wait per burst: an armed timer finds the moved deadline when
  // it fires and waits again, so a burst costs no timer syscalls per event.
  if (debounce_armed_) return;
  debounce_armed_ = true;
  debounce_timer_.expires_at(deadline_);
  debounce_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
    self->on_debounce(error);
  });
}

void ModelWatcher::State::on_debounce(const boost::system::error_code& error) {
  if (stopped_ || error == boost::asio::error::operation_aborted) return;
  if (Clock::now() < deadline_) {
    debounce_timer_.expires_at(deadline_);
    debounce_timer_.async_wait(
        [self = shared_from_this()](const boost::system::error_code& e) { self->on_debounce(e); });
    return;
  }
  debounce_armed_ = false;
  if (watch_ < 0 && !try_watch()) schedule_rewatch();
  compare();
}

void ModelWatcher::State::schedule_rewatch() {
  if (rewatch_armed_) return;
  rewatch_armed_ = true;
  rewatch_timer_.expires_after(rewatch_period_);
  rewatch_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
    self->rewatch_armed_ = false;
    if (self->stopped_ || error == boost::asio::error::operation_aborted) return;
    if (self->watch_ >= 0 || self->try_watch()) {
      self->compare();  // what changed while the directory was not watched
    } else {
      self->schedule_rewatch();
    }
  });
}

void ModelWatcher::State::compare() {
  try {
    Fingerprint now = read_fingerprint(path_, max_bytes_);
    if (now == last_) return;
    last_ = now;
    on_change_();
  } catch (const std::exception& e) {
    spdlog::error("model watcher: handling a change of {} failed: {}", path_, e.what());
  } catch (...) {
    spdlog::error("model watcher: handling a change of {} failed", path_);
  }
}

ModelWatcher::ModelWatcher(boost::asio::io_context& io, std::string model_path,
                           std::size_t max_bytes, std::chrono::milliseconds debounce,
                           std::function<void()> on_change)
    : state_(std::make_shared<State>(io, std::move(model_path), max_bytes, debounce,
                                     std::move(on_change))) {}

ModelWatcher::~ModelWatcher() {
  stop();
}

void ModelWatcher::start() {
  state_->start();
}

void ModelWatcher::stop() {
  state_->stop();
}

}  // namespace schemad::service
