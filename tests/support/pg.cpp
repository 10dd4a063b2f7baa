#include "support/pg.hpp"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>

#include "support/daemon.hpp"
#include "support/process.hpp"

namespace schemad::test {

std::string server_url() {
  const char* url = std::getenv("SCHEMAD_TEST_PG");
  if (url == nullptr || *url == '\0') {
    FAIL(
        "SCHEMAD_TEST_PG is not set: run the suite through tests/pg/with-postgres.sh "
        "(see README, \"Tests\")");
  }
  return url;
}

namespace {
std::atomic<int> counter{0};
}  // namespace

void admin_exec(const std::string& sql) {
  pqxx::connection conn(server_url() + "/postgres");
  pqxx::nontransaction tx(conn);
  tx.exec(sql);
}

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

std::string TempDatabase::url() const {
  return server_url() + "/" + name_;
}

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

StatementWitness::StatementWitness(const TempDatabase& db) : db_(db) {
  db_.exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  oid_ = db_.scalar("SELECT oid FROM pg_database WHERE datname = current_database()");
}

void StatementWitness::reset() const {
  db_.exec("SELECT pg_stat_statements_reset(0, " + oid_ + ", 0)");
}

namespace {

std::string witnessed(const std::string& oid) {
  return " FROM pg_stat_statements WHERE dbid = " + oid +
         " AND query NOT LIKE '%pg_stat_statements%'";
}

}  // namespace

long StatementWitness::statements() const {
  return std::stol(db_.scalar("SELECT coalesce(sum(calls), 0)" + witnessed(oid_)));
}

std::string StatementWitness::writes() const {
  return db_.scalar(
      "SELECT string_agg(query, E'\\n')" + witnessed(oid_) +
      " AND query ~* '^\\s*(create|alter|drop|insert|update|delete|truncate|grant|comment)\\M'");
}

namespace {

std::string pg_bin() {
  const char* bin = std::getenv("PGBIN");
  return bin != nullptr ? bin : "/usr/lib/postgresql/15/bin";
}

// Runs a shell command as the postgres user when root; REQUIREs success.
void as_postgres(const std::string& command) {
  const std::string wrapped = ::getuid() == 0 ? "runuser -u postgres -- " + command : command;
  INFO(wrapped);
  REQUIRE(std::system(wrapped.c_str()) == 0);
}

}  // namespace

void PrivateServer::make_dir() {
  std::string tmpl =
      (std::filesystem::temp_directory_path() / "schemad-private-pg.XXXXXX").string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  dir_ = tmpl;
  std::filesystem::permissions(dir_, std::filesystem::perms::all);
}

PrivateServer::PrivateServer() {
  make_dir();
  as_postgres(pg_bin() + "/initdb -D " + dir_ + "/data -U postgres -A trust -E UTF8 " +
              "--locale=C.UTF-8 >/dev/null 2>&1");
  port_ = free_port();
  start();
}

PrivateServer::~PrivateServer() {
  const std::string stop_cmd =
      pg_bin() + "/pg_ctl -D " + dir_ + "/data -m immediate stop >/dev/null 2>&1";
  std::system((::getuid() == 0 ? "runuser -u postgres -- " + stop_cmd : stop_cmd).c_str());
  std::filesystem::remove_all(dir_);
}

PrivateServer::PrivateServer(StandbyOf standby) {
  make_dir();
  // initdb's pg_hba.conf lets local replication connections in (trust), and
  // wal_level = replica is the default.
  as_postgres(pg_bin() + "/pg_basebackup -h 127.0.0.1 -p " + std::to_string(standby.primary.port_) +
              " -U postgres -D " + dir_ + "/data -R -X stream -c fast >" + dir_ +
              "/basebackup.log 2>&1");
  port_ = free_port();
  start();
  pqxx::connection conn(url());
  pqxx::nontransaction tx(conn);
  REQUIRE(tx.exec1("SELECT pg_is_in_recovery()")[0].as<bool>());
}

void PrivateServer::wait_for_replay(const PrivateServer& primary) const {
  std::string lsn;
  {
    pqxx::connection conn(primary.url());
    pqxx::nontransaction tx(conn);
    lsn = tx.exec1("SELECT pg_current_wal_lsn()::text")[0].c_str();
  }
  pqxx::connection conn(url());
  for (int i = 0; i < 300; ++i) {
    pqxx::nontransaction tx(conn);
    if (tx.exec1("SELECT pg_last_wal_replay_lsn() >= " + tx.quote(lsn) + "::pg_lsn")[0]
            .as<bool>()) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  FAIL("the standby on port " << port_ << " did not replay " << lsn << " within 30 s");
}

void PrivateServer::start() {
  as_postgres(pg_bin() + "/pg_ctl -D " + dir_ + "/data -l " + dir_ +
              "/server.log -w -t 30 -o \"-p " + std::to_string(port_) + " -k " + dir_ +
              " -c listen_addresses=127.0.0.1 -c fsync=off\" start >/dev/null 2>&1");
}

void PrivateServer::stop() {
  as_postgres(pg_bin() + "/pg_ctl -D " + dir_ + "/data -m fast -w stop >/dev/null 2>&1");
}

std::string PrivateServer::url() const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/postgres";
}

std::map<std::string, std::string> scratch_env(const TempDatabase& db) {
  return {{"SCHEMAD_SCRATCH_DATABASE", "scratch_" + db.name()}};
}

void drop_scratch(const TempDatabase& db) {
  db.exec("DROP DATABASE IF EXISTS \"scratch_" + db.name() + "\"");
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string schema_dump(const TempDatabase& db) {
  // The server's own pg_dump when the server package is there, else the
  // client package's wrapper.
  const std::string packaged = "/usr/lib/postgresql/15/bin/pg_dump";
  auto r =
      run_program({::access(packaged.c_str(), X_OK) == 0 ? packaged : "/usr/bin/pg_dump",
                   "--schema-only", "-T", "public.alembic_version", "-T", "public.schemad_history",
                   "-T", "public.schemad_memo", "--dbname=" + db.url()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string out;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("--", 0) == 0 || line.rfind("\\restrict", 0) == 0 ||
        line.rfind("\\unrestrict", 0) == 0 || line.empty()) {
      continue;
    }
    out += line + "\n";
  }
  return out;
}

bool table_exists(const TempDatabase& db, const std::string& name) {
  return db.scalar("SELECT to_regclass('public." + name + "') IS NOT NULL") == "t";
}

bool wait_table(const TempDatabase& db, const std::string& name) {
  for (int i = 0; i < 400; ++i) {
    if (table_exists(db, name)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace schemad::test
