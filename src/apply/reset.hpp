#pragma once

// `schemad reset`, for development databases only: drop what the model
// declares (and schemad's bookkeeping), so that apply builds it afresh.

#include <string>
#include <vector>

#include "schema/schema.hpp"

namespace schemad::apply {

struct ResetRequest {
  std::string environment;  // config `environment` / SCHEMAD_ENV
  bool yes = false;         // --yes
  std::string confirm;      // --confirm NAME
};

// Every condition that refuses resetting `database`, one line each: the
// environment is not "development", --yes is missing, --confirm is missing
// or names another database. Empty when the reset may go ahead.
std::vector<std::string> reset_refusals(const ResetRequest& request, const std::string& database);

// One transaction's statements: DROP TABLE IF EXISTS … CASCADE for every
// table of the model, DROP TYPE IF EXISTS … CASCADE for every enum, then
// alembic_version, schemad_history and schemad_memo in `version_schema`.
std::vector<std::string> reset_sql(const schema::Database& model,
                                   const std::string& version_schema);

}  // namespace schemad::apply
