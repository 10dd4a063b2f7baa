#include "engine/questions.hpp"

#include <algorithm>

#include "catalog/inspect.hpp"
#include "diff/expressions.hpp"
#include "engine/probe.hpp"
#include "plan/ddl.hpp"
#include "util/sql_text.hpp"

namespace schemad::engine {

namespace {

using schema::Column;
using schema::Constraint;
using schema::ConstraintKind;
using schema::Database;
using schema::Default;
using schema::Table;

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    auto at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string::npos ? at : at - start));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

// The type as format_type prints it with search_path = pg_catalog, split
// into the canonical schema::Type parts.
schema::Type canonical_type(const std::string& packed) {
  const std::vector<std::string> parts = split(packed, '\x1f');
  schema::Type type;
  if (parts.size() != 4) return type;
  const std::string& nspname = parts[0];
  const std::string& typname = parts[1];
  const std::string& formatted = parts[2];
  type.array = parts[3] == "true";
  if (nspname == "pg_catalog") {
    type.name = formatted;
    return type;
  }
  type.schema = nspname;
  type.name = typname;
  // format_type prints "schema.name(modifier)": keep what follows the name.
  auto open = formatted.rfind('(');
  if (open != std::string::npos && formatted.back() == ')') type.modifier = formatted.substr(open);
  return type;
}

// An index's where and expressions from the server's answer ("where\x1f
// expr\x1eexpr...") or from an existing index.
void take_index_text(schema::Index& index, const std::string& where,
                     const std::vector<std::string>& expressions) {
  index.where = where;
  for (std::size_t k = 0; k < index.keys.size() && k < expressions.size(); ++k) {
    if (!index.keys[k].expression.empty()) index.keys[k].expression = expressions[k];
  }
}

bool roughly_same_keys(const schema::Index& want, const schema::Index& have) {
  if (want.keys.size() != have.keys.size()) return false;
  for (std::size_t k = 0; k < want.keys.size(); ++k) {
    const auto& a = want.keys[k];
    const auto& b = have.keys[k];
    if (a.expression.empty() != b.expression.empty() || a.column != b.column) return false;
    if (!a.expression.empty() && !diff::roughly_same_expression(a.expression, b.expression)) {
      return false;
    }
  }
  return diff::roughly_same_expression(want.where, have.where);
}

[[noreturn]] void function_error(const schema::Function& function, const std::string& where,
                                 const std::string& message) {
  db::Error error = db::make_error(db::ErrorKind::other, message);
  error.path = function.path + where;
  throw ProbeError(std::move(error));
}

// The server's answer about a function: "argument types\x1dpg_get_functiondef"
// ("" when the SQL made no function of the signature). The types must be
// spelled as inspection reads them, or the function would never be found.
void take_function(schema::Function& function, const std::string& answer) {
  const std::size_t cut = answer.find('\x1d');
  if (answer.empty() || cut == std::string::npos) {
    function_error(function, ".sql",
                   "the SQL does not create function " + function.signature() +
                       " (\"arguments\" are its input argument types)");
  }
  const std::string types = answer.substr(0, cut);
  std::string written;
  for (const auto& a : function.arguments) written += (written.empty() ? "" : "\x1f") + a;
  if (types != written) {
    std::string server;
    if (!types.empty()) {
      for (const auto& t : split(types, '\x1f')) server += (server.empty() ? "" : ", ") + t;
    }
    function_error(function, ".arguments",
                   "the server reads them as (" + server + "): write them as it does");
  }
  function.normalized = answer.substr(cut + 1);
}

class Collector {
 public:
  Collector(Database& desired, const Database& actual, bool for_what_is_created)
      : desired_(desired), actual_(actual), ahead_(for_what_is_created) {}

  std::vector<Question> collect() {
    const bool extensions_installed =
        std::all_of(desired_.extensions.begin(), desired_.extensions.end(), [&](auto& e) {
          return std::find(actual_.extensions.begin(), actual_.extensions.end(), e) !=
                 actual_.extensions.end();
        });
    for (Table& table : desired_.tables) {
      const Table* live = actual_.table(table.name);
      for (Column& column : table.columns) {
        if (!column.type.resolved && extensions_installed) add_type(column);
        const Column* existing = live == nullptr ? nullptr : live->column(column.name);
        if (existing != nullptr) {
          add_default(column, *existing);
          add_generated(table, *live, column, *existing);
        } else {
          if (live != nullptr) add_volatility(column);
          if (ahead_) learn_default(column);
          if (ahead_ && live != nullptr) learn_generated(table, live, column);
        }
      }
      if (live == nullptr) {
        if (ahead_) learn_table(table);
        continue;
      }
      for (Constraint& constraint : table.constraints) {
        if (constraint.kind == ConstraintKind::check) add_check(table, *live, constraint);
      }
      for (schema::Index& index : table.indexes) add_index(table, *live, index);
    }
    for (Table& table : desired_.tables) {
      const Table* live = actual_.table(table.name);
      for (schema::Trigger& trigger : table.triggers) add_trigger(table, live, trigger);
      for (schema::Policy& policy : table.policies) add_policy(table, live, policy);
    }
    for (schema::Function& function : desired_.functions) add_function(function);
    for (schema::View& view : desired_.views) add_view(view);
    return std::move(questions_);
  }

 private:
  std::string next_name() const { return kQuestionPrefix + std::to_string(questions_.size()); }

  void add(Question q) { questions_.push_back(std::move(q)); }

  void add_type(Column& column) {
    const std::string type = column.type.sql();
    add({Question::Kind::type, "type\x1f" + type, column.path + ".type", next_name(), type, "", "",
         [&column](const std::string& answer) { column.type = canonical_type(answer); },
         [] {}});  // unresolved types compare by name (diff/columns.cpp)
  }

  void add_default(Column& column, const Column& existing) {
    if (column.def.empty() || column.serial || column.identity != schema::Identity::none) return;
    if (column.def.stored == existing.def.stored) return;
    const std::string type = existing.type.sql();
    const std::string written = schema::default_sql(column.def, column.type);
    add({Question::Kind::default_text, "default\x1f" + type + "\x1f" + written,
         column.path + ".default", next_name(), type, written, "",
         [&column](const std::string& answer) { column.def.stored = answer; },
         [&column, written, stored = existing.def.stored] {
           if (diff::roughly_same_expression(written, stored)) column.def.stored = stored;
         }});
  }

  void add_volatility(Column& column) {
    // Nullable columns too: a volatile default would rewrite the table
    // either way, so the planner adds those in two steps.
    if (column.def.kind != Default::Kind::sql || column.def.is_volatile) return;
    if (!type_exists(column.type)) return;  // created in this run: nothing to ask yet
    const std::string type = column.type.sql();
    add({Question::Kind::volatility, "volatile\x1f" + type + "\x1f" + column.def.value,
         column.path + ".default", next_name(), type, column.def.value, "",
         [&column](const std::string& answer) { column.def.is_volatile = answer != "true"; },
         [] {}});  // unknown volatility is planned as volatile: added in two steps
  }

  // Ahead of creating a column: how the server will print its default, so
  // that the comparison after the apply finds it in the memo.
  void learn_default(const Column& column) {
    if (column.def.empty() || column.serial || column.identity != schema::Identity::none) return;
    if (!type_exists(column.type)) return;
    const std::string type = column.type.sql();
    const std::string written = schema::default_sql(column.def, column.type);
    add({Question::Kind::default_text, "default\x1f" + type + "\x1f" + written,
         column.path + ".default", next_name(), type, written, "", [](const std::string&) {}, [] {},
         true});
  }

  // A generated column's expression, on a scratch table of the model's
  // columns (typed as in `live` where they exist there).
  Question generated_question(const Table* live, const Column& column, const std::string& columns) {
    const Column* existing = live == nullptr ? nullptr : live->column(column.name);
    const std::string type = (existing != nullptr ? existing->type : column.type).sql();
    return {Question::Kind::generated,
            "generated\x1f" + columns + "\x1f" + type + "\x1f" + column.generated,
            column.path + ".generated",
            next_name(),
            type,
            column.generated,
            columns,
            [](const std::string&) {},
            [] {}};
  }

  void add_generated(const Table& table, const Table& live, Column& column,
                     const Column& existing) {
    if (column.generated.empty() || existing.generated.empty()) return;
    // Nothing to ask when the server printed exactly what the model says.
    if (diff::same_expression(column.generated, existing.generated)) {
      column.generated_normalized = existing.generated;
      return;
    }
    const std::string columns = scratch_columns(table, &live);
    if (columns.empty()) return;
    Question q = generated_question(&live, column, columns);
    q.answer = [&column](const std::string& answer) { column.generated_normalized = answer; };
    q.make_do = [&column, printed = existing.generated] {
      if (diff::roughly_same_expression(column.generated, printed)) {
        column.generated_normalized = printed;
      }
    };
    add(std::move(q));
  }

  // Ahead of adding a generated column (to a new or an existing table).
  void learn_generated(const Table& table, const Table* live, const Column& column) {
    if (column.generated.empty()) return;
    const std::string columns = scratch_columns(table, live);
    if (columns.empty()) return;
    Question q = generated_question(live, column, columns);
    q.ahead = true;
    add(std::move(q));
  }

  // Ahead of creating a table: its checks, its indexes' expressions and
  // its generated columns' expressions.
  void learn_table(const Table& table) {
    const std::string columns = scratch_columns(table, nullptr);
    if (columns.empty()) return;
    for (const Column& column : table.columns) learn_generated(table, nullptr, column);
    for (const Constraint& c : table.constraints) {
      if (c.kind != ConstraintKind::check || c.expression.empty()) continue;
      add({Question::Kind::check, "check\x1f" + columns + "\x1f" + c.expression,
           c.path + ".expression", next_name(), "", c.expression, columns,
           [](const std::string&) {}, [] {}, true});
    }
    for (const schema::Index& index : table.indexes) {
      if (!has_text(index)) continue;
      const std::string name = next_name();
      add({Question::Kind::index, "index\x1f" + columns + "\x1f" + scratch_index_sql(index, "key"),
           index.path, name, "", scratch_index_sql(index, name), columns, [](const std::string&) {},
           [] {}, true});
    }
  }

  static bool has_text(const schema::Index& index) {
    return !index.where.empty() || std::any_of(index.keys.begin(), index.keys.end(),
                                               [](auto& k) { return !k.expression.empty(); });
  }

  // The model's columns, typed as they are in the database (`live`, when the
  // table exists), or as the model says for columns still to be added: the
  // scratch table a check or an index is tried on. Empty when a column's
  // type does not exist yet (an enum created in this run): then the diff
  // falls back to its own comparison.
  std::string scratch_columns(const Table& table, const Table* live) const {
    std::string columns;
    for (const Column& column : table.columns) {
      const Column* existing = live == nullptr ? nullptr : live->column(column.name);
      if (existing == nullptr && !type_exists(column.type)) return "";
      columns += (columns.empty() ? "" : ", ") + sql::ident(column.name) + " " +
                 (existing != nullptr ? existing->type : column.type).sql();
    }
    return columns;
  }

  // The database's check that may be the model's `check` (of its name, or
  // any check for an unnamed one) and whose text `same` accepts.
  template <typename Same>
  static const Constraint* existing_check(const Table& live, const Constraint& check, Same same) {
    for (const Constraint& existing : live.constraints) {
      const bool candidate =
          check.name.empty() ? existing.kind == ConstraintKind::check : existing.name == check.name;
      if (candidate && same(existing.expression)) return &existing;
    }
    return nullptr;
  }

  void add_check(const Table& table, const Table& live, Constraint& check) {
    if (check.expression.empty()) return;
    // Nothing to ask when the server printed exactly what the model says,
    // as written or in parentheses (a check copied from pg_get_constraintdef).
    const std::string printed = "(" + diff::parenthesized(check.expression) + ")";
    if (const Constraint* same =
            existing_check(live, check, [&](const std::string& text) { return text == printed; })) {
      check.normalized = same->expression;
      return;
    }
    std::string columns = scratch_columns(table, &live);
    if (columns.empty()) return;
    add({Question::Kind::check, "check\x1f" + columns + "\x1f" + check.expression,
         check.path + ".expression", next_name(), "", check.expression, columns,
         [&check](const std::string& answer) {
           check.normalized = catalog::check_expression(answer);
         },
         [&check, &live] {
           if (const Constraint* rough = existing_check(live, check, [&](const std::string& text) {
                 return diff::roughly_same_expression(check.expression, text);
               })) {
             check.normalized = rough->expression;
           }
         }});
  }

  void add_index(const Table& table, const Table& live, schema::Index& index) {
    if (!has_text(index)) return;
    for (const schema::Index& existing : live.indexes) {
      if (!index.name.empty() && existing.name == index.name && existing.where == index.where &&
          existing.keys == index.keys) {
        return;
      }
    }
    std::string columns = scratch_columns(table, &live);
    if (columns.empty()) return;
    const std::string name = next_name();
    add({Question::Kind::index, "index\x1f" + columns + "\x1f" + scratch_index_sql(index, "key"),
         index.path, name, "", scratch_index_sql(index, name), columns,
         [&index](const std::string& answer) {
           const auto parts = split(answer, '\x1f');
           take_index_text(index, parts.empty() ? "" : parts[0],
                           parts.size() > 1 ? split(parts[1], '\x1e') : std::vector<std::string>{});
         },
         [&index, &live] {
           if (index.name.empty()) return;  // the diff matches unnamed ones by definition
           for (const schema::Index& existing : live.indexes) {
             if (existing.name == index.name && roughly_same_keys(index, existing)) {
               std::vector<std::string> expressions;
               for (const auto& key : existing.keys) expressions.push_back(key.expression);
               take_index_text(index, existing.where, expressions);
             }
           }
         }});
  }

  static schema::QualifiedName scratch_table(const std::string& name) {
    return {"pg_temp", std::string(kProbeTable) + "_" + name};
  }

  // A trigger's WHEN condition, on a scratch table of the model's columns
  // with a built-in trigger function (only the condition is read back).
  // Asked when the database has the trigger and prints its condition
  // otherwise, and ahead of creating one.
  void add_trigger(const Table& table, const Table* live, schema::Trigger& trigger) {
    if (trigger.when.empty()) return;
    const schema::Trigger* existing =
        live == nullptr ? nullptr : schema::find_named(live->triggers, trigger.name);
    if (existing != nullptr && diff::same_expression(trigger.when, existing->when)) {
      trigger.when_normalized = existing->when;
      return;
    }
    if (existing == nullptr && !ahead_) return;
    const std::string columns = scratch_columns(table, live);
    if (columns.empty()) return;
    auto statement = [&trigger](const std::string& name) {
      schema::Trigger scratch = trigger;
      scratch.name = name;
      scratch.function = {"pg_catalog", "suppress_redundant_updates_trigger"};
      scratch.arguments.clear();
      return plan::create_trigger_sql(scratch_table(name), scratch);
    };
    const std::string name = next_name();
    Question q{Question::Kind::trigger,
               "trigger" + columns + "" + statement("key"),
               trigger.path + ".when",
               name,
               "",
               statement(name),
               columns,
               [&trigger](const std::string& answer) { trigger.when_normalized = answer; },
               [] {}};
    if (existing != nullptr) {
      q.make_do = [&trigger, printed = existing->when] {
        if (diff::roughly_same_expression(trigger.when, printed)) trigger.when_normalized = printed;
      };
    } else {
      q.answer = [](const std::string&) {};
      q.ahead = true;
    }
    add(std::move(q));
  }

  // A policy's USING and WITH CHECK, on a scratch table of the model's
  // columns, for PUBLIC (the roles do not change the texts).
  void add_policy(const Table& table, const Table* live, schema::Policy& policy) {
    const schema::Policy* existing =
        live == nullptr ? nullptr : schema::find_named(live->policies, policy.name);
    auto printed_as = [](const std::string& model, const std::string& printed) {
      return model.empty() ? printed.empty() : diff::same_expression(model, printed);
    };
    if (existing != nullptr && printed_as(policy.using_expr, existing->using_expr) &&
        printed_as(policy.check_expr, existing->check_expr)) {
      policy.using_normalized = existing->using_expr;
      policy.check_normalized = existing->check_expr;
      return;
    }
    if (existing == nullptr && !ahead_) return;
    const std::string columns = scratch_columns(table, live);
    if (columns.empty()) return;
    auto statement = [&policy](const std::string& name) {
      schema::Policy scratch = policy;
      scratch.name = name;
      scratch.roles = {"public"};
      return plan::create_policy_sql(scratch_table(name), scratch);
    };
    const std::string name = next_name();
    Question q{Question::Kind::policy,
               "policy" + columns + "" + statement("key"),
               policy.path,
               name,
               "",
               statement(name),
               columns,
               [&policy](const std::string& answer) {
                 const auto parts = split(answer, '');
                 policy.using_normalized = parts[0];
                 policy.check_normalized = parts.size() > 1 ? parts[1] : "";
               },
               [] {}};
    if (existing != nullptr) {
      q.make_do = [&policy, have = *existing] {
        if (diff::roughly_same_expression(policy.using_expr, have.using_expr) &&
            diff::roughly_same_expression(policy.check_expr, have.check_expr)) {
          policy.using_normalized = have.using_expr;
          policy.check_normalized = have.check_expr;
        }
      };
    } else {
      q.answer = [](const std::string&) {};
      q.ahead = true;
    }
    add(std::move(q));
  }

  // How the server prints the model's function: its CREATE FUNCTION run
  // after the existing function of the signature (if any) is renamed out of
  // the way, in the probe's transaction, which is rolled back.
  void add_function(schema::Function& function) {
    const schema::Function* existing = actual_.find_function(function.name, function.arguments);
    if (existing != nullptr && existing->sql == function.sql) {
      function.normalized = existing->sql;
      return;
    }
    if (existing == nullptr && !ahead_) return;
    std::string args;
    for (const auto& a : function.arguments) args += (args.empty() ? "" : ", ") + a;
    const std::string signature = function.name.sql() + "(" + args + ")";
    const std::string name = next_name();
    std::string statements;
    if (existing != nullptr) {
      statements = "ALTER ROUTINE " + signature + " RENAME TO " + sql::ident(name) + ";\n";
    }
    statements += "SET LOCAL check_function_bodies = off;\n" + function.sql;
    Question q{Question::Kind::function,
               "function\x1f" + signature + "\x1f" + function.sql,
               function.path + ".sql",
               name,
               signature,
               statements,
               "",
               [&function](const std::string& answer) { take_function(function, answer); },
               [] {}};
    q.ahead = existing == nullptr;
    add(std::move(q));
  }

  // How the server prints the model's view query: as a temporary view's
  // (a materialized view's query prints the same).
  void add_view(schema::View& view) {
    const schema::View* existing = actual_.find_view(view.name);
    if (existing != nullptr && existing->query == view.query) {
      view.normalized = existing->query;
      view.columns = existing->columns;
      return;
    }
    if (existing == nullptr && !ahead_) return;
    auto statement = [&view](const std::string& name) {
      schema::View scratch;
      scratch.name = scratch_table(name);
      scratch.query = view.query;
      return plan::create_view_sql(scratch);
    };
    const std::string name = next_name();
    Question q{Question::Kind::view,
               "view\x1f" + statement("key"),
               view.path + ".query",
               name,
               "",
               statement(name),
               "",
               [&view](const std::string& answer) {  // "viewdef\x1dcolumn\x1fcolumn"
                 const std::size_t cut = answer.find('\x1d');
                 view.normalized = answer.substr(0, cut);
                 view.columns.clear();
                 if (cut != std::string::npos && cut + 1 < answer.size()) {
                   view.columns = split(answer.substr(cut + 1), '\x1f');
                 }
               },
               [] {}};
    if (existing == nullptr) {
      q.answer = [](const std::string&) {};
      q.ahead = true;
    }
    add(std::move(q));
  }

  // CREATE INDEX of `index` on scratch table "pg_temp"."schemad_probe_<name>".
  static std::string scratch_index_sql(const schema::Index& index, const std::string& name) {
    schema::Index scratch = index;
    scratch.name = name;
    return plan::create_index_sql({"pg_temp", std::string(kProbeTable) + "_" + name}, scratch, name,
                                  false);
  }

  bool type_exists(const schema::Type& type) const {
    if (type.builtin()) return true;
    if (!type.resolved) return false;
    return actual_.find_enum({type.schema, type.name}) != nullptr;
  }

  Database& desired_;
  const Database& actual_;
  bool ahead_;
  std::vector<Question> questions_;
};

}  // namespace

std::vector<Question> collect_questions(Database& desired, const Database& actual,
                                        bool for_what_is_created) {
  return Collector(desired, actual, for_what_is_created).collect();
}

}  // namespace schemad::engine
