#pragma once

// What `schemad pull` reads besides inspection (inspect.hpp): where each
// extension lives, the objects of the schemas that the model format cannot
// say (views, functions, triggers, policies, ...), and the revisions
// alembic_version holds. Reads only, in one READ ONLY transaction.

#include <map>
#include <pqxx/connection_base>
#include <string>
#include <vector>

namespace schemad::catalog {

struct Extras {
  std::map<std::string, std::string> extension_schemas;  // extension -> schema
  // "view public.active_users", "trigger touch on public.users", ... sorted
  // by kind, then name. Members of extensions and the sequences of serial
  // and identity columns are not listed.
  std::vector<std::string> not_expressed;
  // alembic_version's rows in `version_schema` (none when it has no such
  // table), sorted.
  std::vector<std::string> revisions;
};

Extras read_extras(pqxx::connection_base& conn, const std::vector<std::string>& schemas,
                   const std::string& version_schema);

}  // namespace schemad::catalog
