#include "support/pg.hpp"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>

namespace schemad::test {

std::string server_url() {
  const char* url = std::getenv("SCHEMAD_TEST_PG");
  if (url == nullptr || *url == '\0') {
    FAIL("SCHEMAD_TEST_PG is not set: run the suite through tests/pg/with-postgres.sh "
         "(see README, \"Tests\")");
  }
  return url;
}

namespace {
std::atomic<int> counter{0};

void admin_exec(const std::string& sql) {
  pqxx::connection conn(server_url() + "/postgres");
  pqxx::nontransaction tx(conn);
  tx.exec(sql);
}
}  // namespace

TempDatabase::TempDatabase()
    : name_("schemad_t_" + std::to_string(counter++) + "_" + std::to_string(::getpid())) {
  admin_exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  admin_exec("CREATE DATABASE " + name_ + " TEMPLATE template0");
}

TempDatabase::~TempDatabase() {
  try {
    admin_exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
    // A server already stopped by the test: nothing to clean.
  }
}

std::string TempDatabase::url() const { return server_url() + "/" + name_; }

void TempDatabase::exec(const std::string& sql) const {
  pqxx::connection conn(url());
  pqxx::nontransaction tx(conn);
  tx.exec(sql);
}

std::string TempDatabase::scalar(const std::string& sql) const {
  pqxx::connection conn(url());
  pqxx::nontransaction tx(conn);
  pqxx::result r = tx.exec(sql);
  if (r.empty() || r[0][0].is_null()) return "";
  return r[0][0].c_str();
}

}  // namespace schemad::test
