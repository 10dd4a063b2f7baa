#include "service/triggers.hpp"

namespace schemad::service {

namespace {

// Which reason wins when two coalesce.
int strength(Reason reason) {
  switch (reason) {
    case Reason::interval:
      return 0;
    case Reason::retry:
      return 1;
    case Reason::startup:
    case Reason::sighup:
    case Reason::model_change:
    case Reason::http:
      return 2;
  }
  return 2;
}

}  // namespace

const char* to_string(Reason reason) {
  switch (reason) {
    case Reason::interval:
      return "interval";
    case Reason::retry:
      return "retry";
    case Reason::startup:
      return "startup";
    case Reason::sighup:
      return "sighup";
    case Reason::model_change:
      return "model-change";
    case Reason::http:
      return "http";
  }
  return "unknown";
}

Policy policy_of(Reason reason) {
  switch (reason) {
    case Reason::interval:
      return {false, true};
    case Reason::retry:
      return {false, false};
    case Reason::startup:
    case Reason::sighup:
    case Reason::model_change:
    case Reason::http:
      return {true, false};
  }
  return {true, false};
}

void TriggerQueue::push(const Trigger& trigger) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopped_) return;
    if (!queued_) {
      queued_ = trigger;
    } else {
      if (strength(trigger.reason) > strength(queued_->reason)) queued_->reason = trigger.reason;
      queued_->reload_model = queued_->reload_model || trigger.reload_model;
    }
  }
  wake_.notify_one();
}

std::optional<Trigger> TriggerQueue::wait_until(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait_until(lock, deadline, [&] { return stopped_ || queued_.has_value(); });
  if (stopped_ || !queued_) return std::nullopt;
  std::optional<Trigger> out = std::move(queued_);
  queued_.reset();
  return out;
}

void TriggerQueue::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
  }
  wake_.notify_all();
}

bool TriggerQueue::stopped() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stopped_;
}

bool TriggerQueue::queued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queued_.has_value();
}

}  // namespace schemad::service
