#include "apply/advisory_lock.hpp"

#include <pqxx/nontransaction>

#include "util/sha256.hpp"

namespace schemad::apply {

std::string default_lock_name(const std::string& dbname, const std::vector<std::string>& schemas) {
  std::string name = "schemad:" + dbname + ":";
  for (std::size_t i = 0; i < schemas.size(); ++i) name += (i ? "," : "") + schemas[i];
  return name;
}

std::int64_t lock_key(const std::string& lock_name) {
  auto digest = util::sha256(lock_name);
  std::uint64_t key = 0;
  for (int i = 0; i < 8; ++i) key = (key << 8) | digest[static_cast<std::size_t>(i)];
  return static_cast<std::int64_t>(key);
}

AdvisoryLock::AdvisoryLock(pqxx::connection_base& conn, const std::string& lock_name,
                           std::chrono::milliseconds wait, util::Clock& clock)
    : conn_(conn), key_(lock_key(lock_name)) {
  const auto start = clock.now();
  util::Backoff backoff(std::chrono::milliseconds(50), std::chrono::milliseconds(1000));
  for (;;) {
    pqxx::nontransaction tx(conn_);
    if (tx.exec_params1("SELECT pg_try_advisory_lock($1)", key_)[0].as<bool>()) break;
    if (clock.now() - start >= wait) {
      throw LockTimeout(
          "another schemad holds the advisory lock \"" + lock_name + "\"; gave up after " +
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(wait).count()) + " s");
    }
    clock.sleep_for(backoff.next());
  }
  waited_ = clock.now() - start;
}

AdvisoryLock::~AdvisoryLock() {
  try {
    pqxx::nontransaction tx(conn_);
    tx.exec_params("SELECT pg_advisory_unlock($1)", key_);
  } catch (...) {
    // The connection is gone, and the server released the lock with it.
  }
}

std::unique_ptr<AdvisoryLock> lock_model(pqxx::connection_base& conn, const std::string& lock_name,
                                         const std::vector<std::string>& schemas,
                                         std::chrono::milliseconds wait, util::Clock& clock) {
  const std::string name =
      lock_name.empty() ? default_lock_name(conn.dbname(), schemas) : lock_name;
  return std::make_unique<AdvisoryLock>(conn, name, wait, clock);
}

}  // namespace schemad::apply
