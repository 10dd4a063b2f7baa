#pragma once

// Database URLs as users write them, turned into what libpq accepts.
// libpq parses the URL itself (PQconninfoParse); this only removes what
// libpq would reject in SQLAlchemy-style URLs, and renders the result.

#include <map>
#include <string>
#include <vector>

namespace schemad::config {

struct NormalizedUrl {
  std::string conninfo;               // a URL or keyword/value string libpq accepts
  std::vector<std::string> warnings;  // one line per parameter dropped
};

// Accepts libpq URLs and keyword/value strings, and SQLAlchemy-style URLs:
// "postgresql+psycopg2://", "postgresql+asyncpg://", "postgres://". The
// "+driver" is stripped, asyncpg's "ssl=" becomes libpq's "sslmode=", and
// query parameters libpq does not know are dropped with a warning (libpq
// would refuse the whole URL). Throws std::invalid_argument when libpq cannot
// parse the result; the message never contains the password.
NormalizedUrl normalize_url(const std::string& url);

// Keyword -> value as libpq parses `conninfo` (only the keywords it sets).
// Throws std::invalid_argument on a parse error.
std::map<std::string, std::string> parse_conninfo(const std::string& conninfo);

// A keyword/value conninfo string from parsed options, values quoted as
// libpq requires ('...' with \\ and \' escaped).
std::string render_conninfo(const std::map<std::string, std::string>& options);

// The passwords libpq would read from `conninfo` (a URL's user-info
// password and its query's password= parameter, or a keyword/value string's
// password=), split exactly as libpq splits them (fe-connect.c:
// conninfo_uri_parse_options, conninfo_uri_parse_params, conninfo_parse),
// each as written and, where that differs, as decoded. libpq quotes tokens
// in its error messages; a password with an unencoded '@' or a bad '%'
// escape would otherwise reach the output. Empty ones are left out.
std::vector<std::string> passwords_in(const std::string& conninfo);

// `message` with every occurrence of every password in `conninfo` replaced
// by "***". Every message that may quote a database URL goes through it.
std::string mask_passwords(std::string message, const std::string& conninfo);

// What to show people: postgresql://user@host:port/dbname, from `conninfo`
// completed with libpq's defaults (PG* environment variables). Never the
// password.
std::string describe_target(const std::string& conninfo);

}  // namespace schemad::config
