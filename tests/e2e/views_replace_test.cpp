// End-to-end: views and materialized views the model declares, with the
// built binary on a real database: created after the tables they read, in
// the model's order, a materialized view with its indexes; another query is
// view_definition drift; pull writes them in the order they can be created.
// Then the configuration's "replace": a differing function, view or trigger
// is replaced in the healing transaction, a view only when its columns are
// kept; policies never.

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/pg.hpp"
#include "support/process.hpp"

using namespace schemad::test;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The views are listed so that each comes after those it reads, but not
// alphabetically: "totals" reads "open_orders".
const char* const kModel = R"j({
  "version": 1,
  "functions": [
    {"name": "order_total", "arguments": ["int8"],
     "sql": "CREATE FUNCTION public.order_total(o bigint) RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT sum(cents) FROM public.lines WHERE order_id = o $$"},
    {"name": "touch",
     "sql": "CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$"}
  ],
  "tables": [
    {"name": "orders",
     "columns": [
       {"name": "id", "type": "bigint", "primary_key": true},
       {"name": "status", "type": "text", "nullable": false, "default": "open"},
       {"name": "updated_at", "type": "timestamptz", "nullable": false, "default": {"sql": "now()"}}],
     "triggers": [{"name": "orders_touch", "timing": "before", "events": ["update"],
                   "function": "touch"}],
     "policies": [{"name": "only_open", "as": "restrictive", "using": "status = 'open'"}]},
    {"name": "lines",
     "columns": [
       {"name": "order_id", "type": "bigint", "nullable": false},
       {"name": "cents", "type": "bigint", "nullable": false}]}
  ],
  "views": [
    {"name": "open_orders", "query": "SELECT id, updated_at FROM orders WHERE status = 'open'"},
    {"name": "totals", "materialized": true,
     "query": "SELECT o.id, public.order_total(o.id) AS cents FROM open_orders o",
     "indexes": [{"name": "totals_id", "columns": ["id"], "unique": true},
                 {"name": "totals_cents", "columns": [{"expression": "(cents / 100)"}]}]}
  ]})j";

std::string column_list(const TempDatabase& db, const std::string& relation) {
  return db.scalar(
      "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY "
      "attnum) FROM pg_attribute WHERE attrelid = '" +
      relation + "'::regclass AND attnum > 0");
}

RunResult run(const TempDatabase& db, const std::string& model, std::vector<std::string> command,
              const std::string& config = "") {
  std::vector<std::string> args{"--database-url", db.url(), "--model", model};
  if (!config.empty()) args.insert(args.begin(), {"--config", config});
  args.insert(args.end(), command.begin(), command.end());
  return schemad_cmd(args);
}

}  // namespace

TEST_CASE("views and a materialized view with its indexes are created in order and in sync",
          "[e2e][pg]") {
  TempDatabase db;
  const std::string model = write_temp_file("views/model.json", kModel);
  auto plan = run(db, model, {"plan"});
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  // Functions before the tables, views after, the materialized view's
  // indexes right after it, the trigger and the policy last.
  const auto at = [&](const std::string& what) { return plan.out.find(what); };
  CHECK(at("CREATE FUNCTION public.order_total") < at("CREATE TABLE \"public\".\"lines\""));
  CHECK(at("CREATE TABLE \"public\".\"orders\"") < at("CREATE VIEW \"public\".\"open_orders\""));
  CHECK(at("CREATE VIEW \"public\".\"open_orders\"") <
        at("CREATE MATERIALIZED VIEW \"public\".\"totals\""));
  CHECK(at("CREATE MATERIALIZED VIEW \"public\".\"totals\"") <
        at("CREATE UNIQUE INDEX \"totals_id\""));
  CHECK(at("CREATE UNIQUE INDEX \"totals_id\"") < at("CREATE TRIGGER \"orders_touch\""));
  CHECK(at("CREATE TRIGGER \"orders_touch\"") < at("CREATE POLICY \"only_open\""));

  auto applied = run(db, model, {"apply"});
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  CHECK(db.scalar("SELECT relkind FROM pg_class WHERE oid = 'public.totals'::regclass") == "m");
  CHECK(db.scalar("SELECT string_agg(indexrelid::regclass::text, ',' ORDER BY "
                  "indexrelid::regclass::text) FROM pg_index "
                  "WHERE indrelid = 'public.totals'::regclass") == "totals_cents,totals_id");
  CHECK(column_list(db, "public.open_orders") == "id bigint, updated_at timestamp with time zone");

  auto checked = run(db, model, {"check", "--strict"});
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 0);

  // pull writes the views in an order they can be created in (not by
  // name), and its model is in sync too.
  const std::string pulled = write_temp_file("views/pulled.json", "");
  auto pull = schemad_cmd({"--database-url", db.url(), "pull", "-o", pulled});
  INFO(pull.out << pull.err);
  REQUIRE(pull.exit_code == 0);
  const auto doc = nlohmann::json::parse(std::ifstream(pulled));
  REQUIRE(doc.at("views").size() == 2);
  CHECK(doc.at("views")[0].at("name") == "open_orders");
  CHECK(doc.at("views")[1].at("name") == "totals");
  CHECK(doc.at("views")[1].at("indexes").size() == 2);
  CHECK(run(db, pulled, {"check", "--strict"}).exit_code == 0);

  // The pulled model builds the same database from nothing.
  TempDatabase copy;
  auto rebuilt = run(copy, pulled, {"apply"});
  INFO(rebuilt.out << rebuilt.err);
  REQUIRE(rebuilt.exit_code == 0);
  CHECK(schema_dump(copy) == schema_dump(db));
}

TEST_CASE("another view query is drift, left alone unless replace says views", "[e2e][pg]") {
  TempDatabase db;
  const std::string model = write_temp_file("views/drift.json", kModel);
  REQUIRE(run(db, model, {"apply"}).exit_code == 0);
  db.exec(
      "CREATE OR REPLACE VIEW public.open_orders AS SELECT id, updated_at FROM public.orders "
      "WHERE status <> 'closed'");
  const std::string before = schema_dump(db);

  auto checked = run(db, model, {"check", "--strict", "--format", "json"});
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 4);
  CHECK(contains(checked.out, "\"kind\": \"view_definition\""));
  CHECK(contains(checked.out, "\"object\": \"public.open_orders\""));
  auto applied = run(db, model, {"apply"});
  CHECK(applied.exit_code == 0);
  CHECK(schema_dump(db) == before);

  // Opting in: the view is replaced, its columns kept.
  const std::string config = write_temp_file("views/replace.json", R"({"replace": ["views"]})");
  auto replaced = run(db, model, {"apply"}, config);
  INFO(replaced.out << replaced.err);
  REQUIRE(replaced.exit_code == 0);
  CHECK(contains(replaced.err, "replace view public.open_orders"));
  CHECK(contains(db.scalar("SELECT pg_get_viewdef('public.open_orders'::regclass)"),
                 "= 'open'::text"));
  CHECK(run(db, model, {"check", "--strict"}).exit_code == 0);
  CHECK(db.scalar("SELECT count(*) FROM public.schemad_history WHERE steps::text LIKE "
                  "'%replace view%'") != "0");
}

TEST_CASE("a view is not replaced when the model's query would drop a column", "[e2e][pg]") {
  TempDatabase db;
  const std::string model = write_temp_file("views/narrow.json", kModel);
  REQUIRE(run(db, model, {"apply"}).exit_code == 0);
  // The database's view has one more column than the model's query.
  db.exec("DROP MATERIALIZED VIEW public.totals");
  db.exec(
      "CREATE OR REPLACE VIEW public.open_orders AS SELECT id, updated_at, status FROM "
      "public.orders WHERE status = 'open'");
  const std::string config = write_temp_file("views/replace2.json", R"({"replace": ["views"]})");
  auto applied = run(db, model, {"apply"}, config);
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  CHECK(contains(applied.err,
                 "public.open_orders: not replaced: the new query drops column "
                 "status text"));
  auto checked = run(db, model, {"check", "--format", "json"}, config);
  CHECK(contains(checked.out, "\"kind\": \"not_applied\""));
  CHECK(contains(checked.out, "\"kind\": \"view_definition\""));
  CHECK(column_list(db, "public.open_orders") ==
        "id bigint, updated_at timestamp with time zone, status text");
  // The missing materialized view was created all the same.
  CHECK(db.scalar("SELECT to_regclass('public.totals')") == "totals");
}

TEST_CASE("replace rebuilds a differing function and trigger, never a policy", "[e2e][pg]") {
  TempDatabase db;
  const std::string model = write_temp_file("views/replace_fn.json", kModel);
  REQUIRE(run(db, model, {"apply"}).exit_code == 0);
  db.exec(
      "CREATE OR REPLACE FUNCTION public.order_total(o bigint) RETURNS bigint LANGUAGE sql "
      "STABLE AS $$ SELECT 0::bigint $$");
  db.exec(
      "DROP TRIGGER orders_touch ON public.orders; CREATE TRIGGER orders_touch BEFORE INSERT ON "
      "public.orders FOR EACH ROW EXECUTE FUNCTION public.touch()");
  db.exec(
      "DROP POLICY only_open ON public.orders; CREATE POLICY only_open ON public.orders USING "
      "(status = 'open')");

  auto drifted = run(db, model, {"check", "--strict", "--format", "json"});
  INFO(drifted.out << drifted.err);
  CHECK(drifted.exit_code == 4);
  for (const char* kind : {"function_definition", "trigger_definition", "policy_weaker"}) {
    CHECK(contains(drifted.out, std::string("\"kind\": \"") + kind + "\""));
  }

  const std::string config = write_temp_file("views/replace_all.json",
                                             R"({"replace": ["functions", "views", "triggers"]})");
  auto planned = run(db, model, {"plan"}, config);
  INFO(planned.out);
  // The model's text says CREATE FUNCTION: replacing makes it CREATE OR REPLACE.
  CHECK(contains(planned.out, "CREATE OR REPLACE FUNCTION public.order_total"));
  CHECK(contains(planned.out, "DROP TRIGGER \"orders_touch\" ON \"public\".\"orders\""));

  auto applied = run(db, model, {"apply"}, config);
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  CHECK(contains(db.scalar("SELECT pg_get_functiondef('public.order_total(bigint)'::regprocedure)"),
                 "sum(cents)"));
  CHECK(db.scalar("SELECT tgtype FROM pg_trigger WHERE tgname = 'orders_touch'") ==
        "19");  // ROW | BEFORE | UPDATE
  // The permissive policy is still there: weakened policies are reported,
  // never rewritten.
  CHECK(db.scalar("SELECT polpermissive FROM pg_policy WHERE polname = 'only_open'") == "t");
  auto after = run(db, model, {"check", "--strict", "--format", "json"});
  CHECK(after.exit_code == 4);
  CHECK(contains(after.out, "\"kind\": \"policy_weaker\""));
  CHECK_FALSE(contains(after.out, "\"kind\": \"function_definition\""));
  CHECK_FALSE(contains(after.out, "\"kind\": \"trigger_definition\""));
}

TEST_CASE("a replace key that names policies is refused, naming the key", "[e2e]") {
  const std::string config =
      write_temp_file("views/bad_replace.json", R"({"replace": ["functions", "policies"]})");
  auto result = schemad_cmd({"--config", config, "validate"});
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err,
                 "replace[1]: must be one of \"functions\", \"views\", "
                 "\"triggers\", not \"policies\""));
}

TEST_CASE("a function the server refuses while healing is named by its place in the model",
          "[e2e][pg]") {
  TempDatabase db;
  // A SQL-standard body is parsed when it is created, before the table it
  // reads exists: the heal fails, and says which model text.
  const std::string model = write_temp_file("views/atomic.json", R"j({
    "version": 1,
    "functions": [{"name": "n", "sql": "CREATE FUNCTION public.n() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM public.t; END"}],
    "tables": [{"name": "t", "columns": [{"name": "id", "type": "integer"}]}]})j");
  auto applied = run(db, model, {"apply"});
  CHECK(applied.exit_code == 1);
  CHECK(contains(applied.err,
                 "functions[0].sql: create function public.n(): relation "
                 "\"public.t\" does not exist"));
  CHECK(db.scalar("SELECT to_regclass('public.t')") == "");
}
