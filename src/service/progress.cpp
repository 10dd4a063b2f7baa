#include "service/progress.hpp"

#include <spdlog/spdlog.h>

#include <pqxx/pqxx>

#include "db/connection.hpp"

namespace schemad::service {

namespace {

class PgProgressSource final : public ProgressSource {
 public:
  explicit PgProgressSource(db::ConnectionOptions options) : options_(std::move(options)) {}

  ProgressReading read(int pid) override {
    if (!conn_ || !conn_->is_open()) conn_ = db::connect(options_);
    pqxx::read_transaction tx(*conn_);
    const pqxx::result r = tx.exec_params(
        "SELECT p.phase, p.blocks_done, p.blocks_total, p.tuples_done, p.tuples_total, "
        "       p.lockers_done, p.lockers_total, p.current_locker_pid, "
        "       CASE WHEN a.wait_event IS NOT NULL AND a.wait_event_type <> 'Activity' "
        "            THEN a.wait_event_type || ': ' || a.wait_event END "
        "FROM pg_stat_activity a "
        "LEFT JOIN pg_stat_progress_create_index p ON p.pid = a.pid "
        "WHERE a.pid = $1",
        pid);
    ProgressReading out;
    if (r.empty()) return out;
    const auto& row = r[0];
    out.phase = row[0].is_null() ? "" : row[0].as<std::string>();
    out.blocks_done = row[1].is_null() ? 0 : row[1].as<long long>();
    out.blocks_total = row[2].is_null() ? 0 : row[2].as<long long>();
    out.tuples_done = row[3].is_null() ? 0 : row[3].as<long long>();
    out.tuples_total = row[4].is_null() ? 0 : row[4].as<long long>();
    out.lockers_done = row[5].is_null() ? 0 : row[5].as<long long>();
    out.lockers_total = row[6].is_null() ? 0 : row[6].as<long long>();
    out.current_locker_pid = row[7].is_null() ? 0 : row[7].as<int>();
    out.waiting_on = row[8].is_null() ? "" : row[8].as<std::string>();
    return out;
  }

 private:
  db::ConnectionOptions options_;
  std::unique_ptr<pqxx::connection> conn_;
};

std::string fraction(const char* what, long long done, long long total) {
  std::string out = std::string(what) + " " + std::to_string(done) + " of " + std::to_string(total);
  if (total > 0) out += " (" + std::to_string(done * 100 / total) + "%)";
  return out;
}

}  // namespace

std::unique_ptr<ProgressSource> pg_progress_source(const config::Config& config) {
  std::vector<std::string> warnings;  // connect() of the worker logged them already
  db::ConnectionOptions options = db::options_from(config, warnings);
  options.application_name = "schemad-progress";
  options.lock_timeout_ms = 1000;
  options.statement_timeout_ms = 5000;
  return std::make_unique<PgProgressSource>(std::move(options));
}

std::string describe(const ProgressReading& r) {
  std::string out = r.phase.empty() ? "running" : r.phase;
  if (r.phase.rfind("waiting for", 0) == 0) {
    // What it waits for, not the blocks of the phase before.
    if (r.lockers_total > 0) out += ": " + fraction("sessions", r.lockers_done, r.lockers_total);
    if (r.current_locker_pid != 0) out += ", now pid " + std::to_string(r.current_locker_pid);
    if (!r.waiting_on.empty()) out += "; waiting on " + r.waiting_on;
    return out;
  }
  if (r.blocks_total > 0) out += ": " + fraction("blocks", r.blocks_done, r.blocks_total);
  if (r.tuples_total > 0) {
    out += (r.blocks_total > 0 ? ", " : ": ") + fraction("tuples", r.tuples_done, r.tuples_total);
  }
  if (!r.waiting_on.empty()) out += "; waiting on " + r.waiting_on;
  return out;
}

ProgressMonitor::ProgressMonitor(state::StateStore& state, std::chrono::milliseconds poll_every)
    : state_(state), poll_every_(poll_every), thread_([this] { loop(); }) {}

ProgressMonitor::~ProgressMonitor() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ProgressMonitor::started(const std::string& step, const std::string& table, int pid,
                              std::unique_ptr<ProgressSource> source,
                              std::chrono::milliseconds log_every) {
  state::StepProgress p;
  p.step = step;
  p.table = table;
  p.pid = pid;
  p.started = std::chrono::system_clock::now();
  {
    // Published under the lock, as the loop does: a reading of the step
    // before never lands after this one.
    std::lock_guard<std::mutex> lock(mutex_);
    state_.publish_progress(p);
    step_ = std::move(p);
    source_ = std::move(source);
    log_every_ = log_every;
    ++generation_;
  }
  wake_.notify_all();
}

void ProgressMonitor::finished() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    state_.publish_progress(std::nullopt);
    step_.reset();
    source_.reset();
    ++generation_;
  }
  wake_.notify_all();
}

void ProgressMonitor::loop() {
  using Clock = std::chrono::steady_clock;
  std::unique_ptr<ProgressSource> source;
  bool source_failed = false;  // logged once per step
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    if (!step_) {
      source.reset();  // no connection held between steps
      wake_.wait(lock, [this] { return stop_ || step_.has_value(); });
      continue;
    }
    // One step: poll until it ends (or another starts).
    const long generation = generation_;
    state::StepProgress progress = *step_;
    source = std::move(source_);
    const auto began = Clock::now();
    const auto log_every = log_every_;
    auto next_log = began + log_every;
    source_failed = false;
    // A step shorter than one poll interval is never asked about.
    wake_.wait_for(lock, poll_every_, [&] { return stop_ || generation_ != generation; });
    while (!stop_ && generation_ == generation) {
      lock.unlock();
      std::string said;
      try {
        if (source) {
          const ProgressReading r = source->read(progress.pid);
          progress.phase = r.phase;
          progress.blocks_done = r.blocks_done;
          progress.blocks_total = r.blocks_total;
          progress.tuples_done = r.tuples_done;
          progress.tuples_total = r.tuples_total;
          progress.lockers_done = r.lockers_done;
          progress.lockers_total = r.lockers_total;
          progress.current_locker_pid = r.current_locker_pid;
          said = describe(r);
        }
      } catch (const std::exception& e) {
        // The seconds go on; the source connects again on the next poll.
        if (!source_failed) {
          spdlog::debug("progress of {}: cannot read it: {}", progress.step, e.what());
        }
        source_failed = true;
      }
      lock.lock();
      if (stop_ || generation_ != generation) break;
      state_.publish_progress(progress);
      if (Clock::now() >= next_log) {
        const auto seconds =
            std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - began).count();
        spdlog::info("still running after {} s: {}{}", seconds, progress.step,
                     said.empty() ? "" : " (" + said + ")");
        next_log += log_every;
      }
      wake_.wait_for(lock, poll_every_, [&] { return stop_ || generation_ != generation; });
    }
  }
}

}  // namespace schemad::service
