// Integration: a comparison sends no DDL and no writes, whatever the model
// holds (checks, volatile defaults, extension types, partial and expression
// indexes), and as many statements for a realistic model as for the simple
// one. pg_stat_statements (preloaded by tests/pg/with-postgres.sh, with
// track = all) is the witness: it sees every statement the server ran.

#include <catch2/catch.hpp>

#include "db/connection.hpp"
#include "engine/engine.hpp"
#include "model/load.hpp"
#include "support/models.hpp"
#include "support/pg.hpp"

using namespace schemad;
using schemad::test::TempDatabase;

namespace {

engine::Report run(const TempDatabase& db, const std::string& model_json, engine::Mode mode) {
  auto model = model::load_text(model_json, "model.json");
  db::ConnectionOptions options;
  options.conninfo = db.url();
  auto conn = db::connect(options);
  return engine::converge(*conn, model, mode, engine::Settings{}, util::system_clock());
}

// What the server ran in `db` since the last reset: the number of
// statements and those that are not reads.
struct Seen {
  long statements = 0;
  std::string writes;  // one a line
};

class Witness {
 public:
  explicit Witness(const TempDatabase& db) : db_(db) {
    db_.exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    oid_ = db_.scalar("SELECT oid FROM pg_database WHERE datname = current_database()");
  }
  // Only this database's entries: the suite runs tests in parallel.
  void reset() const { db_.exec("SELECT pg_stat_statements_reset(0, " + oid_ + ", 0)"); }
  Seen seen() const {
    const std::string mine = " FROM pg_stat_statements WHERE dbid = " + oid_ +
                             " AND query NOT LIKE '%pg_stat_statements%'";
    Seen s;
    s.statements = std::stol(db_.scalar("SELECT coalesce(sum(calls), 0)" + mine));
    s.writes = db_.scalar(
        "SELECT string_agg(query, E'\\n')" + mine +
        " AND query ~* '^\\s*(create|alter|drop|insert|update|delete|truncate|grant|comment)\\M'");
    return s;
  }

 private:
  const TempDatabase& db_;
  std::string oid_;
};

std::vector<std::string> drift_of(const engine::Observation& o) {
  std::vector<std::string> out;
  for (const auto& d : o.diff.drift) out.push_back(d.message());
  for (const auto& c : o.diff.changes) out.push_back("pending: " + c.description());
  return out;
}

}  // namespace

TEST_CASE(
    "after an apply, a no-op check and apply send no DDL and as many statements as the "
    "simple model",
    "[pg][readonly]") {
  long simple = 0;
  {
    TempDatabase db;
    Witness witness(db);
    REQUIRE(run(db, test::kThreeTableModel, engine::Mode::apply).satisfied());
    witness.reset();
    run(db, test::kThreeTableModel, engine::Mode::check);
    simple = witness.seen().statements;
  }
  TempDatabase db;
  Witness witness(db);
  auto first = run(db, test::kRealisticModel, engine::Mode::apply);
  INFO(first.error_text());
  REQUIRE(first.satisfied());
  for (const auto mode : {engine::Mode::check, engine::Mode::apply}) {
    witness.reset();
    auto report = run(db, test::kRealisticModel, mode);
    const Seen seen = witness.seen();
    INFO(engine::to_string(mode) << ": " << Catch::Detail::stringify(drift_of(report.found)));
    CHECK(report.errors.empty());
    CHECK(report.found.satisfied());
    CHECK(report.found.diff.drift.empty());
    CHECK(report.found.unverified.empty());  // the apply recorded every answer
    CHECK(report.steps.empty());
    CHECK(seen.writes == "");
    CHECK(seen.statements == simple);
  }
  WARN("no-op statements: " << simple << " (simple and realistic models alike)");
}

TEST_CASE(
    "a check no apply has taught sends no DDL and says which expressions it compared "
    "roughly",
    "[pg][readonly]") {
  TempDatabase db;
  Witness witness(db);
  // The schema as an earlier release of schemad left it, with no memo:
  // most of the model's text is not printed by the server as written.
  REQUIRE(run(db, test::kRealisticModel, engine::Mode::apply).satisfied());
  db.exec("DROP TABLE schemad_memo");
  witness.reset();
  auto report = run(db, test::kRealisticModel, engine::Mode::check);
  const Seen seen = witness.seen();
  INFO(Catch::Detail::stringify(drift_of(report.found)));
  CHECK(report.errors.empty());
  CHECK(report.found.satisfied());
  CHECK(report.found.diff.drift.empty());
  CHECK_FALSE(report.found.unverified.empty());
  CHECK(seen.writes == "");
  // A later apply asks once and records the answers: the check is exact
  // again, still without DDL.
  auto learn = run(db, test::kRealisticModel, engine::Mode::apply);
  CHECK(learn.steps.empty());
  witness.reset();
  auto again = run(db, test::kRealisticModel, engine::Mode::check);
  CHECK(again.found.unverified.empty());
  CHECK(again.found.diff.drift.empty());
  CHECK(witness.seen().writes == "");
}

TEST_CASE("a check changes nothing when the model adds what the server must be asked about",
          "[pg][readonly]") {
  TempDatabase db;
  Witness witness(db);
  REQUIRE(run(db, test::kThreeTableModel, engine::Mode::apply).satisfied());
  witness.reset();
  // New extension, checks, a volatile default on an existing table: all
  // pending, none of it asked of the server by a check.
  auto report = run(db, test::kRealisticModel, engine::Mode::check);
  CHECK(report.errors.empty());
  CHECK_FALSE(report.found.satisfied());
  CHECK_FALSE(report.found.diff.changes.empty());
  CHECK(witness.seen().writes == "");
  CHECK(db.scalar("SELECT count(*) FROM pg_extension WHERE extname = 'citext'") == "0");
}
