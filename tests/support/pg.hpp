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

}  // namespace schemad::test
