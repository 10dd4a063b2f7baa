#include "fleet/instantiate.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/inspect.hpp"
#include "model/fingerprint.hpp"
#include "model/pg_text.hpp"
#include "util/sql_text.hpp"
#include "util/text.hpp"

namespace schemad::fleet {

namespace {

using schema::QualifiedName;

// String constants are read for names too, and may hold string constants
// themselves (a function body's EXECUTE '...'): this deep, then their
// bytes are searched as they are, so that no text makes the scan recurse
// without bound.
constexpr int kMaxStringDepth = 8;

bool in_schema(const QualifiedName& name, const std::string& schema) {
  return name.schema == schema;
}

// Whether `c` continues an unquoted identifier or closes a quoted one: a
// name next to it is part of a longer one.
bool joins_name(char c) {
  return sql::is_identifier_char(c) || c == '"';
}

// `tmpl.` or `"tmpl".` in raw bytes (the unquoted form case folded), for
// text nested too deep to lex: it errs towards finding one.
std::optional<std::string> qualifier_in_bytes(std::string_view text, const std::string& tmpl) {
  const std::string lower = util::ascii_lower(text);
  const std::string quoted = sql::ident(tmpl);
  auto dot_after = [&](std::size_t end) {
    while (end < text.size() && util::is_space(text[end])) ++end;
    return end < text.size() && text[end] == '.';
  };
  for (std::size_t at = lower.find(tmpl); at != std::string::npos; at = lower.find(tmpl, at + 1)) {
    const bool alone = (at == 0 || !joins_name(text[at - 1])) &&
                       (at + tmpl.size() == text.size() || !joins_name(text[at + tmpl.size()]));
    if (alone && dot_after(at + tmpl.size())) {
      return std::string(text.substr(at, tmpl.size())) + ".";
    }
  }
  for (std::size_t at = text.find(quoted); at != std::string::npos;
       at = text.find(quoted, at + 1)) {
    if (dot_after(at + quoted.size())) return quoted + ".";
  }
  return std::nullopt;
}

// A string constant's contents, as far as finding names in it needs:
// '...' and E'...' with '' undoubled (E's backslash escapes left as they
// are, which no name needs), $tag$...$tag$ as it is.
std::string string_contents(const sql::Token& token) {
  const std::string& source = token.text;
  if (source[0] == '$') {
    const std::size_t begin = source.find('$', 1) + 1;
    const std::size_t end = token.unterminated ? source.size() : source.size() - begin;
    return begin < end ? source.substr(begin, end - begin) : std::string();
  }
  const std::size_t begin = source.find('\'') + 1;
  const std::size_t end = token.unterminated ? source.size() : source.size() - 1;
  std::string out;
  for (std::size_t i = begin; i < end; ++i) {
    out += source[i];
    if (source[i] == '\'' && i + 1 < end && source[i + 1] == '\'') ++i;
  }
  return out;
}

// The first place `text` names schema `tmpl` as a qualifier, as written
// ("tenant.", "\"tenant\"."), or nothing. Tokens as PostgreSQL's scanner
// reads them: an unquoted word is folded to lower case, a quoted one is
// exact, whitespace and comments may stand before the dot, and string
// constants are read too (a '...'::regclass names a relation; a function's
// body is one).
std::optional<std::string> qualifier_in(std::string_view text, const std::string& tmpl,
                                        int depth = 0) {
  const std::vector<sql::Token> tokens = sql::lex(text);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const sql::Token& t = tokens[i];
    if (t.kind == sql::Token::Kind::string) {
      const std::string contents = string_contents(t);
      auto found = depth < kMaxStringDepth ? qualifier_in(contents, tmpl, depth + 1)
                                           : qualifier_in_bytes(contents, tmpl);
      if (found) return found;
      continue;
    }
    const bool names =
        (t.kind == sql::Token::Kind::word && util::ascii_lower(t.text) == tmpl) ||
        (t.kind == sql::Token::Kind::quoted_identifier && !t.unterminated && t.text == tmpl);
    if (!names) continue;
    std::size_t next = i + 1;
    if (next < tokens.size() && tokens[next].kind == sql::Token::Kind::space) ++next;
    if (next < tokens.size() && tokens[next].kind == sql::Token::Kind::op &&
        tokens[next].text == ".") {
      return std::string(text.substr(t.offset, t.length)) + ".";
    }
  }
  return std::nullopt;
}

bool names_schema(const std::string& text, const std::string& tmpl) {
  return !text.empty() && qualifier_in(text, tmpl).has_value();
}

// nextval('schema.name'::regclass) as the server prints it with
// search_path = pg_catalog (regclassout qualifies every name then, each
// part through quote_identifier): the inverse of catalog::nextval_sequence.
std::string nextval_text(const QualifiedName& sequence) {
  return "nextval(" +
         sql::literal(model::quote_identifier(sequence.schema) + "." +
                      model::quote_identifier(sequence.name)) +
         "::regclass)";
}

// The sequence of `text` when `text` is exactly the server's nextval text
// of a sequence of `tmpl`: the one default text schemad can rename, since
// it can print it exactly as the server would.
std::optional<QualifiedName> template_nextval(const std::string& text, const std::string& tmpl) {
  auto sequence = catalog::nextval_sequence(text);
  if (!sequence || sequence->schema != tmpl || nextval_text(*sequence) != text) return std::nullopt;
  return sequence;
}

// A format_type text ("tenant.mood[]", "\"Tenant\".mood") whose qualifier is
// `tmpl`: the length of that qualifier and its dot, else 0.
std::size_t template_qualifier(const std::string& type_text, const std::string& tmpl) {
  const std::vector<sql::Token> tokens = sql::lex(type_text);
  if (tokens.size() < 2) return 0;
  const sql::Token& first = tokens[0];
  const bool names =
      (first.kind == sql::Token::Kind::word && util::ascii_lower(first.text) == tmpl) ||
      (first.kind == sql::Token::Kind::quoted_identifier && first.text == tmpl);
  if (!names || tokens[1].kind != sql::Token::Kind::op || tokens[1].text != ".") return 0;
  return tokens[1].offset + tokens[1].length;
}

// The label PostgreSQL puts on a constant of a non-built-in type (as the
// loader predicts it: model/defaults.cpp).
std::string type_label(const schema::Type& type) {
  std::string out = model::quote_identifier(type.schema) + "." + model::quote_identifier(type.name);
  return type.array ? out + "[]" : out;
}

std::string owned(const schema::Table& table, const std::string& item) {
  return table.name.display() + "." + item;
}

std::string place(const std::string& path, const std::string& fallback) {
  return path.empty() ? fallback : path;
}

class Checker {
 public:
  Checker(const schema::Database& model, const std::string& tmpl) : model_(model), tmpl_(tmpl) {}

  void run() const {
    if (!std::binary_search(model_.schemas.begin(), model_.schemas.end(), tmpl_)) {
      std::string list;
      for (const auto& s : model_.schemas) list += (list.empty() ? "" : ", ") + s;
      throw TemplateError("the tenant template schema \"" + tmpl_ +
                          "\" has no object in the model (its schemas: " + list + ")");
    }
    for (const auto& entry : model_.extension_schemas) {
      if (entry.second == tmpl_) {
        throw TemplateError("extension \"" + entry.first +
                            "\": it is created in the tenant template schema \"" + tmpl_ +
                            "\": an extension exists once per database, not per tenant; create "
                            "it in a shared schema");
      }
    }
    for (const auto& f : model_.functions) function(f);
    for (const auto& t : model_.tables) table(t);
    for (const auto& v : model_.views) {
      const std::string where = place(v.path, v.name.display());
      sql_text(where, v.query);
      for (const auto& i : v.indexes) index(place(i.path, where), i);
    }
  }

 private:
  [[noreturn]] void refuse(const std::string& where, const std::string& problem) const {
    throw TemplateError(where + ": " + problem);
  }

  void sql_text(const std::string& where, const std::string& text) const {
    if (text.empty()) return;
    if (auto found = qualifier_in(text, tmpl_)) {
      refuse(where, "its SQL text names the tenant template schema \"" + tmpl_ + "\" (`" + *found +
                        "`): schemad does not rewrite SQL per tenant; leave the name unqualified "
                        "or move the object to a shared schema");
    }
  }

  void function(const schema::Function& f) const {
    const std::string where = place(f.path, f.signature());
    sql_text(where, f.sql);
    if (in_schema(f.name, tmpl_)) return;
    for (const auto& argument : f.arguments) {
      if (template_qualifier(argument, tmpl_) > 0) {
        refuse(where, "a shared function cannot take the tenant template type " + argument);
      }
    }
  }

  void index(const std::string& where, const schema::Index& i) const {
    sql_text(where, i.where);
    sql_text(where, i.create_where);
    for (const auto& key : i.keys) sql_text(where, key.expression);
  }

  void table(const schema::Table& t) const {
    const bool shared = !in_schema(t.name, tmpl_);
    for (const auto& c : t.columns) {
      const std::string where = place(c.path, owned(t, c.name));
      if (c.def.kind == schema::Default::Kind::sql &&
          (shared || !template_nextval(c.def.value, tmpl_))) {
        sql_text(where, c.def.value);
      }
      sql_text(where, c.generated);
      if (shared && c.type.schema == tmpl_) {
        refuse(where,
               "a shared table's column cannot have the tenant template type " + c.type.display());
      }
    }
    for (const auto& k : t.constraints) {
      const std::string where =
          place(k.path, owned(t, k.name.empty() ? schema::to_string(k.kind) : k.name));
      sql_text(where, k.expression);
      if (shared && k.kind == schema::ConstraintKind::foreign_key &&
          in_schema(k.ref_table, tmpl_)) {
        refuse(where, "a shared table cannot reference the tenant template table " +
                          k.ref_table.display());
      }
    }
    for (const auto& i : t.indexes) {
      index(place(i.path, owned(t, i.name.empty() ? "index" : i.name)), i);
    }
    for (const auto& tr : t.triggers) {
      const std::string where = place(tr.path, owned(t, tr.name));
      sql_text(where, tr.when);
      if (shared && in_schema(tr.function, tmpl_)) {
        refuse(where, "a shared table's trigger cannot call the tenant template function " +
                          tr.function.display());
      }
    }
    for (const auto& p : t.policies) {
      const std::string where = place(p.path, owned(t, p.name));
      sql_text(where, p.using_expr);
      sql_text(where, p.check_expr);
    }
  }

  const schema::Database& model_;
  const std::string& tmpl_;
};

class Renamer {
 public:
  Renamer(const std::string& tmpl, const std::string& tenant) : tmpl_(tmpl), tenant_(tenant) {}

  void run(schema::Database& db) const {
    for (auto& e : db.enums) name(e.name);
    for (auto& s : db.sequences) name(s.name);
    for (auto& f : db.functions) function(f);
    for (auto& t : db.tables) table(t);
    for (auto& v : db.views) {
      if (!in_schema(v.name, tmpl_)) continue;
      name(v.name);
      learned(v.normalized);
      for (const auto& column : v.columns) {
        if (names_schema(column, tmpl_)) {
          v.columns.clear();
          break;
        }
      }
    }
    for (auto& s : db.schemas) {
      if (s == tmpl_) s = tenant_;
    }
    std::sort(db.schemas.begin(), db.schemas.end());
    db.schemas.erase(std::unique(db.schemas.begin(), db.schemas.end()), db.schemas.end());
    if (db.default_schema == tmpl_) db.default_schema = tenant_;
  }

 private:
  void name(QualifiedName& n) const {
    if (in_schema(n, tmpl_)) n.schema = tenant_;
  }

  // A text the probe learned for the template: it is the tenant's too
  // unless it names the template's schema (the server qualifies every name
  // it prints), and then it is forgotten, for the probe to learn anew.
  void learned(std::string& text) const {
    if (names_schema(text, tmpl_)) text.clear();
  }

  void function(schema::Function& f) const {
    for (auto& argument : f.arguments) {
      if (std::size_t length = template_qualifier(argument, tmpl_)) {
        argument = model::quote_identifier(tenant_) + "." + argument.substr(length);
      }
    }
    if (!in_schema(f.name, tmpl_)) return;
    name(f.name);
    learned(f.normalized);
  }

  void rename_nextval(std::string& text) const {
    if (auto sequence = template_nextval(text, tmpl_)) {
      text = nextval_text({tenant_, sequence->name});
    }
  }

  void column(schema::Column& c, bool moved) const {
    if (c.type.schema == tmpl_) {
      const std::string old_label = "::" + type_label(c.type);
      c.type.schema = tenant_;
      // A literal's stored text ends in a cast to its type: 'sad'::tenant.mood.
      std::string& stored = c.def.stored;
      if (c.def.kind != schema::Default::Kind::sql && stored.size() >= old_label.size() &&
          stored.compare(stored.size() - old_label.size(), old_label.size(), old_label) == 0) {
        stored.replace(stored.size() - old_label.size(), old_label.size(),
                       "::" + type_label(c.type));
      }
    }
    if (!moved) return;
    if (c.def.kind == schema::Default::Kind::sql) {
      rename_nextval(c.def.value);
      rename_nextval(c.def.stored);
      if (names_schema(c.def.stored, tmpl_)) c.def.stored = c.def.value;
    }
    learned(c.generated_normalized);
  }

  void table(schema::Table& t) const {
    const bool moved = in_schema(t.name, tmpl_);
    name(t.name);
    for (auto& c : t.columns) column(c, moved);
    for (auto& k : t.constraints) {
      if (k.kind == schema::ConstraintKind::foreign_key) name(k.ref_table);
      if (moved) learned(k.normalized);
    }
    for (auto& tr : t.triggers) {
      name(tr.function);
      if (moved) learned(tr.when_normalized);
    }
    if (!moved) return;
    for (auto& p : t.policies) {
      learned(p.using_normalized);
      learned(p.check_normalized);
    }
  }

  const std::string& tmpl_;
  const std::string& tenant_;
};

// Its own fingerprint; the file's SHA-256 describes the model, not this.
void reidentify(schema::Database& db) {
  db.source.clear();
  db.fingerprint = model::fingerprint(db);
}

template <typename T>
void remove_in(std::vector<T>& items, const std::string& tmpl) {
  items.erase(std::remove_if(items.begin(), items.end(),
                             [&](const T& item) { return in_schema(item.name, tmpl); }),
              items.end());
}

}  // namespace

void check_template(const schema::Database& model, const std::string& tmpl) {
  Checker(model, tmpl).run();
}

schema::Database instantiate(const schema::Database& model, const std::string& tmpl,
                             const std::string& tenant) {
  if (tenant.empty() || tenant.size() > sql::kMaxIdentifierBytes) {
    throw TemplateError("the tenant schema \"" + tenant + "\" is not an identifier (1 to " +
                        std::to_string(sql::kMaxIdentifierBytes) + " bytes)");
  }
  if (tenant != tmpl && std::binary_search(model.schemas.begin(), model.schemas.end(), tenant)) {
    throw TemplateError("the tenant schema \"" + tenant +
                        "\" is a shared schema of the model: a tenant's schema holds that "
                        "tenant's objects only");
  }
  schema::Database db = model;
  Renamer(tmpl, tenant).run(db);
  reidentify(db);
  return db;
}

schema::Database shared_part(const schema::Database& model, const std::string& tmpl) {
  schema::Database db = model;
  remove_in(db.tables, tmpl);
  remove_in(db.enums, tmpl);
  remove_in(db.sequences, tmpl);
  remove_in(db.views, tmpl);
  remove_in(db.functions, tmpl);
  db.schemas.erase(std::remove(db.schemas.begin(), db.schemas.end(), tmpl), db.schemas.end());
  reidentify(db);
  return db;
}

}  // namespace schemad::fleet
