#include "model/fingerprint.hpp"

#include <algorithm>

#include "model/pg_text.hpp"
#include "util/sha256.hpp"

namespace schemad::model {

namespace {

using namespace schema;

// Writes exactly what nlohmann's compact dump() of schema::to_json(db)
// writes — objects with their keys in byte order (nlohmann's std::map),
// strings escaped as dump() escapes them — without building the document:
// on a 1,000-table model the document cost two thirds of loading it. The
// unit test model_fingerprint_test compares the two byte for byte.
class Writer {
 public:
  std::string out;
  util::Sha256* sink = nullptr;  // when set, `out` is fed to it in pieces

  // Hands what is written so far to the sink, keeping memory flat.
  void flush(bool at_end = false) {
    if (sink != nullptr && (at_end || out.size() >= 64 * 1024)) {
      sink->update(out);
      out.clear();
    }
  }
  void key(const char* name) {
    if (!first_) out += ',';
    first_ = false;
    out += '"';
    out += name;
    out += "\":";
  }
  void open() {
    out += '{';
    first_ = true;
  }
  void close() {
    out += '}';
    first_ = false;
  }
  void open_array() {
    out += '[';
    first_ = true;
  }
  void close_array() {
    out += ']';
    first_ = false;
  }
  void item() {
    if (!first_) out += ',';
    first_ = false;
  }
  void boolean(bool value) { out += value ? "true" : "false"; }
  void null() { out += "null"; }
  void text(const std::string& s) { out += escape_json(s); }
  void optional_text(const std::string& s) { s.empty() ? null() : text(s); }
  void optional_text(const std::optional<std::string>& s) { s ? text(*s) : null(); }
  void texts(const std::vector<std::string>& items) {
    open_array();
    for (const auto& s : items) {
      item();
      text(s);
    }
    close_array();
  }
  template <typename T, typename F>
  void array(const std::vector<T>& items, F write) {
    open_array();
    for (const auto& x : items) {
      item();
      write(x);
    }
    close_array();
  }

 private:
  bool first_ = true;
};

void write(Writer& w, const Type& t) {
  w.open();
  w.key("array");
  w.boolean(t.array);
  w.key("display");
  w.text(t.display());
  w.key("modifier");
  w.text(t.modifier);
  w.key("name");
  w.text(t.name);
  w.key("resolved");
  w.boolean(t.resolved);
  w.key("schema");
  w.text(t.schema);
  w.close();
}

void write(Writer& w, const Default& d) {
  if (d.empty()) return w.null();
  w.open();
  w.key("kind");
  w.text(to_string(d.kind));
  w.key("quoted");
  w.boolean(d.quoted);
  w.key("stored");
  w.text(d.stored);
  w.key("value");
  w.text(d.value);
  w.key("volatile");
  d.is_volatile ? w.boolean(*d.is_volatile) : w.null();
  w.close();
}

void write(Writer& w, const Column& c) {
  w.open();
  w.key("comment");
  w.optional_text(c.comment);
  w.key("default");
  write(w, c.def);
  w.key("identity");
  switch (c.identity) {
    case Identity::none:
      w.null();
      break;
    case Identity::always:
      w.text("always");
      break;
    case Identity::by_default:
      w.text("by default");
      break;
  }
  w.key("name");
  w.text(c.name);
  w.key("nullable");
  w.boolean(c.nullable);
  w.key("serial");
  w.boolean(c.serial);
  w.key("type");
  write(w, c.type);
  w.close();
}

void write(Writer& w, const Constraint& c) {
  w.open();
  if (c.kind != ConstraintKind::check) {
    w.key("columns");
    w.texts(c.columns);
  } else {
    w.key("expression");
    w.text(c.expression);
  }
  w.key("kind");
  w.text(to_string(c.kind));
  w.key("name");
  w.text(c.name);
  if (c.kind == ConstraintKind::check) {
    w.key("normalized");
    w.text(c.normalized);
  }
  if (c.kind == ConstraintKind::foreign_key) {
    w.key("references");
    w.open();
    w.key("columns");
    w.texts(c.ref_columns);
    w.key("external");
    w.boolean(c.external);
    w.key("on_delete");
    w.text(to_sql(c.on_delete));
    w.key("on_update");
    w.text(to_sql(c.on_update));
    w.key("schema");
    w.text(c.ref_table.schema);
    w.key("table");
    w.text(c.ref_table.name);
    w.close();
  }
  w.key("validated");
  w.boolean(c.validated);
  w.close();
}

void write(Writer& w, const IndexKey& k) {
  w.open();
  w.key("column");
  w.optional_text(k.column);
  w.key("expression");
  w.optional_text(k.expression);
  w.key("nulls");
  switch (k.nulls) {
    case NullsOrder::unspecified:
      w.null();
      break;
    case NullsOrder::first:
      w.text("first");
      break;
    case NullsOrder::last:
      w.text("last");
      break;
  }
  w.key("opclass");
  w.optional_text(k.opclass);
  w.key("order");
  switch (k.order) {
    case SortOrder::unspecified:
      w.null();
      break;
    case SortOrder::asc:
      w.text("asc");
      break;
    case SortOrder::desc:
      w.text("desc");
      break;
  }
  w.close();
}

void write(Writer& w, const Index& i) {
  w.open();
  w.key("constraint_backed");
  w.boolean(i.constraint_backed);
  w.key("include");
  w.texts(i.include);
  w.key("keys");
  w.array(i.keys, [&](const IndexKey& k) { write(w, k); });
  w.key("method");
  w.text(i.method);
  w.key("name");
  w.text(i.name);
  w.key("unique");
  w.boolean(i.unique);
  w.key("valid");
  w.boolean(i.valid);
  w.key("where");
  w.text(i.where);
  w.close();
}

void write(Writer& w, const Table& t) {
  w.open();
  w.key("columns");
  w.array(t.columns, [&](const Column& c) { write(w, c); });
  w.key("comment");
  w.optional_text(t.comment);
  w.key("constraints");
  w.array(t.constraints, [&](const Constraint& c) { write(w, c); });
  w.key("indexes");
  w.array(t.indexes, [&](const Index& i) { write(w, i); });
  w.key("name");
  w.text(t.name.name);
  w.key("schema");
  w.text(t.name.schema);
  w.close();
}

template <typename T>
std::vector<const T*> sorted(const std::vector<T>& items) {
  std::vector<const T*> out;
  out.reserve(items.size());
  for (const auto& x : items) out.push_back(&x);
  std::sort(out.begin(), out.end(), [](const T* a, const T* b) { return a->name < b->name; });
  return out;
}

}  // namespace

static void write_database(Writer& w, const schema::Database& db) {
  w.open();
  w.key("default_schema");
  w.text(db.default_schema);
  w.key("enums");
  w.array(sorted(db.enums), [&](const Enum* e) {
    w.open();
    w.key("name");
    w.text(e->name.name);
    w.key("schema");
    w.text(e->name.schema);
    w.key("values");
    w.texts(e->values);
    w.close();
  });
  w.key("extensions");
  w.texts(db.extensions);
  w.key("fingerprint");
  w.text("");
  w.key("revision");
  w.text(db.revision);
  w.key("schemas");
  w.texts(db.schemas);
  w.key("tables");
  w.array(sorted(db.tables), [&](const Table* t) {
    write(w, *t);
    w.flush();
  });
  w.close();
  w.flush(true);
}

std::string fingerprint(const schema::Database& db) {
  util::Sha256 hash;
  Writer w;
  w.sink = &hash;
  write_database(w, db);
  return hash.hex();
}

std::string canonical_text(const schema::Database& db) {
  Writer w;
  write_database(w, db);
  return std::move(w.out);
}

}  // namespace schemad::model
