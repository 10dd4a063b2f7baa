#include "db/connection.hpp"

#include "config/database_url.hpp"
#include "util/file.hpp"
#include "util/text.hpp"

namespace schemad::db {

namespace {

// The file's one line; a password may end in spaces, not in a line break.
std::string read_password(const std::string& path) {
  try {
    return std::string(util::trim_right(util::read_file(path, util::kMaxSecretBytes), "\r\n"));
  } catch (const util::FileError& e) {
    throw ConnectError("cannot read the database password file " + path + ": " + e.what());
  }
}

}  // namespace

std::string effective_conninfo(const ConnectionOptions& options) {
  auto values = config::parse_conninfo(options.conninfo);
  if (!options.password_file.empty()) values["password"] = read_password(options.password_file);
  if (!options.dbname_override.empty()) values["dbname"] = options.dbname_override;
  if (values.count("connect_timeout") == 0) {
    values["connect_timeout"] = std::to_string(options.connect_timeout_seconds);
  }
  if (values.count("application_name") == 0) values["application_name"] = options.application_name;
  values["client_encoding"] = "UTF8";
  std::string session = "-c lock_timeout=" + std::to_string(options.lock_timeout_ms) +
                        " -c statement_timeout=" + std::to_string(options.statement_timeout_ms) +
                        " -c standard_conforming_strings=on";
  auto& extra = values["options"];
  extra = extra.empty() ? session : extra + " " + session;
  return config::render_conninfo(values);
}

std::unique_ptr<pqxx::connection> connect(const ConnectionOptions& options) {
  const std::string conninfo = effective_conninfo(options);
  try {
    return std::make_unique<pqxx::connection>(conninfo);
  } catch (const pqxx::broken_connection& e) {
    // libpq's reason may quote the options it was given.
    const std::string reason =
        config::mask_passwords(std::string(util::trim_right(e.what())), conninfo);
    throw ConnectError("cannot connect to " + config::describe_target(conninfo) + ": " + reason);
  }
}

ConnectionOptions options_from(const config::Config& c, std::vector<std::string>& warnings) {
  auto normalized = config::normalize_url(c.database_url);
  warnings.insert(warnings.end(), normalized.warnings.begin(), normalized.warnings.end());
  ConnectionOptions o;
  o.conninfo = normalized.conninfo;
  o.password_file = c.password_file;
  o.connect_timeout_seconds = c.reconcile.connect_timeout_seconds;
  o.lock_timeout_ms = c.reconcile.lock_timeout_ms;
  o.statement_timeout_ms = c.reconcile.statement_timeout_ms;
  return o;
}

std::string target_of(const config::Config& c) {
  try {
    return config::describe_target(config::normalize_url(c.database_url).conninfo);
  } catch (const std::invalid_argument&) {
    return "<invalid database URL>";
  }
}

}  // namespace schemad::db
