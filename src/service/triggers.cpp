#include "service/triggers.hpp"

namespace schemad::service {

void TriggerQueue::push(const Trigger& trigger) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopped_) return;
    if (queued_) {
      queued_->reload_model = queued_->reload_model || trigger.reload_model;
      queued_->reload_config = queued_->reload_config || trigger.reload_config;
    } else {
      queued_ = trigger;
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
