// catalog::inspect costs a constant number of statements, whatever the
// number of tables: counted by the client (InspectStats) and by the server
// (pg_stat_statements, which tests/pg/with-postgres.sh preloads with
// track = all; track_utility is on by default, so BEGIN, SET and COMMIT
// count too).

#include <catch2/catch.hpp>
#include <chrono>
#include <pqxx/pqxx>
#include <string>

#include "catalog/inspect.hpp"
#include "integration/catalog_support.hpp"
#include "support/pg.hpp"

using namespace schemad;
using test::TempDatabase;

namespace {

// `tables` tables shaped like an application's: a serial key, an enum and
// defaults, a check, a foreign key to the previous table, a partial
// expression index and a comment. One multi-statement exec.
std::string generate_ddl(int tables) {
  std::string ddl = "CREATE TYPE public.state AS ENUM ('on', 'off');\n";
  for (int i = 0; i < tables; ++i) {
    const std::string t = "t" + std::to_string(i);
    ddl += "CREATE TABLE public." + t +
           " (id bigserial PRIMARY KEY, parent_id bigint, name varchar(80) NOT NULL DEFAULT '',"
           " state public.state NOT NULL DEFAULT 'on',"
           " created_at timestamptz NOT NULL DEFAULT now(),"
           " CONSTRAINT ck_" +
           t + "_name CHECK (name <> 'x')";
    if (i > 0) {
      ddl += ", CONSTRAINT fk_" + t + "_parent FOREIGN KEY (parent_id) REFERENCES public.t" +
             std::to_string(i - 1) + " (id) ON DELETE CASCADE";
    }
    ddl += ");\nCREATE INDEX ix_" + t + "_name ON public." + t +
           " (lower(name)) WHERE state = 'on';\nCOMMENT ON TABLE public." + t + " IS 'table " + t +
           "';\n";
  }
  return ddl;
}

struct Cost {
  int client = 0;      // InspectStats::queries
  long server = 0;     // sum of pg_stat_statements.calls
  std::string detail;  // the statements the server saw, for the log
};

Cost inspect_cost(int tables) {
  TempDatabase db;
  db.exec("CREATE EXTENSION pg_stat_statements;\n" + generate_ddl(tables));
  const std::string dboid =
      db.scalar("SELECT oid FROM pg_database WHERE datname = current_database()");
  // This database's entries only: other tests may share the server.
  db.exec("SELECT pg_stat_statements_reset(0, " + dboid + ", 0)");

  Cost cost;
  catalog::InspectStats stats;
  const auto inspected = test::inspect(db, {"public"}, &stats);
  cost.client = stats.queries;

  // The inspection read what was created (the count is about real work).
  REQUIRE(inspected.tables.size() == static_cast<std::size_t>(tables));
  for (const auto& t : inspected.tables) {
    REQUIRE(t.columns.size() == 5);
    REQUIRE(t.indexes.size() == 2);
    REQUIRE(t.comment.has_value());
  }
  REQUIRE(inspected.tables.back().constraints.size() == 3);

  const std::string mine = " WHERE dbid = " + dboid + " AND query NOT LIKE '%pg_stat_statements%'";
  cost.server =
      std::stol(db.scalar("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements" + mine));
  cost.detail = db.scalar(
      "SELECT string_agg(calls || ' x ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 60), "
      "E'\\n' ORDER BY query) FROM pg_stat_statements" +
      mine);
  return cost;
}

}  // namespace

TEST_CASE("inspection sends as many statements for 300 tables as for 10", "[pg][catalog]") {
  const Cost small = inspect_cost(10);
  const Cost large = inspect_cost(300);

  WARN("inspect statements, client-side: " << small.client << " (10 tables), " << large.client
                                           << " (300 tables)");
  WARN("inspect statements, pg_stat_statements: " << small.server << " (10 tables), "
                                                  << large.server << " (300 tables)\n"
                                                  << large.detail);
  CHECK(small.client == large.client);
  CHECK(small.client <= 7);
  CHECK(small.server == large.server);
  // The server saw the inspection itself, not nothing.
  CHECK(small.server >= small.client);
}
