#include "service/worker.hpp"

#include <spdlog/spdlog.h>

#include <malloc.h>

#include "db/connection.hpp"
#include "engine/settings.hpp"
#include "fleet/instantiate.hpp"
#include "model/source.hpp"

namespace schemad::service {

namespace {

using state::Activity;
using std::chrono::steady_clock;

std::int64_t ticks(steady_clock::time_point t) {
  return t.time_since_epoch().count();
}

// How long a healthy reconcile can take: waiting for the advisory lock,
// retrying lock timeouts, and the statements themselves (concurrent index
// builds run without statement_timeout, hence the hour).
steady_clock::duration busy_limit(const config::Config& c) {
  return std::chrono::seconds(2 * c.reconcile.lock_retry_seconds + 3600) +
         std::chrono::milliseconds(4 * static_cast<long long>(c.reconcile.statement_timeout_ms));
}

}  // namespace

Worker::Worker(config::Config config, Backend& backend, state::StateStore& state,
               metrics::Metrics& metrics, const Notifier& notifier, util::Clock& clock)
    : backend_(backend),
      state_(state),
      metrics_(metrics),
      notifier_(notifier),
      clock_(clock),
      config_(std::move(config)),
      schedule_(clock.now(), std::chrono::seconds(config_.reconcile.health_check_seconds)),
      progress_(state) {
  snapshot_.version = SCHEMAD_VERSION;
  snapshot_.model_path = model::display_name(config_.model);
  snapshot_.target = db::target_of(config_);
}

void Worker::set_config(const config::Config& config) {
  std::lock_guard<std::mutex> lock(config_mutex_);
  pending_config_ = config;
  config_changed_ = true;
}

void Worker::cancel() {
  cancelled_ = true;
  std::lock_guard<std::mutex> lock(session_mutex_);
  if (!session_) return;
  try {
    session_->cancel();
  } catch (const std::exception& e) {
    spdlog::warn("could not cancel the running statement: {}", e.what());
  }
}

bool Worker::stuck() const {
  const std::int64_t since = busy_since_.load();
  return since != 0 && ticks(clock_.now()) - since > busy_limit_.load();
}

void Worker::run(TriggerQueue& queue) {
  while (!queue.stopped()) {
    std::optional<Trigger> trigger = queue.wait_until(next_wake());
    if (queue.stopped()) break;
    snapshot_.rerun_queued = false;
    handle(trigger);
    if (queue.queued()) {
      snapshot_.rerun_queued = true;
      publish();
    }
  }
  snapshot_.activity = Activity::stopping;
  publish();
  std::lock_guard<std::mutex> lock(session_mutex_);
  session_.reset();  // closing the session releases anything it held
}

void Worker::handle(const std::optional<Trigger>& trigger) {
  const auto now = clock_.now();
  if (trigger) {
    converge(*trigger);
  } else if (schedule_.retry_due(now)) {
    converge({Reason::retry, false});
  } else if (schedule_.health_due(now)) {
    check_health();
  }
}

void Worker::converge(const Trigger& trigger) {
  const auto start = clock_.now();
  const state::WallTime started = clock_.wall_now();
  busy_limit_ = std::chrono::duration_cast<steady_clock::duration>(busy_limit(config_)).count();
  busy_since_ = ticks(start);
  snapshot_.activity = Activity::reconciling;
  snapshot_.current_trigger = to_string(trigger.reason);
  publish();
  take_pending_config();
  if (config_.fleet.enabled()) {
    converge_fleet(trigger, start, started);
  } else {
    const engine::Report report = attempt(trigger);
    finish(trigger, report, start, started);
  }
  busy_since_ = 0;
  // A full inspection of a large catalog briefly needs tens of MiB; give
  // them back to the system rather than idling on them.
  ::malloc_trim(0);
}

// The reconcile itself: the configuration and model in force, a session,
// then the engine. A report with an error when any of them is missing.
engine::Report Worker::attempt(const Trigger& trigger) {
  engine::Report report;
  if (!reload(trigger.reload_model)) {
    report.errors.push_back(db::make_error(db::ErrorKind::other, snapshot_.model_error));
    return report;
  }
  if (!ensure_session()) {
    report.errors.push_back(db::make_error(db::ErrorKind::connection_lost, "database unavailable"));
    return report;
  }
  report = session_->converge(*model_, settings_for(trigger), clock_);
  if (!session_->open()) {
    database_down(report.error_text());
  } else {
    database_answered();
  }
  return report;
}

void Worker::converge_fleet(const Trigger& trigger, steady_clock::time_point start,
                            state::WallTime started) {
  std::optional<fleet::Summary> run;
  std::string error;
  if (!reload(trigger.reload_model)) {
    error = snapshot_.model_error;
  } else if (!ensure_session()) {
    error = "database unavailable";
  } else {
    database_answered();
    fleet::RunOptions options;
    options.mode = engine::Mode::apply;
    options.settings = settings_for(trigger);
    // Each target compares afresh or from its own recorded verification.
    options.settings.cache = nullptr;
    options.settings.trust_record = true;
    options.fleet = config_.fleet;
    options.lock_name = config_.lock_name;
    options.cancel = &cancelled_;
    try {
      run = backend_.run_fleet(config_, *model_, options, clock_);
    } catch (const std::exception& e) {
      error = std::string("the fleet could not be listed: ") + e.what();
    }
  }
  finish_fleet(trigger, run ? &*run : nullptr, error, start, started);
}

void Worker::finish_fleet(const Trigger& trigger, const fleet::Summary* run,
                          const std::string& error, steady_clock::time_point start,
                          state::WallTime started) {
  const double seconds = std::chrono::duration<double>(clock_.now() - start).count();
  Summary summary = summarize_fleet(run, error, to_string(trigger.reason), started, seconds);
  std::size_t pending = 0;
  if (run != nullptr) {
    // Keys listed before and not now are reported, never dropped; a
    // database whose tenants could not be listed loses none of them.
    std::set<std::string> now, unlisted;
    for (const auto* list : {&run->shared, &run->targets}) {
      for (const auto& t : *list) {
        now.insert(t.key);
        if (t.error_kind == "discovery") unlisted.insert(t.database);
        pending += t.pending;
      }
    }
    now.insert(run->elsewhere.begin(), run->elsewhere.end());
    for (auto it = fleet_keys_.begin(); it != fleet_keys_.end();) {
      if (now.count(it->first) != 0) {
        ++it;
      } else if (unlisted.count(it->second) == 0) {
        if (vanished_.insert(it->first).second) spdlog::warn("{}: vanished", it->first);
        it = fleet_keys_.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& key : now) vanished_.erase(key);  // back again
    // A database whose tenants could not be listed stands for them this
    // once; its key is not one of the fleet's.
    for (const auto* list : {&run->shared, &run->targets}) {
      for (const auto& t : *list) {
        if (t.error_kind != "discovery") fleet_keys_.emplace(t.key, t.database);
      }
    }
    snapshot_.fleet =
        fleet_state(*run, std::vector<std::string>(vanished_.begin(), vanished_.end()), started);
    std::map<std::string, std::size_t> by_state;
    std::map<std::string, int> failures;
    std::vector<double> durations;
    for (const auto& [state, n] : run->counts()) by_state[fleet::to_string(state)] = n;
    for (const auto* list : {&run->shared, &run->targets}) {
      for (const auto& t : *list) {
        if (t.state == fleet::State::failed || t.state == fleet::State::locked) {
          ++failures[t.error_kind];
        }
        if (t.attempts > 0) durations.push_back(t.seconds);
      }
    }
    metrics_.record_fleet(by_state, failures, durations);
    const auto counts = run->counts();
    std::string line;
    for (const auto& [state, n] : counts) {
      line += (line.empty() ? "" : ", ") + std::to_string(n) + " " + fleet::to_string(state);
    }
    spdlog::info("fleet reconcile ({}): {} targets: {}; in {:.3f} s", to_string(trigger.reason),
                 run->targets.size() + run->shared.size(), line, seconds);
  } else {
    spdlog::error("fleet reconcile ({}) failed: {}", to_string(trigger.reason), error);
  }
  metrics_.record_reconcile(state::to_string(summary.last.outcome), seconds,
                            summary.applied_by_kind, static_cast<int>(pending), {},
                            summary.last.drift_by_class);
  // Targets that failed are tried again by the next run, on the timer; a
  // run that could not list the fleet is retried with the backoff.
  settle(std::move(summary), run == nullptr);
}

engine::Settings Worker::settings_for(const Trigger& trigger) {
  engine::Settings settings = engine::settings_from(config_, revisions_);
  const Policy policy = trigger.policy();
  settings.trigger = to_string(trigger.reason);
  settings.retry_conflicts = policy.retry_conflicts;
  settings.cache = &cache_;
  settings.reuse = policy.reuse_observation;
  settings.on_wait = [this](const apply::LockWait& wait) { waiting(wait); };
  if (!config_.fleet.enabled()) {  // a fleet's targets hear their own waits (fleet/run.cpp)
    settings.on_wait_over = [this] { wait_over(); };
    settings.on_step = [this](const plan::Step* step, int pid) {
      if (step == nullptr) {
        progress_.finished();
        return;
      }
      std::unique_ptr<ProgressSource> source;
      try {
        source = backend_.progress_source(config_);
      } catch (const std::exception& e) {  // the step runs all the same, its seconds counted
        spdlog::debug("progress of {}: {}", step->description, e.what());
      }
      progress_.started(step->description, step->table, pid, std::move(source),
                        std::chrono::seconds(config_.reconcile.progress_log_seconds));
    };
  }
  return settings;
}

void Worker::finish(const Trigger& trigger, const engine::Report& report,
                    steady_clock::time_point start, state::WallTime started) {
  const double seconds = std::chrono::duration<double>(clock_.now() - start).count();
  Summary summary = summarize(report, to_string(trigger.reason), started, seconds);
  log_outcome(trigger, report, summary);
  metrics_.record_reconcile(
      state::to_string(summary.last.outcome), seconds, summary.applied_by_kind,
      static_cast<int>(summary.last.pending_changes.size()), summary.drift_by_kind,
      summary.last.drift_by_class, summary.stamp_action);
  if (report.lock_wait.count() > 0) metrics_.observe_lock_wait(report.lock_wait.count());
  const bool failed = summary.last.outcome == state::Outcome::error;
  settle(std::move(summary), failed);
}

void Worker::settle(Summary summary, bool failed) {
  snapshot_.satisfied = summary.satisfied;
  if (summary.satisfied) {
    snapshot_.last_success = clock_.wall_now();
    metrics_.set_last_success(*snapshot_.last_success);
  }
  if (!failed) {
    schedule_.succeeded();
    snapshot_.next_retry.reset();
    snapshot_.activity = Activity::idle;
  } else if (snapshot_.activity != Activity::backoff) {
    // Not the database's absence but a failure all the same: try again later.
    set_retry(schedule_.failed(clock_.now()));
  }
  snapshot_.current_trigger.clear();
  snapshot_.waiting.reset();
  progress_.finished();  // whatever ended the run, no step runs now
  const auto& last = summary.last;
  state::HistoryEntry entry{last.started,
                            last.duration_seconds,
                            last.trigger,
                            last.outcome,
                            0,
                            last.pending_changes.size(),
                            0,
                            last.error};
  for (const auto& [kind, n] : summary.applied_by_kind)
    entry.applied += static_cast<std::size_t>(n);
  for (const auto& [c, n] : last.drift_by_class) entry.drift += n;
  snapshot_.history.insert(snapshot_.history.begin(), std::move(entry));
  if (snapshot_.history.size() > state::kHistoryEntries) {
    snapshot_.history.resize(state::kHistoryEntries);
  }
  snapshot_.last = std::move(summary.last);
  schedule_.checked(clock_.now());
  publish();
  notifier_.status(status_line(snapshot_));
}

// Logs: what was applied, drift when it changed, errors, and one line.
void Worker::log_outcome(const Trigger& trigger, const engine::Report& report,
                         const Summary& summary) {
  for (const auto& step : report.steps) {
    if (step.ok()) {
      spdlog::info("applied: {}", step.step.description);
    } else if (step.error) {
      spdlog::error("failed: {}: {}", step.step.description, step.error->message);
    }
  }
  std::string drift_text;
  for (const auto& d : summary.last.drift) drift_text += d.message + "\n";
  if (drift_text != drift_seen_) {
    for (const auto& d : summary.last.drift) spdlog::warn("drift: {}", d.labelled());
    drift_seen_ = drift_text;
  }
  const char* reason = to_string(trigger.reason);
  if (!report.errors.empty())
    spdlog::error("reconcile ({}) failed: {}", reason, summary.last.error);
  spdlog::info("reconcile ({}): {} in {:.3f} s, {} applied, {} pending, {} drift", reason,
               state::to_string(summary.last.outcome), summary.last.duration_seconds,
               summary.last.steps_applied.size(), summary.last.pending_changes.size(),
               summary.last.drift.size());
}

void Worker::take_pending_config() {
  std::lock_guard<std::mutex> lock(config_mutex_);
  if (!config_changed_) return;
  if (pending_config_.database_url != config_.database_url ||
      pending_config_.password_file != config_.password_file) {
    std::lock_guard<std::mutex> session_lock(session_mutex_);
    session_.reset();  // the next reconcile connects to the new target
  }
  config_ = pending_config_;
  config_changed_ = false;
  schedule_.set_health_interval(std::chrono::seconds(config_.reconcile.health_check_seconds));
  snapshot_.target = db::target_of(config_);
  snapshot_.model_path = model::display_name(config_.model);
}

// The configuration and model in force. The model and the Alembic versions
// folder are read together, and kept together: a bad one leaves the last
// good pair in force. False when there is no usable model at all.
bool Worker::reload(bool reload_model) {
  take_pending_config();
  if (!reload_model && model_) return true;
  try {
    schema::Database loaded = backend_.load_model(config_);
    if (!config_.fleet.tenant_template.empty()) {
      try {
        fleet::check_template(loaded, config_.fleet.tenant_template);
      } catch (const fleet::TemplateError& e) {
        throw std::runtime_error(model::display_name(config_.model) + ": " + e.what());
      }
    }
    apply::RevisionSource revisions = backend_.load_revisions(config_);
    std::string revision = apply::baseline_revision(loaded, revisions);
    if (model_ && model_->fingerprint != loaded.fingerprint) {
      spdlog::info("model {} changed (fingerprint {})", snapshot_.model_path,
                   loaded.fingerprint.substr(0, 12));
    }
    if (model_ && revision != snapshot_.revision) {
      spdlog::info("baseline revision is now {}", revision);
    }
    // Once per load: what a SQL model makes that schemad leaves alone.
    for (const auto& line : loaded.not_managed) spdlog::warn("{}", line);
    model_ = std::move(loaded);
    revisions_ = std::move(revisions);
    snapshot_.model_not_managed = model_->not_managed;
    snapshot_.model_fingerprint = model_->fingerprint;
    snapshot_.revision = revision;
    snapshot_.model_error.clear();
  } catch (const std::exception& e) {
    ++snapshot_.model_reload_errors;
    metrics_.count_model_reload_error();
    snapshot_.model_error = e.what();
    spdlog::error(
        model_ ? "model not reloaded, the last good one stays in force: {}" : "no usable model: {}",
        e.what());
  }
  return model_.has_value();
}

bool Worker::ensure_session() {
  if (session_ && session_->open()) return true;
  try {
    auto session = backend_.connect(config_);
    std::lock_guard<std::mutex> lock(session_mutex_);
    session_ = std::move(session);
    return true;
  } catch (const std::exception& e) {
    database_down(e.what());
    return false;
  }
}

void Worker::database_down(const std::string& error) {
  if (snapshot_.database_up || !snapshot_.last) {
    spdlog::warn("database unavailable: {}", error);
  } else {
    spdlog::debug("database still unavailable: {}", error);
  }
  {
    std::lock_guard<std::mutex> lock(session_mutex_);
    session_.reset();
  }
  snapshot_.database_up = false;
  metrics_.set_database_up(false);
  set_retry(schedule_.failed(clock_.now()));
}

void Worker::database_answered() {
  snapshot_.database_up = true;
  snapshot_.database_seen = clock_.wall_now();
  metrics_.set_database_up(true);
}

void Worker::set_retry(steady_clock::time_point at) {
  snapshot_.next_retry =
      clock_.wall_now() + std::chrono::duration_cast<state::WallTime::duration>(at - clock_.now());
  snapshot_.activity = Activity::backoff;
}

void Worker::check_health() {
  schedule_.checked(clock_.now());
  if (!session_) {
    // Never connected, or dropped: the retry schedule covers it.
    schedule_.retry_soon(clock_.now());
    return;
  }
  try {
    session_->ping();
    database_answered();
  } catch (const std::exception& e) {
    database_down(e.what());
  }
  publish();
}

void Worker::waiting(const apply::LockWait& wait) {
  state::LockWaitState state;
  state.step = wait.step;
  state.table = wait.table;
  state.attempt = wait.attempt;
  state.since = snapshot_.waiting && snapshot_.waiting->step == wait.step ? snapshot_.waiting->since
                                                                          : clock_.wall_now();
  for (const auto& b : wait.blockers) {
    state.blockers.push_back(b.describe());
    state.blocker_pids.push_back(b.pid);
  }
  snapshot_.waiting = std::move(state);
  snapshot_.activity = Activity::waiting_for_lock;
  publish();
}

void Worker::wait_over() {
  if (!snapshot_.waiting) return;
  snapshot_.waiting.reset();
  snapshot_.activity = Activity::reconciling;
  publish();
}

void Worker::publish() {
  state_.publish(snapshot_);
}

}  // namespace schemad::service
