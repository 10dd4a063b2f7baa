#pragma once

// The tables schemad keeps beside the model's, in
// alembic.version_table_schema: Alembic's alembic_version (the baseline
// revision, alembic_stamp.hpp), schemad_history (every change schemad made,
// history.hpp) and schemad_memo (the server's answers about the model's
// text, memo.hpp). They are schemad's own, so the comparison never reports
// them as tables the model lacks.

#include <string>
#include <vector>

namespace schemad::apply {

inline constexpr const char* kAlembicVersionTable = "alembic_version";
inline constexpr const char* kHistoryTable = "schemad_history";
inline constexpr const char* kMemoTable = "schemad_memo";

// Their names, for diff::Options::unowned_tables.
inline std::vector<std::string> bookkeeping_tables() {
  return {kAlembicVersionTable, kHistoryTable, kMemoTable};
}

}  // namespace schemad::apply
