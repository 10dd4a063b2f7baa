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
using schemad::test::StatementWitness;
using schemad::test::TempDatabase;

namespace {

engine::Report run(const TempDatabase& db, const std::string& model_json, engine::Mode mode) {
  auto model = model::load_text(model_json, "model.json");
  db::ConnectionOptions options;
  options.conninfo = db.url();
  auto conn = db::connect(options);
  return engine::converge(*conn, model, mode, engine::Settings{}, util::system_clock());
}

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
    StatementWitness witness(db);
    REQUIRE(run(db, test::kThreeTableModel, engine::Mode::apply).satisfied());
    witness.reset();
    run(db, test::kThreeTableModel, engine::Mode::check);
    simple = witness.statements();
  }
  TempDatabase db;
  StatementWitness witness(db);
  auto first = run(db, test::kRealisticModel, engine::Mode::apply);
  INFO(first.error_text());
  REQUIRE(first.satisfied());
  // The first no-op apply records its verification (one upsert, no DDL);
  // later ones find it unchanged and write nothing.
  witness.reset();
  REQUIRE(run(db, test::kRealisticModel, engine::Mode::apply).satisfied());
  CHECK(witness.writes().find("CREATE") == std::string::npos);
  for (const auto mode : {engine::Mode::check, engine::Mode::apply}) {
    witness.reset();
    auto report = run(db, test::kRealisticModel, mode);
    const long statements = witness.statements();
    const std::string writes = witness.writes();
    INFO(engine::to_string(mode) << ": " << Catch::Detail::stringify(drift_of(report.found)));
    CHECK(report.errors.empty());
    CHECK(report.found.satisfied());
    CHECK(report.found.diff.drift.empty());
    CHECK(report.found.unverified.empty());  // the apply recorded every answer
    CHECK(report.steps.empty());
    CHECK(writes == "");
    // apply also takes the catalog version before comparing, for the record.
    CHECK(statements == simple + (mode == engine::Mode::apply ? 1 : 0));
  }
  WARN("no-op statements: " << simple << " (simple and realistic models alike)");
}

TEST_CASE(
    "a check no apply has taught sends no DDL and says which expressions it compared "
    "roughly",
    "[pg][readonly]") {
  TempDatabase db;
  StatementWitness witness(db);
  // The schema as an earlier release of schemad left it, with no memo:
  // most of the model's text is not printed by the server as written.
  REQUIRE(run(db, test::kRealisticModel, engine::Mode::apply).satisfied());
  db.exec("DROP TABLE schemad_memo");
  witness.reset();
  auto report = run(db, test::kRealisticModel, engine::Mode::check);
  const std::string writes = witness.writes();
  INFO(Catch::Detail::stringify(drift_of(report.found)));
  CHECK(report.errors.empty());
  CHECK(report.found.satisfied());
  CHECK(report.found.diff.drift.empty());
  CHECK_FALSE(report.found.unverified.empty());
  CHECK(writes == "");
  // A later apply asks once and records the answers: the check is exact
  // again, still without DDL.
  auto learn = run(db, test::kRealisticModel, engine::Mode::apply);
  CHECK(learn.steps.empty());
  witness.reset();
  auto again = run(db, test::kRealisticModel, engine::Mode::check);
  CHECK(again.found.unverified.empty());
  CHECK(again.found.diff.drift.empty());
  CHECK(witness.writes() == "");
}

TEST_CASE("a check changes nothing when the model adds what the server must be asked about",
          "[pg][readonly]") {
  TempDatabase db;
  StatementWitness witness(db);
  REQUIRE(run(db, test::kThreeTableModel, engine::Mode::apply).satisfied());
  witness.reset();
  // New extension, checks, a volatile default on an existing table: all
  // pending, none of it asked of the server by a check.
  auto report = run(db, test::kRealisticModel, engine::Mode::check);
  CHECK(report.errors.empty());
  CHECK_FALSE(report.found.satisfied());
  CHECK_FALSE(report.found.diff.changes.empty());
  CHECK(witness.writes() == "");
  CHECK(db.scalar("SELECT count(*) FROM pg_extension WHERE extname = 'citext'") == "0");
}
