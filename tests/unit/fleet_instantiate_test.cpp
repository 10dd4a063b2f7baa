#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "catalog/inspect.hpp"
#include "fleet/instantiate.hpp"
#include "model/fingerprint.hpp"
#include "model/load.hpp"
#include "schema/json.hpp"

using namespace schemad;
using nlohmann::json;

namespace {

// A shared table and enum in public, and the template schema "tenant": an
// enum, a sequence, a trigger function, and two tables with a foreign key
// between them, a serial column and a default calling the sequence.
json tenant_model() {
  return json::parse(R"json({
    "version": 1,
    "extensions": ["pgcrypto"],
    "enums": [
      {"name": "mood", "schema": "tenant", "values": ["happy", "sad"]},
      {"name": "plan", "values": ["free", "paid"]}
    ],
    "sequences": [{"name": "order_number_seq", "schema": "tenant",
                   "owned_by": {"table": "orders", "column": "number"}}],
    "functions": [
      {"name": "touch", "schema": "tenant",
       "sql": "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"},
      {"name": "cheer", "schema": "tenant", "arguments": ["tenant.mood"],
       "sql": "CREATE FUNCTION cheer(m mood) RETURNS mood LANGUAGE sql AS 'SELECT m'"}
    ],
    "tables": [
      {"name": "accounts",
       "columns": [{"name": "id", "type": "bigint", "primary_key": true},
                   {"name": "plan", "type": "plan", "default": "free"}]},
      {"name": "users", "schema": "tenant",
       "columns": [{"name": "id", "type": "serial", "primary_key": true},
                   {"name": "account_id", "type": "bigint"},
                   {"name": "mood", "type": "mood", "default": "sad"},
                   {"name": "plan", "type": "plan", "default": "paid"}],
       "foreign_keys": [{"columns": ["account_id"],
                         "references": {"table": "accounts", "columns": ["id"]}}]},
      {"name": "orders", "schema": "tenant",
       "columns": [{"name": "id", "type": "bigint", "primary_key": true},
                   {"name": "number", "type": "bigint",
                    "default": {"sql": "nextval('tenant.order_number_seq'::regclass)"}},
                   {"name": "user_id", "type": "integer"},
                   {"name": "moods", "type": "mood[]"},
                   {"name": "note", "type": "text", "default": {"sql": "'tenantx.y my_tenant.y'"}}],
       "foreign_keys": [{"name": "fk_orders_user", "columns": ["user_id"],
                         "references": {"schema": "tenant", "table": "users", "columns": ["id"]}}],
       "checks": [{"expression": "number > 0 AND note <> 'tenant'"}],
       "indexes": [{"columns": [{"expression": "lower(note)"}], "where": "tenantx.y(note) -- tenant.x"}],
       "triggers": [{"name": "orders_touch", "timing": "before", "events": ["update"],
                     "function": {"schema": "tenant", "name": "touch"}}]}
    ]})json");
}

schema::Database load(const json& model) {
  return model::load_text(model.dump(), "model.json");
}

// check_template's message, or "<ok>".
std::string template_error(const schema::Database& model, const std::string& tmpl = "tenant") {
  try {
    fleet::check_template(model, tmpl);
  } catch (const fleet::TemplateError& e) {
    return e.what();
  }
  return "<ok>";
}

std::string template_error(const json& model) {
  return template_error(load(model));
}

const schema::Table& table_named(const schema::Database& db, const std::string& name) {
  for (const auto& t : db.tables) {
    if (t.name.name == name) return t;
  }
  FAIL("no table " << name);
  throw;
}

// A table's canonical JSON, to compare tables whole.
std::string json_of(const schema::Table& table) {
  schema::Database db;
  db.tables.push_back(table);
  return schema::to_json_text(db);
}

const std::string kNotRewritten =
    "schemad does not rewrite SQL per tenant; leave the name unqualified or move the object to a "
    "shared schema";

}  // namespace

TEST_CASE("instantiate moves the template's objects and every reference to them", "[fleet]") {
  const schema::Database model = load(tenant_model());
  REQUIRE(template_error(model) == "<ok>");
  const schema::Database db = fleet::instantiate(model, "tenant", "tenant_a");

  CHECK(db.schemas == std::vector<std::string>{"public", "tenant_a"});
  CHECK(db.default_schema == "public");
  CHECK(db.extensions == std::vector<std::string>{"pgcrypto"});

  REQUIRE(db.enums.size() == 2);
  CHECK(db.enums[0].name == schema::QualifiedName{"tenant_a", "mood"});
  CHECK(db.enums[1].name == schema::QualifiedName{"public", "plan"});
  REQUIRE(db.sequences.size() == 1);
  CHECK(db.sequences[0].name == schema::QualifiedName{"tenant_a", "order_number_seq"});
  CHECK(db.sequences[0].owned_table == "orders");
  REQUIRE(db.functions.size() == 2);
  CHECK(db.functions[0].name == schema::QualifiedName{"tenant_a", "touch"});
  CHECK(db.functions[1].signature() == "tenant_a.cheer(tenant_a.mood)");
  // The function's text is the author's: never rewritten.
  CHECK(db.functions[1].sql == model.functions[1].sql);

  const schema::Table& users = table_named(db, "users");
  CHECK(users.name == schema::QualifiedName{"tenant_a", "users"});
  CHECK(users.column("id")->serial);
  CHECK(users.column("mood")->type.schema == "tenant_a");
  CHECK(users.column("mood")->def.stored == "'sad'::tenant_a.mood");
  CHECK(users.column("mood")->def.value == "sad");
  // A shared enum stays shared.
  CHECK(users.column("plan")->type.schema == "public");
  CHECK(users.column("plan")->def.stored == "'paid'::public.plan");
  // A foreign key to a shared table stays.
  CHECK(users.constraints[1].ref_table == schema::QualifiedName{"public", "accounts"});

  const schema::Table& orders = table_named(db, "orders");
  CHECK(orders.name.schema == "tenant_a");
  CHECK(orders.column("number")->def.value == "nextval('tenant_a.order_number_seq'::regclass)");
  CHECK(orders.column("number")->def.stored == "nextval('tenant_a.order_number_seq'::regclass)");
  CHECK(orders.column("moods")->type.schema == "tenant_a");
  CHECK(orders.column("moods")->type.array);
  CHECK(orders.column("note")->def.value == "'tenantx.y my_tenant.y'");
  const schema::Constraint* fk = nullptr;
  for (const auto& k : orders.constraints) {
    if (k.name == "fk_orders_user") fk = &k;
  }
  REQUIRE(fk != nullptr);
  CHECK(fk->ref_table == schema::QualifiedName{"tenant_a", "users"});
  REQUIRE(orders.triggers.size() == 1);
  CHECK(orders.triggers[0].function == schema::QualifiedName{"tenant_a", "touch"});
  CHECK(orders.indexes.back().where == "tenantx.y(note) -- tenant.x");

  // Paths still point into the model file.
  for (std::size_t i = 0; i < db.tables.size(); ++i) {
    CHECK(db.tables[i].path == model.tables[i].path);
  }
  CHECK(orders.column("number")->path == "tables[2].columns[1]");

  // The shared table is untouched.
  CHECK(json_of(table_named(db, "accounts")) == json_of(table_named(model, "accounts")));
  // And the model itself is unchanged (instantiate is pure).
  CHECK(model.tables[1].name.schema == "tenant");
}

TEST_CASE("instantiate gives each tenant its own fingerprint and no source", "[fleet]") {
  const schema::Database model = load(tenant_model());
  REQUIRE_FALSE(model.source.empty());
  const schema::Database a = fleet::instantiate(model, "tenant", "tenant_a");
  const schema::Database b = fleet::instantiate(model, "tenant", "tenant_b");
  CHECK(a.fingerprint == model::fingerprint(a));
  CHECK(b.fingerprint == model::fingerprint(b));
  CHECK(a.fingerprint != b.fingerprint);
  CHECK(a.fingerprint != model.fingerprint);
  CHECK(b.fingerprint != model.fingerprint);
  CHECK(fleet::instantiate(model, "tenant", "tenant_a").fingerprint == a.fingerprint);
  CHECK(a.source.empty());
  CHECK(b.source.empty());
  // The template instantiated as itself is the model.
  CHECK(fleet::instantiate(model, "tenant", "tenant").fingerprint == model.fingerprint);
}

TEST_CASE("instantiate prints a renamed nextval as the server does, quotes included", "[fleet]") {
  const schema::Database model = load(tenant_model());
  struct Case {
    std::string tenant, nextval, mood;
  };
  const std::vector<Case> cases = {
      {"Tenant B", "nextval('\"Tenant B\".order_number_seq'::regclass)",
       "'sad'::\"Tenant B\".mood"},
      {"it's", "nextval('\"it''s\".order_number_seq'::regclass)", "'sad'::\"it's\".mood"},
      {"user", "nextval('\"user\".order_number_seq'::regclass)", "'sad'::\"user\".mood"},
      {"t_1", "nextval('t_1.order_number_seq'::regclass)", "'sad'::t_1.mood"},
  };
  for (const auto& c : cases) {
    INFO(c.tenant);
    const schema::Database db = fleet::instantiate(model, "tenant", c.tenant);
    const schema::Column* number = table_named(db, "orders").column("number");
    CHECK(number->def.value == c.nextval);
    CHECK(number->def.stored == c.nextval);
    // The inverse of what inspection parses.
    auto sequence = catalog::nextval_sequence(number->def.value);
    REQUIRE(sequence);
    CHECK(*sequence == schema::QualifiedName{c.tenant, "order_number_seq"});
    CHECK(table_named(db, "users").column("mood")->def.stored == c.mood);
  }

  // A nextval of another schema's sequence stays.
  json other = tenant_model();
  other["sequences"].push_back({{"name", "global_seq"}});
  other["tables"][2]["columns"][1]["default"] = {{"sql", "nextval('public.global_seq'::regclass)"}};
  const schema::Database db = fleet::instantiate(load(other), "tenant", "tenant_a");
  CHECK(table_named(db, "orders").column("number")->def.value ==
        "nextval('public.global_seq'::regclass)");
}

TEST_CASE("instantiate forgets what the probe learned only where it names the template",
          "[fleet]") {
  schema::Database model = load(tenant_model());
  schema::Table& orders = model.tables[2];
  orders.constraints.back().normalized = "(((number > 0) AND (note <> 'tenant'::text)))";
  for (auto& c : orders.columns) {
    if (c.name == "note") c.def.stored = "'tenantx.y my_tenant.y'::text";
  }
  model.functions[1].normalized = "CREATE OR REPLACE FUNCTION tenant.cheer(m tenant.mood)";
  const schema::Database db = fleet::instantiate(model, "tenant", "tenant_a");
  CHECK(db.tables[2].constraints.back().normalized ==
        "(((number > 0) AND (note <> 'tenant'::text)))");
  CHECK(db.tables[2].column("note")->def.stored == "'tenantx.y my_tenant.y'::text");
  CHECK(db.functions[1].normalized.empty());
}

TEST_CASE("instantiate refuses a tenant schema that is no identifier or a shared one", "[fleet]") {
  const schema::Database model = load(tenant_model());
  CHECK_THROWS_WITH(
      fleet::instantiate(model, "tenant", "public"),
      Catch::Contains("the tenant schema \"public\" is a shared schema of the model"));
  CHECK_THROWS_WITH(fleet::instantiate(model, "tenant", ""),
                    Catch::Contains("is not an identifier (1 to 63 bytes)"));
  CHECK_THROWS_AS(fleet::instantiate(model, "tenant", std::string(64, 'x')), fleet::TemplateError);
  CHECK_NOTHROW(fleet::instantiate(model, "tenant", std::string(63, 'x')));
}

TEST_CASE("shared_part keeps what is not in the template", "[fleet]") {
  const schema::Database model = load(tenant_model());
  const schema::Database shared = fleet::shared_part(model, "tenant");
  CHECK(shared.schemas == std::vector<std::string>{"public"});
  CHECK(shared.extensions == std::vector<std::string>{"pgcrypto"});
  REQUIRE(shared.tables.size() == 1);
  CHECK(json_of(shared.tables[0]) == json_of(table_named(model, "accounts")));
  REQUIRE(shared.enums.size() == 1);
  CHECK(shared.enums[0].name == schema::QualifiedName{"public", "plan"});
  CHECK(shared.sequences.empty());
  CHECK(shared.functions.empty());
  CHECK(shared.fingerprint == model::fingerprint(shared));
  CHECK(shared.fingerprint != model.fingerprint);
  CHECK(shared.source.empty());
}

TEST_CASE("check_template refuses SQL text that names the template schema", "[fleet]") {
  const std::string names = "its SQL text names the tenant template schema \"tenant\"";

  json check = tenant_model();
  check["tables"][2]["checks"][0]["expression"] = "tenant.f(number) > 0";
  CHECK(template_error(check) ==
        "tables[2].checks[0]: " + names + " (`tenant.`): " + kNotRewritten);

  json quoted = tenant_model();
  quoted["tables"][2]["indexes"][0]["columns"][0]["expression"] = "\"tenant\" . f(note)";
  CHECK(template_error(quoted) ==
        "tables[2].indexes[0]: " + names + " (`\"tenant\".`): " + kNotRewritten);

  json upper = tenant_model();
  upper["tables"][1]["policies"] = {{{"name", "p"}, {"using", "EXISTS (SELECT FROM TENANT.t)"}}};
  CHECK(template_error(upper) ==
        "tables[1].policies[0]: " + names + " (`TENANT.`): " + kNotRewritten);

  json view = tenant_model();
  view["views"] = {{{"name", "v"}, {"schema", "tenant"}, {"query", "SELECT id FROM tenant.users"}}};
  CHECK(template_error(view) == "views[0]: " + names + " (`tenant.`): " + kNotRewritten);

  // In a string constant: a regclass names a relation; a function body is one.
  json regclass = tenant_model();
  regclass["tables"][2]["columns"][4]["default"] = {{"sql", "pg_typeof('tenant.users'::regclass)"}};
  CHECK_THAT(template_error(regclass), Catch::StartsWith("tables[2].columns[4]: " + names));
  json body = tenant_model();
  body["functions"][0]["sql"] =
      "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN PERFORM 1 FROM "
      "tenant.users; RETURN NEW; END $f$";
  CHECK_THAT(template_error(body), Catch::StartsWith("functions[0]: " + names));

  // A nextval the server would not print so is text like any other.
  json spelled = tenant_model();
  spelled["tables"][2]["columns"][1]["default"] = {{"sql", "nextval('tenant.order_number_seq')"}};
  CHECK_THAT(template_error(spelled), Catch::StartsWith("tables[2].columns[1]: " + names));

  json generated = tenant_model();
  generated["tables"][2]["columns"][4] = {
      {"name", "note"}, {"type", "text"}, {"generated", "tenant.up(id::text)"}};
  CHECK_THAT(template_error(generated), Catch::StartsWith("tables[2].columns[4]: " + names));

  json when = tenant_model();
  when["tables"][2]["triggers"][0]["when"] = "NEW.id > \"tenant\".limit_of()";
  CHECK_THAT(template_error(when), Catch::StartsWith("tables[2].triggers[0]: " + names));
}

TEST_CASE("check_template accepts names that only look like the template's", "[fleet]") {
  const std::vector<std::string> expressions = {
      "tenantx.y(number) > 0",    "my_tenant.y(number) > 0", "\"my tenant\".y(number) > 0",
      "note <> 'tenant'",         "number > 0 -- tenant.x",  "number > 0 /* \"tenant\".x */",
      "\"Tenant\".y(number) > 0", "tenant_.y(number) > 0",   "x$tenant.y(number) > 0",
      "note <> 'a tenant, b.c'",  "x.tenant(number) > 0",
  };
  for (const auto& expression : expressions) {
    json model = tenant_model();
    model["tables"][2]["checks"][0]["expression"] = expression;
    INFO(expression);
    CHECK(template_error(model) == "<ok>");
  }
}

TEST_CASE("check_template refuses a shared object that depends on the template", "[fleet]") {
  json fk = tenant_model();
  fk["tables"][0]["columns"].push_back({{"name", "owner_id"}, {"type", "integer"}});
  fk["tables"][0]["foreign_keys"] = {
      {{"columns", {"owner_id"}},
       {"references", {{"schema", "tenant"}, {"table", "users"}, {"columns", {"id"}}}}}};
  CHECK(template_error(fk) ==
        "tables[0].foreign_keys[0]: a shared table cannot reference the tenant template table "
        "tenant.users");

  json type = tenant_model();
  type["tables"][0]["columns"].push_back({{"name", "m"}, {"type", "tenant.mood"}});
  CHECK(template_error(type) ==
        "tables[0].columns[2]: a shared table's column cannot have the tenant template type "
        "tenant.mood");

  json trigger = tenant_model();
  trigger["tables"][0]["triggers"] = {{{"name", "t"},
                                       {"timing", "before"},
                                       {"events", {"update"}},
                                       {"function", {{"schema", "tenant"}, {"name", "touch"}}}}};
  CHECK(template_error(trigger) ==
        "tables[0].triggers[0]: a shared table's trigger cannot call the tenant template function "
        "tenant.touch");

  json function = tenant_model();
  function["functions"].push_back({{"name", "f"},
                                   {"arguments", {"tenant.mood"}},
                                   {"sql", "CREATE FUNCTION public.f(m text) RETURNS int"}});
  CHECK(template_error(function) ==
        "functions[2]: a shared function cannot take the tenant template type tenant.mood");

  // A shared table's default calling a template sequence: the shared part
  // is built once, and no tenant's sequence is its.
  json nextval = tenant_model();
  nextval["tables"][0]["columns"][1] = {
      {"name", "plan"},
      {"type", "bigint"},
      {"default", {{"sql", "nextval('tenant.order_number_seq'::regclass)"}}}};
  CHECK(template_error(nextval) ==
        "tables[0].columns[1]: its SQL text names the tenant template schema \"tenant\" "
        "(`tenant.`): " +
            kNotRewritten);
}

TEST_CASE("check_template refuses a template without objects and an extension in it", "[fleet]") {
  const schema::Database model = load(tenant_model());
  CHECK(template_error(model, "nope") ==
        "the tenant template schema \"nope\" has no object in the model (its schemas: public, "
        "tenant)");
  schema::Database in_template = model;
  in_template.extension_schemas["pgcrypto"] = "tenant";
  CHECK(template_error(in_template) ==
        "extension \"pgcrypto\": it is created in the tenant template schema \"tenant\": an "
        "extension exists once per database, not per tenant; create it in a shared schema");
  in_template.extension_schemas["pgcrypto"] = "public";
  CHECK(template_error(in_template) == "<ok>");
}

TEST_CASE("check_template names an object without a path by its name", "[fleet]") {
  schema::Database model = load(tenant_model());
  model.tables[2].constraints.back().path.clear();
  model.tables[2].constraints.back().expression = "tenant.f(number) > 0";
  CHECK_THAT(template_error(model), Catch::StartsWith("tenant.orders.check: its SQL text"));
}
