#pragma once

// Access to the throwaway PostgreSQL server that tests/pg/with-postgres.sh
// starts. Each test takes a database of its own, so tests run in parallel.

#include <map>
#include <pqxx/pqxx>
#include <string>

namespace schemad::test {

// The server URL without a database (SCHEMAD_TEST_PG). Fails the test with
// a clear message when the suite runs without the wrapper script.
std::string server_url();

// Runs SQL in the server's "postgres" database (roles, databases).
void admin_exec(const std::string& sql);

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

// Whether public.<name> exists; and waiting (at most 20 s) until it does,
// for a table a daemon is to create.
bool table_exists(const TempDatabase& db, const std::string& name);
bool wait_table(const TempDatabase& db, const std::string& name);

// The schema as `pg_dump --schema-only` prints it, without schemad's
// bookkeeping tables in public (alembic_version, schemad_history,
// schemad_memo), comment lines, empty lines and pg_dump's random \restrict
// key: two databases built alike give the same text.
std::string schema_dump(const TempDatabase& db);

// The environment that gives `db`'s tests a scratch database of their own
// for SQL models (SCHEMAD_SCRATCH_DATABASE=scratch_<db name>), and dropping
// it afterwards.
std::map<std::string, std::string> scratch_env(const TempDatabase& db);
void drop_scratch(const TempDatabase& db);

// `text` with every `from` replaced by `to`.
std::string replace_all(std::string text, const std::string& from, const std::string& to);

// What the server ran in one database, from pg_stat_statements (which
// tests/pg/with-postgres.sh preloads with track = all); created in that
// database, reset for it alone (tests run in parallel).
class StatementWitness {
 public:
  explicit StatementWitness(const TempDatabase& db);
  void reset() const;
  long statements() const;  // calls since the last reset
  // The statements that write (CREATE, ALTER, DROP, INSERT, UPDATE, DELETE,
  // TRUNCATE, GRANT, COMMENT), one a line; "" when none.
  std::string writes() const;

 private:
  const TempDatabase& db_;
  std::string oid_;
};

// A PostgreSQL server of the test's own, for tests that stop and start it
// (the shared one must stay up for the tests running beside them). As root
// it runs as the `postgres` OS user, like tests/pg/with-postgres.sh.
class PrivateServer {
 public:
  PrivateServer();  // initdb and start
  // A hot standby of `primary`, streaming from it: pg_basebackup -R into a
  // directory of its own, started on another port. Read-only.
  struct StandbyOf {
    const PrivateServer& primary;
  };
  explicit PrivateServer(StandbyOf standby);
  ~PrivateServer();  // stop and remove
  PrivateServer(const PrivateServer&) = delete;
  PrivateServer& operator=(const PrivateServer&) = delete;

  void stop();
  void start();
  // postgresql://postgres@127.0.0.1:PORT/postgres
  std::string url() const;
  // Waits (at most 30 s, then fails the test) until this standby has
  // replayed everything its primary had written when called.
  void wait_for_replay(const PrivateServer& primary) const;

 private:
  void make_dir();
  std::string dir_;
  int port_ = 0;
};

}  // namespace schemad::test
