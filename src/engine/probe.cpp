#include "engine/probe.hpp"

#include <algorithm>
#include <functional>
#include <pqxx/pqxx>
#include <pqxx/transaction>
#include <vector>

#include "diff/expressions.hpp"
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

// Names of the scratch columns and constraints: the prefix, then the item's index.
constexpr const char* kItemPrefix = "schemad_q";
// Names of the scratch tables: the prefix, then "_" and the item's name.
constexpr const char* kProbeTable = "schemad_probe";

// One question for the server. `ddl(table)` creates what the question needs
// inside temporary table `table` (which it creates itself); `read` is the
// query part that yields (key, answer) rows for it; `answer` stores the
// answer into the model.
struct Item {
  enum class Kind { default_text, volatility, check, type, index } kind;
  std::string path;     // model path, for errors
  std::string column;   // scratch column or constraint name: kItemPrefix + index
  std::string type;     // SQL type text
  std::string expr;     // default or check expression
  std::string columns;  // check, index: the column list of the scratch table
  std::function<void(const std::string&)> answer;
};

std::string temp(const std::string& table) {
  return "pg_temp." + sql::ident(table);
}

// The statements that set up `items` in temporary tables named from
// `prefix`: defaults and types share one table; volatility questions need a
// table each (a rewrite for one would erase the others' missing values);
// checks need a table with their table's columns.
std::string setup_sql(const std::vector<Item*>& items, const std::string& prefix) {
  std::string columns, out;
  for (const Item* item : items) {
    switch (item->kind) {
      case Item::Kind::default_text:
        columns += (columns.empty() ? "" : ", ") + sql::ident(item->column) + " " + item->type +
                   " DEFAULT " + item->expr;
        break;
      case Item::Kind::type:
        columns += (columns.empty() ? "" : ", ") + sql::ident(item->column) + " " + item->type;
        break;
      case Item::Kind::volatility: {
        std::string t = temp(prefix + "_" + item->column);
        out += "CREATE TEMP TABLE " + t + " (x integer);\nINSERT INTO " + t + " VALUES (1);\n" +
               "ALTER TABLE " + t + " ADD COLUMN " + sql::ident(item->column) + " " + item->type +
               " DEFAULT " + item->expr + ";\n";
        break;
      }
      case Item::Kind::check: {
        std::string t = temp(prefix + "_" + item->column);
        out += "CREATE TEMP TABLE " + t + " (" + item->columns + ");\nALTER TABLE " + t +
               " ADD CONSTRAINT " + sql::ident(item->column) + " CHECK (" + item->expr + ");\n";
        break;
      }
      case Item::Kind::index: {
        // expr holds the CREATE INDEX statement for table "pg_temp"."<prefix>_<column>".
        std::string t = temp(prefix + "_" + item->column);
        out += "CREATE TEMP TABLE " + t + " (" + item->columns + ");\n" + item->expr + ";\n";
        break;
      }
    }
  }
  if (!columns.empty()) out = "CREATE TEMP TABLE " + temp(prefix) + " (" + columns + ");\n" + out;
  return out;
}

// Reads every answer back. search_path = pg_catalog, as in inspection, so
// the texts compare with the catalog's.
std::string answers_sql(const std::string& prefix) {
  const std::string like = sql::literal(prefix + "%");
  return "SELECT a.attname::text, 'd', pg_get_expr(d.adbin, d.adrelid)"
         " FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
         " JOIN pg_class r ON r.oid = a.attrelid"
         " WHERE r.relnamespace = pg_my_temp_schema() AND r.relname LIKE " +
         like +
         " UNION ALL SELECT a.attname::text, 'v', a.atthasmissing::text"
         " FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid"
         " WHERE r.relnamespace = pg_my_temp_schema() AND r.relname LIKE " +
         like +
         " AND a.attnum > 1 AND NOT a.attisdropped"
         " UNION ALL SELECT c.conname::text, 'c', pg_get_constraintdef(c.oid)"
         " FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid"
         " WHERE r.relnamespace = pg_my_temp_schema() AND r.relname LIKE " +
         like +
         " AND c.contype = 'c'"
         " UNION ALL SELECT a.attname::text, 't', concat_ws(E'\\x1f', n.nspname, e.typname,"
         " format_type(e.oid, a.atttypmod), (e.oid <> t.oid)::text)"
         " FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid"
         " JOIN pg_type t ON t.oid = a.atttypid"
         " JOIN pg_type e ON e.oid = CASE WHEN t.typsubscript = 'array_subscript_handler'::regproc"
         " AND t.typelem <> 0 THEN t.typelem ELSE t.oid END"
         " JOIN pg_namespace n ON n.oid = e.typnamespace"
         " WHERE r.relnamespace = pg_my_temp_schema() AND r.relname LIKE " +
         like +
         " AND a.attnum > 0 AND NOT a.attisdropped"
         " UNION ALL SELECT c.relname::text, 'i', concat_ws(E'\\x1f',"
         " coalesce(pg_get_expr(i.indpred, i.indrelid), ''),"
         " (SELECT string_agg(CASE WHEN i.indkey[k - 1] = 0"
         " THEN pg_get_indexdef(i.indexrelid, k, true) ELSE '' END, E'\\x1e' ORDER BY k)"
         " FROM generate_series(1, i.indnkeyatts) k))"
         " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
         " JOIN pg_class r ON r.oid = i.indrelid"
         " WHERE r.relnamespace = pg_my_temp_schema() AND r.relname LIKE " +
         like;
}

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

// "CHECK ((tokens >= 0))" -> "((tokens >= 0))", as the inspector keeps it.
std::string check_expression(const std::string& definition) {
  std::string text = definition;
  if (text.rfind("CHECK ", 0) == 0) text = text.substr(6);
  const std::string not_valid = " NOT VALID";
  if (text.size() > not_valid.size() &&
      text.compare(text.size() - not_valid.size(), not_valid.size(), not_valid) == 0) {
    text.resize(text.size() - not_valid.size());
  }
  return text;
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

class Collector {
 public:
  Collector(Database& desired, const Database& actual) : desired_(desired), actual_(actual) {}

  std::vector<Item> collect() {
    const bool extensions_installed =
        std::all_of(desired_.extensions.begin(), desired_.extensions.end(), [&](auto& e) {
          return std::find(actual_.extensions.begin(), actual_.extensions.end(), e) !=
                 actual_.extensions.end();
        });
    for (Table& table : desired_.tables) {
      const Table* live = actual_.table(table.name);
      for (Column& column : table.columns) {
        if (!column.type.resolved && extensions_installed) add_type(column);
        if (live == nullptr) continue;
        const Column* existing = live->column(column.name);
        if (existing != nullptr) {
          add_default(column, *existing);
        } else {
          add_volatility(column);
        }
      }
      if (live == nullptr) continue;
      for (Constraint& constraint : table.constraints) {
        if (constraint.kind == ConstraintKind::check) add_check(table, *live, constraint);
      }
      for (schema::Index& index : table.indexes) add_index(table, *live, index);
    }
    return std::move(items_);
  }

 private:
  std::string next_name() { return kItemPrefix + std::to_string(items_.size()); }

  void add_type(Column& column) {
    items_.push_back(
        {Item::Kind::type, column.path + ".type", next_name(), column.type.sql(), "", "",
         [&column](const std::string& answer) { column.type = canonical_type(answer); }});
  }

  void add_default(Column& column, const Column& existing) {
    if (column.def.empty() || column.serial || column.identity != schema::Identity::none) return;
    if (column.def.stored == existing.def.stored) return;
    items_.push_back({Item::Kind::default_text, column.path + ".default", next_name(),
                      existing.type.sql(), schema::default_sql(column.def, column.type), "",
                      [&column](const std::string& answer) { column.def.stored = answer; }});
  }

  void add_volatility(Column& column) {
    // Nullable columns too: a volatile default would rewrite the table
    // either way, so the planner adds those in two steps.
    if (column.def.kind != Default::Kind::sql || column.def.is_volatile) return;
    if (!type_exists(column.type)) return;  // created in this run: nothing to ask yet
    items_.push_back(
        {Item::Kind::volatility, column.path + ".default", next_name(), column.type.sql(),
         column.def.value, "",
         [&column](const std::string& answer) { column.def.is_volatile = answer != "true"; }});
  }

  // The model's columns, typed as they are in the database, or as the model
  // says for columns still to be added: the scratch table a check or an index
  // is tried on. Empty when a column's type does not exist yet (an enum
  // created in this run): then the diff falls back to its own comparison.
  std::string scratch_columns(const Table& table, const Table& live) const {
    std::string columns;
    for (const Column& column : table.columns) {
      const Column* existing = live.column(column.name);
      if (existing == nullptr && !type_exists(column.type)) return "";
      columns += (columns.empty() ? "" : ", ") + sql::ident(column.name) + " " +
                 (existing != nullptr ? existing->type : column.type).sql();
    }
    return columns;
  }

  void add_check(const Table& table, const Table& live, Constraint& check) {
    if (check.expression.empty()) return;
    // Nothing to ask when the server printed exactly what schemad expects.
    for (const Constraint& existing : live.constraints) {
      if (!check.name.empty() && existing.name == check.name &&
          existing.expression == "(" + diff::parenthesized(check.expression) + ")") {
        return;
      }
    }
    std::string columns = scratch_columns(table, live);
    if (columns.empty()) return;
    items_.push_back(
        {Item::Kind::check, check.path + ".expression", next_name(), "", check.expression, columns,
         [&check](const std::string& answer) { check.normalized = check_expression(answer); }});
  }

  void add_index(const Table& table, const Table& live, schema::Index& index) {
    const bool has_expression = std::any_of(index.keys.begin(), index.keys.end(),
                                            [](auto& k) { return !k.expression.empty(); });
    if (!has_expression && index.where.empty()) return;
    for (const schema::Index& existing : live.indexes) {
      if (!index.name.empty() && existing.name == index.name && existing.where == index.where &&
          existing.keys == index.keys) {
        return;
      }
    }
    std::string columns = scratch_columns(table, live);
    if (columns.empty()) return;
    const std::string name = next_name();
    schema::Index scratch = index;
    scratch.name = name;
    const std::string create = plan::create_index_sql(
        {"pg_temp", std::string(kProbeTable) + "_" + name}, scratch, name, false);
    items_.push_back({Item::Kind::index, index.path, name, "", create, columns,
                      [&index](const std::string& answer) {
                        const auto parts = split(answer, '\x1f');
                        index.where = parts.empty() ? "" : parts[0];
                        const auto expressions =
                            parts.size() > 1 ? split(parts[1], '\x1e') : std::vector<std::string>{};
                        for (std::size_t k = 0; k < index.keys.size() && k < expressions.size();
                             ++k) {
                          if (!index.keys[k].expression.empty()) {
                            index.keys[k].expression = expressions[k];
                          }
                        }
                      }});
  }

  bool type_exists(const schema::Type& type) const {
    if (type.builtin()) return true;
    if (!type.resolved) return false;
    return actual_.find_enum({type.schema, type.name}) != nullptr;
  }

  Database& desired_;
  const Database& actual_;
  std::vector<Item> items_;
};

void deliver(const pqxx::result& rows, std::vector<Item>& items) {
  for (const auto& row : rows) {
    const std::string name = row[0].c_str();
    const std::string kind = row[1].c_str();
    const std::string prefix = kItemPrefix;
    if (row[2].is_null() || name.size() <= prefix.size() || name.rfind(prefix, 0) != 0 ||
        name.find_first_not_of("0123456789", prefix.size()) != std::string::npos) {
      continue;  // a column of the model's, copied into a check's scratch table
    }
    std::size_t index = std::stoul(name.substr(prefix.size()));
    if (index >= items.size()) continue;
    Item& item = items[index];
    const bool wanted = (kind == "d" && item.kind == Item::Kind::default_text) ||
                        (kind == "v" && item.kind == Item::Kind::volatility) ||
                        (kind == "c" && item.kind == Item::Kind::check) ||
                        (kind == "t" && item.kind == Item::Kind::type) ||
                        (kind == "i" && item.kind == Item::Kind::index);
    if (wanted) item.answer(row[2].c_str());
  }
}

// After the batch failed: try each item alone to name the one the server
// refuses.
[[noreturn]] void find_culprit(pqxx::connection_base& conn, std::vector<Item>& items,
                               const db::Error& batch_error) {
  pqxx::work tx(conn, "schemad-probe-culprit");
  for (std::size_t i = 0; i < items.size(); ++i) {
    try {
      pqxx::subtransaction sub(tx, "item");
      sub.exec(setup_sql({&items[i]}, kProbeTable));
      sub.abort();
    } catch (const pqxx::sql_error& e) {
      db::Error error = db::translate(e);
      error.path = items[i].path;
      throw ProbeError(std::move(error));
    }
  }
  db::Error error = batch_error;
  error.message = "the server refused the model's definitions: " + error.message;
  throw ProbeError(std::move(error));
}

}  // namespace

void probe(pqxx::connection_base& conn, Database& desired, const Database& actual,
           ProbeStats* stats) {
  std::vector<Item> items = Collector(desired, actual).collect();
  if (stats != nullptr) stats->items = static_cast<int>(items.size());
  if (items.empty()) return;

  std::vector<Item*> all;
  for (Item& item : items) all.push_back(&item);
  const std::string prefix = kProbeTable;
  pqxx::work tx(conn, "schemad-probe");
  try {
    tx.exec(setup_sql(all, prefix) + "SET LOCAL search_path = pg_catalog");
  } catch (const pqxx::sql_error& e) {
    tx.abort();
    find_culprit(conn, items, db::translate(e));
  }
  deliver(tx.exec(answers_sql(prefix)), items);
  tx.abort();
  if (stats != nullptr) stats->queries = 4;  // BEGIN, setup, answers, ROLLBACK
}

}  // namespace schemad::engine
