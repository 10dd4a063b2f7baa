// End-to-end: probe (the container health check), reset (guarded), and
// apply --create-database, through the built binary.

#include <unistd.h>

#include <catch2/catch.hpp>

#include "support/daemon.hpp"
#include "support/pg.hpp"
#include "support/process.hpp"

using namespace schemad::test;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const char* kModel = R"j({"version": 1, "revision": "r1",
  "enums": [{"name": "mood", "values": ["ok", "meh"]}],
  "tables": [{"name": "notes", "columns": [{"name": "id", "type": "integer", "primary_key": true},
                                           {"name": "mood", "type": "mood"}]}]})j";

std::string counts(const TempDatabase& db) {
  return db.scalar(
      "SELECT (SELECT count(*) FROM notes)::text || '/' || (SELECT count(*) FROM "
      "alembic_version)::text || '/' || (SELECT count(*) FROM schemad_history)::text");
}

}  // namespace

TEST_CASE("probe exits 0 on a 2xx answer and 1 otherwise, reading no configuration",
          "[e2e][ops][pg]") {
  TempDatabase db;
  auto model = write_temp_file("probe/model.json", kModel);
  Daemon d({"--database-url", db.url(), "--model", model}, {});
  REQUIRE(d.wait_ready());
  const std::string base = "http://127.0.0.1:" + std::to_string(d.port());
  // A broken configuration must not make a healthy daemon look sick.
  auto ok = schemad_cmd({"probe", "--url", base + "/readyz"},
                        {{"SCHEMAD_CONFIG", "/nonexistent/schemad.json"}});
  CHECK(ok.exit_code == 0);
  CHECK(contains(ok.out, "200 OK"));
  auto missing = schemad_cmd({"probe", "--url", base + "/nope"});
  CHECK(missing.exit_code == 1);
  CHECK(contains(missing.err, "404"));
  auto closed =
      schemad_cmd({"probe", "--url", "http://127.0.0.1:" + std::to_string(free_port()) + "/readyz",
                   "--timeout", "1"});
  CHECK(closed.exit_code == 1);
  CHECK(contains(closed.err, "no answer"));
  auto bad = schemad_cmd({"probe", "--url", "https://127.0.0.1/readyz"});
  CHECK(bad.exit_code == 2);
}

TEST_CASE("reset is refused, touching nothing, unless development, --yes and --confirm all hold",
          "[e2e][ops][pg]") {
  TempDatabase db;
  auto model = write_temp_file("reset-refused/model.json", kModel);
  REQUIRE(schemad_cmd({"-d", db.url(), "-m", model, "apply"}).exit_code == 0);
  db.exec("INSERT INTO notes VALUES (1, 'ok'), (2, 'meh')");
  const std::string before = counts(db);
  REQUIRE(before == "2/1/1");
  const std::vector<std::string> base = {"-d", db.url(), "-m", model, "reset"};
  auto with = [&](std::vector<std::string> more, std::map<std::string, std::string> env) {
    std::vector<std::string> args = base;
    args.insert(args.end(), more.begin(), more.end());
    return schemad_cmd(args, env);
  };

  auto production = with({"--yes", "--confirm", db.name()}, {{"SCHEMAD_ENV", "production"}});
  CHECK(production.exit_code == 2);
  CHECK(contains(production.err, "reset refused: the environment is \"production\""));
  CHECK(counts(db) == before);

  auto unasked = with({"--confirm", db.name()}, {{"SCHEMAD_ENV", "development"}});
  CHECK(unasked.exit_code == 2);
  CHECK(contains(unasked.err, "reset refused: --yes was not given"));
  CHECK(counts(db) == before);

  auto wrong = with({"--yes", "--confirm", "somebody_else"}, {{"SCHEMAD_ENV", "development"}});
  CHECK(wrong.exit_code == 2);
  CHECK(contains(wrong.err,
                 "--confirm \"somebody_else\" does not match the database, \"" + db.name() + "\""));
  CHECK(counts(db) == before);

  // The default environment is production.
  auto default_env = with({"--yes", "--confirm", db.name()}, {{"SCHEMAD_ENV", "\x01unset"}});
  CHECK(default_env.exit_code == 2);
  CHECK(counts(db) == before);
}

TEST_CASE("reset in development drops the model and applies it again", "[e2e][ops][pg]") {
  TempDatabase db;
  auto model = write_temp_file("reset-ok/model.json", kModel);
  REQUIRE(schemad_cmd({"-d", db.url(), "-m", model, "apply"}).exit_code == 0);
  db.exec("INSERT INTO notes VALUES (1, 'ok')");
  db.exec("CREATE TABLE unrelated (id integer)");
  const std::map<std::string, std::string> dev = {{"SCHEMAD_ENV", "development"}};

  auto r =
      schemad_cmd({"-d", db.url(), "-m", model, "reset", "--yes", "--confirm", db.name()}, dev);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "dropped 1 tables, 1 enums"));
  CHECK(contains(r.out, "satisfies the model"));
  // Built afresh: no rows, a new history with one row, the stamp again.
  CHECK(counts(db) == "0/1/1");
  CHECK(db.scalar("SELECT to_regclass('unrelated') IS NOT NULL") == "t");  // not the model's

  auto dropped = schemad_cmd(
      {"-d", db.url(), "-m", model, "reset", "--yes", "--confirm", db.name(), "--no-apply"}, dev);
  CHECK(dropped.exit_code == 0);
  CHECK(db.scalar("SELECT to_regclass('notes') IS NULL AND to_regclass('alembic_version') IS NULL "
                  "AND to_regtype('mood') IS NULL") == "t");
}

TEST_CASE("apply --create-database creates a missing database, then applies", "[e2e][ops][pg]") {
  const std::string name = "schemad_t_created_" + std::to_string(::getpid());
  const std::string url = server_url() + "/" + name;
  TempDatabase admin;  // for looking at pg_database and cleaning up
  auto model = write_temp_file("create-db/model.json", kModel);

  auto without = schemad_cmd({"-d", url, "-m", model, "apply"});
  CHECK(without.exit_code == 1);
  CHECK(contains(without.err, "does not exist"));

  auto created = schemad_cmd({"-d", url, "-m", model, "apply", "--create-database"});
  INFO(created.err);
  CHECK(created.exit_code == 0);
  CHECK(contains(created.err, "created database " + name));
  CHECK(admin.scalar("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'") == "1");
  // There now: nothing to create, nothing said about it.
  auto again = schemad_cmd({"-d", url, "-m", model, "apply", "--create-database"});
  CHECK(again.exit_code == 0);
  CHECK_FALSE(contains(again.err, "created database"));
  CHECK(contains(again.out, "nothing to do"));
  admin.exec("DROP DATABASE \"" + name + "\" WITH (FORCE)");
}

TEST_CASE("an extension the server lacks is an error naming it and what is missing",
          "[e2e][ops][pg]") {
  TempDatabase db;
  auto model = write_temp_file("ext/model.json", R"j({"version": 1, "extensions": ["no_such_ext"],
    "tables": [{"name": "t", "columns": [{"name": "id", "type": "integer", "primary_key": true}]}]})j");
  auto r = schemad_cmd({"-d", db.url(), "-m", model, "apply"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "create extension no_such_ext: not available on the database server"));
  CHECK(contains(r.err, "install the package"));
  CHECK(db.scalar("SELECT to_regclass('t') IS NULL") == "t");
}
