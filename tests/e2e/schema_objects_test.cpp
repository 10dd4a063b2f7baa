// End-to-end: functions, triggers, row-level security and policies in the
// model, with the built binary on a real database. Missing ones are created
// (functions before the tables, with their bodies unchecked; policies before
// row-level security is enabled, in one transaction, so that enabling never
// locks the application out); another definition is drift and left alone;
// pull writes them all back; a SQL model (an Alembic-style schema) builds
// the database its script builds.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <utility>

#include "support/pg.hpp"
#include "support/process.hpp"

using namespace schemad::test;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Roles belong to the server, not to a database: a name of this process's
// own, dropped when the object goes away. Declare it before the databases
// whose objects name it, so that they are dropped first.
class TempRole {
 public:
  explicit TempRole(const std::string& label)
      : name_("schemad_" + label + "_" + std::to_string(::getpid())) {
    admin_exec("DROP ROLE IF EXISTS " + name_);
    admin_exec("CREATE ROLE " + name_ + " LOGIN");
  }
  ~TempRole() {
    try {
      admin_exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" +
                 name_ + "'");
      admin_exec("DROP ROLE IF EXISTS " + name_);
    } catch (...) {
      // Still named by a database that outlived the test: nothing to do.
    }
  }
  TempRole(const TempRole&) = delete;
  TempRole& operator=(const TempRole&) = delete;

  const std::string& name() const { return name_; }
  // The database's URL, connecting as this role.
  std::string url(const TempDatabase& db) const {
    const std::string url = db.url();
    REQUIRE(contains(url, "postgres@"));
    return replace_all(url, "postgres@", name_ + "@");
  }
  // What `sql` returns (first column of the first row) in a session of this
  // role: row-level security applies to it (it owns nothing).
  std::string scalar(const TempDatabase& db, const std::string& sql) const {
    pqxx::connection conn(url(db));
    pqxx::nontransaction tx(conn);
    const pqxx::result r = tx.exec(sql);
    if (r.empty() || r[0][0].is_null()) return "";
    return r[0][0].c_str();
  }

 private:
  std::string name_;
};

// The model of these tests: a plpgsql trigger function, a SQL function that
// reads a table of the model (so its body cannot be checked before the
// table exists), a table whose updated_at a trigger keeps (only when the
// row changes), three policies (a restrictive one, an INSERT one, one for
// `reader`) and row-level security ("enabled" or "forced").
std::string notes_model(const std::string& reader, const std::string& row_security) {
  return R"j({
  "version": 1,
  "functions": [
    {"name": "touch_updated_at",
     "sql": "CREATE FUNCTION public.touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$"},
    {"name": "notes_of", "schema": "public", "arguments": ["text"],
     "sql": "CREATE FUNCTION notes_of(who text) RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT count(*) FROM public.notes WHERE owner = who $$"}
  ],
  "tables": [
    {"name": "notes",
     "columns": [
       {"name": "id", "type": "bigserial", "primary_key": true},
       {"name": "owner", "type": "text", "nullable": false, "default": {"sql": "current_user"}},
       {"name": "body", "type": "text"},
       {"name": "updated_at", "type": "timestamptz", "nullable": false,
        "default": {"sql": "now()"}}],
     "triggers": [
       {"name": "notes_touch", "timing": "before", "events": ["update"],
        "for_each": "row", "when": "OLD.* IS DISTINCT FROM NEW.*",
        "function": "touch_updated_at"}],
     "policies": [
       {"name": "no_blank", "as": "restrictive", "using": "body IS NOT NULL"},
       {"name": "own_insert", "command": "insert", "with_check": "owner = current_user"},
       {"name": "reader_all", "command": "select", "roles": [")j" +
         reader + R"j("], "using": "true"}],
     "row_level_security": ")j" +
         row_security + R"j("}
  ]})j";
}

RunResult schemad_on(const TempDatabase& db, const std::string& model,
                     std::vector<std::string> command,
                     const std::map<std::string, std::string>& env = {}) {
  std::vector<std::string> args{"--database-url", db.url(), "--model", model};
  args.insert(args.end(), command.begin(), command.end());
  return schemad_cmd(args, env);
}

// The drift a `check --format json` reports, as "kind object" lines.
std::multiset<std::string> drift_of(const std::string& report) {
  std::multiset<std::string> out;
  const auto doc = nlohmann::json::parse(report);
  for (const auto& item : doc.at("drift")) {
    out.insert(item.at("kind").get<std::string>() + " " + item.at("object").get<std::string>());
  }
  return out;
}

}  // namespace

TEST_CASE("functions, a trigger, policies and forced RLS are created on an empty database",
          "[e2e][pg]") {
  TempRole reader("objects_reader");
  TempDatabase db;
  const std::string model =
      write_temp_file("objects/created.json", notes_model(reader.name(), "forced"));

  auto plan = schemad_on(db, model, {"plan"});
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  // Functions come first, their bodies unchecked: notes_of reads a table
  // that does not exist yet. Policies come before RLS is turned on.
  CHECK(contains(plan.out, "SET LOCAL check_function_bodies = off;"));
  CHECK(plan.out.find("CREATE FUNCTION notes_of") < plan.out.find("CREATE TABLE"));
  CHECK(plan.out.find("CREATE POLICY \"reader_all\"") < plan.out.find("ENABLE ROW LEVEL SECURITY"));
  CHECK(contains(plan.out, "ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY"));

  auto applied = schemad_on(db, model, {"apply"});
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  CHECK(db.scalar("SELECT relrowsecurity || ' ' || relforcerowsecurity FROM pg_class WHERE oid = "
                  "'public.notes'::regclass") == "true true");
  CHECK(db.scalar("SELECT string_agg(polname || ':' || polpermissive || ':' || polcmd::text, ',' "
                  "ORDER BY polname) FROM pg_policy WHERE polrelid = 'public.notes'::regclass") ==
        "no_blank:false:*,own_insert:true:a,reader_all:true:r");
  CHECK(db.scalar("SELECT array_to_string(polroles::regrole[], ',') FROM pg_policy WHERE polname "
                  "= 'reader_all'") == reader.name());

  // The trigger keeps updated_at, and only for a row that changes (WHEN).
  db.exec(
      "INSERT INTO public.notes (owner, body, updated_at) VALUES ('ann', 'a', '2000-01-01');"
      "UPDATE public.notes SET body = body");
  CHECK(db.scalar("SELECT updated_at = '2000-01-01' FROM public.notes") == "t");
  db.exec("UPDATE public.notes SET body = 'b'");
  CHECK(db.scalar("SELECT updated_at > '2020-01-01' FROM public.notes") == "t");
  // The SQL function reads the table now that it exists.
  CHECK(db.scalar("SELECT public.notes_of('ann')") == "1");
  // The reader's policy lets it see the row (RLS is on: the policy decides).
  db.exec("GRANT SELECT ON public.notes TO " + reader.name());
  CHECK(reader.scalar(db, "SELECT count(*) FROM public.notes") == "1");

  auto checked = schemad_on(db, model, {"check", "--strict"});
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 0);
  CHECK(contains(checked.out, "(0 drift items)"));

  auto replanned = schemad_on(db, model, {"plan"});
  INFO(replanned.out << replanned.err);
  CHECK(replanned.exit_code == 0);
  CHECK(contains(replanned.out, "-- nothing to create"));
  CHECK_FALSE(contains(replanned.out, "CREATE"));

  StatementWitness witness(db);
  witness.reset();
  // The first no-op apply records its verification: one upsert, no DDL.
  auto recorded = schemad_on(db, model, {"apply", "--full"});
  CHECK(recorded.exit_code == 0);
  CHECK(witness.writes().find("CREATE") == std::string::npos);
  witness.reset();
  auto again = schemad_on(db, model, {"apply", "--full"});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK(contains(again.out, "nothing to do"));
  CHECK_FALSE(contains(again.err, "applied:"));
  CHECK(witness.writes() == "");
}

TEST_CASE("policies come before RLS on a table with rows: the application is never locked out",
          "[e2e][pg]") {
  TempRole app("objects_app");
  TempRole stranger("objects_stranger");
  TempDatabase db;
  db.exec(
      "CREATE TABLE public.docs (id integer PRIMARY KEY, owner text NOT NULL, body text);"
      "INSERT INTO public.docs SELECT g, 'u' || (g % 3), 'b' || g FROM generate_series(1, 30) g;"
      "GRANT SELECT ON public.docs TO " +
      app.name() + ", " + stranger.name());
  const std::string model = write_temp_file("objects/existing.json", R"j({
    "version": 1,
    "tables": [
      {"name": "docs",
       "columns": [
         {"name": "id", "type": "integer", "primary_key": true},
         {"name": "owner", "type": "text", "nullable": false},
         {"name": "body", "type": "text"}],
       "policies": [
         {"name": "app_reads_all", "command": "select", "roles": [")j" + app.name() +
                                                                         R"j("],
          "using": "true"},
         {"name": "own_rows", "using": "owner = current_user"}],
       "row_level_security": "enabled"}
    ]})j");
  const std::string before = app.scalar(db, "SELECT count(*) FROM public.docs");
  CHECK(before == "30");
  CHECK(stranger.scalar(db, "SELECT count(*) FROM public.docs") == "30");

  // One transaction: the policies, then RLS.
  auto plan = schemad_on(db, model, {"plan"});
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  const std::size_t begin = plan.out.find("BEGIN;");
  const std::size_t first_policy = plan.out.find("CREATE POLICY");
  const std::size_t second_policy = plan.out.find("CREATE POLICY", first_policy + 1);
  const std::size_t enable = plan.out.find("ENABLE ROW LEVEL SECURITY");
  const std::size_t commit = plan.out.find("COMMIT;");
  REQUIRE(enable != std::string::npos);
  CHECK(begin < first_policy);
  CHECK(second_policy < enable);
  CHECK(enable < commit);
  CHECK(plan.out.find("COMMIT;", begin) == commit);
  CHECK_FALSE(contains(plan.out, "FORCE ROW LEVEL SECURITY"));

  auto applied = schemad_on(db, model, {"apply"});
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  CHECK(applied.err.find("applied: create policy own_rows") <
        applied.err.find("applied: enable row level security on public.docs"));
  CHECK(db.scalar("SELECT relrowsecurity || ' ' || relforcerowsecurity FROM pg_class WHERE oid = "
                  "'public.docs'::regclass") == "true false");
  CHECK(db.scalar("SELECT count(*) FROM public.docs") == "30");

  // The application sees what it saw; RLS is really on for a role without
  // a policy of its own.
  CHECK(app.scalar(db, "SELECT count(*) FROM public.docs") == before);
  CHECK(stranger.scalar(db, "SELECT count(*) FROM public.docs") == "0");
  CHECK(schemad_on(db, model, {"check", "--strict"}).exit_code == 0);
}

TEST_CASE("another function, trigger, policy or RLS setting is drift and left alone", "[e2e][pg]") {
  TempRole reader("objects_drift");
  TempDatabase db;
  const std::string model =
      write_temp_file("objects/drift.json", notes_model(reader.name(), "enabled"));
  auto applied = schemad_on(db, model, {"apply"});
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  REQUIRE(schemad_on(db, model, {"check", "--strict"}).exit_code == 0);

  db.exec(
      "CREATE OR REPLACE FUNCTION public.touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS "
      "$$ BEGIN RETURN NEW; END $$;"
      "DROP TRIGGER notes_touch ON public.notes;"
      "CREATE TRIGGER notes_touch BEFORE INSERT OR UPDATE ON public.notes FOR EACH ROW "
      "EXECUTE FUNCTION public.touch_updated_at();"
      "DROP POLICY no_blank ON public.notes;"
      "CREATE POLICY no_blank ON public.notes AS PERMISSIVE USING (body IS NOT NULL);"
      "CREATE POLICY extra ON public.notes FOR SELECT USING (true);"
      "ALTER TABLE public.notes FORCE ROW LEVEL SECURITY");
  const std::string before = schema_dump(db);

  auto checked = schemad_on(db, model, {"check", "--strict", "--format", "json"});
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 4);
  CHECK(drift_of(checked.out) == std::multiset<std::string>{
                                     "function_definition public.touch_updated_at()",
                                     "trigger_definition public.notes.notes_touch",
                                     "policy_weaker public.notes.no_blank",
                                     "policy_weaker public.notes.extra",
                                     "row_security public.notes",
                                 });
  const auto report = nlohmann::json::parse(checked.out);
  for (const auto& item : report.at("drift")) {
    const std::string kind = item.at("kind").get<std::string>();
    const std::string object = item.at("object").get<std::string>();
    const std::string expected = item.at("expected").get<std::string>();
    const std::string actual = item.at("actual").get<std::string>();
    const std::string path = item.at("path").get<std::string>();
    INFO(item.dump());
    if (kind == "function_definition") {
      CHECK(path == "functions[0]");
      CHECK(contains(actual, "BEGIN RETURN NEW; END"));
      CHECK(contains(expected, "NEW.updated_at := now()"));
    } else if (kind == "trigger_definition") {
      CHECK(path == "tables[0].triggers[0]");
      CHECK(contains(actual, "BEFORE INSERT OR UPDATE"));
      CHECK(contains(expected, "BEFORE UPDATE FOR EACH ROW WHEN"));
    } else if (kind == "row_security") {
      CHECK(expected == "enabled");
      CHECK(actual == "forced");
    } else if (object == "public.notes.no_blank") {
      CHECK(path == "tables[0].policies[0]");
      CHECK(contains(expected, "RESTRICTIVE"));
      CHECK(contains(actual, "PERMISSIVE"));
    } else {
      CHECK(expected == "");
      CHECK(contains(actual, "PERMISSIVE FOR SELECT"));
    }
  }

  // Nothing is pending: apply changes nothing, and says so.
  auto again = schemad_on(db, model, {"apply"});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK(contains(again.out, "5 drift items"));
  CHECK(schema_dump(db) == before);
  CHECK(db.scalar("SELECT prosrc FROM pg_proc WHERE proname = 'touch_updated_at'") ==
        " BEGIN RETURN NEW; END ");
  CHECK(db.scalar("SELECT relforcerowsecurity FROM pg_class WHERE oid = "
                  "'public.notes'::regclass") == "t");
}

TEST_CASE(
    "a policy that lets no more through is policy_definition, one that lets more is "
    "policy_weaker",
    "[e2e][pg]") {
  TempRole reader("objects_policies");
  TempDatabase db;
  const std::string model =
      write_temp_file("objects/policies.json", notes_model(reader.name(), "enabled"));
  REQUIRE(schemad_on(db, model, {"apply"}).exit_code == 0);
  db.exec(
      // Another text, no broader: policy_definition.
      "ALTER POLICY own_insert ON public.notes WITH CHECK (owner = 'nobody');"
      // A permissive policy for every role instead of one: policy_weaker.
      "ALTER POLICY reader_all ON public.notes TO PUBLIC;"
      // A restrictive policy the model lacks only lets less through.
      "CREATE POLICY only_short ON public.notes AS RESTRICTIVE USING (length(body) < 100)");
  const std::string before = schema_dump(db);
  auto checked = schemad_on(db, model, {"check", "--strict", "--format", "json"});
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 4);
  CHECK(drift_of(checked.out) == std::multiset<std::string>{
                                     "policy_definition public.notes.own_insert",
                                     "policy_weaker public.notes.reader_all",
                                     "policy_definition public.notes.only_short",
                                 });
  // Without --strict, drift alone is in sync.
  CHECK(schemad_on(db, model, {"check"}).exit_code == 0);
  CHECK(schemad_on(db, model, {"apply"}).exit_code == 0);
  CHECK(schema_dump(db) == before);
}

TEST_CASE("a function, trigger, policy or RLS gone missing is created again", "[e2e][pg]") {
  TempRole reader("objects_missing");
  TempDatabase db;
  const std::string model =
      write_temp_file("objects/missing.json", notes_model(reader.name(), "forced"));
  REQUIRE(schemad_on(db, model, {"apply"}).exit_code == 0);
  const std::string healthy = schema_dump(db);
  db.exec(
      "DROP FUNCTION public.touch_updated_at() CASCADE;"  // and its trigger
      "DROP POLICY own_insert ON public.notes;"
      "ALTER TABLE public.notes NO FORCE ROW LEVEL SECURITY");
  auto checked = schemad_on(db, model, {"check", "--strict"});
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 3);
  CHECK(contains(checked.out, "pending: create function public.touch_updated_at()"));
  CHECK(contains(checked.out, "pending: create trigger notes_touch on public.notes"));
  CHECK(contains(checked.out, "pending: create policy own_insert on public.notes"));
  CHECK(contains(checked.out, "row level security on public.notes"));
  CHECK_FALSE(contains(checked.out, "drift:"));

  auto applied = schemad_on(db, model, {"apply"});
  INFO(applied.out << applied.err);
  CHECK(applied.exit_code == 0);
  CHECK(schema_dump(db) == healthy);
  CHECK(schemad_on(db, model, {"check", "--strict"}).exit_code == 0);
}

TEST_CASE(
    "pull writes functions, triggers, policies and RLS: in sync, and it builds the same "
    "database",
    "[e2e][pg]") {
  TempRole reader("objects_pull");
  TempDatabase db;
  TempDatabase copy;
  const std::string model =
      write_temp_file("objects/pull.json", notes_model(reader.name(), "forced"));
  REQUIRE(schemad_on(db, model, {"apply"}).exit_code == 0);

  const std::string pulled = write_temp_file("objects/pulled.json", "");
  auto pull = schemad_cmd({"--database-url", db.url(), "pull", "-o", pulled});
  INFO(pull.out << pull.err);
  REQUIRE(pull.exit_code == 0);
  for (const char* unsaid : {"function", "trigger", "policy", "row-level security"}) {
    INFO(unsaid);
    CHECK_FALSE(contains(pull.err, unsaid));
  }
  const auto doc = nlohmann::json::parse(std::ifstream(pulled));
  REQUIRE(doc.at("functions").size() == 2);
  const auto& table = doc.at("tables").at(0);
  CHECK(table.at("triggers").size() == 1);
  CHECK(table.at("policies").size() == 3);
  CHECK(table.at("row_level_security") == "forced");

  auto checked = schemad_on(db, pulled, {"check", "--strict"});
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 0);

  auto built = schemad_on(copy, pulled, {"apply"});
  INFO(built.out << built.err);
  REQUIRE(built.exit_code == 0);
  CHECK(schema_dump(copy) == schema_dump(db));
  CHECK(schemad_on(copy, pulled, {"check", "--strict"}).exit_code == 0);
  CHECK(schemad_on(copy, model, {"check", "--strict"}).exit_code == 0);
}

TEST_CASE("a function whose SQL creates another signature is an error, and nothing changes",
          "[e2e][pg]") {
  TempDatabase db;
  const std::string model = write_temp_file("objects/signature.json", R"j({
    "version": 1,
    "functions": [
      {"name": "label", "arguments": ["integer"],
       "sql": "CREATE FUNCTION public.label(x text) RETURNS text LANGUAGE sql AS 'SELECT x'"}],
    "tables": [
      {"name": "t", "columns": [{"name": "id", "type": "integer", "primary_key": true}]}]})j");
  auto applied = schemad_on(db, model, {"apply"});
  INFO(applied.out << applied.err);
  CHECK(applied.exit_code == 1);
  CHECK(contains(applied.err, "functions[0].sql"));
  CHECK(contains(applied.err, "public.label(integer)"));
  CHECK_FALSE(table_exists(db, "t"));
  CHECK_FALSE(table_exists(db, "alembic_version"));
  CHECK(db.scalar("SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace") ==
        "0");
}

TEST_CASE("a function of a bpchar argument is in sync once created", "[e2e][pg]") {
  TempDatabase db;
  // format_type prints the argument's type as "character": the model's
  // "bpchar" is that type, and the function created is the model's.
  const std::string model = write_temp_file("objects/bpchar.json", R"j({
    "version": 1,
    "functions": [
      {"name": "padded", "arguments": ["bpchar"],
       "sql": "CREATE FUNCTION public.padded(x bpchar) RETURNS text LANGUAGE sql AS 'SELECT x::text'"}],
    "tables": []})j");
  auto applied = schemad_on(db, model, {"apply"});
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  CHECK(db.scalar("SELECT public.padded('ab')") == "ab");
  auto checked = schemad_on(db, model, {"check", "--strict"});
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 0);
  auto again = schemad_on(db, model, {"apply"});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK(contains(again.out, "nothing to do"));
}

namespace {

// An Alembic-style schema, as `alembic upgrade head` leaves it: a trigger
// function keeping updated_at on three tables, a SQL function the policies
// call, a sequence of its own name, a generated column, a table renamed
// since whose primary key kept the old name, RLS (forced on one table) and
// four policies (one restrictive).
const char* const kShop = R"sql(
-- An Alembic-style schema: what `alembic upgrade head` leaves behind.
CREATE FUNCTION public.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE FUNCTION public.current_tenant() RETURNS integer
    LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('app.tenant', true), '')::integer $$;

CREATE SEQUENCE public.invoice_number_seq START WITH 1000 INCREMENT BY 1;

-- "customers" was "clients" once: its key and sequence kept the old names.
CREATE TABLE public.clients (
    id bigserial PRIMARY KEY,
    tenant_id integer NOT NULL,
    name text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE public.clients RENAME TO customers;

CREATE TABLE public.products (
    id bigserial PRIMARY KEY,
    tenant_id integer NOT NULL,
    sku text NOT NULL UNIQUE,
    price_cents integer NOT NULL CHECK (price_cents >= 0),
    price_eur numeric GENERATED ALWAYS AS (price_cents / 100.0) STORED,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.invoices (
    id bigserial PRIMARY KEY,
    tenant_id integer NOT NULL,
    number bigint NOT NULL DEFAULT nextval('public.invoice_number_seq'),
    customer_id bigint NOT NULL REFERENCES public.customers (id),
    total_cents integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER SEQUENCE public.invoice_number_seq OWNED BY public.invoices.number;

CREATE TRIGGER customers_updated_at BEFORE UPDATE ON public.customers
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION public.set_updated_at();
CREATE TRIGGER products_updated_at BEFORE UPDATE ON public.products
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
CREATE TRIGGER invoices_updated_at BEFORE UPDATE OF total_cents, customer_id ON public.invoices
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

ALTER TABLE public.invoices ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.customers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON public.invoices FOR SELECT USING (tenant_id = public.current_tenant());
CREATE POLICY tenant_write ON public.invoices FOR INSERT WITH CHECK (tenant_id = public.current_tenant());
CREATE POLICY not_void ON public.invoices AS RESTRICTIVE FOR ALL USING (total_cents >= 0);
CREATE POLICY tenant_all ON public.customers USING (tenant_id = public.current_tenant())
    WITH CHECK (tenant_id = public.current_tenant());

-- Reporting: a view on a view (listed before the view it reads: the name
-- order is not the creation order), and a materialized view with an index.
CREATE VIEW public.open_invoices AS
    SELECT id, tenant_id, customer_id, total_cents FROM public.invoices WHERE total_cents > 0;
CREATE VIEW public.customer_totals AS
    SELECT c.id, c.name, coalesce(sum(i.total_cents), 0) AS total_cents
    FROM public.customers c LEFT JOIN public.open_invoices i ON i.customer_id = c.id
    GROUP BY c.id, c.name;
CREATE MATERIALIZED VIEW public.product_prices AS SELECT sku, price_eur FROM public.products;
CREATE UNIQUE INDEX product_prices_sku ON public.product_prices (sku);
)sql";

}  // namespace

TEST_CASE("an Alembic-style SQL model heals an empty database into the one its script builds",
          "[e2e][pg]") {
  TempDatabase scripted;  // A: what the script builds
  TempDatabase healed;    // B: what schemad builds from the script
  scripted.exec(kShop);
  const std::string script = write_temp_file("objects/shop.sql", kShop);
  const auto env = scratch_env(healed);

  auto applied = schemad_on(healed, script, {"apply"}, env);
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  CHECK_FALSE(contains(applied.err, "not managed"));
  const std::string dump = schema_dump(healed);
  CHECK(dump == schema_dump(scripted));
  // What the dump holds, so that an empty dump cannot pass.
  for (const char* part :
       {"CREATE FUNCTION public.set_updated_at()", "CREATE FUNCTION public.current_tenant()",
        "CREATE SEQUENCE public.invoice_number_seq", "CONSTRAINT clients_pkey PRIMARY KEY (id)",
        "CREATE SEQUENCE public.clients_id_seq", "CREATE VIEW public.customer_totals",
        "CREATE MATERIALIZED VIEW public.product_prices",
        "CREATE UNIQUE INDEX product_prices_sku ON public.product_prices", "GENERATED ALWAYS AS",
        "CREATE TRIGGER invoices_updated_at BEFORE UPDATE OF total_cents",
        "ALTER TABLE ONLY public.customers FORCE ROW LEVEL SECURITY",
        "CREATE POLICY not_void ON public.invoices AS RESTRICTIVE"}) {
    INFO(part);
    CHECK(contains(dump, part));
  }
  CHECK(healed.scalar("SELECT count(*) FROM pg_policy") == "4");

  auto strict = schemad_on(healed, script, {"check", "--strict"}, env);
  INFO(strict.out << strict.err);
  CHECK(strict.exit_code == 0);

  // The database the script built lacks only schemad's stamp.
  auto stamp = schemad_on(scripted, script, {"check"}, env);
  INFO(stamp.out << stamp.err);
  CHECK(stamp.exit_code == 3);
  CHECK(contains(stamp.out, "pending: alembic_version: "));
  CHECK(contains(stamp.out, "1 changes pending"));
  CHECK_FALSE(contains(stamp.out, "drift:"));
  auto strict_a = schemad_on(scripted, script, {"check", "--strict", "--format", "json"}, env);
  INFO(strict_a.out << strict_a.err);
  CHECK(nlohmann::json::parse(strict_a.out).at("drift").empty());
  drop_scratch(healed);
}
