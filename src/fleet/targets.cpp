#include "fleet/targets.hpp"

#include <algorithm>
#include <pqxx/pqxx>

#include "apply/bootstrap.hpp"
#include "db/error.hpp"

namespace schemad::fleet {

namespace {

// Schemas that are never tenants, whatever the pattern matches.
const char* const kTenantsLike = R"sql(
SELECT nspname FROM pg_catalog.pg_namespace
 WHERE nspname LIKE $1 AND nspname <> $2
   AND nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
 ORDER BY 1)sql";

// Databases that may be connected to; never a template, nor the scratch
// database SQL models are normalised in.
const char* const kDatabasesLike = R"sql(
SELECT datname FROM pg_catalog.pg_database
 WHERE datallowconn AND NOT datistemplate AND datname LIKE $1 AND datname <> $2
 ORDER BY 1)sql";

// One column of names: none NULL, empty or longer than PostgreSQL's names;
// sorted, each once. `what`: the key whose query returned them.
std::vector<std::string> names_of(const pqxx::result& rows, const std::string& what,
                                  const std::string& noun) {
  if (rows.columns() != 1) {
    throw FleetError(what + ": must return one column (the " + noun + "), not " +
                     std::to_string(rows.columns()));
  }
  std::vector<std::string> out;
  for (const auto& row : rows) {
    if (row[0].is_null() || row[0].size() == 0) {
      throw FleetError(what + ": returned a NULL or empty " + noun);
    }
    std::string name = row[0].as<std::string>();
    if (name.size() > 63) {
      throw FleetError(what + ": returned \"" + name.substr(0, 63) +
                       "...\", longer than PostgreSQL's 63-byte names");
    }
    out.push_back(std::move(name));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string key_of(const std::string& database, const std::string& schema) {
  return schema.empty() ? database : database + "/" + schema;
}

}  // namespace

std::vector<Database> list_databases(const config::Config& config,
                                     std::vector<std::string>& warnings) {
  const config::FleetConfig& f = config.fleet;
  std::vector<Database> out;
  db::ConnectionOptions base;
  try {
    base = db::options_from(config, warnings);
  } catch (const std::invalid_argument& e) {
    throw FleetError(std::string("database_url: ") + e.what());
  }
  if (!f.database_urls.empty()) {
    for (std::size_t i = 0; i < f.database_urls.size(); ++i) {
      config::Config one = config;
      one.database_url = f.database_urls[i];
      try {
        Database d{"", db::options_from(one, warnings)};
        d.name = apply::target_database(d.options);
        out.push_back(std::move(d));
      } catch (const std::invalid_argument& e) {
        throw FleetError("fleet.databases.urls[" + std::to_string(i) + "]: " + e.what());
      }
    }
  } else if (!f.database_like.empty() || !f.database_query.empty()) {
    auto conn = db::connect(base);
    pqxx::read_transaction tx(*conn, "schemad-fleet-databases");
    const pqxx::result rows =
        f.database_query.empty()
            ? tx.exec_params(kDatabasesLike, f.database_like, config.scratch.database)
            : tx.exec(f.database_query);
    for (const auto& name : names_of(rows, "fleet.databases.query", "database name")) {
      Database d{name, base};
      d.options.dbname_override = d.name;
      out.push_back(std::move(d));
    }
  } else {
    out.push_back({apply::target_database(base), base});
  }
  // Two URLs for one database would be one target worked on twice at once.
  std::vector<std::string> names;
  for (const auto& d : out) names.push_back(d.name);
  std::sort(names.begin(), names.end());
  auto dup = std::adjacent_find(names.begin(), names.end());
  if (dup != names.end()) {
    throw FleetError("fleet.databases: database \"" + *dup + "\" is listed twice");
  }
  return out;
}

std::vector<std::string> list_tenants(pqxx::connection_base& conn,
                                      const config::FleetConfig& fleet) {
  pqxx::read_transaction tx(conn, "schemad-fleet-tenants");
  const pqxx::result rows =
      fleet.tenant_query.empty()
          ? tx.exec_params(kTenantsLike, fleet.tenant_like, fleet.tenant_template)
          : tx.exec(fleet.tenant_query);
  std::vector<std::string> out;
  for (auto& name : names_of(rows, "fleet.tenants.query", "schema name")) {
    if (name != fleet.tenant_template) out.push_back(std::move(name));
  }
  return out;
}

Fleet discover(const config::Config& config, const Shard& shard,
               std::vector<std::string>& warnings) {
  Fleet fleet;
  fleet.databases = list_databases(config, warnings);
  std::vector<Target> all;
  for (std::size_t i = 0; i < fleet.databases.size(); ++i) {
    const Database& d = fleet.databases[i];
    if (config.fleet.tenant_template.empty()) {
      all.push_back({i, "", key_of(d.name, ""), ""});
      continue;
    }
    try {
      auto conn = db::connect(d.options);
      for (auto& schema : list_tenants(*conn, config.fleet)) {
        std::string key = key_of(d.name, schema);
        all.push_back({i, std::move(schema), std::move(key), ""});
      }
    } catch (const FleetError& e) {
      all.push_back({i, "", key_of(d.name, ""), e.what()});
    } catch (const db::ConnectError& e) {
      all.push_back({i, "", key_of(d.name, ""), e.what()});
    } catch (const std::exception& e) {
      all.push_back({i, "", key_of(d.name, ""),
                     "the tenant schemas could not be listed: " + db::translate(e).text()});
    }
  }
  for (auto& t : all) {
    if (owns(shard, t.key)) {
      fleet.targets.push_back(std::move(t));
    } else {
      fleet.elsewhere.push_back(std::move(t.key));
    }
  }
  std::sort(fleet.targets.begin(), fleet.targets.end(),
            [](const Target& a, const Target& b) { return a.key < b.key; });
  return fleet;
}

}  // namespace schemad::fleet
