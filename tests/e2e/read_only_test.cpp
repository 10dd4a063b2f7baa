// End-to-end: check and plan only read. Under a role whose sessions are
// read-only they print what the owner's do and exit the same; on a real
// streaming replica (pg_basebackup -R) check follows what the primary
// replays.

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "support/models.hpp"
#include "support/pg.hpp"
#include "support/process.hpp"

using namespace schemad::test;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// check --format json says how long it took.
std::string without_duration(const std::string& out) {
  const std::size_t at = out.find("\"duration_seconds\":");
  if (at == std::string::npos) return out;
  return out.substr(0, at) + out.substr(out.find('\n', at));
}

RunResult schemad_on(const std::string& url, const std::string& model,
                     std::vector<std::string> command) {
  std::vector<std::string> args{"--database-url", url, "--model", model};
  args.insert(args.end(), command.begin(), command.end());
  return schemad_cmd(args);
}

}  // namespace

TEST_CASE("check and plan under a read-only role print and exit as the owner's do", "[e2e]") {
  TempDatabase db;
  const std::string model = write_temp_file("realistic.json", kRealisticModel);
  REQUIRE(schemad_on(db.url(), model, {"apply"}).exit_code == 0);
  const std::string reader = "reader_" + db.name();
  db.exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; CREATE ROLE " + reader +
          " LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + reader + "; ALTER ROLE " +
          reader + " SET default_transaction_read_only = on");
  const std::string owner_url = db.url();
  const std::string reader_url = replace_all(owner_url, "postgres@", reader + "@");
  REQUIRE(reader_url != owner_url);
  // With nothing to do, apply only reads too.
  CHECK(schemad_on(reader_url, model, {"apply"}).exit_code == 0);

  auto same = [&](const std::vector<std::string>& command, int code) {
    const RunResult owner = schemad_on(owner_url, model, command);
    const RunResult read_only = schemad_on(reader_url, model, command);
    INFO(command[0] << "\nowner: " << owner.out << owner.err << "\nreader: " << read_only.out
                    << read_only.err);
    CHECK(owner.exit_code == code);
    CHECK(read_only.exit_code == code);
    CHECK(without_duration(replace_all(read_only.out, reader + "@", "postgres@")) ==
          without_duration(owner.out));
  };
  same({"check"}, 0);
  same({"plan"}, 0);
  // Something goes missing: both see it pending, and plan the same repair.
  db.exec("DROP INDEX ix_accounts_live; ALTER TABLE runs DROP CONSTRAINT ck_runs_tokens");
  same({"check"}, 3);
  same({"plan"}, 0);
  same({"check", "--format", "json"}, 3);
  const std::string writes = db.scalar(
      "SELECT string_agg(query, E'\\n') FROM pg_stat_statements s JOIN pg_roles r ON r.oid = "
      "s.userid WHERE r.rolname = '" +
      reader + "' AND query ~* '^\\s*(create|alter|drop|insert|update|delete)\\M'");
  CHECK(writes == "");
  // apply has something to do now: it says why it cannot, and changes nothing.
  const RunResult apply = schemad_on(reader_url, model, {"apply"});
  INFO(apply.err);
  CHECK(apply.exit_code == 1);
  CHECK(contains(apply.err, "read-only transaction"));
  CHECK(contains(apply.err, "apply needs the primary and a role that may write"));
  CHECK(db.scalar("SELECT to_regclass('ix_accounts_live') IS NULL") == "t");
  db.exec("DROP OWNED BY " + reader + "; DROP ROLE " + reader);
}

TEST_CASE("check on a streaming replica: 0 for a healed primary, 3 once a drop is replayed",
          "[e2e]") {
  PrivateServer primary;
  const std::string model = write_temp_file("realistic.json", kRealisticModel);
  const RunResult healed = schemad_on(primary.url(), model, {"apply"});
  INFO(healed.out << healed.err);
  REQUIRE(healed.exit_code == 0);
  PrivateServer standby(PrivateServer::StandbyOf{primary});
  standby.wait_for_replay(primary);

  RunResult check = schemad_on(standby.url(), model, {"check"});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  CHECK(contains(check.out, "satisfies the model (0 drift items)"));
  CHECK_FALSE(contains(check.out, "note:"));  // the memo came with the replay
  CHECK(schemad_on(standby.url(), model, {"plan"}).exit_code == 0);

  {
    pqxx::connection conn(primary.url());
    pqxx::nontransaction tx(conn);
    tx.exec("DROP INDEX ix_accounts_live");
  }
  standby.wait_for_replay(primary);
  check = schemad_on(standby.url(), model, {"check"});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 3);
  CHECK(contains(check.out, "ix_accounts_live"));

  // apply needs the primary, and says so.
  const RunResult apply = schemad_on(standby.url(), model, {"apply"});
  INFO("apply on the standby: " << apply.out << apply.err);
  CHECK(apply.exit_code == 1);
  CHECK(contains(apply.err, "a hot standby"));
}

TEST_CASE("a check no apply has taught says once what it compared roughly, and passes", "[e2e]") {
  TempDatabase db;
  const std::string model = write_temp_file("realistic.json", kRealisticModel);
  REQUIRE(schemad_on(db.url(), model, {"apply"}).exit_code == 0);
  db.exec("DROP TABLE schemad_memo");  // as before this release
  RunResult check = schemad_on(db.url(), model, {"check"});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  CHECK(contains(check.out, "satisfies the model (0 drift items)"));
  const std::size_t note = check.out.find("note: ");
  REQUIRE(note != std::string::npos);
  CHECK(check.out.find("note: ", note + 1) == std::string::npos);
  CHECK(contains(check.out, "the next apply or daemon run records them"));
  CHECK(db.scalar("SELECT to_regclass('schemad_memo') IS NULL") == "t");  // check wrote nothing
  // The next apply has nothing to heal and records the answers.
  CHECK(schemad_on(db.url(), model, {"apply"}).exit_code == 0);
  check = schemad_on(db.url(), model, {"check"});
  CHECK(check.exit_code == 0);
  CHECK_FALSE(contains(check.out, "note: "));
}
