#pragma once

// The one schema type. It describes both the desired state (loaded from the
// model file) and the actual state (inspected from the live catalog), with
// types and defaults in canonical form, so that comparing the two is plain
// equality. Values only: no I/O, no pointers between objects.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace schemad::schema {

// schema.name of a table, enum or type. Compared exactly (identifiers are
// case-sensitive once quoted, and schemad always quotes).
struct QualifiedName {
  std::string schema;
  std::string name;

  // "schema.name", unquoted: for messages and keys.
  std::string display() const;
  // "\"schema\".\"name\"": for SQL.
  std::string sql() const;

  friend bool operator==(const QualifiedName& a, const QualifiedName& b) {
    return a.schema == b.schema && a.name == b.name;
  }
  friend bool operator!=(const QualifiedName& a, const QualifiedName& b) { return !(a == b); }
  friend bool operator<(const QualifiedName& a, const QualifiedName& b) {
    return a.schema != b.schema ? a.schema < b.schema : a.name < b.name;
  }
};

// A column type in canonical form.
//  - Built-in types (pg_catalog): `schema` is empty and `name` is the text
//    PostgreSQL's format_type prints, modifier included:
//    "integer", "character varying(255)", "timestamp(3) with time zone".
//  - Other types (the model's enums, extension types): `schema` and the bare
//    `name` of the type, its modifier apart ("(1536)" for vector(1536)).
//    A model type that names an extension's type has an empty schema until
//    the database resolves it (see catalog/probe.hpp); `resolved` says so.
// `array` marks T[]; PostgreSQL does not keep the number of dimensions.
struct Type {
  std::string schema;
  std::string name;
  std::string modifier;
  bool array = false;
  bool resolved = true;

  bool builtin() const { return schema.empty() && resolved; }
  // "character varying(255)", "public.message_role[]", "vector(1536)".
  std::string display() const;
  // The type as DDL text, identifiers quoted where they are not built in.
  std::string sql() const;

  friend bool operator==(const Type& a, const Type& b) {
    return a.schema == b.schema && a.name == b.name && a.modifier == b.modifier &&
           a.array == b.array;
  }
  friend bool operator!=(const Type& a, const Type& b) { return !(a == b); }
};

// A column default.
struct Default {
  enum class Kind {
    none,     // no default ("default": null is the same)
    literal,  // a JSON string, number or boolean from the model
    json,     // {"json": ...}: a JSON literal cast to the column type
    sql,      // {"sql": ...} from the model, or any default read from the catalog
  };
  Kind kind = Kind::none;
  // literal: the value's text (a string's contents, or a number or boolean as
  // JSON spells it); json: the compact JSON text; sql: the expression.
  std::string value;
  // literal only: the model wrote a JSON string, rendered as a quoted literal.
  bool quoted = false;
  // Canonical form: the text pg_get_expr prints for the stored default with
  // search_path = pg_catalog. From the catalog this is the server's text; in
  // the model it is schemad's best pure prediction, which the probe replaces
  // with the server's own text when the two disagree.
  std::string stored;
  // Whether evaluating the default calls a volatile function (random(),
  // clock_timestamp(), gen_random_uuid()). Literals are never volatile; for
  // sql defaults PostgreSQL decides, through the probe; unknown until then,
  // and the planner treats unknown as volatile (the safe side).
  std::optional<bool> is_volatile;

  bool empty() const { return kind == Kind::none; }
};

enum class Identity { none, always, by_default };

struct Column {
  std::string name;
  Type type;
  bool nullable = true;
  Default def;
  Identity identity = Identity::none;
  // serial/bigserial/smallserial in the model: an owned sequence supplies the
  // default, whose form (nextval of that sequence) is never drift.
  bool serial = false;
  // A generated column (GENERATED ALWAYS AS (…) STORED): its expression.
  // Model: as written; catalog: as pg_get_expr prints it. Empty: not one.
  std::string generated;
  // Model only: the server's text for `generated`, filled by the probe (or
  // from the database when it printed the model's text); empty until then.
  std::string generated_normalized;
  std::optional<std::string> comment;
  // Where this came from, for messages: "tables[3].columns[2]" in the model;
  // empty for inspected objects.
  std::string path;
};

enum class ReferentialAction { no_action, restrict, cascade, set_null, set_default };

enum class ConstraintKind { primary_key, unique, foreign_key, check };

struct Constraint {
  ConstraintKind kind = ConstraintKind::check;
  // Empty in the model when the author gave no name: then the constraint is
  // matched by its definition and created under PostgreSQL's default name.
  std::string name;
  // primary_key, unique, foreign_key: the constrained columns, in order.
  std::vector<std::string> columns;
  // foreign_key only.
  QualifiedName ref_table;
  std::vector<std::string> ref_columns;
  ReferentialAction on_delete = ReferentialAction::no_action;
  ReferentialAction on_update = ReferentialAction::no_action;
  bool external = false;  // model: the target is outside the model
  // check only. Model: the expression as written. Catalog: the text after
  // "CHECK " of pg_get_constraintdef, " NOT VALID" removed: "((tokens >= 0))".
  std::string expression;
  // check only: the server's normalised text for the model's expression,
  // filled by the probe; empty until then.
  std::string normalized;
  // Catalog only: false for a constraint added NOT VALID and not validated.
  bool validated = true;
  std::string path;
};

enum class SortOrder { unspecified, asc, desc };
enum class NullsOrder { unspecified, first, last };

struct IndexKey {
  std::string column;      // a column name, or
  std::string expression;  // an expression (exactly one of the two is set)
  std::string opclass;     // empty: the type's default operator class
  SortOrder order = SortOrder::unspecified;
  NullsOrder nulls = NullsOrder::unspecified;
  // Catalog only: the name of the operator class the key uses when that is
  // the default one (then `opclass` is empty), so that a model naming the
  // default explicitly ("jsonb_ops") matches. Not part of ==.
  std::string default_opclass;

  friend bool operator==(const IndexKey& a, const IndexKey& b) {
    return a.column == b.column && a.expression == b.expression && a.opclass == b.opclass &&
           a.order == b.order && a.nulls == b.nulls;
  }
  friend bool operator!=(const IndexKey& a, const IndexKey& b) { return !(a == b); }
};

struct Index {
  std::string name;  // empty in the model: matched by definition
  std::vector<IndexKey> keys;
  std::vector<std::string> include;
  std::string method = "btree";
  bool unique = false;
  std::string where;  // partial index predicate; empty: none
  // Model only: the predicate to create the index with, when it is not
  // `where` (a SQL model's own text, which the server prints as `where`;
  // printed text re-read may print otherwise).
  std::string create_where;
  // Catalog only: pg_index.indisvalid (false after a failed concurrent build),
  // and whether the index backs a constraint (primary key, unique, exclusion).
  bool valid = true;
  bool constraint_backed = false;
  std::string path;
};

// A trigger on a table (not a constraint trigger, nor an internal one).
struct Trigger {
  enum class Timing { before, after, instead_of };
  // Events, as bits: what pg_trigger.tgtype says, in CREATE TRIGGER's words.
  static constexpr int kInsert = 1, kDelete = 2, kUpdate = 4, kTruncate = 8;

  std::string name;
  Timing timing = Timing::before;
  int events = 0;
  std::vector<std::string> columns;  // UPDATE OF, in the order given
  bool for_each_row = true;          // FOR EACH ROW; false: FOR EACH STATEMENT
  // WHEN (...): the condition as written (model) or as pg_get_triggerdef
  // prints it (catalog); empty: none.
  std::string when;
  // Model only: the server's text for `when`, from the probe; empty until then.
  std::string when_normalized;
  QualifiedName function;              // EXECUTE FUNCTION schema.name
  std::vector<std::string> arguments;  // its arguments, as strings
  std::string path;
};

// A row-level security policy on a table.
struct Policy {
  std::string name;
  std::string command = "all";  // all, select, insert, update, delete
  bool permissive = true;       // false: AS RESTRICTIVE
  // TO: role names, sorted; "public" for PUBLIC (the default).
  std::vector<std::string> roles{"public"};
  std::string using_expr;  // USING (...), empty: none
  std::string check_expr;  // WITH CHECK (...), empty: none
  // Model only: the server's texts of the two, from the probe; empty until then.
  std::string using_normalized;
  std::string check_normalized;
  std::string path;
};

struct Table {
  QualifiedName name;
  std::vector<Column> columns;
  std::vector<Constraint> constraints;  // primary key first when there is one
  std::vector<Index> indexes;
  std::optional<std::string> comment;
  std::vector<Trigger> triggers;  // sorted by name when inspected
  std::vector<Policy> policies;   // sorted by name when inspected
  // ENABLE / FORCE ROW LEVEL SECURITY. The model's "forced" sets both.
  bool row_security = false;
  bool force_row_security = false;
  std::string path;

  const Column* column(const std::string& column_name) const;
  const Constraint* primary_key() const;
};

struct Enum {
  QualifiedName name;
  std::vector<std::string> values;  // in sort order
  std::string path;
};

// A sequence the model declares (the implicit ones of serial and identity
// columns are not), with PostgreSQL's defaults filled in, so that the
// model's and the catalog's compare as values.
struct Sequence {
  QualifiedName name;
  std::string type = "bigint";  // smallint, integer or bigint
  long long start = 1;
  long long increment = 1;
  long long min = 1;
  long long max = 9223372036854775807LL;
  long long cache = 1;
  bool cycle = false;
  // OWNED BY: a column of a table of the sequence's own schema (PostgreSQL
  // requires it); both empty: none.
  std::string owned_table;
  std::string owned_column;
  std::string path;

  friend bool operator==(const Sequence& a, const Sequence& b) {
    return a.name == b.name && a.type == b.type && a.start == b.start &&
           a.increment == b.increment && a.min == b.min && a.max == b.max && a.cache == b.cache &&
           a.cycle == b.cycle && a.owned_table == b.owned_table && a.owned_column == b.owned_column;
  }
  friend bool operator!=(const Sequence& a, const Sequence& b) { return !(a == b); }
};

// A function or procedure, identified by its schema, name and input
// argument types. Its definition is SQL text the model trusts, as it trusts
// an {"sql": ...} default.
struct Function {
  QualifiedName name;
  // The input argument types as format_type prints them without modifier
  // ("integer", "character varying", "public.mood"); its identity with name.
  std::vector<std::string> arguments;
  // Model: the CREATE FUNCTION or CREATE PROCEDURE statement as written.
  // Catalog: pg_get_functiondef's text.
  std::string sql;
  // Model only: pg_get_functiondef's text for `sql`, from the probe (or the
  // model's own when it is canonical); empty until then.
  std::string normalized;
  std::string path;

  // "public.touch_updated_at()", "public.add(integer, integer)".
  std::string signature() const;
};

// A view or materialized view: its query, and a materialized view's indexes.
struct View {
  QualifiedName name;
  bool materialized = false;
  // Model: the query as written. Catalog: pg_get_viewdef's text.
  std::string query;
  // Model only: pg_get_viewdef's text for `query`, from the probe (or the
  // model's own when it is canonical); empty until then.
  std::string normalized;
  std::vector<Index> indexes;  // materialized only
  // Its columns, "name type" as format_type prints the type, in order.
  // Catalog: the view's; model: the probe's (empty until then).
  std::vector<std::string> columns;
  // Catalog only: how deep the view stands on other views of the schemas
  // (0: it reads none), so that creating in this order works.
  int level = 0;
  std::string path;
};

struct Database {
  // The model's default schema; for inspected databases, unused.
  std::string default_schema = "public";
  // Every schema the model uses (default schema, tables', enums'), sorted.
  std::vector<std::string> schemas;
  std::vector<std::string> extensions;  // sorted
  // Model only: the schema to create an extension in, by name (a SQL model
  // says it; JSON models leave it to the server: empty).
  std::map<std::string, std::string> extension_schemas;
  std::vector<Enum> enums;
  std::vector<Table> tables;
  // Model: the "sequences" key. Catalog: every sequence of the schemas but
  // identity columns' (a serial column's is there, owned by its column).
  std::vector<Sequence> sequences;
  // Model: the "functions" key. Catalog: the functions and procedures of the
  // schemas that no extension owns.
  std::vector<Function> functions;
  // Model: the "views" key, in creation order. Catalog: the views and
  // materialized views of the schemas, by level, then name.
  std::vector<View> views;
  // Model only: the "revision" key (empty when absent) and the SHA-256 hex
  // of the model's canonical form.
  std::string revision;
  std::string fingerprint;
  // Model only: the SHA-256 hex of the JSON text it was read from (a JSON
  // file, or the embedded example); empty for a SQL model. A recorded
  // verification (engine/verified.hpp) names it, so that a later run can
  // recognise the model without reading it.
  std::string source;
  // Model only: what a SQL model makes that schemad does not manage, one
  // line each with its place ("schema.sql:40:1: view public.v: not managed
  // by schemad; not applied"). Not part of the fingerprint.
  std::vector<std::string> not_managed;
  // Model only: a SQL model, normalised by the server: every text in it is
  // the server's own, so nothing is predicted or asked of the server.
  bool canonical = false;

  const Table* table(const QualifiedName& name) const;
  const Enum* find_enum(const QualifiedName& name) const;
  const Sequence* find_sequence(const QualifiedName& name) const;
  const View* find_view(const QualifiedName& name) const;
  const Function* find_function(const QualifiedName& name,
                                const std::vector<std::string>& arguments) const;
};

// The item of `items` whose `name` is `name` (a table's trigger or policy),
// or null.
template <typename T>
const T* find_named(const std::vector<T>& items, const std::string& name) {
  for (const T& item : items) {
    if (item.name == name) return &item;
  }
  return nullptr;
}

// The DEFAULT expression as SQL text: a quoted literal for model strings,
// numbers and booleans as written, '<json>'::<type> for JSON literals, the
// expression itself for sql defaults; "" for none.
std::string default_sql(const Default& def, const Type& type);

std::string to_sql(ReferentialAction action);   // "NO ACTION", "SET NULL", ...
const char* to_sql(Trigger::Timing timing);     // "BEFORE", "AFTER", "INSTEAD OF"
std::string to_string(Trigger::Timing timing);  // "before", "after", "instead of"
// The trigger's events in CREATE TRIGGER's order and words: "INSERT",
// "UPDATE", "DELETE", "TRUNCATE" (UPDATE OF columns apart).
std::vector<std::string> event_words(const Trigger& trigger);
std::string to_string(ConstraintKind kind);  // "primary key", "unique", ...
const char* to_string(Default::Kind kind);   // "none", "literal", "json", "sql"

}  // namespace schemad::schema
