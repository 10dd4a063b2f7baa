#pragma once

// The fleet's targets (docs/fleet.md): the databases of the configuration
// and, in each, its tenant schemas, listed afresh on every run so that a new
// tenant is built by the next reconcile.

#include <pqxx/connection_base>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "db/connection.hpp"
#include "fleet/shard.hpp"

namespace schemad::fleet {

// One database of the fleet: how to connect, and its name for messages and
// keys.
struct Database {
  std::string name;  // the database's name (datname)
  db::ConnectionOptions options;
};

// One unit of work: a tenant schema of a database, or (without tenant
// schemas) a whole database.
struct Target {
  std::size_t database = 0;  // index into Fleet::databases
  std::string schema;        // the tenant schema; "" for a whole database
  // "db/schema", or "db": what /status, logs and the sharding know it by.
  std::string key;
  // Why the target cannot be worked on ("the tenant schemas could not be
  // listed: ..."); "" when it can. Such a target (schema "") stands for a
  // database whose tenants are unknown this time.
  std::string error;
};

struct Fleet {
  std::vector<Database> databases;
  std::vector<Target> targets;  // this shard's, sorted by key
  // The keys of the targets other shards own (not worked on here).
  std::vector<std::string> elsewhere;
};

class FleetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The databases: fleet.databases.urls, else those of database_url's server
// LIKE fleet.databases.like, or named by fleet.databases.query (run on
// database_url in a read-only transaction; one text column), reached with
// database_url's settings, else database_url alone. Throws FleetError for a URL libpq
// cannot parse, the connection's errors when the list needs a query.
std::vector<Database> list_databases(const config::Config& config,
                                     std::vector<std::string>& warnings);

// The tenant schemas of one database, sorted: LIKE fleet.tenants.like
// (never pg_catalog, information_schema, pg_toast or pg_temp schemas, nor
// the template itself), or what fleet.tenants.query returns, in a read-only
// transaction. Throws FleetError when the query does not return one text
// column, pqxx errors otherwise.
std::vector<std::string> list_tenants(pqxx::connection_base& conn,
                                      const config::FleetConfig& fleet);

// Everything, this shard's part of it. A database whose tenants cannot be
// listed (unreachable, a failing query) is one target with its error: its
// tenants are unknown this time, never taken for gone. Throws FleetError
// when the databases themselves cannot be listed.
Fleet discover(const config::Config& config, const Shard& shard,
               std::vector<std::string>& warnings);

}  // namespace schemad::fleet
