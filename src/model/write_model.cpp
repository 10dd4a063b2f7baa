#include "model/write_model.hpp"

#include <utility>

#include <algorithm>
#include <cctype>
#include <set>

#include "util/sql_text.hpp"

namespace schemad::model {

namespace {

using json = nlohmann::ordered_json;
using schema::ConstraintKind;

const std::set<std::string>& known_methods() {
  static const std::set<std::string> methods{"btree", "hash", "gin", "gist", "brin", "spgist"};
  return methods;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// "set null": the model's spelling is the SQL one, lower case.
std::string action_text(schema::ReferentialAction a) {
  return lower(schema::to_sql(a));
}

// The type as the model writes it: built-in types as format_type prints
// them, others schema-qualified ("public.role[]", "extensions.citext").
std::string type_text(const schema::Column& c) {
  if (c.serial) {
    if (c.type.name == "integer") return "serial";
    if (c.type.name == "bigint") return "bigserial";
    if (c.type.name == "smallint") return "smallserial";
  }
  return c.type.display();
}

// "((a > 0))" -> "a > 0": the outer parentheses the server adds.
std::string bare(std::string expression) {
  for (std::string inner = sql::without_outer_parentheses(expression); inner != expression;
       inner = sql::without_outer_parentheses(expression)) {
    expression = std::move(inner);
  }
  return expression;
}

json column_json(const schema::Column& c, bool in_key) {
  json out;
  out["name"] = c.name;
  out["type"] = type_text(c);
  const bool implied_not_null = in_key || c.serial || c.identity != schema::Identity::none;
  if (!c.nullable && !implied_not_null) out["nullable"] = false;
  if (!c.def.empty() && !c.serial) out["default"] = json{{"sql", c.def.value}};
  if (c.identity == schema::Identity::always) out["identity"] = "always";
  if (c.identity == schema::Identity::by_default) out["identity"] = "by default";
  if (!c.generated.empty()) out["generated"] = bare(c.generated);
  if (c.comment && !c.comment->empty()) out["comment"] = *c.comment;
  return out;
}

json key_json(const schema::IndexKey& k) {
  const bool plain = !k.column.empty() && k.opclass.empty() &&
                     k.order == schema::SortOrder::unspecified &&
                     k.nulls == schema::NullsOrder::unspecified;
  if (plain) return k.column;
  json out;
  if (!k.column.empty()) {
    out["column"] = k.column;
  } else {
    out["expression"] = k.expression;
  }
  if (!k.opclass.empty()) out["opclass"] = k.opclass;
  if (k.order == schema::SortOrder::asc) out["order"] = "asc";
  if (k.order == schema::SortOrder::desc) out["order"] = "desc";
  if (k.nulls == schema::NullsOrder::first) out["nulls"] = "first";
  if (k.nulls == schema::NullsOrder::last) out["nulls"] = "last";
  return out;
}

// `object` with "name" first, when there is a name: a SQL model's unnamed
// constraint (pull --from-model) has none, and "" is no identifier.
json named(const std::string& name, const json& object) {
  json out;
  if (!name.empty()) out["name"] = name;
  for (const auto& [key, value] : object.items()) out[key] = value;
  return out;
}

json trigger_json(const schema::Trigger& t, const schema::Database& db) {
  json out;
  out["name"] = t.name;
  out["timing"] = schema::to_string(t.timing);
  json events = json::array();
  for (const std::string& word : schema::event_words(t)) events.push_back(lower(word));
  out["events"] = events;
  if (!t.columns.empty()) out["columns"] = t.columns;
  if (!t.for_each_row) out["for_each"] = "statement";
  if (!t.when.empty()) out["when"] = bare(t.when);
  if (t.function.schema == db.default_schema) {
    out["function"] = t.function.name;
  } else {
    out["function"] = json{{"schema", t.function.schema}, {"name", t.function.name}};
  }
  if (!t.arguments.empty()) out["arguments"] = t.arguments;
  return out;
}

json policy_json(const schema::Policy& p) {
  json out;
  out["name"] = p.name;
  if (p.command != "all") out["command"] = p.command;
  if (!p.permissive) out["as"] = "restrictive";
  if (p.roles != std::vector<std::string>{"public"}) out["roles"] = p.roles;
  if (!p.using_expr.empty()) out["using"] = bare(p.using_expr);
  if (!p.check_expr.empty()) out["with_check"] = bare(p.check_expr);
  return out;
}

void add_table_objects(json& out, const schema::Table& t, const schema::Database& db) {
  json triggers = json::array();
  for (const auto& trigger : t.triggers) triggers.push_back(trigger_json(trigger, db));
  if (!triggers.empty()) out["triggers"] = triggers;
  json policies = json::array();
  for (const auto& policy : t.policies) policies.push_back(policy_json(policy));
  if (!policies.empty()) out["policies"] = policies;
  if (t.row_security) out["row_level_security"] = t.force_row_security ? "forced" : "enabled";
}

// The indexes the model can say (an exclusion constraint's, an invalid
// one and an unknown method's are left out, with a warning).
json indexes_json(const std::vector<schema::Index>& list,
                  const std::set<std::string>& constraint_names, const std::string& where,
                  std::vector<std::string>& warnings) {
  json indexes = json::array();
  for (const auto& i : list) {
    if (i.constraint_backed) {
      if (!constraint_names.count(i.name)) {
        warnings.push_back(where + ": exclusion constraint " + i.name + " is not expressed");
      }
      continue;
    }
    if (!i.valid) {
      warnings.push_back(where + ": index " + i.name +
                         " is invalid (a failed concurrent build) and is left out");
      continue;
    }
    if (!known_methods().count(i.method)) {
      warnings.push_back(where + ": index " + i.name + " uses method " + i.method +
                         ", which the model format does not know; left out");
      continue;
    }
    json index;
    index["name"] = i.name;
    json keys = json::array();
    for (const auto& k : i.keys) keys.push_back(key_json(k));
    index["columns"] = keys;
    if (i.method != "btree") index["method"] = i.method;
    if (i.unique) index["unique"] = true;
    if (!i.where.empty()) index["where"] = bare(i.where);
    if (!i.include.empty()) index["include"] = i.include;
    indexes.push_back(index);
  }
  return indexes;
}

json view_json(const schema::View& v, const schema::Database& db,
               std::vector<std::string>& warnings) {
  json out;
  out["name"] = v.name.name;
  if (v.name.schema != db.default_schema) out["schema"] = v.name.schema;
  if (v.materialized) out["materialized"] = true;
  out["query"] = v.query;
  json indexes = indexes_json(v.indexes, {}, v.name.display(), warnings);
  if (!indexes.empty()) out["indexes"] = indexes;
  return out;
}

json table_json(const schema::Table& t, const schema::Database& db,
                std::vector<std::string>& warnings) {
  const std::string where = t.name.display();
  json out;
  out["name"] = t.name.name;
  if (t.name.schema != db.default_schema) out["schema"] = t.name.schema;
  if (t.comment && !t.comment->empty()) out["comment"] = *t.comment;
  const schema::Constraint* pk = t.primary_key();
  std::set<std::string> key_columns;
  if (pk != nullptr) key_columns.insert(pk->columns.begin(), pk->columns.end());
  json columns = json::array();
  for (const auto& c : t.columns) columns.push_back(column_json(c, key_columns.count(c.name) > 0));
  out["columns"] = columns;
  if (pk != nullptr) {
    // Named only when the name is not the one PostgreSQL would choose.
    if (pk->name.empty() || pk->name == sql::object_name(t.name.name, "", "pkey")) {
      out["primary_key"] = pk->columns;
    } else {
      out["primary_key"] = json{{"name", pk->name}, {"columns", pk->columns}};
    }
  }
  json uniques = json::array();
  json foreign_keys = json::array();
  json checks = json::array();
  std::set<std::string> constraint_names;
  for (const auto& k : t.constraints) {
    constraint_names.insert(k.name);
    if (!k.validated) {
      warnings.push_back(where + ": constraint " + k.name +
                         " is NOT VALID in the database; the model says it as a valid one");
    }
    switch (k.kind) {
      case ConstraintKind::primary_key:
        break;
      case ConstraintKind::unique:
        uniques.push_back(named(k.name, json{{"columns", k.columns}}));
        break;
      case ConstraintKind::foreign_key: {
        json ref;
        ref["schema"] = k.ref_table.schema;
        ref["table"] = k.ref_table.name;
        ref["columns"] = k.ref_columns;
        if (k.external || db.table(k.ref_table) == nullptr) ref["external"] = true;
        json fk = named(k.name, json{{"columns", k.columns}, {"references", ref}});
        if (k.on_delete != schema::ReferentialAction::no_action) {
          fk["on_delete"] = action_text(k.on_delete);
        }
        if (k.on_update != schema::ReferentialAction::no_action) {
          fk["on_update"] = action_text(k.on_update);
        }
        foreign_keys.push_back(fk);
        break;
      }
      case ConstraintKind::check:
        checks.push_back(named(k.name, json{{"expression", bare(k.expression)}}));
        break;
    }
  }
  json indexes = indexes_json(t.indexes, constraint_names, where, warnings);
  if (!uniques.empty()) out["uniques"] = uniques;
  if (!indexes.empty()) out["indexes"] = indexes;
  if (!foreign_keys.empty()) out["foreign_keys"] = foreign_keys;
  if (!checks.empty()) out["checks"] = checks;
  add_table_objects(out, t, db);
  return out;
}

json function_json(const schema::Function& f, const schema::Database& db) {
  json out;
  out["name"] = f.name.name;
  if (f.name.schema != db.default_schema) out["schema"] = f.name.schema;
  if (!f.arguments.empty()) out["arguments"] = f.arguments;
  out["sql"] = f.sql;
  return out;
}

// Every number written: the model's defaults depend on the direction.
json sequence_json(const schema::Sequence& s, const schema::Database& db) {
  json out;
  out["name"] = s.name.name;
  if (s.name.schema != db.default_schema) out["schema"] = s.name.schema;
  out["type"] = s.type;
  out["start"] = s.start;
  out["increment"] = s.increment;
  out["min"] = s.min;
  out["max"] = s.max;
  if (s.cache != 1) out["cache"] = s.cache;
  if (s.cycle) out["cycle"] = true;
  if (!s.owned_table.empty()) {
    out["owned_by"] = json{{"table", s.owned_table}, {"column", s.owned_column}};
  }
  return out;
}

template <typename T>
std::vector<const T*> by_name(const std::vector<T>& items) {
  std::vector<const T*> out;
  for (const auto& x : items) out.push_back(&x);
  std::sort(out.begin(), out.end(), [](const T* a, const T* b) { return a->name < b->name; });
  return out;
}

}  // namespace

nlohmann::ordered_json to_model_json(const schema::Database& db,
                                     std::vector<std::string>& warnings) {
  json out;
  out["version"] = 1;
  out["schema"] = db.default_schema;
  if (!db.revision.empty()) out["revision"] = db.revision;
  std::vector<std::string> extensions = db.extensions;
  std::sort(extensions.begin(), extensions.end());
  if (!extensions.empty()) out["extensions"] = extensions;
  json sequences = json::array();
  for (const schema::Sequence* s : by_name(db.sequences))
    sequences.push_back(sequence_json(*s, db));
  if (!sequences.empty()) out["sequences"] = sequences;
  json functions = json::array();
  for (const schema::Function& f : db.functions) functions.push_back(function_json(f, db));
  if (!functions.empty()) out["functions"] = functions;
  for (const auto& [name, where] : db.extension_schemas) {
    if (where != db.default_schema && where != "public" &&
        std::binary_search(extensions.begin(), extensions.end(), name)) {
      warnings.push_back("extension " + name + " is in schema " + where +
                         "; the model format cannot say where an extension is created (the "
                         "server's default schema is used)");
    }
  }
  json enums = json::array();
  for (const auto* e : by_name(db.enums)) {
    json item;
    item["name"] = e->name.name;
    if (e->name.schema != db.default_schema) item["schema"] = e->name.schema;
    item["values"] = e->values;
    enums.push_back(item);
  }
  if (!enums.empty()) out["enums"] = enums;
  json tables = json::array();
  for (const auto* t : by_name(db.tables)) tables.push_back(table_json(*t, db, warnings));
  out["tables"] = tables;
  json views = json::array();  // in the database's order: a view after those it reads
  for (const schema::View& v : db.views) views.push_back(view_json(v, db, warnings));
  if (!views.empty()) out["views"] = views;
  return out;
}

}  // namespace schemad::model
