#pragma once

// `apply --create-database` and the config switch `create_database`: the
// target database is created when it does not exist yet.

#include <string>

#include "db/connection.hpp"
#include "util/clock.hpp"

namespace schemad::apply {

// The database `options` connect to: the URL's dbname, else PGDATABASE,
// else the user name (the URL's, PGUSER's, or the operating system's), as
// libpq decides.
std::string target_database(const db::ConnectionOptions& options);

// Creates the target database when it does not exist, connecting to the
// maintenance database (`postgres`, else `template1`) of the same server
// with the same credentials; CREATE DATABASE goes through the executor.
// Returns true when it created it; false when it was there (or another
// replica created it meanwhile). Throws db::ConnectError when the server
// cannot be reached, std::runtime_error naming the database (and the
// missing privilege, CREATEDB) when creating it is refused.
bool ensure_database(const db::ConnectionOptions& options, util::Clock& clock);

}  // namespace schemad::apply
