#include <algorithm>

#include "diff/objects.hpp"
#include "diff/table_diff.hpp"

namespace schemad::diff {

namespace {

bool has_text(const std::optional<std::string>& text) {
  return text && !text->empty();
}

void compare_table_comment(const TableDiff& t) {
  if (!has_text(t.want.comment)) return;  // the model is silent: any comment will do
  if (!has_text(t.have.comment)) {
    Change change = change_on(t.want, ChangeKind::set_comment, child_path(t.want.path, ".comment"));
    change.comment = *t.want.comment;
    t.out.changes.push_back(change);
  } else if (*t.have.comment != *t.want.comment) {
    add_drift(t.out, DriftKind::comment, t.want.name.display(), *t.want.comment, *t.have.comment,
              t.want.path);
  }
}

void report_extra_tables(const schema::Database& desired, const schema::Database& actual,
                         const std::vector<std::string>& unowned, Result& out) {
  for (const auto& have : actual.tables) {
    const auto& schemas = desired.schemas;
    bool in_model_schema =
        std::find(schemas.begin(), schemas.end(), have.name.schema) != schemas.end();
    const bool owned = std::find(unowned.begin(), unowned.end(), have.name.name) == unowned.end();
    if (!in_model_schema || !owned) continue;
    if (desired.table(have.name) == nullptr) {
      add_drift(out, DriftKind::extra_table, have.name.display(), "", "", "");
    }
  }
}

}  // namespace

void compare_tables(const schema::Database& desired, const schema::Database& actual,
                    const Options& options, Result& out) {
  for (const auto& want : desired.tables) {
    const schema::Table* have = actual.table(want.name);
    if (have == nullptr) {
      Change change;
      change.kind = ChangeKind::create_table;
      change.table = want;
      change.path = want.path;
      out.changes.push_back(change);
      compare_table_objects(want, nullptr, options.replace, out);
      continue;
    }
    TableDiff t{want, *have, out, {}};
    compare_columns(t);
    compare_constraints(t);
    compare_indexes(t);
    compare_table_comment(t);
    compare_table_objects(want, have, options.replace, out);
  }
  report_extra_tables(desired, actual, options.unowned_tables, out);
}

}  // namespace schemad::diff
