#include <catch2/catch.hpp>

#include <stdlib.h>
#include <sys/stat.h>

#include <boost/asio/io_context.hpp>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "service/model_watcher.hpp"

using schemad::service::ModelWatcher;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

constexpr milliseconds kDebounce{80};
// Long enough after the debounce for a stray callback to show.
constexpr milliseconds kQuiet{400};
// Upper bound on waiting for an expected callback; normally ~kDebounce.
constexpr milliseconds kPatience{3000};

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "schemad-watch-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Truncates and writes in place: the same inode.
void write_in_place(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// As editors do: a new file beside, renamed over the old one.
void write_by_rename(const fs::path& path, const std::string& content) {
  fs::path temporary = path.string() + ".tmp";
  write_in_place(temporary, content);
  fs::rename(temporary, path);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void touch(const fs::path& path) {
  fs::last_write_time(path, fs::file_time_type::clock::now());
}

// An io_context driven by the test thread, and a watcher counting callbacks
// and recording what the file held at each.
struct Harness {
  explicit Harness(fs::path model, milliseconds debounce = kDebounce)
      : model_path(std::move(model)), watcher(io, model_path.string(), 0, debounce, [this] {
          seen.push_back(read_file(model_path));
          called_at.push_back(Clock::now());
        }) {}

  int calls() const { return static_cast<int>(seen.size()); }

  void run_for(milliseconds duration) {
    io.restart();
    io.run_for(duration);
  }

  // Runs until `n` callbacks have happened or kPatience has passed.
  void run_until_calls(int n) {
    auto limit = Clock::now() + kPatience;
    while (calls() < n && Clock::now() < limit) run_for(milliseconds(10));
  }

  // Runs until `n` callbacks, then a quiet period to let extra ones show.
  int settle_calls(int n) {
    run_until_calls(n);
    return quiet_calls();
  }

  // Runs for the quiet period, when no callback is expected.
  int quiet_calls() {
    run_for(kQuiet);
    return calls();
  }

  fs::path model_path;
  boost::asio::io_context io;
  std::vector<std::string> seen;
  std::vector<Clock::time_point> called_at;
  ModelWatcher watcher;
};

}  // namespace

TEST_CASE("an in-place overwrite calls back once, after the debounce", "[model_watcher]") {
  TempDir dir;
  fs::path model = dir.path() / "model.json";
  write_in_place(model, "v1");
  Harness h(model);
  h.watcher.start();
  write_in_place(model, "v2");
  auto written = Clock::now();
  CHECK(h.settle_calls(1) == 1);
  REQUIRE(h.calls() >= 1);
  CHECK(h.seen[0] == "v2");
  CHECK(h.called_at[0] - written >= kDebounce);
}

TEST_CASE("a write to a temporary renamed over the file calls back once", "[model_watcher]") {
  TempDir dir;
  fs::path model = dir.path() / "model.json";
  write_in_place(model, "v1");
  Harness h(model);
  h.watcher.start();
  write_by_rename(model, "v2");
  CHECK(h.settle_calls(1) == 1);
  REQUIRE(h.calls() >= 1);
  CHECK(h.seen[0] == "v2");
}

TEST_CASE("an editor's backup-and-rewrite calls back once", "[model_watcher]") {
  TempDir dir;
  fs::path model = dir.path() / "model.json";
  write_in_place(model, "v1");
  Harness h(model);
  h.watcher.start();
  fs::rename(model, dir.path() / "model.json~");  // vim's default
  write_in_place(model, "v2");
  CHECK(h.settle_calls(1) == 1);
  REQUIRE(h.calls() >= 1);
  CHECK(h.seen[0] == "v2");
}

TEST_CASE("a ConfigMap update (..data swapped by rename) calls back once", "[model_watcher]") {
  TempDir dir;
  const fs::path& d = dir.path();
  fs::create_directory(d / "..2026_1");
  write_in_place(d / "..2026_1" / "model.json", "v1");
  write_in_place(d / "..2026_1" / "other.json", "a");
  fs::create_directory_symlink("..2026_1", d / "..data");
  fs::create_symlink("..data/model.json", d / "model.json");
  fs::create_symlink("..data/other.json", d / "other.json");
  Harness h(d / "model.json");
  h.watcher.start();

  // The kubelet's sequence: the new version, a temporary link, the atomic
  // swap, then the old version removed.
  auto publish = [&](const std::string& version, const std::string& model,
                     const std::string& other) {
    fs::create_directory(d / version);
    write_in_place(d / version / "model.json", model);
    write_in_place(d / version / "other.json", other);
    fs::create_directory_symlink(version, d / "..data_tmp");
    fs::path old = fs::read_symlink(d / "..data");
    fs::rename(d / "..data_tmp", d / "..data");
    fs::remove_all(d / old);
  };

  SECTION("the model changed") {
    publish("..2026_2", "v2", "a");
    CHECK(h.settle_calls(1) == 1);
    REQUIRE(h.calls() >= 1);
    CHECK(h.seen[0] == "v2");
  }
  SECTION("only another key of the ConfigMap changed") {
    publish("..2026_2", "v1", "b");
    CHECK(h.quiet_calls() == 0);
  }
  SECTION("two updates far apart call back twice") {
    publish("..2026_2", "v2", "a");
    CHECK(h.settle_calls(1) == 1);
    publish("..2026_3", "v3", "a");
    CHECK(h.settle_calls(2) == 2);
    REQUIRE(h.calls() >= 2);
    CHECK(h.seen[1] == "v3");
  }
}

TEST_CASE("rapid writes within the debounce window call back once, with the last content",
          "[model_watcher]") {
  TempDir dir;
  fs::path model = dir.path() / "model.json";
  write_in_place(model, "v0");
  Harness h(model, milliseconds(100));
  h.watcher.start();
  Clock::time_point last_write;
  for (int i = 1; i <= 5; ++i) {
    write_in_place(model, "v" + std::to_string(i));
    last_write = Clock::now();
    h.run_for(milliseconds(10));  // the loop sees each write as it happens
  }
  CHECK(h.settle_calls(1) == 1);
  REQUIRE(h.calls() >= 1);
  CHECK(h.seen[0] == "v5");
  CHECK(h.called_at[0] - last_write >= milliseconds(100));
}

TEST_CASE("a burst longer than the debounce, with shorter gaps, calls back once",
          "[model_watcher]") {
  TempDir dir;
  fs::path model = dir.path() / "model.json";
  write_in_place(model, "v0");
  Harness h(model, milliseconds(200));
  h.watcher.start();
  auto first = Clock::now();
  for (int i = 1; i <= 8; ++i) {
    write_in_place(model, "v" + std::to_string(i));
    h.run_for(milliseconds(40));
  }
  // The burst outlasted one debounce period, so each write moved the deadline.
  REQUIRE(Clock::now() - first > milliseconds(200));
  CHECK(h.settle_calls(1) == 1);
  REQUIRE(h.calls() >= 1);
  CHECK(h.seen[0] == "v8");
}

TEST_CASE("events on other files in the directory are not relevant", "[model_watcher]") {
  TempDir dir;
  fs::path model = dir.path() / "model.json";
  write_in_place(model, "v1");
  // A hard link from elsewhere changes the content without any event in
  // the watched directory: were the neighbour's events taken as relevant,
  // the watcher would find the new content and call back.
  TempDir elsewhere;
  fs::create_hard_link(model, elsewhere.path() / "alias.json");
  Harness h(model);
  h.watcher.start();
  write_in_place(elsewhere.path() / "alias.json", "v2");
  write_in_place(dir.path() / "unrelated.txt", "x");
  touch(dir.path() / "unrelated.txt");
  fs::remove(dir.path() / "unrelated.txt");
  write_in_place(dir.path() / "model.json.bak", "x");
  CHECK(h.quiet_calls() == 0);

  // The premise holds: an event on the model file itself reveals the change.
  touch(model);
  CHECK(h.settle_calls(1) == 1);
}

TEST_CASE("identical content, a touch or a chmod do not call back", "[model_watcher]") {
  TempDir dir;
  fs::path model = dir.path() / "model.json";
  write_in_place(model, "v1");
  Harness h(model);
  h.watcher.start();
  write_in_place(model, "v1");
  write_by_rename(model, "v1");  // a new inode, the same bytes
  touch(model);
  fs::permissions(model, fs::perms::owner_read, fs::perm_options::remove);
  fs::permissions(model, fs::perms::owner_read, fs::perm_options::add);
  CHECK(h.quiet_calls() == 0);
}

TEST_CASE("removing the file calls back once, restoring it calls back again", "[model_watcher]") {
  TempDir dir;
  fs::path model = dir.path() / "model.json";
  write_in_place(model, "v1");
  Harness h(model);
  h.watcher.start();
  fs::remove(model);
  CHECK(h.settle_calls(1) == 1);
  write_in_place(dir.path() / "model.json.tmp", "x");
  fs::remove(dir.path() / "model.json.tmp");
  CHECK(h.quiet_calls() == 1);  // still missing: nothing new
  write_in_place(model, "v1");  // back, even with the old content
  CHECK(h.settle_calls(2) == 2);
}

TEST_CASE("a directory removed or moved away, then recreated, is watched again",
          "[model_watcher]") {
  TempDir dir;
  fs::path conf = dir.path() / "conf";
  fs::create_directory(conf);
  fs::path model = conf / "model.json";
  write_in_place(model, "v1");
  Harness h(model);
  h.watcher.start();

  SECTION("removed") {
    fs::remove_all(conf);
  }
  SECTION("moved away") {
    fs::rename(conf, dir.path() / "conf.old");
  }
  CHECK(h.settle_calls(1) == 1);  // the model is gone

  fs::create_directory(conf);
  write_in_place(model, "v2");
  h.run_until_calls(2);  // found by the periodic re-watch (about a second)
  REQUIRE(h.calls() == 2);
  CHECK(h.seen[1] == "v2");

  write_in_place(model, "v3");  // and the new directory's events arrive
  CHECK(h.settle_calls(3) == 3);
  REQUIRE(h.calls() >= 3);
  CHECK(h.seen[2] == "v3");
}

TEST_CASE("a relative model path is watched in the working directory", "[model_watcher]") {
  TempDir dir;
  write_in_place(dir.path() / "model.json", "v1");
  fs::path previous = fs::current_path();
  fs::current_path(dir.path());
  Harness h("model.json");
  h.watcher.start();
  fs::current_path(previous);  // start() resolved the path already
  write_in_place(dir.path() / "model.json", "v2");
  CHECK(h.settle_calls(1) == 1);
}

TEST_CASE("no callback after stop(), even with one pending", "[model_watcher]") {
  TempDir dir;
  fs::path model = dir.path() / "model.json";
  write_in_place(model, "v1");
  Harness h(model);
  h.watcher.start();
  write_in_place(model, "v2");
  h.run_for(milliseconds(20));  // the event is read, the debounce is running
  h.watcher.stop();
  h.watcher.stop();  // idempotent
  write_in_place(model, "v3");
  CHECK(h.quiet_calls() == 0);
}

TEST_CASE("a watcher destroyed with handlers queued leaves them harmless", "[model_watcher]") {
  TempDir dir;
  fs::path model = dir.path() / "model.json";
  write_in_place(model, "v1");
  boost::asio::io_context io;
  int calls = 0;
  {
    ModelWatcher watcher(io, model.string(), 0, kDebounce, [&calls] { ++calls; });
    watcher.start();
    write_in_place(model, "v2");
    io.run_for(milliseconds(20));
  }
  io.restart();
  io.run_for(kQuiet);
  CHECK(calls == 0);
}

TEST_CASE("an exception from the callback is contained and watching goes on", "[model_watcher]") {
  TempDir dir;
  fs::path model = dir.path() / "model.json";
  write_in_place(model, "v1");
  boost::asio::io_context io;
  int calls = 0;
  ModelWatcher watcher(io, model.string(), 0, kDebounce, [&calls] {
    ++calls;
    throw std::runtime_error("reload failed");
  });
  watcher.start();
  write_in_place(model, "v2");
  REQUIRE_NOTHROW(io.run_for(kQuiet));
  CHECK(calls == 1);
  write_in_place(model, "v3");
  io.restart();
  REQUIRE_NOTHROW(io.run_for(kQuiet));
  CHECK(calls == 2);
}

TEST_CASE("start() fails with the OS error when the directory cannot be watched",
          "[model_watcher]") {
  TempDir dir;
  boost::asio::io_context io;
  auto start_error = [&io](const fs::path& path) -> std::optional<std::error_code> {
    ModelWatcher watcher(io, path.string(), 0, kDebounce, [] {});
    try {
      watcher.start();
    } catch (const std::system_error& e) {
      return e.code();
    }
    return std::nullopt;
  };
  CHECK(start_error(dir.path() / "missing" / "model.json") ==
        std::error_code(ENOENT, std::system_category()));
  write_in_place(dir.path() / "file", "x");
  CHECK(start_error(dir.path() / "file" / "model.json") ==
        std::error_code(ENOTDIR, std::system_category()));
  // A missing file in an existing directory is fine: it may appear later.
  CHECK(start_error(dir.path() / "model.json") == std::nullopt);
}

TEST_CASE("start() twice or after stop() is a logic error", "[model_watcher]") {
  TempDir dir;
  boost::asio::io_context io;
  ModelWatcher twice(io, (dir.path() / "model.json").string(), 0, kDebounce, [] {});
  twice.start();
  CHECK_THROWS_AS(twice.start(), std::logic_error);
  ModelWatcher stopped(io, (dir.path() / "model.json").string(), 0, kDebounce, [] {});
  stopped.stop();
  CHECK_THROWS_AS(stopped.start(), std::logic_error);
}

TEST_CASE("a FIFO in the model's place does not block the event loop", "[model_watcher]") {
  // The watcher hashes the model's content; opening a FIFO without a writer
  // blocked until one came, and with it the daemon's event loop. ctest's
  // timeout catches a relapse.
  TempDir dir;
  fs::path model = dir.path() / "model.json";
  REQUIRE(::mkfifo(model.c_str(), 0600) == 0);
  Harness h(model);
  const auto start = Clock::now();
  h.watcher.start();
  CHECK(h.quiet_calls() == 0);
  CHECK(Clock::now() - start < kPatience);
}
