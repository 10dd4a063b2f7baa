#pragma once

// The schema type as canonical JSON: the text of the model's fingerprint
// (model/fingerprint.hpp) and of any JSON output of the schema type.
// Canonical: exactly what nlohmann's compact dump() writes for the document
// described below (objects with their keys in byte order, no whitespace,
// strings escaped as util::escape_json escapes them), so equal values give
// equal text. Arrays keep the schema type's order unless JsonOptions say
// otherwise. Written as a stream, without building a document: on a
// 1,000-table model a document cost two thirds of loading it.
// `path` fields are left out (they say where a model object was written,
// not what it is).
//
// Shapes (every key always present unless noted):
//   Type        {"schema", "name", "modifier", "array", "resolved", "display"}
//   Default     null when none, else {"kind": "literal"|"json"|"sql", "value",
//               "quoted", "stored", "volatile": true|false|null}
//   Column      {"name", "type", "nullable", "default", "identity": null|
//               "always"|"by default", "serial", "comment": string|null}
//   Constraint  {"kind": "primary key"|"unique"|"foreign key"|"check", "name",
//               "validated"} and by kind: "columns" (primary key, unique,
//               foreign key); "references": {"schema", "table", "columns",
//               "external", "on_delete", "on_update"} (foreign key, actions
//               as SQL: "NO ACTION", "SET NULL", ...); "expression",
//               "normalized" (check)
//   IndexKey    {"column": string|null, "expression": string|null,
//               "opclass": string|null, "order": null|"asc"|"desc",
//               "nulls": null|"first"|"last"}
//   Index       {"name", "keys", "include", "method", "unique", "where",
//               "valid", "constraint_backed"}
//   Table       {"schema", "name", "comment": string|null, "columns",
//               "constraints", "indexes"}, and only when set: "triggers",
//               "policies", "row_security": true, "force_row_security": true
//   Trigger     {"name", "timing": "before"|"after"|"instead of", "events"
//               (Trigger's bits, as a decimal string), "columns",
//               "for_each_row", "when", "function" (schema.name), "arguments"}
//   Policy      {"name", "command", "permissive", "roles", "using", "check"}
//   Enum        {"schema", "name", "values"}
//   Function    {"schema", "name", "arguments", "sql"}
//   Database    {"default_schema", "schemas", "extensions", "enums", "tables",
//               "revision", "fingerprint"}, and only when there are some:
//               "sequences", "functions" (by signature), "views" (in
//               order: creation order is part of the model); a table's
//               "triggers" and "policies" by name
//   View        {"schema", "name", "materialized", "query", "indexes"}
// Empty strings stay empty strings (an unnamed constraint has "name": "").

#include <string>
#include <string_view>

#include "schema/schema.hpp"

namespace schemad::schema {

struct JsonOptions {
  // "tables" and "enums" in order of schema-qualified name (the order
  // QualifiedName's < gives), whatever their order in the Database.
  bool sort_by_name = false;
  // "fingerprint": "" whatever the Database's fingerprint holds.
  bool clear_fingerprint = false;
};

// Where write_json puts the text: in pieces, in order, none empty.
class JsonSink {
 public:
  virtual ~JsonSink() = default;
  virtual void write(std::string_view piece) = 0;
};

// The canonical JSON of `db`, handed to `sink` in pieces of about 64 KiB
// (cut between tables), so that memory stays flat whatever the model's size.
void write_json(const Database& db, JsonSink& sink, const JsonOptions& options = {});

// The same text, whole.
std::string to_json_text(const Database& db, const JsonOptions& options = {});

}  // namespace schemad::schema
