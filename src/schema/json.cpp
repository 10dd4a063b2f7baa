#include "schema/json.hpp"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "util/json_string.hpp"

namespace schemad::schema {

namespace {

// Pieces handed to a sink are cut between tables once this much is written.
constexpr std::size_t kPieceSize = 64 * 1024;

// Appends JSON to `out_`. The callers write every object's keys in byte order
// (the order of nlohmann's std::map), which is what makes the text the
// compact dump of the document json.hpp describes; the unit test
// schema_json_test checks it by parsing and re-dumping with nlohmann.
class Writer {
 public:
  explicit Writer(JsonSink* sink) : sink_(sink) {
    if (sink_ != nullptr) out_.reserve(2 * kPieceSize);
  }

  // Hands what is written so far to the sink, when there is one and enough
  // is written (or `at_end`); without a sink the text stays in `out_`.
  void flush(bool at_end = false) {
    if (sink_ != nullptr && !out_.empty() && (at_end || out_.size() >= kPieceSize)) {
      sink_->write(out_);
      out_.clear();
    }
  }
  std::string take() { return std::move(out_); }

  void open() {
    out_ += '{';
    first_ = true;
  }
  void close() {
    out_ += '}';
    first_ = false;
  }
  // `name` needs no escaping: every key is a plain lower-case word.
  void key(const char* name) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += name;
    out_ += "\":";
  }
  void open_array() {
    out_ += '[';
    first_ = true;
  }
  void close_array() {
    out_ += ']';
    first_ = false;
  }
  void item() {
    if (!first_) out_ += ',';
    first_ = false;
  }

  void boolean(bool value) { out_ += value ? "true" : "false"; }
  void null() { out_ += "null"; }
  void text(std::string_view s) { util::append_json_string(out_, s); }
  // Empty: null.
  void optional_text(const std::string& s) { s.empty() ? null() : text(s); }
  void optional_text(const std::optional<std::string>& s) { s ? text(*s) : null(); }
  void texts(const std::vector<std::string>& items) {
    array(items, [this](const std::string& s) { text(s); });
  }
  template <typename Items, typename F>
  void array(const Items& items, F write_item) {
    open_array();
    for (const auto& x : items) {
      item();
      write_item(x);
    }
    close_array();
  }

 private:
  JsonSink* sink_;
  std::string out_;
  bool first_ = true;
};

const char* identity_text(Identity identity) {
  switch (identity) {
    case Identity::none:
      return nullptr;
    case Identity::always:
      return "always";
    case Identity::by_default:
      return "by default";
  }
  return nullptr;
}

const char* order_text(SortOrder order) {
  switch (order) {
    case SortOrder::unspecified:
      return nullptr;
    case SortOrder::asc:
      return "asc";
    case SortOrder::desc:
      return "desc";
  }
  return nullptr;
}

const char* nulls_text(NullsOrder nulls) {
  switch (nulls) {
    case NullsOrder::unspecified:
      return nullptr;
    case NullsOrder::first:
      return "first";
    case NullsOrder::last:
      return "last";
  }
  return nullptr;
}

// A string, or null for nullptr.
void write_name(Writer& w, const char* name) {
  name != nullptr ? w.text(name) : w.null();
}

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
  if (!c.generated.empty()) {  // absent otherwise: older models keep their fingerprint
    w.key("generated");
    w.text(c.generated);
  }
  w.key("identity");
  write_name(w, identity_text(c.identity));
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
  const bool check = c.kind == ConstraintKind::check;
  w.open();
  if (!check) {
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
  if (check) {
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
  write_name(w, nulls_text(k.nulls));
  w.key("opclass");
  w.optional_text(k.opclass);
  w.key("order");
  write_name(w, order_text(k.order));
  w.close();
}

void write(Writer& w, const Index& i) {
  w.open();
  w.key("constraint_backed");
  w.boolean(i.constraint_backed);
  w.key("include");
  w.texts(i.include);
  w.key("keys");
  w.array(i.keys, [&w](const IndexKey& k) { write(w, k); });
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

// The items in the order to write them: as they are, or sorted by name.
template <typename T>
std::vector<const T*> in_order(const std::vector<T>& items, bool sort_by_name) {
  std::vector<const T*> out;
  out.reserve(items.size());
  for (const auto& x : items) out.push_back(&x);
  if (sort_by_name) {
    std::stable_sort(out.begin(), out.end(),
                     [](const T* a, const T* b) { return a->name < b->name; });
  }
  return out;
}

void write(Writer& w, const Trigger& t) {
  w.open();
  w.key("arguments");
  w.texts(t.arguments);
  w.key("columns");
  w.texts(t.columns);
  w.key("events");
  w.text(std::to_string(t.events));
  w.key("for_each_row");
  w.boolean(t.for_each_row);
  w.key("function");
  w.text(t.function.display());
  w.key("name");
  w.text(t.name);
  w.key("timing");
  w.text(to_string(t.timing));
  w.key("when");
  w.text(t.when);
  w.close();
}

void write(Writer& w, const Policy& p) {
  w.open();
  w.key("check");
  w.text(p.check_expr);
  w.key("command");
  w.text(p.command);
  w.key("name");
  w.text(p.name);
  w.key("permissive");
  w.boolean(p.permissive);
  w.key("roles");
  w.texts(p.roles);
  w.key("using");
  w.text(p.using_expr);
  w.close();
}

// "force_row_security", "policies", "row_security" and "triggers" only when
// set: older models keep their fingerprint.
void write(Writer& w, const Table& t) {
  w.open();
  w.key("columns");
  w.array(t.columns, [&w](const Column& c) { write(w, c); });
  w.key("comment");
  w.optional_text(t.comment);
  w.key("constraints");
  w.array(t.constraints, [&w](const Constraint& c) { write(w, c); });
  if (t.force_row_security) {
    w.key("force_row_security");
    w.boolean(true);
  }
  w.key("indexes");
  w.array(t.indexes, [&w](const Index& i) { write(w, i); });
  w.key("name");
  w.text(t.name.name);
  if (!t.policies.empty()) {
    w.key("policies");
    w.array(in_order(t.policies, true), [&w](const Policy* p) { write(w, *p); });
  }
  if (t.row_security) {
    w.key("row_security");
    w.boolean(true);
  }
  w.key("schema");
  w.text(t.name.schema);
  if (!t.triggers.empty()) {
    w.key("triggers");
    w.array(in_order(t.triggers, true), [&w](const Trigger* x) { write(w, *x); });
  }
  w.close();
}

void write(Writer& w, const Enum& e) {
  w.open();
  w.key("name");
  w.text(e.name.name);
  w.key("schema");
  w.text(e.name.schema);
  w.key("values");
  w.texts(e.values);
  w.close();
}

void write(Writer& w, const Sequence& s) {
  w.open();
  w.key("cache");
  w.text(std::to_string(s.cache));
  w.key("cycle");
  w.boolean(s.cycle);
  w.key("increment");
  w.text(std::to_string(s.increment));
  w.key("max");
  w.text(std::to_string(s.max));
  w.key("min");
  w.text(std::to_string(s.min));
  w.key("name");
  w.text(s.name.name);
  w.key("owned_column");
  w.text(s.owned_column);
  w.key("owned_table");
  w.text(s.owned_table);
  w.key("schema");
  w.text(s.name.schema);
  w.key("start");
  w.text(std::to_string(s.start));
  w.key("type");
  w.text(s.type);
  w.close();
}

void write(Writer& w, const Function& f) {
  w.open();
  w.key("arguments");
  w.texts(f.arguments);
  w.key("name");
  w.text(f.name.name);
  w.key("schema");
  w.text(f.name.schema);
  w.key("sql");
  w.text(f.sql);
  w.close();
}

void write(Writer& w, const View& v) {
  w.open();
  w.key("indexes");
  w.array(v.indexes, [&w](const Index& i) { write(w, i); });
  w.key("materialized");
  w.boolean(v.materialized);
  w.key("name");
  w.text(v.name.name);
  w.key("query");
  w.text(v.query);
  w.key("schema");
  w.text(v.name.schema);
  w.close();
}

void write(Writer& w, const Database& db, const JsonOptions& options) {
  w.open();
  w.key("default_schema");
  w.text(db.default_schema);
  w.key("enums");
  w.array(in_order(db.enums, options.sort_by_name), [&w](const Enum* e) { write(w, *e); });
  w.key("extensions");
  w.texts(db.extensions);
  w.key("fingerprint");
  w.text(options.clear_fingerprint ? std::string_view() : std::string_view(db.fingerprint));
  if (!db.functions.empty()) {  // absent otherwise: older models keep their fingerprint
    w.key("functions");
    std::vector<const Function*> functions = in_order(db.functions, false);
    std::sort(functions.begin(), functions.end(),
              [](const Function* a, const Function* b) { return a->signature() < b->signature(); });
    w.array(functions, [&w](const Function* f) { write(w, *f); });
  }
  w.key("revision");
  w.text(db.revision);
  w.key("schemas");
  w.texts(db.schemas);
  if (!db.sequences.empty()) {  // absent otherwise: older models keep their fingerprint
    w.key("sequences");
    w.array(in_order(db.sequences, options.sort_by_name),
            [&w](const Sequence* s) { write(w, *s); });
  }
  w.key("tables");
  w.array(in_order(db.tables, options.sort_by_name), [&w](const Table* t) {
    write(w, *t);
    w.flush();
  });
  if (!db.views.empty()) {  // in creation order, which is part of the model
    w.key("views");
    w.array(db.views, [&w](const View& v) { write(w, v); });
  }
  w.close();
  w.flush(true);
}

}  // namespace

void write_json(const Database& db, JsonSink& sink, const JsonOptions& options) {
  Writer w(&sink);
  write(w, db, options);
}

std::string to_json_text(const Database& db, const JsonOptions& options) {
  Writer w(nullptr);
  write(w, db, options);
  return w.take();
}

}  // namespace schemad::schema
