#include "catalog/inspect.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <utility>

#include "catalog/definitions.hpp"
#include "catalog/fields.hpp"
#include "catalog/queries.hpp"
#include "util/sql_text.hpp"

namespace schemad::catalog {

namespace {

using schema::QualifiedName;

using Col = pqxx::row::size_type;

// Fields are read by column number, resolved once per result: row["name"]
// costs a PQfnumber (a lower-cased copy and a scan of the names) per field.
struct ObjectColumns {
  explicit ObjectColumns(const pqxx::result& r)
      : kind(r.column_number("kind")),
        schema(r.column_number("schema")),
        name(r.column_number("name")),
        comment(r.column_number("comment")),
        item(r.column_number("item")),
        position(r.column_number("position")),
        type_schema(r.column_number("type_schema")),
        type_name(r.column_number("type_name")),
        type_modifier(r.column_number("type_modifier")),
        type_array(r.column_number("type_array")),
        not_null(r.column_number("not_null")),
        identity(r.column_number("identity")),
        default_expr(r.column_number("default_expr")),
        owned_sequence(r.column_number("owned_sequence")),
        item_comment(r.column_number("item_comment")),
        generated_expr(r.column_number("generated_expr")) {}
  Col kind, schema, name, comment, item, position, type_schema, type_name, type_modifier,
      type_array, not_null, identity, default_expr, owned_sequence, item_comment, generated_expr;
};

struct ConstraintColumns {
  explicit ConstraintColumns(const pqxx::result& r)
      : oid(r.column_number("oid")),
        schema(r.column_number("schema")),
        table_name(r.column_number("table_name")),
        name(r.column_number("name")),
        kind(r.column_number("kind")),
        validated(r.column_number("validated")),
        column_name(r.column_number("column_name")),
        ref_schema(r.column_number("ref_schema")),
        ref_table(r.column_number("ref_table")),
        ref_column(r.column_number("ref_column")),
        on_delete(r.column_number("on_delete")),
        on_update(r.column_number("on_update")),
        definition(r.column_number("definition")) {}
  Col oid, schema, table_name, name, kind, validated, column_name, ref_schema, ref_table,
      ref_column, on_delete, on_update, definition;
};

struct IndexColumns {
  explicit IndexColumns(const pqxx::result& r)
      : oid(r.column_number("oid")),
        schema(r.column_number("schema")),
        table_name(r.column_number("table_name")),
        name(r.column_number("name")),
        method(r.column_number("method")),
        is_unique(r.column_number("is_unique")),
        is_valid(r.column_number("is_valid")),
        constraint_backed(r.column_number("constraint_backed")),
        predicate(r.column_number("predicate")),
        is_include(r.column_number("is_include")),
        column_name(r.column_number("column_name")),
        expression(r.column_number("expression")),
        opclass(r.column_number("opclass")),
        default_opclass(r.column_number("default_opclass")),
        option(r.column_number("option")) {}
  Col oid, schema, table_name, name, method, is_unique, is_valid, constraint_backed, predicate,
      is_include, column_name, expression, opclass, default_opclass, option;
};

std::optional<std::string> optional_text(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return text(f);
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

schema::ReferentialAction referential_action(const std::string& code) {
  if (code == "a") return schema::ReferentialAction::no_action;
  if (code == "r") return schema::ReferentialAction::restrict;
  if (code == "c") return schema::ReferentialAction::cascade;
  if (code == "n") return schema::ReferentialAction::set_null;
  if (code == "d") return schema::ReferentialAction::set_default;
  throw std::runtime_error("inspect: unknown foreign key action code '" + code + "'");
}

schema::ConstraintKind constraint_kind(const std::string& code) {
  if (code == "p") return schema::ConstraintKind::primary_key;
  if (code == "u") return schema::ConstraintKind::unique;
  if (code == "f") return schema::ConstraintKind::foreign_key;
  return schema::ConstraintKind::check;
}

// pg_get_constraintdef prints "CHECK (<expr>)[ NO INHERIT][ NOT VALID]".
// The canonical expression is everything after "CHECK ", outer parentheses
// included, without " NOT VALID" (that is Constraint::validated); a
// " NO INHERIT" stays, since it changes what the constraint means.

// pg_index.indoption: bit 0 DESC, bit 1 NULLS FIRST. Defaults are reported
// as unspecified, the way a model that does not spell them out reads:
// ASC is the default order, NULLS LAST the default after ASC and NULLS
// FIRST the default after DESC.
void set_order(int option, schema::IndexKey& key) {
  const bool desc = (option & 1) != 0;
  const bool nulls_first = (option & 2) != 0;
  key.order = desc ? schema::SortOrder::desc : schema::SortOrder::unspecified;
  if (nulls_first == desc) {
    key.nulls = schema::NullsOrder::unspecified;
  } else {
    key.nulls = nulls_first ? schema::NullsOrder::first : schema::NullsOrder::last;
  }
}

schema::Identity identity(const std::string& code) {
  if (code == "a") return schema::Identity::always;
  if (code == "d") return schema::Identity::by_default;
  return schema::Identity::none;
}

schema::Column read_column(const pqxx::row& row, const ObjectColumns& col) {
  schema::Column c;
  c.name = text(row[col.item]);
  c.type.schema = text(row[col.type_schema]);
  c.type.name = text(row[col.type_name]);
  c.type.modifier = text(row[col.type_modifier]);
  c.type.array = flag(row[col.type_array]);
  c.nullable = !flag(row[col.not_null]);
  c.identity = identity(text(row[col.identity]));
  if (auto expr = optional_text(row[col.generated_expr])) c.generated = *expr;
  if (auto expr = optional_text(row[col.default_expr])) {
    c.def.kind = schema::Default::Kind::sql;
    c.def.value = *expr;
    c.def.stored = *expr;
    // nextval of a sequence owned by the column, and nothing more: the form
    // serial and bigserial leave behind.
    // serial names its sequence <table>_<column>_seq: one of another name
    // (a table renamed since, a sequence made on purpose) is the model's own
    // sequence, and the column's default an ordinary nextval() call.
    auto sequence = flag(row[col.owned_sequence]) ? nextval_sequence(*expr) : std::nullopt;
    c.serial = sequence && sequence->schema == text(row[col.schema]) &&
               sequence->name == sql::object_name(text(row[col.name]), c.name, "seq");
  }
  c.comment = optional_text(row[col.item_comment]);
  return c;
}

using TableMap = std::map<QualifiedName, schema::Table>;

// A 'sequence' row: its numbers in `item`, "start,increment,min,max,cache,
// cycle"; its owner in `item_comment`, "table\x1fcolumn".
schema::Sequence read_sequence(const pqxx::row& row, const ObjectColumns& col) {
  schema::Sequence s;
  s.name = {text(row[col.schema]), text(row[col.name])};
  s.type = text(row[col.type_name]);
  std::vector<long long> numbers;
  const std::string packed = text(row[col.item]);
  for (std::size_t start = 0; start <= packed.size();) {
    std::size_t comma = packed.find(',', start);
    if (comma == std::string::npos) comma = packed.size();
    numbers.push_back(std::stoll(packed.substr(start, comma - start)));
    start = comma + 1;
  }
  if (numbers.size() == 6) {
    s.start = numbers[0];
    s.increment = numbers[1];
    s.min = numbers[2];
    s.max = numbers[3];
    s.cache = numbers[4];
    s.cycle = numbers[5] != 0;
  }
  if (auto owner = optional_text(row[col.item_comment])) {
    const auto separator = owner->find('\x1f');
    s.owned_table = owner->substr(0, separator);
    if (separator != std::string::npos) s.owned_column = owner->substr(separator + 1);
  }
  return s;
}

void read_objects(const pqxx::result& result, schema::Database& db, TableMap& tables) {
  const ObjectColumns col(result);
  std::map<QualifiedName, schema::Enum> enums;
  // Rows come in no order: labels and columns are ordered by position here.
  std::map<QualifiedName, std::vector<std::pair<double, std::string>>> labels;
  // Columns go straight into their table, with their positions beside them
  // (a column is big: no second copy of every one while sorting).
  std::map<QualifiedName, std::vector<double>> positions;
  for (const auto& row : result) {
    const std::string kind = text(row[col.kind]);
    if (kind == "schema") {
      db.schemas.push_back(text(row[col.schema]));
    } else if (kind == "extension") {
      db.extensions.push_back(text(row[col.name]));
    } else if (kind == "sequence") {
      db.sequences.push_back(read_sequence(row, col));
    } else if (kind == "enum") {
      QualifiedName name{text(row[col.schema]), text(row[col.name])};
      enums[name].name = name;
      if (!row[col.item].is_null()) {
        labels[name].emplace_back(row[col.position].as<double>(), text(row[col.item]));
      }
    } else if (kind == "table") {
      QualifiedName name{text(row[col.schema]), text(row[col.name])};
      auto& t = tables[name];
      t.name = name;
      t.comment = optional_text(row[col.comment]);
      if (!row[col.item].is_null()) {
        positions[name].push_back(row[col.position].as<double>());
        t.columns.push_back(read_column(row, col));
      }
    }
  }
  auto by_position = [](const auto& a, const auto& b) { return a.first < b.first; };
  for (auto& [name, items] : labels) {
    std::sort(items.begin(), items.end(), by_position);
    for (auto& item : items) enums[name].values.push_back(std::move(item.second));
  }
  for (auto& [name, at] : positions) {
    auto& target = tables[name].columns;
    if (std::is_sorted(at.begin(), at.end())) {
      target.shrink_to_fit();
      continue;
    }
    std::vector<std::size_t> order(at.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&at](std::size_t a, std::size_t b) { return at[a] < at[b]; });
    std::vector<schema::Column> sorted;
    sorted.reserve(target.size());
    for (std::size_t i : order) sorted.push_back(std::move(target[i]));
    target = std::move(sorted);
  }
  std::sort(db.schemas.begin(), db.schemas.end());
  std::sort(db.extensions.begin(), db.extensions.end());
  std::sort(db.sequences.begin(), db.sequences.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  for (auto& entry : enums) db.enums.push_back(std::move(entry.second));
}

// Constraints and indexes belong to tables the objects query returned: all
// queries filter tables alike and read one snapshot.
schema::Table& owner_table(TableMap& tables, std::string schema_name, std::string table_name) {
  QualifiedName name{std::move(schema_name), std::move(table_name)};
  auto it = tables.find(name);
  if (it == tables.end()) throw std::logic_error("inspect: no table " + name.display());
  return it->second;
}

schema::Constraint read_constraint(const pqxx::row& row, const ConstraintColumns& col) {
  schema::Constraint c;
  c.kind = constraint_kind(text(row[col.kind]));
  c.name = text(row[col.name]);
  c.validated = flag(row[col.validated]);
  if (c.kind == schema::ConstraintKind::foreign_key) {
    c.ref_table = {text(row[col.ref_schema]), text(row[col.ref_table])};
    c.on_delete = referential_action(text(row[col.on_delete]));
    c.on_update = referential_action(text(row[col.on_update]));
  }
  if (c.kind == schema::ConstraintKind::check) {
    c.expression = check_expression(text(row[col.definition]));
  }
  return c;
}

void read_constraints(const pqxx::result& result, TableMap& tables) {
  const ConstraintColumns col(result);
  std::string current_oid;
  schema::Constraint* current = nullptr;
  for (const auto& row : result) {
    std::string oid = text(row[col.oid]);
    if (current == nullptr || oid != current_oid) {
      auto& table = owner_table(tables, text(row[col.schema]), text(row[col.table_name]));
      table.constraints.push_back(read_constraint(row, col));
      current = &table.constraints.back();
      current_oid = std::move(oid);
    }
    if (!row[col.column_name].is_null()) current->columns.push_back(text(row[col.column_name]));
    if (!row[col.ref_column].is_null()) current->ref_columns.push_back(text(row[col.ref_column]));
  }
}

schema::Index read_index(const pqxx::row& row, const IndexColumns& col) {
  schema::Index index;
  index.name = text(row[col.name]);
  index.method = text(row[col.method]);
  index.unique = flag(row[col.is_unique]);
  index.valid = flag(row[col.is_valid]);
  index.constraint_backed = flag(row[col.constraint_backed]);
  index.where = text(row[col.predicate]);
  return index;
}

schema::IndexKey read_index_key(const pqxx::row& row, const IndexColumns& col) {
  schema::IndexKey key;
  if (row[col.column_name].is_null()) {
    key.expression = text(row[col.expression]);
  } else {
    key.column = text(row[col.column_name]);
  }
  key.opclass = text(row[col.opclass]);
  key.default_opclass = text(row[col.default_opclass]);
  if (!row[col.option].is_null()) set_order(row[col.option].as<int>(), key);
  return key;
}

// Indexes belong to tables, or to materialized views (`views`).
void read_indexes(const pqxx::result& result, TableMap& tables, std::vector<schema::View>& views) {
  std::map<QualifiedName, std::vector<schema::Index>*> owners;
  for (auto& entry : tables) owners[entry.first] = &entry.second.indexes;
  for (auto& v : views) owners[v.name] = &v.indexes;
  const IndexColumns col(result);
  std::string current_oid;
  schema::Index* current = nullptr;
  for (const auto& row : result) {
    std::string oid = text(row[col.oid]);
    if (current == nullptr || oid != current_oid) {
      QualifiedName owner{text(row[col.schema]), text(row[col.table_name])};
      auto it = owners.find(owner);
      if (it == owners.end()) throw std::logic_error("inspect: no table " + owner.display());
      it->second->push_back(read_index(row, col));
      current = &it->second->back();
      current_oid = std::move(oid);
    }
    if (flag(row[col.is_include])) {
      current->include.push_back(text(row[col.column_name]));
    } else {
      current->keys.push_back(read_index_key(row, col));
    }
  }
  for (auto& v : views) {
    std::sort(v.indexes.begin(), v.indexes.end(),
              [](const schema::Index& a, const schema::Index& b) { return a.name < b.name; });
  }
}

// Primary key first, then by name; indexes by name.
void sort_table(schema::Table& table) {
  auto& cs = table.constraints;
  std::sort(cs.begin(), cs.end(), [](const schema::Constraint& a, const schema::Constraint& b) {
    const bool a_pk = a.kind == schema::ConstraintKind::primary_key;
    const bool b_pk = b.kind == schema::ConstraintKind::primary_key;
    if (a_pk != b_pk) return a_pk;
    return a.name < b.name;
  });
  auto& is = table.indexes;
  std::sort(is.begin(), is.end(),
            [](const schema::Index& a, const schema::Index& b) { return a.name < b.name; });
}

}  // namespace

namespace {

// The four queries, each result read into the schema and let go before the
// next is sent, so that at most one result is held at a time (besides the
// small definitions, read twice).
schema::Database read_and_assemble(pqxx::transaction_base& tx,
                                   const std::vector<std::string>& schemas, InspectStats& sent) {
  tx.exec0(queries::set_search_path);
  ++sent.queries;
  const std::string requested = sql::text_array(schemas);
  auto query = [&](const char* sql) {
    ++sent.queries;
    return tx.exec_params(sql, requested);
  };
  schema::Database db;
  TableMap tables;
  read_objects(query(queries::objects), db, tables);
  read_constraints(query(queries::constraints), tables);
  const pqxx::result definitions = query(queries::definitions);
  add_views(definitions, db);
  read_indexes(query(queries::indexes), tables, db.views);
  // A serial column's sequence is part of the column, not a sequence of
  // its own.
  db.sequences.erase(std::remove_if(db.sequences.begin(), db.sequences.end(),
                                    [&tables](const schema::Sequence& s) {
                                      auto t = tables.find({s.name.schema, s.owned_table});
                                      if (t == tables.end()) return false;
                                      const schema::Column* c = t->second.column(s.owned_column);
                                      return c != nullptr && c->serial;
                                    }),
                     db.sequences.end());
  db.tables.reserve(tables.size());
  for (auto& entry : tables) {
    sort_table(entry.second);
    db.tables.push_back(std::move(entry.second));
  }
  add_definitions(definitions, db);
  return db;
}

}  // namespace

std::string check_expression(const std::string& definition) {
  std::string out = starts_with(definition, "CHECK ") ? definition.substr(6) : definition;
  const std::string not_valid = " NOT VALID";
  if (ends_with(out, not_valid)) out.resize(out.size() - not_valid.size());
  return out;
}

schema::Database inspect(pqxx::connection_base& conn, const std::vector<std::string>& schemas,
                         InspectStats* stats) {
  InspectStats local;
  InspectStats& sent = stats != nullptr ? *stats : local;
  sent.queries = 0;

  // libpqxx 6.4 sends "BEGIN; SET TRANSACTION ISOLATION LEVEL REPEATABLE
  // READ READ ONLY" as one command when the object is created. The snapshot
  // is taken by the first query, so every query sees the same catalog.
  pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(conn, "schemad_inspect");
  ++sent.queries;
  schema::Database db = read_and_assemble(tx, schemas, sent);
  tx.commit();
  ++sent.queries;
  return db;
}

schema::Database inspect_in(pqxx::transaction_base& tx, const std::vector<std::string>& schemas,
                            InspectStats* stats) {
  InspectStats local;
  InspectStats& sent = stats != nullptr ? *stats : local;
  sent.queries = 0;
  return read_and_assemble(tx, schemas, sent);
}

std::optional<QualifiedName> nextval_sequence(const std::string& def) {
  const std::string head = "nextval('";
  const std::string tail = "'::regclass)";
  if (def.compare(0, head.size(), head) != 0 || def.size() < head.size() + tail.size() ||
      def.compare(def.size() - tail.size(), tail.size(), tail) != 0) {
    return std::nullopt;
  }
  std::string inner = def.substr(head.size(), def.size() - head.size() - tail.size());
  // Inside the literal, '' stands for '; names are quoted as needed.
  std::string unquoted;
  for (std::size_t i = 0; i < inner.size(); ++i) {
    unquoted += inner[i];
    if (inner[i] == '\'' && i + 1 < inner.size() && inner[i + 1] == '\'') ++i;
  }
  std::vector<std::string> parts;
  for (const auto& t : sql::lex(unquoted)) {
    if (t.kind == sql::Token::Kind::word || t.kind == sql::Token::Kind::quoted_identifier) {
      parts.push_back(t.text);
    }
  }
  if (parts.size() != 2) return std::nullopt;
  return QualifiedName{parts[0], parts[1]};
}

}  // namespace schemad::catalog
