#pragma once

// The session advisory lock that makes any number of replicas safe: only the
// holder writes. It belongs to the session, so it needs a direct or
// session-pooled connection (a transaction-mode pooler would hand the lock
// to another client).

#include <chrono>
#include <cstdint>
#include <memory>
#include <pqxx/connection>
#include <stdexcept>
#include <string>
#include <vector>

#include "util/clock.hpp"

namespace schemad::apply {

// "schemad:<dbname>:<schema>,<schema>": what the key derives from when the
// configuration names no lock.
std::string default_lock_name(const std::string& dbname, const std::vector<std::string>& schemas);

// The 64-bit key for pg_advisory_lock: the first 8 bytes of SHA-256(name),
// so every version and replica derives the same key.
std::int64_t lock_key(const std::string& lock_name);

class LockTimeout : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Holds the lock for its lifetime. The constructor polls
// pg_try_advisory_lock with backoff until `wait` has passed, then throws
// LockTimeout. The destructor unlocks; a lost connection releases it anyway.
// `conn` must outlive the lock and have no transaction open.
class AdvisoryLock {
 public:
  AdvisoryLock(pqxx::connection_base& conn, const std::string& lock_name,
               std::chrono::milliseconds wait, util::Clock& clock);
  ~AdvisoryLock();
  AdvisoryLock(const AdvisoryLock&) = delete;
  AdvisoryLock& operator=(const AdvisoryLock&) = delete;

  // How long taking the lock took.
  std::chrono::duration<double> waited() const { return waited_; }

 private:
  pqxx::connection_base& conn_;
  std::int64_t key_;
  std::chrono::duration<double> waited_{0};
};

// The lock every writer (a healing run, `schemad stamp`, `schemad reset`)
// takes for a model: `lock_name`, else default_lock_name(the connection's
// database, the model's schemas). Throws LockTimeout after `wait`.
std::unique_ptr<AdvisoryLock> lock_model(pqxx::connection_base& conn, const std::string& lock_name,
                                         const std::vector<std::string>& schemas,
                                         std::chrono::milliseconds wait, util::Clock& clock);

}  // namespace schemad::apply
