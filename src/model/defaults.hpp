#pragma once

// A column's "default" in the model -> schema::Default: its shape, whether
// it fits the column's type, and the prediction of its stored form.

#include <string>

#include "model/node.hpp"
#include "model/type_resolve.hpp"
#include "schema/schema.hpp"

namespace schemad::model {

// Reads the value of a column's "default" key. A JSON string, number or
// boolean is a literal, null is no default, {"sql": "..."} an expression
// and {"json": ...} a JSON literal. Throws Invalid at `node`'s path for any
// other shape, and for a default that PostgreSQL would refuse or that could
// never be stored in the column:
//  - a string that is not a label of the column's enum, not an integer in
//    range (integer types), not a boolean, not a number (numeric, real,
//    double precision), longer than a character(n)/character varying(n);
//  - a number on a column that is not numeric, money, oid or text-like; a
//    non-integer or out-of-range number on an integer column;
//  - a boolean on a column that is not boolean or text-like;
//  - {"json": ...} on a column that is not json or jsonb.
// Extension types (unresolved) are not judged here. Fills `stored` (see
// predict_stored) and sets is_volatile to false for literals and json.
schema::Default read_default(const Node& node, const ColumnType& type);

// What pg_get_expr prints, with search_path = pg_catalog, for `def` stored on
// a column of `type` (see schema::Default::stored). The rules, checked on
// PostgreSQL 15 (the server prints its constant, with a cast unless the
// constant's type is implied, and hides implicit casts to the column type):
//  - string on text 'v'::text; on character varying(n) 'v'::character
//    varying; on character(n) 'v'::bpchar; on an enum 'v'::schema.enum; on
//    integer 5 or '-5'::integer; on smallint/bigint '5'::smallint; on numeric
//    1.5 or '5'::numeric; on boolean true/false; on jsonb the value in
//    jsonb's output form; on uuid lower-cased; otherwise 'v'::<type>;
//  - number: a non-negative integer that fits integer as written, a negative
//    one '-1'::integer; beyond integer '3000000000'::bigint; beyond bigint
//    '...'::numeric; a decimal in numeric's output form (1.50, 1e3 ->
//    '1000'::numeric, -1.5 -> '-1.5'::numeric) whatever the column's type;
//  - boolean: true / false;
//  - {"json": v}: '<jsonb output of v>'::jsonb, or '<v as rendered>'::json;
//  - {"sql": e}: e as written (the probe corrects it).
// Precondition: read_default accepted `def` for `type`.
std::string predict_stored(const schema::Default& def, const ColumnType& type);

}  // namespace schemad::model
