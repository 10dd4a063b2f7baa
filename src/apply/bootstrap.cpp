#include "apply/bootstrap.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <pqxx/pqxx>
#include <stdexcept>

#include "apply/executor.hpp"
#include "config/database_url.hpp"
#include "util/sql_text.hpp"

namespace schemad::apply {

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

}  // namespace

std::string target_database(const db::ConnectionOptions& options) {
  auto values = config::parse_conninfo(options.conninfo);
  if (!options.dbname_override.empty()) return options.dbname_override;
  if (!values["dbname"].empty()) return values["dbname"];
  if (!env("PGDATABASE").empty()) return env("PGDATABASE");
  if (!values["user"].empty()) return values["user"];
  if (!env("PGUSER").empty()) return env("PGUSER");
  if (const passwd* pw = ::getpwuid(::geteuid())) return pw->pw_name;
  return "";
}

bool ensure_database(const db::ConnectionOptions& options, util::Clock& clock) {
  const std::string name = target_database(options);
  if (name.empty()) throw std::runtime_error("--create-database: no database name to create");
  std::unique_ptr<pqxx::connection> maintenance;
  std::string first_error;
  for (const char* db : {"postgres", "template1"}) {
    db::ConnectionOptions o = options;
    o.dbname_override = db;
    try {
      maintenance = db::connect(o);
      break;
    } catch (const db::ConnectError& e) {
      if (first_error.empty()) first_error = e.what();
    }
  }
  if (!maintenance) throw db::ConnectError(first_error);
  {
    pqxx::nontransaction tx(*maintenance, "schemad-bootstrap");
    if (!tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", name).empty()) return false;
  }
  auto error = execute_alone(*maintenance, "CREATE DATABASE " + sql::ident(name),
                             "create database " + name, ExecuteOptions{}, clock);
  if (!error) return true;
  if (error->kind == db::ErrorKind::duplicate_object) return false;  // another replica won
  std::string why = "cannot create database \"" + name + "\": " + error->message;
  if (error->kind == db::ErrorKind::permission) {
    why += " (the role needs the CREATEDB privilege, or create it once by hand)";
  }
  throw std::runtime_error(why);
}

}  // namespace schemad::apply
