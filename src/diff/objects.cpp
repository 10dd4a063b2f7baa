#include "diff/objects.hpp"

#include <algorithm>

#include "diff/builders.hpp"
#include "diff/definitions.hpp"
#include "diff/expressions.hpp"
#include "diff/table_diff.hpp"

namespace schemad::diff {

namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Where two definitions part: "line 4: …" of each, for a drift message
// that does not repeat a whole function.
std::pair<std::string, std::string> first_difference(const std::string& want,
                                                     const std::string& have) {
  const std::vector<std::string> a = lines(want), b = lines(have);
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  const std::string where = "line " + std::to_string(i + 1) + ": ";
  return {where + (i < a.size() ? a[i] : "(end)"), where + (i < b.size() ? b[i] : "(end)")};
}

// The model's text as the server prints it, when the probe has it. Without
// it a different spelling proves nothing (as for checks): only whether
// there is a condition at all is compared.
bool same_text(const std::string& want, const std::string& normalized, const std::string& have) {
  if (!normalized.empty()) return normalized == have;
  return want.empty() == have.empty();
}

bool same_trigger(const schema::Trigger& want, const schema::Trigger& have) {
  return want.timing == have.timing && want.events == have.events && want.columns == have.columns &&
         want.for_each_row == have.for_each_row && want.function == have.function &&
         want.arguments == have.arguments && same_text(want.when, want.when_normalized, have.when);
}

bool same_policy(const schema::Policy& want, const schema::Policy& have) {
  return want.command == have.command && want.permissive == have.permissive &&
         want.roles == have.roles &&
         same_text(want.using_expr, want.using_normalized, have.using_expr) &&
         same_text(want.check_expr, want.check_normalized, have.check_expr);
}

// Every role of `inner` is one of `outer`'s ("public" holds them all).
bool roles_within(const std::vector<std::string>& inner, const std::vector<std::string>& outer) {
  if (std::find(outer.begin(), outer.end(), "public") != outer.end()) return true;
  return std::includes(outer.begin(), outer.end(), inner.begin(), inner.end());
}

// Appends a change of `kind` for the model object at `path`; the caller
// fills in what it is about.
Change& add_change(Result& out, ChangeKind kind, const std::string& path) {
  Change change;
  change.kind = kind;
  change.path = path;
  out.changes.push_back(std::move(change));
  return out.changes.back();
}

// The table's triggers or policies (`member` picks them): a missing one is
// `kind`, with the item in `slot`; one that `same` rejects is drift of
// `differs`'s kind; the database's that the model lacks, drift of
// `undeclared`'s kind.
template <typename T, typename Member, typename Same, typename Differs, typename Undeclared>
void compare_named(const schema::Table& want, const schema::Table* have, Member member,
                   ChangeKind kind, T Change::*slot, Same same, Differs differs,
                   Undeclared undeclared, Result& out) {
  for (const T& item : want.*member) {
    const T* found = have == nullptr ? nullptr : schema::find_named(have->*member, item.name);
    if (found == nullptr) {
      Change& change = add_change(out, kind, item.path);
      change.table.name = want.name;
      change.*slot = item;
    } else if (!same(item, *found)) {
      differs(item, *found);
    }
  }
  if (have == nullptr) return;
  for (const T& item : have->*member) {
    if (schema::find_named(want.*member, item.name) == nullptr) undeclared(item);
  }
}

void compare_triggers(const schema::Table& want, const schema::Table* have, const Replace& replace,
                      Result& out) {
  compare_named(
      want, have, &schema::Table::triggers, ChangeKind::create_trigger, &Change::trigger,
      same_trigger,
      [&](const schema::Trigger& t, const schema::Trigger& found) {
        if (replace.triggers) {
          Change& change = add_change(out, ChangeKind::replace_trigger, t.path);
          change.table.name = want.name;
          change.trigger = t;
          return;
        }
        add_drift(out, DriftKind::trigger_definition, object_name(want.name, t.name),
                  trigger_text(t), trigger_text(found), t.path);
      },
      [&](const schema::Trigger& found) {
        add_drift(out, DriftKind::trigger_definition, object_name(want.name, found.name), "",
                  trigger_text(found), want.path);
      },
      out);
}

void compare_policies(const schema::Table& want, const schema::Table* have, Result& out) {
  compare_named(
      want, have, &schema::Table::policies, ChangeKind::create_policy, &Change::policy, same_policy,
      [&](const schema::Policy& p, const schema::Policy& found) {
        add_drift(
            out,
            policy_is_weaker(p, found) ? DriftKind::policy_weaker : DriftKind::policy_definition,
            object_name(want.name, p.name), policy_text(p), policy_text(found), p.path);
      },
      [&](const schema::Policy& found) {
        add_drift(out, found.permissive ? DriftKind::policy_weaker : DriftKind::policy_definition,
                  object_name(want.name, found.name), "", policy_text(found), want.path);
      },
      out);
}

// "" when `want` keeps every column of `have` (CREATE OR REPLACE VIEW's
// rule: the same names and types in the same order, new ones after); else
// why not.
std::string columns_kept(const std::vector<std::string>& want,
                         const std::vector<std::string>& have) {
  if (want.empty()) return "the new query's columns are not known yet (apply learns them)";
  for (std::size_t i = 0; i < have.size(); ++i) {
    if (i >= want.size()) return "the new query drops column " + have[i];
    if (want[i] != have[i]) return "column " + have[i] + " would become " + want[i];
  }
  return "";
}

std::string row_security_text(bool enabled, bool forced) {
  return !enabled ? "disabled" : forced ? "forced" : "enabled";
}

void compare_row_security(const schema::Table& want, const schema::Table* have, Result& out) {
  const bool enabled = have != nullptr && have->row_security;
  const bool forced = enabled && have->force_row_security;
  if ((want.row_security && !enabled) || (want.force_row_security && !forced)) {
    Change& change = add_change(out, ChangeKind::enable_row_security, want.path);
    change.table.name = want.name;
    change.table.row_security = want.row_security && !enabled;
    change.table.force_row_security = want.force_row_security && !forced;
  }
  if ((enabled && !want.row_security) || (forced && !want.force_row_security)) {
    add_drift(out, DriftKind::row_security, want.name.display(),
              row_security_text(want.row_security, want.force_row_security),
              row_security_text(enabled, forced), want.path);
  }
}

}  // namespace

bool policy_is_weaker(const schema::Policy& want, const schema::Policy& have) {
  if (have.permissive != want.permissive) return have.permissive;
  if ((want.using_expr.size() && have.using_expr.empty()) ||
      (want.check_expr.size() && have.check_expr.empty())) {
    return true;
  }
  const bool have_all = have.command == "all", want_all = want.command == "all";
  if (have.permissive) {
    return !roles_within(have.roles, want.roles) || (have_all && !want_all);
  }
  return !roles_within(want.roles, have.roles) || (want_all && !have_all);
}

std::string trigger_text(const schema::Trigger& t) {
  std::vector<std::string> events = schema::event_words(t);
  for (auto& e : events) {
    if (e == "UPDATE" && !t.columns.empty()) e += " OF " + join(t.columns);
  }
  std::string out = std::string(schema::to_sql(t.timing)) + " " + join(events, " OR ") +
                    (t.for_each_row ? " FOR EACH ROW" : " FOR EACH STATEMENT");
  const std::string& when = t.when_normalized.empty() ? t.when : t.when_normalized;
  if (!when.empty()) out += " WHEN " + parenthesized(when);
  out += " EXECUTE FUNCTION " + t.function.display() + "(";
  for (std::size_t i = 0; i < t.arguments.size(); ++i) {
    out += (i ? ", '" : "'") + t.arguments[i] + "'";
  }
  return out + ")";
}

std::string policy_text(const schema::Policy& p) {
  std::string command = p.command;
  std::transform(command.begin(), command.end(), command.begin(), ::toupper);
  std::string out = std::string(p.permissive ? "PERMISSIVE" : "RESTRICTIVE") + " FOR " + command +
                    " TO " + join(p.roles);
  const std::string& using_text = p.using_normalized.empty() ? p.using_expr : p.using_normalized;
  const std::string& check_text = p.check_normalized.empty() ? p.check_expr : p.check_normalized;
  if (!using_text.empty()) out += " USING " + parenthesized(using_text);
  if (!check_text.empty()) out += " WITH CHECK " + parenthesized(check_text);
  return out;
}

void compare_functions(const schema::Database& desired, const schema::Database& actual,
                       const Replace& replace, Result& out) {
  for (const schema::Function& want : desired.functions) {
    const schema::Function* have = actual.find_function(want.name, want.arguments);
    if (have == nullptr) {
      add_change(out, ChangeKind::create_function, want.path).function = want;
      continue;
    }
    if (!want.normalized.empty() && want.normalized != have->sql && replace.functions) {
      add_change(out, ChangeKind::replace_function, want.path).function = want;
    } else if (!want.normalized.empty() && want.normalized != have->sql) {
      auto [expected, found] = first_difference(want.normalized, have->sql);
      add_drift(out, DriftKind::function_definition, want.signature(), expected, found, want.path);
    }
  }
}

void compare_views(const schema::Database& desired, const schema::Database& actual,
                   const Replace& replace, Result& out) {
  for (const schema::View& want : desired.views) {
    const schema::View* have = actual.find_view(want.name);
    if (have == nullptr) {
      add_change(out, ChangeKind::create_view, want.path).view = want;
      continue;
    }
    if (have->materialized != want.materialized) {
      add_drift(out, DriftKind::view_definition, want.name.display(),
                want.materialized ? "line 1: materialized view" : "line 1: view",
                have->materialized ? "line 1: materialized view" : "line 1: view", want.path);
      continue;
    }
    if (!want.normalized.empty() && want.normalized != have->query) {
      const std::string kept = replace.views && !want.materialized
                                   ? columns_kept(want.columns, have->columns)
                                   : "not asked";
      if (kept.empty()) {
        add_change(out, ChangeKind::replace_view, want.path).view = want;
      } else {
        auto [expected, found] = first_difference(want.normalized, have->query);
        add_drift(out, DriftKind::view_definition, want.name.display(), expected, found, want.path);
        if (kept != "not asked") {
          add_drift(out, DriftKind::not_applied, want.name.display(), "", "not replaced: " + kept,
                    want.path);
        }
      }
    }
    if (!want.materialized) continue;
    // A materialized view's indexes compare as a table's.
    schema::Table want_table, have_table;
    want_table.name = have_table.name = want.name;
    want_table.path = want.path;
    want_table.indexes = want.indexes;
    have_table.indexes = have->indexes;
    TableDiff t{want_table, have_table, out, {}};
    compare_indexes(t);
  }
}

void compare_table_objects(const schema::Table& want, const schema::Table* have,
                           const Replace& replace, Result& out) {
  compare_triggers(want, have, replace, out);
  compare_policies(want, have, out);
  compare_row_security(want, have, out);
}

}  // namespace schemad::diff
