// End-to-end: `schemad run` with a SQL model. The scratch database's own
// statistics (pg_stat_database.xact_rollback: every build is one rolled-back
// transaction) witness when a build happens: not on a SIGHUP whose file did
// not change, once when it did.

#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/daemon.hpp"
#include "support/pg.hpp"
#include "support/process.hpp"

using namespace schemad::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Rolled-back transactions in the scratch database so far. A backend
// reports its statistics when it exits, and schemad closes its scratch
// connection after each build: the count is read once no session of
// schemad's is left there.
long scratch_rollbacks(const TempDatabase& db, const std::string& scratch) {
  for (int i = 0; i < 200; ++i) {
    if (db.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + scratch + "'") ==
        "0") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::string n =
      db.scalar("SELECT coalesce((SELECT xact_rollback FROM pg_stat_database WHERE datname = '" +
                scratch + "'), 0)");
  return std::stol(n);
}

bool reconciled_by(const Daemon& d, const std::string& trigger) {
  return d.wait_for("/status", [&](const HttpReply& r) {
    if (r.status != 200) return false;
    const json s = json::parse(r.body);
    return s["last_reconcile"].is_object() && s["last_reconcile"]["trigger"] == trigger &&
           s["activity"] == "idle";
  });
}

const char* kOne =
    "CREATE TABLE first (id integer PRIMARY KEY);\n"
    "CREATE DOMAIN first_ids AS integer CHECK (VALUE > 0);\n";
const char* kTwo =
    "CREATE TABLE first (id integer PRIMARY KEY);\n"
    "CREATE DOMAIN first_ids AS integer CHECK (VALUE > 0);\n"
    "CREATE TABLE second (id integer PRIMARY KEY, first_id integer REFERENCES "
    "first);\n";

}  // namespace

TEST_CASE("a daemon with a SQL model builds in the scratch database only when the file changed",
          "[e2e][daemon][pg][sql]") {
  TempDatabase db;
  const std::string scratch = "scratch_" + db.name();
  auto dir = fresh_dir("daemon-sql");
  write_file(dir / "schema.sql", kOne);
  {
    Daemon d({"--database-url", db.url(), "--model", (dir / "schema.sql").string()},
             {{"SCHEMAD_SCRATCH_DATABASE", scratch}});
    REQUIRE(d.wait_ready());
    CHECK(table_exists(db, "first"));
    // A domain: not managed, not applied.
    CHECK(db.scalar("SELECT to_regtype('public.first_ids')") == "");
    json s = json::parse(d.get("/status").body);
    REQUIRE(s["model"]["not_managed"].size() == 1);
    CHECK(s["model"]["not_managed"][0].get<std::string>().find("schema.sql:2:1: domain "
                                                               "public.first_ids") !=
          std::string::npos);
    CHECK(d.log().find("domain public.first_ids: not managed by schemad") != std::string::npos);

    const long after_start = scratch_rollbacks(db, scratch);
    CHECK(after_start >= 1);

    // SIGHUP, same file: the model comes from the cache.
    d.signal(SIGHUP);
    REQUIRE(reconciled_by(d, "sighup"));
    CHECK(scratch_rollbacks(db, scratch) == after_start);

    // A changed file is normalised once, and healed.
    write_file(dir / "schema.sql", kTwo);
    REQUIRE(wait_table(db, "second"));
    const long after_change = scratch_rollbacks(db, scratch);
    CHECK(after_change == after_start + 1);

    // Bad SQL: the last good model stays in force, the error names the place.
    write_file(dir / "schema.sql", std::string(kTwo) + "CREATE TABLE third (id integr);\n");
    REQUIRE(d.wait_for("/status", [](const HttpReply& r) {
      return r.status == 200 && json::parse(r.body)["model"]["error"].is_string();
    }));
    s = json::parse(d.get("/status").body);
    const std::string error = s["model"]["error"].get<std::string>();
    CHECK(error.find("schema.sql:4:") != std::string::npos);
    CHECK(error.find("integr") != std::string::npos);
    CHECK(d.get("/readyz").status == 200);
    CHECK_FALSE(table_exists(db, "third"));
    d.signal(SIGTERM);
    CHECK(d.wait(std::chrono::seconds(20)) == 0);
  }
  // Every build was rolled back: nothing of the script is left there.
  CHECK(db.scalar("SELECT count(*) FROM pg_database WHERE datname = '" + scratch + "'") == "1");
  db.exec("DROP DATABASE \"" + scratch + "\"");
}

TEST_CASE("a directory SQL model is watched: a new file is a model change",
          "[e2e][daemon][pg][sql]") {
  TempDatabase db;
  const std::string scratch = "scratch_" + db.name();
  auto dir = fresh_dir("daemon-sql-dir");
  write_file(dir / "001_first.sql", "CREATE TABLE first (id integer PRIMARY KEY);\n");
  write_file(dir / "README.md", "not SQL\n");
  {
    Daemon d({"--database-url", db.url(), "--model", dir.string()},
             {{"SCHEMAD_SCRATCH_DATABASE", scratch}});
    REQUIRE(d.wait_ready());
    CHECK(table_exists(db, "first"));
    write_file(
        dir / "002_second.sql",
        "CREATE TABLE second (id integer PRIMARY KEY, first_id integer REFERENCES first);\n");
    CHECK(wait_table(db, "second"));
    // The table exists once the heal commits; /status says so once the
    // reconcile has finished (the stamp and the memo come after).
    CHECK(reconciled_by(d, "model-change"));
  }
  db.exec("DROP DATABASE IF EXISTS \"" + scratch + "\"");
}
