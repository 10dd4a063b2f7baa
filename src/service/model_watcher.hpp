#pragma once

// Watches the model file and calls back, once per burst, when its content
// changed.
//
// inotify watches the file's DIRECTORY, not the file: editors replace the
// file (write a temporary, rename it over), and a Kubernetes ConfigMap
// volume swaps a whole directory (model.json -> ..data/model.json, where
// ..data -> ..2026_xx is replaced by renaming ..data_tmp over it). A watch
// on the file's inode would stay on the old copy in both cases.
//
// An inotify event is relevant when it names the model file's basename or
// "..data", or concerns the directory itself (its attributes, its removal
// or move, an event queue overflow). Others (a neighbour file, the
// ConfigMap's timestamped directories, ..data_tmp) are dropped.
//
// A directory (a SQL model of several files) is watched itself: an event
// naming any *.sql file or "..data" is relevant, and the content compared
// is every *.sql file's name and text, in name order.
//
// Debouncing: each relevant event moves a deadline to now + `debounce`;
// when the deadline passes with no further relevant event, the watcher
// reads the file (following symlinks) and compares the SHA-256 of its
// content with the last one seen. Only a different content calls
// on_change(), so touch, chmod, a rewrite with identical bytes, and a
// ConfigMap update that changed only another key cost no reconcile. A file
// that cannot be read (missing, permission) is a state of its own: becoming
// unreadable calls on_change() once (the reload then reports the error),
// staying unreadable does not, and becoming readable again does.
//
// IN_MODIFY is watched besides the events a finished write produces, so a
// writer that keeps the file open and writes slowly pushes the deadline
// back instead of having a half-written file read.
//
// When the directory itself is removed or moved away, the watch is lost;
// the watcher then tries to watch the path again every max(debounce, 1 s)
// and, once it can, compares the content as above.
//
// Not seen: an in-place edit of a symlink's target that lives in another
// directory (model.json -> /elsewhere/model.json, edited there). Swapping
// the symlink is seen. SIGHUP and the interval timer cover the rest.
//
// Threading: `io` must be run by one thread, since the handlers are not
// bound to a strand. Construct, start(), stop() and destroy on that thread
// (or while `io` is not running). The file is read and hashed there too: a
// few milliseconds for a model of some MiB, once per burst. on_change runs
// on that thread; it should be quick (post the reconcile trigger) and not
// throw: an exception from it is logged and dropped, since none may cross
// an Asio handler. The watcher may be destroyed while its handlers are
// still queued in `io`: they keep its state alive and do nothing. `io` must
// outlive them.

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace schemad::service {

class ModelWatcher {
 public:
  // Does nothing until start(). `model_path` may be relative (to the
  // working directory at start()) and may be a symlink.
  // `max_bytes`: the configuration's model_max_bytes (0: the default).
  ModelWatcher(boost::asio::io_context& io, std::string model_path, std::size_t max_bytes,
               std::chrono::milliseconds debounce, std::function<void()> on_change);
  // Stops.
  ~ModelWatcher();
  ModelWatcher(const ModelWatcher&) = delete;
  ModelWatcher& operator=(const ModelWatcher&) = delete;

  // Records the file's current content as the one last seen and begins to
  // watch. Call it before loading the model, so that no change falls
  // between the load and the watch. Throws std::system_error when inotify
  // is unavailable or the directory cannot be watched (missing, not a
  // directory, no permission), std::logic_error when called twice or after
  // stop().
  void start();

  // Stops watching and cancels a pending callback: on_change is not called
  // after stop() returns. Idempotent; a stopped watcher cannot start again.
  void stop();

 private:
  class State;
  std::shared_ptr<State> state_;
};

}  // namespace schemad::service
