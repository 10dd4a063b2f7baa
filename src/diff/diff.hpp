#pragma once

// Diff: desired (model) x actual (catalog) -> additive changes + drift.
// Pure: no I/O. The rules are those of the table "What is created, what is
// only reported" (README, docs/model-format.md).

#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "schema/schema.hpp"

namespace schemad::diff {

enum class ChangeKind {
  create_schema,        // name: the schema
  create_extension,     // name: the extension
  create_enum,          // enum_type
  add_enum_value,       // enum_type (the model's), value, neighbour
  create_table,         // table (whole, with its constraints and indexes)
  add_column,           // table (name only), column
  add_constraint,       // table (name only), constraint: on an existing table
  create_index,         // table (name only), index: on an existing table
  set_comment,          // table (name only), column name or empty, comment;
                        // also follows add_column when the new column has one
                        // (a new table's comments are part of create_table)
  create_sequence,      // sequence; table: the owner's name when it is OWNED BY
  create_function,      // function
  create_trigger,       // table (name only), trigger
  create_policy,        // table (name only), policy
  enable_row_security,  // table: name, and row_security / force_row_security
                        // set for what to turn on
  create_view,          // view (with a materialized view's indexes)
  replace_function,     // function: the model's, replacing the database's (Replace)
  replace_view,         // view: CREATE OR REPLACE VIEW (Replace)
  replace_trigger,      // table (name only), trigger: dropped and created again (Replace)
};

// Every kind, in declaration order (metrics export each from the start).
inline constexpr ChangeKind kAllChangeKinds[] = {
    ChangeKind::create_schema,    ChangeKind::create_extension,    ChangeKind::create_enum,
    ChangeKind::add_enum_value,   ChangeKind::create_table,        ChangeKind::add_column,
    ChangeKind::add_constraint,   ChangeKind::create_index,        ChangeKind::set_comment,
    ChangeKind::create_sequence,  ChangeKind::create_function,     ChangeKind::create_trigger,
    ChangeKind::create_policy,    ChangeKind::enable_row_security, ChangeKind::create_view,
    ChangeKind::replace_function, ChangeKind::replace_view,        ChangeKind::replace_trigger,
};
static_assert(std::size(kAllChangeKinds) ==
                  static_cast<std::size_t>(ChangeKind::replace_trigger) + 1,
              "a new ChangeKind goes last, and into kAllChangeKinds");

// Label used in metrics ({kind="table"}) and JSON output.
std::string to_string(ChangeKind kind);

struct Change {
  ChangeKind kind = ChangeKind::create_schema;
  std::string name;               // create_schema, create_extension
  std::string extension_schema;   // create_extension: WITH SCHEMA (empty: the server's choice)
  schema::Enum enum_type;         // create_enum, add_enum_value
  std::string value;              // add_enum_value: the missing label
  std::string neighbour;          // add_enum_value: an existing label to place it by
  bool before = false;            //   true: BEFORE neighbour; false: AFTER (empty: at the end)
  schema::Table table;            // create_table: whole; others: the table's name
  schema::Column column;          // add_column; set_comment on a column: its name
  schema::Constraint constraint;  // add_constraint
  schema::Index index;            // create_index
  schema::Sequence sequence;      // create_sequence
  schema::Function function;      // create_function
  schema::Trigger trigger;        // create_trigger
  schema::Policy policy;          // create_policy
  schema::View view;              // create_view
  std::string comment;            // set_comment
  // create_index, add_constraint (unique): the name of an invalid index (left
  // by a failed concurrent build) that matches what is missing; the plan drops
  // it before building again. Empty when there is none.
  std::string invalid_index;
  std::string path;  // model path of what is missing

  // One line for logs and plans: "create table public.users",
  // "add column public.users.email". Wording for people: it may change.
  std::string description() const;

  // What the change is, whatever its wording: its kind and the object, names
  // quoted as SQL quotes them ("column \"public\".\"users\".\"email\""). An
  // unnamed constraint or index is identified by what it is on (its columns,
  // its expression as the model writes it). schemad_history remembers changes
  // by it (which ones the data blocked), so its format never changes.
  std::string key() const;
};

enum class DriftKind {
  column_type,            // the column's type differs
  column_nullability,     // NOT NULL in one, nullable in the other
  column_default,         // the stored default differs
  column_identity,        // identity differs
  extra_table,            // a table in the model's schemas that the model lacks
  extra_column,           // a column the model lacks
  extra_index,            // an index the model lacks (constraint-backed ones excluded)
  index_definition,       // same name, different definition
  constraint_definition,  // same name, different definition (or FK actions)
  constraint_not_valid,   // present but NOT VALID (rows violate it)
  invalid_index,          // pg_index.indisvalid = false
  enum_extra_value,       // a label the model lacks
  enum_order,             // labels in another order than the model's
  comment,                // a different comment
  not_applied,            // the model asks for something schemad chose not to do
                          // safely (a NOT NULL column added nullable)
  data_conflict,          // a change the rows prevent (duplicates for a unique index,
                          // rows violating a constraint); object: the change, actual: why
  column_generated,       // generated in one and not the other, or another expression
  sequence_definition,    // a sequence of the model's name with other numbers, type or owner
  function_definition,    // pg_get_functiondef differs from the model's
  trigger_definition,     // a trigger of the model's name that differs, or one it lacks
  policy_definition,      // a policy that differs, not weaker (or a restrictive one it lacks)
  policy_weaker,          // a policy that lets through rows the model's would not, or a
                          // permissive one the model lacks
  row_security,           // row-level security on (or forced) where the model has it off
  view_definition,        // a view of the model's name with another query (or kind)
};

inline constexpr DriftKind kAllDriftKinds[] = {
    DriftKind::column_type,
    DriftKind::column_nullability,
    DriftKind::column_default,
    DriftKind::column_identity,
    DriftKind::extra_table,
    DriftKind::extra_column,
    DriftKind::extra_index,
    DriftKind::index_definition,
    DriftKind::constraint_definition,
    DriftKind::constraint_not_valid,
    DriftKind::invalid_index,
    DriftKind::enum_extra_value,
    DriftKind::enum_order,
    DriftKind::comment,
    DriftKind::not_applied,
    DriftKind::data_conflict,
    DriftKind::column_generated,
    DriftKind::sequence_definition,
    DriftKind::function_definition,
    DriftKind::trigger_definition,
    DriftKind::policy_definition,
    DriftKind::policy_weaker,
    DriftKind::row_security,
    DriftKind::view_definition,
};
static_assert(std::size(kAllDriftKinds) == static_cast<std::size_t>(DriftKind::view_definition) + 1,
              "a new DriftKind goes last, and into kAllDriftKinds");

// Label used in metrics ({kind="column_type"}) and JSON output.
std::string to_string(DriftKind kind);

// What a drift item means for the people on call (docs/operations.md):
enum class DriftClass {
  ahead,    // the database has what this model lacks (an extra table, column,
            // index, enum value, trigger, restrictive policy, row-level
            // security turned on): normal while a newer model rolls out
  differs,  // the model's object exists with another type, nullability,
            // default or definition
  weaker,   // the database is less strict than the model: nullable where the
            // model says NOT NULL, a constraint NOT VALID or missing (the data
            // blocks it), an index of the model's that is invalid, a weaker
            // or extra permissive policy
};

inline constexpr DriftClass kAllDriftClasses[] = {DriftClass::ahead, DriftClass::differs,
                                                  DriftClass::weaker};

// "ahead", "differs", "weaker": JSON output and the metrics' label.
std::string to_string(DriftClass drift_class);

struct Drift {
  DriftKind kind = DriftKind::column_type;
  std::string object;    // "public.users.email"
  std::string expected;  // the model's side, empty when the model lacks it
  std::string actual;    // the database's side
  std::string path;      // model path, when the model has the object

  // One line: "public.users.email: type is text, model says character varying(255)".
  std::string message() const;
  // The message and the class: "public.users.nickname: column not in the
  // model [ahead]", as check, plan and the logs print it.
  std::string labelled() const;

  // Its class, from what it is: a function of kind, expected, actual and
  // path, so that a drift item read back from a record (engine/verified)
  // gets the class it had when it was found.
  DriftClass drift_class() const;
};

// Drift counted by class, every class present (0 when none).
std::map<DriftClass, std::size_t> count_by_class(const std::vector<Drift>& drift);

struct Result {
  std::vector<Change> changes;
  std::vector<Drift> drift;

  // A database satisfies the model when nothing it declares is missing;
  // drift does not prevent that.
  bool satisfied() const { return changes.empty(); }
};

// Whether a column added to an existing table can carry NOT NULL at once:
// only with a default that is not volatile (a literal, a JSON literal, or an
// sql default known to be non-volatile), which PostgreSQL 11+ adds without
// rewriting the table; identity columns are added as declared; serial never
// (nextval is volatile). Otherwise the column is added nullable and the diff
// reports drift of kind not_applied. Shared by diff (drift) and plan (SQL).
bool can_add_not_null(const schema::Column& column);

// What `found` leaves once every one of its changes has been made: no
// change, and its drift as comparing again would report it (a NOT NULL
// column that had to be added nullable then differs in nullability). Pure.
Result after_applying(const Result& found);

// The kinds whose differing definition is replaced in the healing
// transaction instead of reported (configuration key "replace"). Policies
// and row-level security are never replaced.
struct Replace {
  bool functions = false;
  bool views = false;  // a plain view, only when its columns are kept
  bool triggers = false;
};

struct Options {
  // Names of tables that other tools own (schemad's bookkeeping, see
  // apply/bookkeeping.hpp): in any of the model's schemas, never reported
  // as extra tables.
  std::vector<std::string> unowned_tables;
  Replace replace;
};

// Compares the model with the inspected database. `actual` holds only what
// the inspector read for the model's schemas. Deterministic: changes in the
// model's order, drift sorted by object.
Result compare(const schema::Database& desired, const schema::Database& actual,
               const Options& options = {});

}  // namespace schemad::diff
