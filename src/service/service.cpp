#include "service/service.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <memory>
#include <thread>

#include "http/routes.hpp"
#include "http/server.hpp"
#include "metrics/metrics.hpp"
#include "model/source.hpp"
#include "service/model_watcher.hpp"
#include "service/notify.hpp"
#include "service/pg_backend.hpp"
#include "service/summary.hpp"
#include "service/triggers.hpp"
#include "service/worker.hpp"
#include "state/snapshot.hpp"
#include "util/file.hpp"
#include "util/text.hpp"

namespace schemad::service {

namespace {

namespace net = boost::asio;
using std::chrono::steady_clock;

std::string admin_token(const config::Config& c) {
  if (!c.http.admin_token.empty()) return c.http.admin_token;
  if (c.http.admin_token_file.empty()) return "";
  const std::string& path = c.http.admin_token_file;
  std::string token;
  try {
    token = std::string(util::trim_right(util::read_file(path, util::kMaxSecretBytes), "\r\n "));
  } catch (const util::FileError& e) {
    throw config::ConfigError("cannot read http.admin_token_file " + path + ": " + e.what());
  }
  if (token.empty()) throw config::ConfigError(path + " is empty");
  return token;
}

// Everything the event loop owns. Handlers run on the loop thread only.
class Loop {
 public:
  explicit Loop(const ServiceOptions& options)
      : options_(options),
        config_(options.config),
        metrics_(SCHEMAD_VERSION, metric_labels(options.config.fleet.enabled())),
        backend_(make_pg_backend()),
        worker_(config_, *backend_, state_, metrics_, notifier_, util::system_clock()),
        signals_(io_, SIGHUP, SIGTERM, SIGINT),
        interval_(io_),
        watchdog_(io_),
        shutdown_(io_) {}

  int run() {
    if (!start_http()) return 1;
    start_watcher();
    worker_thread_ = std::thread([this] {
      worker_.run(queue_);
      worker_done_ = true;
    });
    queue_.push({Reason::startup, true});
    notifier_.ready();
    arm_interval();
    arm_watchdog();
    wait_signal();
    io_.run();
    if (worker_done_) {
      worker_thread_.join();
    } else {
      // Past the grace period and a cancel: leave; closing the process
      // closes the session, and the server rolls back and unlocks.
      spdlog::error("the reconcile did not stop in time; exiting anyway");
      worker_thread_.detach();
    }
    spdlog::info("stopped");
    return 0;
  }

 private:
  bool start_http() {
    if (config_.http.listen.empty()) {
      spdlog::info("HTTP is off (http.listen is empty)");
      return true;
    }
    http::Endpoints endpoints;
    // The worker pings the database every health_check_seconds; three
    // missed pings make the service unready.
    endpoints.readiness_window = std::chrono::seconds(3 * config_.reconcile.health_check_seconds);
    endpoints.snapshot = [this] { return state_.get(); };
    endpoints.metrics_text = [this, window = endpoints.readiness_window] {
      // The gauges of what is going on now, as of this scrape: /readyz's
      // answer, and the seconds of a lock wait or an online step.
      const auto snapshot = state_.get();
      const auto now = std::chrono::system_clock::now();
      auto since = [&](state::WallTime t) {
        return std::max(0.0, std::chrono::duration<double>(now - t).count());
      };
      metrics_.set_current(state::readiness(*snapshot, now, window).ready,
                           snapshot->waiting ? since(snapshot->waiting->since) : 0.0,
                           snapshot->progress ? since(snapshot->progress->started) : 0.0);
      return metrics_.text();
    };
    endpoints.live = [this] { return !worker_.stuck(); };
    endpoints.request_reconcile = [this] {
      if (!stopping_) queue_.push({Reason::http, false});
    };
    try {
      endpoints.admin_token = admin_token(config_);
    } catch (const config::ConfigError& e) {
      spdlog::error("{}", e.what());
      return false;
    }
    http::ServerOptions server_options;
    server_options.listen = config_.http.listen;
    server_options.read_timeout = std::chrono::seconds(config_.http.read_timeout_seconds);
    server_ = std::make_unique<http::Server>(io_, server_options, http::make_router(endpoints));
    try {
      server_->start();
    } catch (const std::exception& e) {
      spdlog::error("{}", e.what());
      return false;
    }
    const auto endpoint = server_->local_endpoint();
    spdlog::info("listening on {}:{}", endpoint.address().to_string(), endpoint.port());
    return true;
  }

  void start_watcher() {
    if (watcher_) watcher_->stop();
    watcher_.reset();
    watched_ = config_.model;
    if (config_.model.empty()) return;  // the embedded model never changes
    watcher_ = std::make_unique<ModelWatcher>(
        io_, config_.model, static_cast<std::size_t>(config_.model_max_bytes),
        std::chrono::milliseconds(config_.reconcile.debounce_ms), [this] {
          spdlog::info("model file {} changed", config_.model);
          if (!stopping_) queue_.push({Reason::model_change, true});
        });
    try {
      watcher_->start();
    } catch (const std::exception& e) {
      // Not fatal: SIGHUP and the other triggers still work.
      spdlog::error("cannot watch the model file {}: {}", config_.model, e.what());
      watcher_.reset();
    }
  }

  void arm_interval() {
    interval_.cancel();
    if (config_.reconcile.interval_seconds <= 0 || stopping_) return;
    interval_.expires_after(std::chrono::seconds(config_.reconcile.interval_seconds));
    interval_.async_wait([this](boost::system::error_code ec) {
      if (ec || stopping_) return;
      queue_.push({Reason::interval, false});
      arm_interval();
    });
  }

  void arm_watchdog() {
    auto interval = notifier_.watchdog_interval();
    if (!interval || stopping_) return;
    watchdog_.expires_after(*interval / 2);
    watchdog_.async_wait([this](boost::system::error_code ec) {
      if (ec || stopping_) return;
      // A stuck worker stops the pings: systemd then restarts the service.
      if (!worker_.stuck()) notifier_.watchdog();
      arm_watchdog();
    });
  }

  void wait_signal() {
    signals_.async_wait([this](boost::system::error_code ec, int signal) {
      if (ec) return;
      if (signal == SIGHUP) {
        reload();
        wait_signal();
      } else {
        stop(signal);
      }
    });
  }

  void reload() {
    spdlog::info("SIGHUP: reading the configuration and the model again");
    notifier_.reloading();
    try {
      config::Config next = config::resolve(options_.overrides, config::process_environment());
      if (next.http.listen != config_.http.listen) {
        spdlog::warn("http.listen changed to {}: takes effect at the next start", next.http.listen);
      }
      spdlog::set_level(spdlog::level::from_str(next.log.level));
      config_ = next;
      worker_.set_config(config_);
      if (config_.model != watched_) start_watcher();
      arm_interval();
    } catch (const std::exception& e) {
      spdlog::error("configuration not reloaded, the previous one stays in force: {}", e.what());
    }
    queue_.push({Reason::sighup, true});
    notifier_.ready();
  }

  void stop(int signal) {
    spdlog::info("{}: stopping", signal == SIGINT ? "SIGINT" : "SIGTERM");
    stopping_ = true;
    notifier_.stopping();
    queue_.stop();
    worker_.stopping();  // a fleet run starts no further target
    interval_.cancel();
    watchdog_.cancel();
    signals_.cancel();
    if (watcher_) watcher_->stop();
    deadline_ =
        steady_clock::now() + std::chrono::seconds(config_.reconcile.shutdown_grace_seconds);
    wait_for_worker();
  }

  // Polls until the worker has finished its reconcile; past the grace
  // period, cancels its statement (the transaction rolls back), and gives
  // it a little longer to notice.
  void wait_for_worker() {
    const auto now = steady_clock::now();
    if (worker_done_ || now > deadline_ + std::chrono::seconds(5)) {
      if (server_) server_->stop();
      io_.stop();
      return;
    }
    if (now > deadline_ && !cancelled_) {
      spdlog::warn("reconcile still running after {} s: cancelling it",
                   config_.reconcile.shutdown_grace_seconds);
      worker_.cancel();
      cancelled_ = true;
    }
    shutdown_.expires_after(std::chrono::milliseconds(20));
    shutdown_.async_wait([this](boost::system::error_code ec) {
      if (!ec) wait_for_worker();
    });
  }

  const ServiceOptions& options_;
  config::Config config_;
  state::StateStore state_;
  metrics::Metrics metrics_;
  Notifier notifier_;
  TriggerQueue queue_;
  std::unique_ptr<Backend> backend_;
  Worker worker_;
  net::io_context io_;
  net::signal_set signals_;
  net::steady_timer interval_;
  net::steady_timer watchdog_;
  net::steady_timer shutdown_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<ModelWatcher> watcher_;
  std::string watched_;
  std::thread worker_thread_;
  std::atomic<bool> worker_done_{false};
  bool stopping_ = false;
  bool cancelled_ = false;
  steady_clock::time_point deadline_;
};

}  // namespace

int run_service(const ServiceOptions& options) {
  Loop loop(options);
  return loop.run();
}

}  // namespace schemad::service
