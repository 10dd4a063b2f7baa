// Integration: a fleet's tenants answered from their recorded verifications
// in one batch (engine::converge_recorded_batch): three statements however
// many tenants, each tenant's record checked as a single database's is, and
// none trusted once anything it depends on changed in that tenant.

#include <catch2/catch.hpp>

#include "catalog/version.hpp"
#include "db/connection.hpp"
#include "engine/engine.hpp"
#include "fleet/run.hpp"
#include "model/load.hpp"
#include "plan/plan.hpp"
#include "support/pg.hpp"
#include "util/sql_text.hpp"

using namespace schemad;
using schemad::test::StatementWitness;
using schemad::test::TempDatabase;

namespace {

const char* const kTemplate = R"j({"version": 1, "schema": "tenant", "revision": "t1",
  "enums": [{"name": "mood", "values": ["ok", "meh"]}],
  "tables": [{"name": "items",
              "columns": [{"name": "id", "type": "integer", "primary_key": true},
                          {"name": "mood", "type": "mood", "default": "ok"}],
              "indexes": [{"name": "ix_items_mood", "columns": ["mood"]}]}]})j";

struct Fleet {
  TempDatabase db;
  schema::Database model = model::load_text(kTemplate, "model.json");
  std::vector<std::string> tenants;
  std::vector<schema::Database> models;
  std::unique_ptr<pqxx::connection> conn;

  explicit Fleet(int n) {
    for (int i = 0; i < n; ++i) tenants.push_back("tenant_" + std::to_string(i));
    db.exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    db::ConnectionOptions options;
    options.conninfo = db.url();
    conn = db::connect(options);
    for (const auto& t : tenants) models.push_back(fleet::tenant_model(model, "tenant", t, "t1"));
    // Built, then a no-op apply records each tenant's verification.
    for (int pass = 0; pass < 2; ++pass) {
      for (const auto& m : models) {
        const engine::Report r = engine::converge(*conn, m, engine::Mode::apply,
                                                  settings(m.default_schema), util::system_clock());
        REQUIRE(r.errors.empty());
      }
    }
  }

  static engine::Settings settings(const std::string& tenant) {
    engine::Settings s;
    s.version_table_schema = tenant;
    s.trust_record = true;
    return s;
  }

  std::vector<std::optional<engine::Report>> batch(int* statements = nullptr) {
    std::vector<const schema::Database*> pointers;
    for (const auto& m : models) pointers.push_back(&m);
    engine::Settings s;
    s.trust_record = true;
    return engine::converge_recorded_batch(*conn, pointers, tenants, engine::Mode::check, s,
                                           util::system_clock(), statements);
  }
};

// Which tenants the batch answered ("ynny").
std::string answered(const std::vector<std::optional<engine::Report>>& reports) {
  std::string out;
  for (const auto& r : reports) out += r && r->found.satisfied() ? 'y' : 'n';
  return out;
}

}  // namespace

TEST_CASE("the batch of recorded verifications costs three statements, for 3 or 30 tenants",
          "[integration][fleet]") {
  for (int n : {3, 30}) {
    Fleet f(n);
    StatementWitness witness(f.db);
    witness.reset();
    int sent = 0;
    const auto reports = f.batch(&sent);
    CHECK(answered(reports) == std::string(static_cast<std::size_t>(n), 'y'));
    CHECK(sent == 3);
    // The server saw those three (and the reset's own read of the counter).
    CHECK(witness.statements() <= 4);
    for (const auto& r : reports) {
      REQUIRE(r);
      CHECK_FALSE(r->verified_at.empty());
      CHECK(r->revision == "t1");
    }
  }
}

TEST_CASE("the batch trusts no tenant whose catalog, stamp or model changed",
          "[integration][fleet]") {
  Fleet f(4);
  REQUIRE(answered(f.batch()) == "yyyy");
  f.db.exec("ALTER TABLE tenant_1.items ADD COLUMN extra text");
  CHECK(answered(f.batch()) == "ynyy");
  f.db.exec("UPDATE tenant_2.alembic_version SET version_num = 'other'");
  CHECK(answered(f.batch()) == "ynny");
  f.db.exec("CREATE INDEX ix_other ON tenant_3.items (id)");
  CHECK(answered(f.batch()) == "ynnn");
  // A model that is not the one verified: nobody.
  f.models[0].tables[0].columns.push_back(f.models[0].tables[0].columns[0]);
  f.models[0].tables[0].columns.back().name = "added";
  f.models[0].fingerprint = "another";
  CHECK(answered(f.batch()) == "nnnn");
}

TEST_CASE("the batch's catalog versions are catalog_version's, one per list of schemas",
          "[integration][fleet]") {
  Fleet f(3);
  const std::vector<std::vector<std::string>> lists = {
      {"tenant_0"}, {"tenant_1", "tenant_2"}, {"public"}, {"absent"}};
  std::vector<std::string> literals;
  for (const auto& l : lists) literals.push_back(sql::text_array(l));
  pqxx::nontransaction tx(*f.conn);
  const auto rows = tx.exec_params(catalog::catalog_versions_sql(), sql::text_array(literals));
  tx.commit();
  REQUIRE(rows.size() == lists.size());
  for (const auto& row : rows) {
    const auto& l = lists.at(row[0].as<std::size_t>() - 1);
    INFO(sql::text_array(l));
    CHECK(row[1].c_str() == catalog::catalog_version(*f.conn, l));
  }
}

TEST_CASE("the catalog versions by schema are catalog_version's, in one pass",
          "[integration][fleet]") {
  Fleet f(3);
  // Everything a version counts, in tenant_1: a foreign key to another
  // schema's table and one within, a check, a comment, a sequence owned by
  // a column, a view, a function, a trigger, policies naming roles, row
  // level security; tenant_2 refers to tenant_1.
  f.db.exec(R"sql(
    DO $$BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'schemad_t_reader') THEN
        CREATE ROLE schemad_t_reader;
      END IF;
    END$$;
    CREATE TABLE tenant_1.owners (id integer PRIMARY KEY, item_id integer
      REFERENCES tenant_0.items (id), parent integer REFERENCES tenant_1.owners (id),
      CHECK (id > 0));
    COMMENT ON TABLE tenant_1.owners IS 'who';
    COMMENT ON COLUMN tenant_1.owners.id IS 'the id';
    CREATE SEQUENCE tenant_1.counter OWNED BY tenant_1.owners.id;
    CREATE VIEW tenant_1.owner_ids AS SELECT id FROM tenant_1.owners;
    CREATE FUNCTION tenant_1.touch() RETURNS trigger LANGUAGE plpgsql AS
      $$BEGIN RETURN NEW; END$$;
    CREATE TRIGGER owners_touch BEFORE UPDATE ON tenant_1.owners
      FOR EACH ROW EXECUTE FUNCTION tenant_1.touch();
    CREATE POLICY readers ON tenant_1.owners TO schemad_t_reader USING (true);
    CREATE POLICY again ON tenant_1.owners TO schemad_t_reader, postgres USING (id > 1);
    ALTER TABLE tenant_1.owners ENABLE ROW LEVEL SECURITY;
    CREATE TABLE tenant_2.links (owner_id integer REFERENCES tenant_1.owners (id));
  )sql");
  const std::vector<std::string> names = {"tenant_0", "tenant_1", "tenant_2",
                                          "public",   "absent",   "tenant_1"};
  pqxx::nontransaction tx(*f.conn);
  const auto rows =
      tx.exec_params(catalog::catalog_versions_by_schema_sql(), sql::text_array(names));
  tx.commit();
  REQUIRE(rows.size() == names.size());
  for (const auto& row : rows) {
    const std::string& name = names.at(row[0].as<std::size_t>() - 1);
    INFO(name);
    CHECK(row[1].c_str() == catalog::catalog_version(*f.conn, {name}));
  }
}

namespace {

// What a report says, in words: to compare a batch's with converge's.
std::string summary(const engine::Report& r) {
  std::string out = "revision " + r.revision + "; stamp " + r.found.stamp.message() + "\n";
  for (const auto& c : r.found.diff.changes) out += "pending: " + c.description() + "\n";
  for (const auto& d : r.found.diff.drift) out += "drift: " + d.message() + "\n";
  for (const auto& b : r.found.blocked) out += "blocked: " + b.message() + "\n";
  for (const auto& u : r.found.unverified) out += "unverified: " + u + "\n";
  out += "plan:\n" + plan::to_script(r.plan, true);
  out += r.found.satisfied() ? "satisfied" : "not satisfied";
  return out;
}

}  // namespace

TEST_CASE("a batch check of many tenants says what a check of each one says, in one inspection",
          "[integration][fleet]") {
  Fleet f(6);
  // Each tenant a different way from the model.
  f.db.exec("ALTER TABLE tenant_0.items DROP COLUMN mood");          // a column missing
  f.db.exec("ALTER TABLE tenant_1.items ADD COLUMN extra integer");  // drift
  f.db.exec("DROP INDEX tenant_2.ix_items_mood");                    // an index missing
  f.db.exec("DROP TABLE tenant_3.alembic_version");                  // the stamp missing
  f.db.exec("ALTER TYPE tenant_4.mood ADD VALUE 'extra'");           // an enum's extra label
  f.tenants.push_back("tenant_new");                                 // a schema not there
  f.models.push_back(fleet::tenant_model(f.model, "tenant", "tenant_new", "t1"));
  std::vector<const schema::Database*> pointers;
  for (const auto& m : f.models) pointers.push_back(&m);
  engine::Settings s;
  StatementWitness witness(f.db);
  witness.reset();
  int sent = 0;
  const auto batch =
      engine::check_batch(*f.conn, pointers, f.tenants, s, util::system_clock(), &sent);
  const long seen = witness.statements();
  REQUIRE(batch.size() == f.models.size());
  for (std::size_t i = 0; i < f.models.size(); ++i) {
    INFO(f.tenants[i]);
    REQUIRE(batch[i]);
    const engine::Report one =
        engine::converge(*f.conn, f.models[i], engine::Mode::check, Fleet::settings(f.tenants[i]),
                         util::system_clock());
    REQUIRE(one.errors.empty());
    CHECK(summary(*batch[i]) == summary(one));
  }
  // Not the same answer every time: each tenant's own difference.
  CHECK(summary(*batch[0]).find("pending: add column tenant_0.items.mood") != std::string::npos);
  CHECK(summary(*batch[1]).find("drift: ") != std::string::npos);
  CHECK(summary(*batch[1]).find("extra") != std::string::npos);
  CHECK(summary(*batch[2]).find("ix_items_mood") != std::string::npos);
  CHECK(batch[3]->found.stamp.pending());
  CHECK_FALSE(batch[4]->found.diff.drift.empty());
  CHECK(batch[5]->found.satisfied());
  CHECK_FALSE(batch[6]->found.satisfied());  // the tenant to come: everything pending
  CHECK(batch[6]->found.diff.changes.size() >= 3);
  // One inspection (7 statements) and one read of the bookkeeping, however
  // many tenants; the tenants with pending changes read their history.
  CHECK(sent <= 7 + 1 + 4 * 6);
  CHECK(seen <= 7 + 1 + 4 * 6 + 3);
}
