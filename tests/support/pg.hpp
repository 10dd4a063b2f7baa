#pragma once

// Access to the throwaway PostgreSQL server that tests/pg/with-postgres.sh
// starts. Each test takes a database of its own, so tests run in parallel.

#include <pqxx/pqxx>
#include <string>

namespace schemad::test {

// The server URL without a database (SCHEMAD_TEST_PG). Fails the test with
// a clear message when the suite runs without the wrapper script.
std::string server_url();

// A fresh, empty database named schemad_t_<n>_<pid>, dropped (with its
// connections) when the object goes away.
class TempDatabase {
 public:
  TempDatabase();
  ~TempDatabase();
  TempDatabase(const TempDatabase&) = delete;
  TempDatabase& operator=(const TempDatabase&) = delete;

  const std::string& name() const { return name_; }
  // postgresql://postgres@127.0.0.1:PORT/<name>
  std::string url() const;
  // Runs SQL (several statements allowed) in its own connection, autocommit.
  void exec(const std::string& sql) const;
  // First column of the first row, as text ("" for NULL or no row).
  std::string scalar(const std::string& sql) const;

 private:
  std::string name_;
};

// A PostgreSQL server of the test's own, for tests that stop and start it
// (the shared one must stay up for the tests running beside them). As root
// it runs as the `postgres` OS user, like tests/pg/with-postgres.sh.
class PrivateServer {
 public:
  PrivateServer();   // initdb and start
  ~PrivateServer();  // stop and remove
  PrivateServer(const PrivateServer&) = delete;
  PrivateServer& operator=(const PrivateServer&) = delete;

  void stop();
  void start();
  // postgresql://postgres@127.0.0.1:PORT/postgres
  std::string url() const;

 private:
  std::string dir_;
  int port_ = 0;
};

}  // namespace schemad::test
