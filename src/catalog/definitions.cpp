#include "catalog/definitions.hpp"

#include "catalog/fields.hpp"

#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>

namespace schemad::catalog {

namespace {

using Col = pqxx::row::size_type;

struct Columns {
  explicit Columns(const pqxx::result& r)
      : kind(r.column_number("kind")),
        schema(r.column_number("schema")),
        name(r.column_number("name")),
        table_name(r.column_number("table_name")),
        detail(r.column_number("detail")),
        definition(r.column_number("definition")),
        extra(r.column_number("extra")),
        flag(r.column_number("flag")),
        bits(r.column_number("bits")),
        list(r.column_number("list")) {}
  Col kind, schema, name, table_name, detail, definition, extra, flag, bits, list;
};

std::string command(const std::string& code) {
  if (code == "*") return "all";
  if (code == "r") return "select";
  if (code == "a") return "insert";
  if (code == "w") return "update";
  if (code == "d") return "delete";
  throw std::runtime_error("inspect: unknown policy command code '" + code + "'");
}

// pg_trigger.tgtype bits (src/include/catalog/pg_trigger.h).
schema::Trigger read_trigger(const pqxx::row& row, const Columns& col) {
  constexpr int kRow = 1, kBefore = 2, kInsert = 4, kDelete = 8, kUpdate = 16, kTruncate = 32,
                kInstead = 64;
  schema::Trigger t;
  t.name = text(row[col.name]);
  const int type = row[col.bits].as<int>();
  t.for_each_row = type & kRow;
  t.timing = (type & kInstead)  ? schema::Trigger::Timing::instead_of
             : (type & kBefore) ? schema::Trigger::Timing::before
                                : schema::Trigger::Timing::after;
  if (type & kInsert) t.events |= schema::Trigger::kInsert;
  if (type & kDelete) t.events |= schema::Trigger::kDelete;
  if (type & kUpdate) t.events |= schema::Trigger::kUpdate;
  if (type & kTruncate) t.events |= schema::Trigger::kTruncate;
  t.columns = split_list(text(row[col.list]));
  t.when = text(row[col.definition]);
  const std::string function = text(row[col.detail]);
  const std::size_t cut = function.find('\x1f');
  t.function = {function.substr(0, cut), function.substr(cut + 1)};
  t.arguments = trigger_arguments(text(row[col.extra]));
  return t;
}

schema::Policy read_policy(const pqxx::row& row, const Columns& col) {
  schema::Policy p;
  p.name = text(row[col.name]);
  p.command = command(text(row[col.detail]));
  p.permissive = flag(row[col.flag]);
  p.roles = split_list(text(row[col.list]));
  p.using_expr = text(row[col.definition]);
  p.check_expr = text(row[col.extra]);
  return p;
}

}  // namespace

std::vector<std::string> split_list(const std::string& joined) {
  std::vector<std::string> out;
  if (joined.empty()) return out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = joined.find('\x1f', start);
    out.push_back(joined.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

std::vector<std::string> trigger_arguments(const std::string& hex) {
  std::vector<std::string> out;
  std::string current;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    const char byte = static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    if (byte == '\0') {
      out.push_back(std::move(current));
      current.clear();
    } else {
      current += byte;
    }
  }
  return out;
}

void add_views(const pqxx::result& rows, schema::Database& db) {
  const Columns col(rows);
  for (const auto& row : rows) {
    if (text(row[col.kind]) != "view") continue;
    schema::View v;
    v.name = {text(row[col.schema]), text(row[col.name])};
    v.materialized = text(row[col.detail]) == "m";
    v.query = text(row[col.definition]);
    v.level = row[col.bits].is_null() ? 0 : row[col.bits].as<int>();
    v.columns = split_list(text(row[col.list]));
    db.views.push_back(std::move(v));
  }
  std::sort(db.views.begin(), db.views.end(), [](const schema::View& a, const schema::View& b) {
    return a.level != b.level ? a.level < b.level : a.name < b.name;
  });
}

void add_definitions(const pqxx::result& rows, schema::Database& db) {
  std::map<schema::QualifiedName, schema::Table*> tables;
  for (schema::Table& t : db.tables) tables[t.name] = &t;
  auto table = [&tables](const pqxx::row& row, const Columns& col) -> schema::Table& {
    schema::QualifiedName name{text(row[col.schema]), text(row[col.table_name])};
    auto it = tables.find(name);
    if (it == tables.end()) throw std::logic_error("inspect: no table " + name.display());
    return *it->second;
  };
  const Columns col(rows);
  for (const auto& row : rows) {
    const std::string kind = text(row[col.kind]);
    if (kind == "view") {
      continue;  // add_views
    } else if (kind == "function") {
      schema::Function f;
      f.name = {text(row[col.schema]), text(row[col.name])};
      f.arguments = split_list(text(row[col.detail]));
      f.sql = text(row[col.definition]);
      db.functions.push_back(std::move(f));
    } else if (kind == "trigger") {
      table(row, col).triggers.push_back(read_trigger(row, col));
    } else if (kind == "policy") {
      table(row, col).policies.push_back(read_policy(row, col));
    } else if (kind == "row_security") {
      schema::Table& t = table(row, col);
      t.row_security = true;
      t.force_row_security = flag(row[col.flag]);
    }
  }
  std::sort(db.functions.begin(), db.functions.end(),
            [](const schema::Function& a, const schema::Function& b) {
              return a.signature() < b.signature();
            });
  for (schema::Table& t : db.tables) {
    std::sort(t.triggers.begin(), t.triggers.end(),
              [](const schema::Trigger& a, const schema::Trigger& b) { return a.name < b.name; });
    std::sort(t.policies.begin(), t.policies.end(),
              [](const schema::Policy& a, const schema::Policy& b) { return a.name < b.name; });
  }
}

}  // namespace schemad::catalog
