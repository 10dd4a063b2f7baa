#include "apply/reset.hpp"

#include "apply/bookkeeping.hpp"
#include "util/sql_text.hpp"

namespace schemad::apply {

std::vector<std::string> reset_refusals(const ResetRequest& r, const std::string& database) {
  std::vector<std::string> out;
  if (r.environment != "development") {
    out.push_back("the environment is \"" + r.environment +
                  "\", not \"development\" (config `environment` or SCHEMAD_ENV)");
  }
  if (!r.yes) out.push_back("--yes was not given");
  if (r.confirm.empty()) {
    out.push_back("--confirm was not given: type the database's name, " + database);
  } else if (r.confirm != database) {
    out.push_back("--confirm \"" + r.confirm + "\" does not match the database, \"" + database +
                  "\"");
  }
  return out;
}

std::vector<std::string> reset_sql(const schema::Database& model,
                                   const std::string& version_schema) {
  std::vector<std::string> out;
  for (const auto& table : model.tables) {
    out.push_back("DROP TABLE IF EXISTS " + table.name.sql() + " CASCADE");
  }
  for (const auto& type : model.enums) {
    out.push_back("DROP TYPE IF EXISTS " + type.name.sql() + " CASCADE");
  }
  for (const char* table : {kAlembicVersionTable, kHistoryTable, kMemoTable}) {
    out.push_back("DROP TABLE IF EXISTS " + sql::ident(version_schema) + "." + sql::ident(table));
  }
  return out;
}

}  // namespace schemad::apply
