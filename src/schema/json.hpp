#pragma once

// The schema type as JSON: for `plan --format json`, /status and the model's
// fingerprint. Deterministic: objects are nlohmann's sorted maps, arrays keep
// the schema type's order, so dump() of equal values is equal text.
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
//               "constraints", "indexes"}
//   Enum        {"schema", "name", "values"}
//   Database    {"default_schema", "schemas", "extensions", "enums", "tables",
//               "revision", "fingerprint"}
// Empty strings stay empty strings (an unnamed constraint has "name": "").

#include <nlohmann/json.hpp>

#include "schema/schema.hpp"

namespace schemad::schema {

nlohmann::json to_json(const Type& type);
nlohmann::json to_json(const Default& def);
nlohmann::json to_json(const Column& column);
nlohmann::json to_json(const Constraint& constraint);
nlohmann::json to_json(const IndexKey& key);
nlohmann::json to_json(const Index& index);
nlohmann::json to_json(const Table& table);
nlohmann::json to_json(const Enum& e);
nlohmann::json to_json(const Database& db);

}  // namespace schemad::schema
