#include "model/validate.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "model/invalid.hpp"

namespace schemad::model {

namespace {

using schema::Constraint;
using schema::ConstraintKind;
using Key = std::pair<std::string, std::string>;  // schema, name

struct Owner {
  std::string what;  // "table", "index", "unique constraint", ...
  std::string path;
};

// Names of one schema: relations (tables, indexes, unique constraints'
// indexes) and the names of indexes and constraints.
class Namespaces {
 public:
  void add_enum(const schema::Enum& e) { types_[{e.name.schema, e.name.name}] = e.path; }

  void add_table(const schema::Table& table) {
    Key key{table.name.schema, table.name.name};
    std::string path = child_path(table.path, "name");
    auto rel = relations_.find(key);
    if (rel != relations_.end() && rel->second.what == "table") {
      throw Invalid(path, "duplicate table \"" + table.name.display() + "\" (first at " +
                              rel->second.path + ")");
    }
    if (rel != relations_.end()) clash(path, "table", key, rel->second);
    if (auto type = types_.find(key); type != types_.end()) {
      throw Invalid(path, "table name \"" + key.second + "\" is already used in schema " +
                              key.first + " by the enum at " + type->second +
                              " (every table has a type of its name)");
    }
    relations_[key] = Owner{"table", table.path};
  }

  // An index or constraint named `name` on a table of `schema`.
  void add_object(const std::string& schema, const std::string& name, const std::string& what,
                  const std::string& object_path, bool is_relation) {
    if (name.empty()) return;
    Key key{schema, name};
    std::string path = child_path(object_path, "name");
    if (auto seen = objects_.find(key); seen != objects_.end())
      clash(path, what, key, seen->second);
    if (is_relation) {
      if (auto rel = relations_.find(key); rel != relations_.end())
        clash(path, what, key, rel->second);
      relations_[key] = Owner{what, object_path};
    }
    objects_[key] = Owner{what, object_path};
  }

 private:
  [[noreturn]] static void clash(const std::string& path, const std::string& what, const Key& key,
                                 const Owner& first) {
    throw Invalid(path, what + " name \"" + key.second + "\" is already used in schema " +
                            key.first + " by the " + first.what + " at " + first.path);
  }

  std::map<Key, std::string> types_;
  std::map<Key, Owner> relations_;
  std::map<Key, Owner> objects_;
};

std::string constraint_noun(ConstraintKind kind) {
  switch (kind) {
    case ConstraintKind::primary_key:
      return "primary key";
    case ConstraintKind::unique:
      return "unique constraint";
    case ConstraintKind::foreign_key:
      return "foreign key";
    case ConstraintKind::check:
      return "check constraint";
  }
  return "constraint";
}

bool backed_by_index(const Constraint& c) {
  return c.kind == ConstraintKind::unique || c.kind == ConstraintKind::primary_key;
}

void check_names(const schema::Database& db) {
  Namespaces names;
  for (const schema::Enum& e : db.enums) names.add_enum(e);
  // A sequence is a relation: no table, index or other sequence may share
  // its name.
  for (const schema::Sequence& s : db.sequences) {
    names.add_object(s.name.schema, s.name.name, "sequence", s.path, true);
  }
  for (const schema::View& v : db.views) {
    names.add_object(v.name.schema, v.name.name, v.materialized ? "materialized view" : "view",
                     v.path, true);
    for (const schema::Index& index : v.indexes) {
      names.add_object(v.name.schema, index.name, "index", index.path, true);
    }
  }
  for (const schema::Table& table : db.tables) {
    names.add_table(table);
    const std::string& schema = table.name.schema;
    // A unique constraint and a primary key are also their index: a
    // relation, whose name no table, index or other relation may take.
    for (const Constraint& c : table.constraints) {
      if (!backed_by_index(c)) continue;
      names.add_object(schema, c.name, constraint_noun(c.kind), c.path, true);
    }
    for (const schema::Index& index : table.indexes) {
      names.add_object(schema, index.name, "index", index.path, true);
    }
    for (const Constraint& c : table.constraints) {
      if (backed_by_index(c)) continue;
      names.add_object(schema, c.name, constraint_noun(c.kind), c.path, false);
    }
  }
}

std::vector<std::string> sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return names;
}

// The column sets that a foreign key may reference in `target`.
std::vector<std::vector<std::string>> unique_keys(const schema::Table& target) {
  std::vector<std::vector<std::string>> keys;
  for (const Constraint& c : target.constraints) {
    if (c.kind == ConstraintKind::primary_key || c.kind == ConstraintKind::unique) {
      keys.push_back(sorted(c.columns));
    }
  }
  for (const schema::Index& index : target.indexes) {
    if (!index.unique || !index.where.empty()) continue;
    std::vector<std::string> columns;
    for (const schema::IndexKey& key : index.keys) {
      if (key.column.empty()) break;
      columns.push_back(key.column);
    }
    if (columns.size() == index.keys.size()) keys.push_back(sorted(columns));
  }
  return keys;
}

void check_foreign_key(const schema::Database& db, const Constraint& fk) {
  std::string references = child_path(fk.path, "references");
  const schema::Table* target = db.table(fk.ref_table);
  if (!target) {
    if (fk.external) return;
    throw Invalid(child_path(references, "table"),
                  "table " + fk.ref_table.display() +
                      " is not in the model (declare it, or set \"external\": true)");
  }
  std::string columns_path = child_path(references, "columns");
  for (std::size_t i = 0; i < fk.ref_columns.size(); ++i) {
    if (!target->column(fk.ref_columns[i])) {
      throw Invalid(
          child_path(columns_path, i),
          "column \"" + fk.ref_columns[i] + "\" does not exist in table " + fk.ref_table.display());
    }
  }
  auto keys = unique_keys(*target);
  if (std::find(keys.begin(), keys.end(), sorted(fk.ref_columns)) == keys.end()) {
    std::string list;
    for (const std::string& c : fk.ref_columns) list += (list.empty() ? "" : ", ") + c;
    throw Invalid(columns_path, "(" + list + ") is neither the primary key nor a unique key of " +
                                    fk.ref_table.display());
  }
}

}  // namespace

// OWNED BY names a column of a table of the model, in the sequence's schema.
void check_sequence_owner(const schema::Database& db, const schema::Sequence& s) {
  if (s.owned_table.empty()) return;
  const schema::Table* table = db.table({s.name.schema, s.owned_table});
  if (table == nullptr) {
    throw Invalid(s.path + ".owned_by.table",
                  "table " + s.name.schema + "." + s.owned_table +
                      " is not in the model (a sequence is owned by a column of its own schema)");
  }
  if (table->column(s.owned_column) == nullptr) {
    throw Invalid(
        s.path + ".owned_by.column",
        "column \"" + s.owned_column + "\" does not exist in table " + table->name.display());
  }
}

// A function is its name and argument types: each at most once.
void check_functions(const schema::Database& db) {
  std::map<std::string, std::string> first;
  for (const schema::Function& f : db.functions) {
    auto [it, inserted] = first.emplace(f.signature(), f.path);
    if (!inserted) {
      throw Invalid(f.path, "duplicate function " + f.signature() + " (first at " + it->second +
                                "); functions of one name need other argument types");
    }
  }
}

void validate_model(const schema::Database& db) {
  check_names(db);
  check_functions(db);
  for (const schema::Sequence& s : db.sequences) check_sequence_owner(db, s);
  for (const schema::Table& table : db.tables) {
    for (const Constraint& c : table.constraints) {
      if (c.kind == ConstraintKind::foreign_key) check_foreign_key(db, c);
    }
  }
}

}  // namespace schemad::model
