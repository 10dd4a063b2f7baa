// End-to-end: `schemad run`, the built binary, against real PostgreSQL
// servers: triggers, signals, HTTP endpoints, outages, exit codes.

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "support/daemon.hpp"
#include "support/models.hpp"
#include "support/pg.hpp"
#include "support/process.hpp"

using namespace schemad::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const char* kOneTable = R"j({"version": 1, "tables": [{"name": "first",
  "columns": [{"name": "id", "type": "integer", "primary_key": true}]}]})j";
const char* kTwoTables = R"j({"version": 1, "tables": [
  {"name": "first", "columns": [{"name": "id", "type": "integer", "primary_key": true}]},
  {"name": "second", "columns": [{"name": "id", "type": "integer", "primary_key": true}]}]})j";
const char* kThreeTables = R"j({"version": 1, "tables": [
  {"name": "first", "columns": [{"name": "id", "type": "integer", "primary_key": true}]},
  {"name": "second", "columns": [{"name": "id", "type": "integer", "primary_key": true}]},
  {"name": "third", "columns": [{"name": "id", "type": "integer", "primary_key": true}]}]})j";

json status(const Daemon& d) {
  auto reply = d.get("/status");
  REQUIRE(reply.status == 200);
  return json::parse(reply.body);
}

}  // namespace

TEST_CASE("the daemon becomes ready after its start-up reconcile and stops on SIGTERM with 0",
          "[e2e][daemon][pg]") {
  TempDatabase db;
  auto model = write_temp_file("daemon-ready/model.json", schemad::test::kThreeTableModel);
  Daemon d({"--database-url", db.url(), "--model", model}, {});
  REQUIRE(d.wait_ready());
  CHECK(table_exists(db, "users"));
  CHECK(d.get("/healthz").status == 200);
  CHECK(d.get("/livez").status == 200);
  json s = status(d);
  CHECK(s["last_reconcile"]["outcome"] == "ok");
  CHECK(s["last_reconcile"]["trigger"] == "startup");
  CHECK(s["database"]["up"] == true);
  CHECK(s["revision"] == "rev_three_tables");
  CHECK(s.dump().find("postgresql://postgres@127.0.0.1") != std::string::npos);

  const auto start = std::chrono::steady_clock::now();
  d.signal(SIGTERM);
  CHECK(d.wait(std::chrono::seconds(10)) == 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("SIGHUP heals a column dropped by hand", "[e2e][daemon][pg]") {
  TempDatabase db;
  auto model = write_temp_file("daemon-sighup/model.json", schemad::test::kThreeTableModel);
  Daemon d({"--database-url", db.url(), "--model", model}, {});
  REQUIRE(d.wait_ready());
  db.exec("ALTER TABLE posts DROP COLUMN score");
  d.signal(SIGHUP);
  REQUIRE(d.wait_for("/status", [](const HttpReply& r) {
    if (r.status != 200) return false;
    json s = json::parse(r.body);
    return s["last_reconcile"]["trigger"] == "sighup" && s["last_reconcile"]["outcome"] == "ok";
  }));
  CHECK(db.scalar("SELECT count(*) FROM pg_attribute WHERE attrelid = 'posts'::regclass AND "
                  "attname = 'score'") == "1");
}

TEST_CASE("rewriting the model in place, by rename, or by a ConfigMap swap triggers a reconcile",
          "[e2e][daemon][pg]") {
  TempDatabase db;
  SECTION("in place and by rename") {
    auto dir = fresh_dir("daemon-watch");
    write_file(dir / "model.json", kOneTable);
    Daemon d({"--database-url", db.url(), "--model", (dir / "model.json").string()},
             {{"SCHEMAD_LOG_LEVEL", "debug"}});
    REQUIRE(d.wait_ready());
    write_file(dir / "model.json", kTwoTables);
    CHECK(wait_table(db, "second"));
    write_file(dir / "model.json.tmp", kThreeTables);
    fs::rename(dir / "model.json.tmp", dir / "model.json");
    CHECK(wait_table(db, "third"));
    CHECK(status(d)["last_reconcile"]["trigger"] == "model-change");
  }
  SECTION("ConfigMap-style symlink swap") {
    auto dir = fresh_dir("daemon-configmap");
    fs::create_directory(dir / "..2026_11_22_1");
    write_file(dir / "..2026_11_22_1" / "model.json", kOneTable);
    fs::create_directory_symlink("..2026_11_22_1", dir / "..data");
    fs::create_symlink("..data/model.json", dir / "model.json");
    Daemon d({"--database-url", db.url(), "--model", (dir / "model.json").string()}, {});
    REQUIRE(d.wait_ready());
    fs::create_directory(dir / "..2026_11_22_2");
    write_file(dir / "..2026_11_22_2" / "model.json", kTwoTables);
    fs::create_directory_symlink("..2026_11_22_2", dir / "..data_tmp");
    fs::rename(dir / "..data_tmp", dir / "..data");
    CHECK(wait_table(db, "second"));
  }
}

TEST_CASE("a broken model file keeps the last good model in force and shows the error",
          "[e2e][daemon][pg]") {
  TempDatabase db;
  auto dir = fresh_dir("daemon-broken");
  write_file(dir / "model.json", kOneTable);
  Daemon d({"--database-url", db.url(), "--model", (dir / "model.json").string()}, {});
  REQUIRE(d.wait_ready());
  write_file(dir / "model.json", R"j({"version": 1, "tables": [{"name": "x", "colums": []}]})j");
  REQUIRE(d.wait_for("/status", [](const HttpReply& r) {
    return r.status == 200 && json::parse(r.body)["model"]["error"].is_string();
  }));
  json s = status(d);
  CHECK(s["model"]["error"].get<std::string>().find("tables[0]") != std::string::npos);
  CHECK(s["model"]["reload_errors"] == 1);
  CHECK(d.get("/readyz").status == 200);  // the good model is still satisfied
  CHECK_FALSE(table_exists(db, "x"));
  auto metrics = d.get("/metrics");
  CHECK(metrics.body.find("schemad_model_reload_errors_total 1") != std::string::npos);
}

TEST_CASE("a database outage makes /readyz 503 while /healthz stays 200, and readiness returns",
          "[e2e][daemon][pg]") {
  PrivateServer server;
  auto model = write_temp_file("daemon-outage/model.json", kOneTable);
  auto config = write_temp_file("daemon-outage/schemad.json",
                                R"j({"reconcile": {"health_check_seconds": 1}})j");
  Daemon d({"--config", config, "--database-url", server.url(), "--model", model}, {});
  REQUIRE(d.wait_ready());
  server.stop();
  CHECK(d.wait_for("/readyz", [](const HttpReply& r) { return r.status == 503; }));
  CHECK(d.get("/healthz").status == 200);
  json s = status(d);
  CHECK(s["database"]["up"] == false);
  CHECK(d.get("/metrics").body.find("schemad_database_up 0") != std::string::npos);
  server.start();
  CHECK(d.wait_ready(std::chrono::seconds(60)));
  d.signal(SIGTERM);
  const int code = d.wait(std::chrono::seconds(10));
  INFO(d.log());
  CHECK(code == 0);
}

TEST_CASE("an unreachable database at start-up is a state, not a crash", "[e2e][daemon]") {
  auto model = write_temp_file("daemon-nodb/model.json", kOneTable);
  Daemon d({"--database-url", "postgresql://nobody@127.0.0.1:1/x", "--model", model}, {});
  REQUIRE(d.wait_for("/healthz", [](const HttpReply& r) { return r.status == 200; }));
  CHECK(d.wait_for("/status", [](const HttpReply& r) {
    return r.status == 200 && json::parse(r.body)["last_reconcile"].is_object();
  }));
  auto ready = d.get("/readyz");
  CHECK(ready.status == 503);
  CHECK(json::parse(ready.body)["reason"] == "database unreachable");
  d.signal(SIGINT);
  CHECK(d.wait(std::chrono::seconds(10)) == 0);
}

TEST_CASE("/metrics is Prometheus text with the documented families", "[e2e][daemon][pg]") {
  TempDatabase db;
  auto model = write_temp_file("daemon-metrics/model.json", schemad::test::kThreeTableModel);
  Daemon d({"--database-url", db.url(), "--model", model}, {});
  REQUIRE(d.wait_ready());
  auto reply = d.get("/metrics");
  REQUIRE(reply.status == 200);
  CHECK(reply.headers["Content-Type"].find("text/plain") == 0);
  for (const char* family :
       {"schemad_build_info", "schemad_reconcile_total", "schemad_reconcile_duration_seconds",
        "schemad_changes_applied_total", "schemad_pending_changes", "schemad_drift_items",
        "schemad_database_up", "schemad_last_success_timestamp_seconds",
        "schemad_model_reload_errors_total", "schemad_lock_wait_seconds"}) {
    INFO(family);
    CHECK(reply.body.find(std::string("# TYPE ") + family + " ") != std::string::npos);
  }
  CHECK(reply.body.find("schemad_reconcile_total{outcome=\"ok\"} 1") != std::string::npos);
  CHECK(reply.body.find("schemad_changes_applied_total{kind=\"table\"} 3") != std::string::npos);
  // Every sample line: name{labels} value
  std::istringstream lines(reply.body);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    auto space = line.rfind(' ');
    REQUIRE(space != std::string::npos);
    CHECK_NOTHROW(std::stod(line.substr(space + 1)));
    CHECK(line.rfind("schemad_", 0) == 0);
  }
}

TEST_CASE("POST /reconcile needs the admin token", "[e2e][daemon][pg]") {
  TempDatabase db;
  auto model = write_temp_file("daemon-token/model.json", kOneTable);
  auto token = write_temp_file("daemon-token/token", "s3cret-token\n");
  Daemon d({"--database-url", db.url(), "--model", model}, {{"SCHEMAD_ADMIN_TOKEN_FILE", token}});
  REQUIRE(d.wait_ready());
  CHECK(http_request(d.port(), "POST", "/reconcile").status == 401);
  CHECK(http_request(d.port(), "POST", "/reconcile", {{"Authorization", "Bearer wrong"}}).status ==
        401);
  CHECK(http_request(d.port(), "GET", "/reconcile").status == 405);
  CHECK(http_request(d.port(), "POST", "/reconcile", {{"Authorization", "Bearer s3cret-token"}})
            .status == 202);
  CHECK(d.wait_for("/status", [](const HttpReply& r) {
    return r.status == 200 && json::parse(r.body)["last_reconcile"]["trigger"] == "http";
  }));
  CHECK(d.log().find("s3cret-token") == std::string::npos);
}

TEST_CASE("without an admin token POST /reconcile does not exist", "[e2e][daemon][pg]") {
  TempDatabase db;
  auto model = write_temp_file("daemon-notoken/model.json", kOneTable);
  Daemon d({"--database-url", db.url(), "--model", model}, {});
  REQUIRE(d.wait_ready());
  CHECK(http_request(d.port(), "POST", "/reconcile").status == 404);
  CHECK(d.get("/nope").status == 404);
}

TEST_CASE("a client sending its headers a byte a second is cut off while others are served",
          "[e2e][daemon][pg]") {
  TempDatabase db;
  auto model = write_temp_file("daemon-slow/model.json", kOneTable);
  auto config =
      write_temp_file("daemon-slow/schemad.json", R"j({"http": {"read_timeout_seconds": 2}})j");
  Daemon d({"--config", config, "--database-url", db.url(), "--model", model}, {});
  REQUIRE(d.wait_ready());

  namespace net = boost::asio;
  net::io_context io;
  net::ip::tcp::socket slow(io);
  slow.connect({net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(d.port())});
  const std::string request = "GET /status HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaa\r\n\r\n";
  const auto start = std::chrono::steady_clock::now();
  bool cut_off = false;
  int served_meanwhile = 0;
  for (char c : request) {
    boost::system::error_code ec;
    net::write(slow, net::buffer(&c, 1), ec);
    if (ec) {
      cut_off = true;
      break;
    }
    if (d.get("/healthz").status == 200) ++served_meanwhile;
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    if (std::chrono::steady_clock::now() - start > std::chrono::seconds(6)) break;
  }
  if (!cut_off) {
    // The server closed its end: reading sees EOF (or a reset) at once.
    char byte;
    boost::system::error_code ec;
    slow.read_some(net::buffer(&byte, 1), ec);
    cut_off = ec == net::error::eof || ec == net::error::connection_reset;
  }
  CHECK(cut_off);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(7));
  CHECK(served_meanwhile >= 2);
}

TEST_CASE("systemd hears READY, STATUS, RELOADING, WATCHDOG and STOPPING", "[e2e][daemon][pg]") {
  TempDatabase db;
  auto model = write_temp_file("daemon-notify/model.json", kOneTable);
  const std::string socket_path = fs::path(model).parent_path() / "notify.sock";
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket_path.c_str());
  ::unlink(socket_path.c_str());
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);

  std::string heard;
  auto drain = [&] {
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) {
      heard.append(buf, static_cast<std::size_t>(n)).append("\n");
    }
  };
  auto wait_heard = [&](const std::string& what) {
    for (int i = 0; i < 200; ++i) {
      drain();
      if (heard.find(what) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };
  {
    Daemon d({"--database-url", db.url(), "--model", model},
             {{"NOTIFY_SOCKET", socket_path}, {"WATCHDOG_USEC", "400000"}});
    CHECK(wait_heard("READY=1"));
    CHECK(wait_heard("STATUS=in sync"));
    CHECK(wait_heard("WATCHDOG=1"));
    d.signal(SIGHUP);
    CHECK(wait_heard("RELOADING=1"));
    d.signal(SIGTERM);
    CHECK(d.wait(std::chrono::seconds(10)) == 0);
    CHECK(wait_heard("STOPPING=1"));
  }
  // READY=1 precedes STOPPING=1, and a second READY=1 ends the reload.
  auto first_ready = heard.find("READY=1");
  auto reloading = heard.find("RELOADING=1");
  CHECK(first_ready < reloading);
  CHECK(heard.find("READY=1", reloading) != std::string::npos);
  CHECK(heard.find("READY=1", reloading) < heard.find("STOPPING=1"));
  ::close(fd);
}

TEST_CASE("the interval timer heals what was dropped, and JSON logs are one object a line",
          "[e2e][daemon][pg]") {
  TempDatabase db;
  auto model = write_temp_file("daemon-interval/model.json", kTwoTables);
  auto config = write_temp_file("daemon-interval/schemad.json",
                                R"j({"reconcile": {"interval_seconds": 1},
                                     "log": {"format": "json"}})j");
  Daemon d({"--config", config, "--database-url", db.url(), "--model", model}, {});
  REQUIRE(d.wait_ready());
  db.exec("DROP TABLE second");
  CHECK(wait_table(db, "second"));
  CHECK(d.wait_for("/status", [](const HttpReply& r) {
    return r.status == 200 && json::parse(r.body)["last_reconcile"]["trigger"] == "interval";
  }));
  d.signal(SIGTERM);
  REQUIRE(d.wait(std::chrono::seconds(10)) == 0);
  std::istringstream lines(d.log());
  int parsed = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("==", 0) == 0) continue;  // a sanitizer's own report, if any
    INFO(line);
    json entry = json::parse(line);
    CHECK(entry.contains("ts"));
    CHECK(entry.contains("level"));
    CHECK(entry.contains("msg"));
    ++parsed;
  }
  CHECK(parsed >= 3);
}

TEST_CASE("several heads in alembic_version are an error in /status, history names the trigger",
          "[e2e][daemon][pg]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY); "
      "INSERT INTO alembic_version VALUES ('a1'), ('b2')");
  auto model = write_temp_file("daemon-heads/model.json", kOneTable);
  Daemon d({"--database-url", db.url(), "--model", model}, {});
  REQUIRE(d.wait_for("/status", [](const HttpReply& r) {
    return r.status == 200 && !json::parse(r.body)["last_reconcile"].is_null();
  }));
  json s = status(d);
  CHECK(s["last_reconcile"]["outcome"] == "error");
  CHECK(s["last_reconcile"]["error"].get<std::string>().find("several heads (a1, b2)") !=
        std::string::npos);
  auto ready = d.get("/readyz");
  CHECK(ready.status == 503);
  CHECK(ready.body.find("last reconcile failed") != std::string::npos);
  // The schema was healed all the same, and the change recorded.
  CHECK(table_exists(db, "first"));
  CHECK(db.scalar("SELECT trigger || ':' || outcome || ':' || stamped::text FROM "
                  "schemad_history") == "startup:applied:false");
  CHECK(db.scalar("SELECT count(*) FROM alembic_version") == "2");
}

TEST_CASE("while a step waits for a lock, /status names the session in the way",
          "[e2e][daemon][pg]") {
  TempDatabase db;
  db.exec("CREATE TABLE first (id integer PRIMARY KEY)");
  pqxx::connection app(db.url() + "?application_name=long-report");
  const int app_pid = app.backendpid();
  pqxx::work open(app);
  open.exec("SELECT count(*) FROM first");  // holds its lock until the transaction ends

  auto model = write_temp_file("daemon-lock/model.json", R"j({"version": 1, "tables": [
    {"name": "first", "columns": [{"name": "id", "type": "integer", "primary_key": true},
                                  {"name": "note", "type": "text"}]}]})j");
  auto config =
      write_temp_file("daemon-lock/config.json",
                      R"j({"reconcile": {"lock_timeout_ms": 100, "lock_retry_seconds": 60}})j");
  Daemon d({"--config", config, "--database-url", db.url(), "--model", model}, {});
  json waiting;
  REQUIRE(d.wait_for("/status", [&](const HttpReply& r) {
    if (r.status != 200) return false;
    json s = json::parse(r.body);
    if (s["activity"] != "waiting-for-lock") return false;
    waiting = s["waiting"];
    return true;
  }));
  CHECK(waiting["step"] == "add column public.first.note");
  REQUIRE(waiting["blockers"].size() == 1);
  CHECK(waiting["blockers"][0]["pid"] == app_pid);
  CHECK(waiting["blockers"][0]["description"].get<std::string>().find(
            "application \"long-report\", idle in transaction") != std::string::npos);
  CHECK(d.get("/readyz").status == 503);
  CHECK(d.log().find("in the way: pid " + std::to_string(app_pid)) != std::string::npos);

  open.commit();  // the application's transaction ends: schemad goes on
  REQUIRE(d.wait_ready());
  json s = status(d);
  CHECK(s["waiting"].is_null());
  CHECK(s["last_reconcile"]["outcome"] == "ok");
}

TEST_CASE("duplicates blocking a unique index keep the daemon unready, with the reason",
          "[e2e][daemon][pg]") {
  TempDatabase db;
  db.exec(
      "CREATE TABLE first (id integer PRIMARY KEY, code text); "
      "INSERT INTO first VALUES (1, 'x'), (2, 'x')");
  auto model = write_temp_file("daemon-dups/model.json", R"j({"version": 1, "tables": [
    {"name": "first", "columns": [{"name": "id", "type": "integer", "primary_key": true},
                                  {"name": "code", "type": "text"}],
     "indexes": [{"name": "ux_first_code", "columns": ["code"], "unique": true},
                 {"name": "ix_first_code", "columns": ["code"]}]},
    {"name": "second", "columns": [{"name": "id", "type": "integer", "primary_key": true}]}]})j");
  Daemon d({"--database-url", db.url(), "--model", model}, {});
  // The rest is healed, but what the data blocks is still missing: pending,
  // like any other missing change, and /readyz says so.
  REQUIRE(d.wait_for("/status", [](const HttpReply& r) {
    return r.status == 200 && !json::parse(r.body)["last_reconcile"].is_null();
  }));
  json s = status(d);
  CHECK(s["last_reconcile"]["outcome"] == "pending");
  CHECK(table_exists(db, "second"));
  CHECK(db.scalar("SELECT count(*) FROM pg_class WHERE relname = 'ix_first_code'") == "1");
  CHECK(db.scalar("SELECT count(*) FROM pg_class WHERE relname = 'ux_first_code'") == "0");
  bool named = false;
  for (const auto& item : s["last_reconcile"]["pending_changes"]) {
    const auto text = item.get<std::string>();
    named = named || (text.rfind("blocked by the data: create index ux_first_code", 0) == 0 &&
                      text.find("is duplicated") != std::string::npos);
  }
  CHECK(named);
  CHECK(s["last_reconcile"]["stamp"].get<std::string>().find("blocked by the data") !=
        std::string::npos);
  auto ready = d.get("/readyz");
  CHECK(ready.status == 503);
  CHECK(json::parse(ready.body)["reason"] == "changes pending");

  // Fixed rows and an explicit request: the index is built, the daemon ready.
  db.exec("UPDATE first SET code = 'y' WHERE id = 2");
  d.signal(SIGHUP);
  CHECK(d.wait_ready());
}

TEST_CASE("with nothing to do, a SIGHUP reconcile and timer ticks send no DDL and no writes",
          "[e2e][daemon][pg]") {
  TempDatabase db;
  auto model = write_temp_file("daemon-readonly/model.json", kRealisticModel);
  auto config = write_temp_file("daemon-readonly/schemad.json",
                                R"j({"reconcile": {"interval_seconds": 1}})j");
  StatementWitness witness(db);  // before: it creates an extension
  Daemon d({"--config", config, "--database-url", db.url(), "--model", model}, {});
  REQUIRE(d.wait_ready());
  // The start-up reconcile built everything and recorded the server's
  // answers; the first timer tick inspects in full and records that
  // verification (one upsert); from then on, only reads.
  REQUIRE(d.wait_for("/status", [](const HttpReply& r) {
    return r.status == 200 && json::parse(r.body)["last_reconcile"]["trigger"] == "interval";
  }));
  witness.reset();
  d.signal(SIGHUP);
  REQUIRE(d.wait_for("/status", [](const HttpReply& r) {
    if (r.status != 200) return false;
    json s = json::parse(r.body);
    return s["last_reconcile"]["trigger"] == "sighup" && s["last_reconcile"]["outcome"] == "ok";
  }));
  REQUIRE(d.wait_for("/status", [](const HttpReply& r) {
    return r.status == 200 && json::parse(r.body)["last_reconcile"]["trigger"] == "interval";
  }));
  CHECK(witness.statements() > 0);
  CHECK(witness.writes() == "");
  CHECK(d.get("/readyz").status == 200);
}
