#pragma once

// Opening the connections schemad works through. Every session setting that
// must hold on every statement travels in the startup packet (libpq's
// "options"), so no statement can run before it applies.

#include <memory>
#include <pqxx/connection>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace schemad::db {

struct ConnectionOptions {
  std::string conninfo;       // normalised URL or keyword/value string ("" = PG* variables)
  std::string password_file;  // read when set; wins over a password in the URL
  int connect_timeout_seconds = 10;
  int lock_timeout_ms = 5000;
  int statement_timeout_ms = 0;
  std::string application_name = "schemad";
  std::string dbname_override;  // connect to this database instead (maintenance connections)
};

// The connection failed: unreachable, refused, authentication. The message
// names the target (never the password) and libpq's reason.
class ConnectError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The conninfo string actually used: the URL's options plus connect_timeout,
// application_name, the password from the file, and options carrying
// lock_timeout, statement_timeout, standard_conforming_strings=on and
// client_encoding UTF8. Throws ConnectError when the password file cannot be read.
std::string effective_conninfo(const ConnectionOptions& options);

// Connects; throws ConnectError.
std::unique_ptr<pqxx::connection> connect(const ConnectionOptions& options);

// The options the configuration gives: the database URL normalised (see
// config/database_url.hpp; the parameters it dropped are appended to
// `warnings`), the password file and the reconcile timeouts. Throws
// std::invalid_argument for a URL libpq cannot parse.
ConnectionOptions options_from(const config::Config& config, std::vector<std::string>& warnings);

// The configured target without its password, or "<invalid database URL>".
std::string target_of(const config::Config& config);

}  // namespace schemad::db
