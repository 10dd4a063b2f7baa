#include "service/worker.hpp"

#include <spdlog/spdlog.h>

#include <malloc.h>

#include <map>
#include <pqxx/nontransaction>

#include "apply/alembic_stamp.hpp"
#include "apply/bootstrap.hpp"
#include "engine/settings.hpp"
#include "model/load.hpp"
#include "model/source.hpp"

namespace schemad::service {

namespace {

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

std::string outcome_of(const engine::Report& report) {
  if (!report.error.empty() || report.remaining.stamp.error()) return "error";
  return report.satisfied() ? "ok" : "pending";
}

}  // namespace

Worker::Worker(config::Config config, StateStore& state, metrics::Metrics& metrics,
               Notifier& notifier, util::Clock& clock)
    : state_(state),
      metrics_(metrics),
      notifier_(notifier),
      clock_(clock),
      config_(std::move(config)),
      retry_backoff_(std::chrono::milliseconds(1000), std::chrono::milliseconds(30000)),
      next_health_(clock.now() + std::chrono::seconds(config_.reconcile.health_check_seconds)) {
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
  std::lock_guard<std::mutex> lock(conn_mutex_);
  if (conn_ && conn_->is_open()) {
    try {
      conn_->cancel_query();
    } catch (const std::exception& e) {
      spdlog::warn("could not cancel the running statement: {}", e.what());
    }
  }
}

bool Worker::stuck(steady_clock::time_point now) const {
  const std::int64_t since = busy_since_ns_.load();
  return since != 0 && ticks(now) - since > busy_limit_ns_.load();
}

void Worker::run(TriggerQueue& queue) {
  while (!queue.stopped()) {
    std::optional<Trigger> trigger = queue.wait_until(next_wake());
    if (queue.stopped()) break;
    snapshot_.rerun_queued = false;
    if (trigger) {
      reconcile(*trigger);
    } else if (retry_at_ && clock_.now() >= *retry_at_) {
      reconcile({"retry", false, false});
    } else if (clock_.now() >= next_health_) {
      check_health();
    }
    if (queue.queued()) {
      snapshot_.rerun_queued = true;
      publish();
    }
  }
  snapshot_.activity = "stopping";
  publish();
  std::lock_guard<std::mutex> lock(conn_mutex_);
  conn_.reset();  // closing the session releases anything it held
}

steady_clock::time_point Worker::next_wake() const {
  return retry_at_ ? std::min(*retry_at_, next_health_) : next_health_;
}

bool Worker::reload(const Trigger& trigger) {
  {
    std::lock_guard<std::mutex> lock(config_mutex_);
    if (config_changed_) {
      if (pending_config_.database_url != config_.database_url ||
          pending_config_.password_file != config_.password_file) {
        std::lock_guard<std::mutex> conn_lock(conn_mutex_);
        conn_.reset();  // the next reconcile connects to the new target
      }
      config_ = pending_config_;
      config_changed_ = false;
      snapshot_.target = db::target_of(config_);
      snapshot_.model_path = model::display_name(config_.model);
    }
  }
  if (!trigger.reload_model && model_) return true;
  // The model and the Alembic versions folder are read together, and kept
  // together: a bad one leaves the last good pair in force.
  try {
    schema::Database loaded = model::load_configured(config_.model);
    apply::RevisionSource revisions = engine::load_revisions(config_);
    std::string revision = apply::baseline_revision(loaded, revisions);
    if (model_ && model_->fingerprint != loaded.fingerprint) {
      spdlog::info("model {} changed (fingerprint {})", snapshot_.model_path,
                   loaded.fingerprint.substr(0, 12));
    }
    if (model_ && revision != snapshot_.revision) {
      spdlog::info("baseline revision is now {}", revision);
    }
    model_ = std::move(loaded);
    revisions_ = std::move(revisions);
    snapshot_.model_fingerprint = model_->fingerprint;
    snapshot_.revision = revision;
    snapshot_.model_error.clear();
  } catch (const std::exception& e) {
    // model::ModelError, or alembic::AlembicError from the versions folder.
    ++snapshot_.model_reload_errors;
    metrics_.count_model_reload_error();
    snapshot_.model_error = e.what();
    if (model_) {
      spdlog::error("model not reloaded, the last good one stays in force: {}", e.what());
    } else {
      spdlog::error("no usable model: {}", e.what());
    }
  }
  return model_.has_value();
}

bool Worker::ensure_connection() {
  if (conn_ && conn_->is_open()) return true;
  try {
    std::vector<std::string> warnings;
    auto options = db::options_from(config_, warnings);
    for (const auto& w : warnings) spdlog::warn("{}", w);
    if (config_.create_database && apply::ensure_database(options)) {
      spdlog::info("created database {}", apply::target_database(options));
    }
    auto conn = db::connect(options);
    std::lock_guard<std::mutex> lock(conn_mutex_);
    conn_ = std::move(conn);
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
    std::lock_guard<std::mutex> lock(conn_mutex_);
    conn_.reset();
  }
  snapshot_.database_up = false;
  metrics_.set_database_up(false);
  retry_at_ = clock_.now() + retry_backoff_.next();
  snapshot_.next_retry =
      std::chrono::system_clock::now() +
      std::chrono::duration_cast<std::chrono::system_clock::duration>(*retry_at_ - clock_.now());
  snapshot_.activity = "backoff";
}

void Worker::check_health() {
  next_health_ = clock_.now() + std::chrono::seconds(config_.reconcile.health_check_seconds);
  if (!conn_) {
    // Never connected, or dropped: the retry schedule covers it.
    if (!retry_at_) retry_at_ = clock_.now();
    return;
  }
  try {
    pqxx::nontransaction tx(*conn_);
    tx.exec("SELECT 1");
    snapshot_.database_seen = std::chrono::system_clock::now();
    if (!snapshot_.database_up) metrics_.set_database_up(true);
    snapshot_.database_up = true;
  } catch (const std::exception& e) {
    database_down(e.what());
  }
  publish();
}

void Worker::reconcile(const Trigger& trigger) {
  const auto start = clock_.now();
  busy_limit_ns_ = std::chrono::duration_cast<steady_clock::duration>(busy_limit(config_)).count();
  busy_since_ns_ = ticks(start);
  snapshot_.activity = "reconciling";
  snapshot_.current_trigger = trigger.reason;
  publish();

  ReconcileSummary summary;
  summary.started = std::chrono::system_clock::now();
  summary.trigger = trigger.reason;
  engine::Report report;
  const bool have_model = reload(trigger);
  if (!have_model) {
    report.error = snapshot_.model_error;
  } else if (!ensure_connection()) {
    report.error = "database unavailable";
  } else {
    engine::Settings settings = engine::settings_from(config_, revisions_);
    settings.trigger = trigger.reason;
    // What the data blocked is tried again when someone asks, not on the timer.
    settings.retry_conflicts = trigger.reason != "interval" && trigger.reason != "retry";
    // The timer, with nothing changed, reuses the last inspection (two
    // statements); every other trigger looks at everything again.
    settings.cache = &cache_;
    settings.reuse = trigger.reason == "interval";
    settings.on_wait = [this](const apply::LockWait& wait) {
      LockWaitState state;
      state.step = wait.step;
      state.table = wait.table;
      state.attempt = wait.attempt;
      state.since = snapshot_.waiting && snapshot_.waiting->step == wait.step
                        ? snapshot_.waiting->since
                        : std::chrono::system_clock::now();
      for (const auto& b : wait.blockers) {
        state.blockers.push_back(b.describe());
        state.blocker_pids.push_back(b.pid);
      }
      snapshot_.waiting = std::move(state);
      snapshot_.activity = "waiting-for-lock";
      publish();
    };
    report = engine::converge(*conn_, *model_, engine::Mode::apply, settings, clock_);
    if (!conn_->is_open()) {
      database_down(report.error);
    } else {
      snapshot_.database_up = true;
      snapshot_.database_seen = std::chrono::system_clock::now();
      metrics_.set_database_up(true);
    }
  }

  summary.duration_seconds = std::chrono::duration<double>(clock_.now() - start).count();
  summary.outcome = have_model ? outcome_of(report) : "error";
  summary.error = report.error;
  summary.stamp = report.remaining.stamp.message();
  // Several heads: the schema may be healed, but check exits 1, and so the
  // service reports an error rather than mere pending changes.
  if (summary.error.empty() && report.remaining.stamp.error()) summary.error = summary.stamp;
  std::map<std::string, int> applied_by_kind, drift_by_kind;
  for (const auto& step : report.steps) {
    if (!step.ok) continue;
    summary.steps_applied.push_back(step.step.description);
    ++applied_by_kind[step.step.kind];
  }
  for (const auto& change : report.remaining.diff.changes) {
    summary.pending_changes.push_back(change.description());
  }
  if (report.remaining.stamp.pending()) summary.pending_changes.push_back(summary.stamp);
  std::string drift_text;
  for (const auto& d : report.remaining.diff.drift) {
    summary.drift.emplace_back(diff::to_string(d.kind), d.message());
    ++drift_by_kind[diff::to_string(d.kind)];
    drift_text += d.message() + "\n";
  }

  // Logs: what was applied, drift when it changed, errors.
  for (const auto& step : report.steps) {
    if (step.ok) {
      spdlog::info("applied: {}", step.step.description);
    } else {
      spdlog::error("failed: {}: {}", step.step.description, step.error);
    }
  }
  if (drift_text != drift_seen_) {
    for (const auto& [kind, message] : summary.drift) spdlog::warn("drift: {}", message);
    drift_seen_ = drift_text;
  }
  if (!report.error.empty())
    spdlog::error("reconcile ({}) failed: {}", trigger.reason, report.error);
  spdlog::info("reconcile ({}): {} in {:.3f} s, {} applied, {} pending, {} drift", trigger.reason,
               summary.outcome, summary.duration_seconds, summary.steps_applied.size(),
               summary.pending_changes.size(), summary.drift.size());

  metrics_.record_reconcile(summary.outcome, summary.duration_seconds, applied_by_kind,
                            static_cast<int>(summary.pending_changes.size()), drift_by_kind);
  if (report.lock_wait.count() > 0) metrics_.observe_lock_wait(report.lock_wait.count());

  snapshot_.satisfied = have_model && report.satisfied();
  if (snapshot_.satisfied) {
    snapshot_.last_success = std::chrono::system_clock::now();
    metrics_.set_last_success(*snapshot_.last_success);
  }
  if (summary.outcome == "error" && snapshot_.activity != "backoff") {
    // Not the database's absence but a failure all the same: try again later.
    retry_at_ = clock_.now() + retry_backoff_.next();
    snapshot_.activity = "backoff";
  } else if (summary.outcome != "error") {
    retry_at_.reset();
    retry_backoff_.reset();
    snapshot_.next_retry.reset();
    snapshot_.activity = "idle";
  }
  if (retry_at_) {
    snapshot_.next_retry =
        std::chrono::system_clock::now() +
        std::chrono::duration_cast<std::chrono::system_clock::duration>(*retry_at_ - clock_.now());
  }
  snapshot_.current_trigger.clear();
  snapshot_.waiting.reset();
  snapshot_.last = std::move(summary);
  next_health_ = clock_.now() + std::chrono::seconds(config_.reconcile.health_check_seconds);
  busy_since_ns_ = 0;
  publish();
  // A full inspection of a large catalog briefly needs tens of MiB; give
  // them back to the system rather than idling on them.
  ::malloc_trim(0);
  notifier_.status(
      snapshot_.satisfied
          ? "in sync with " + snapshot_.model_path + " (" +
                std::to_string(snapshot_.last->drift.size()) + " drift items)"
          : snapshot_.last->outcome + ": " +
                (snapshot_.last->error.empty()
                     ? std::to_string(snapshot_.last->pending_changes.size()) + " changes pending"
                     : snapshot_.last->error.substr(0, 200)));
}

void Worker::publish() {
  state_.publish(snapshot_);
}

}  // namespace schemad::service
