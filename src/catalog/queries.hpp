#pragma once

// The SQL text of inspection: three set-based queries over pg_catalog, each
// taking the requested schema names as $1 (a text[] literal, see
// sql::text_array) and each returning one row per *item* (a column, an enum
// label, a constraint column, an index column) with its owner's fields
// repeated, ordered by owner and then by the item's position. Owners without
// items (a table without columns, an enum without labels, a check constraint)
// still get one row, whose item fields are NULL.
//
// The queries must run after `set_search_path` inside the same transaction:
// format_type, pg_get_expr, pg_get_constraintdef and pg_get_indexdef then
// qualify every name outside pg_catalog, which is the canonical form.

namespace schemad::catalog::queries {

// SET LOCAL search_path = pg_catalog
extern const char* const set_search_path;

// Everything that has a name of its own: the requested schemas that exist,
// every installed extension, enums with their labels, and the ordinary and
// partitioned tables (not partitions) with their columns. Columns:
//   kind          'schema' | 'extension' | 'enum' | 'table'
//   owner         oid of the schema, extension, enum type or table
//   position      ordering of items: enumsortorder, attnum
//   schema, name  the owner's schema and name (extension: name only)
//   comment       the table's comment
//   item          enum label or column name
//   type_schema, type_name, type_modifier, type_array
//                 the column type in schema::Type's canonical parts
//   not_null, identity ('a', 'd' or '')
//   default_expr  pg_get_expr of the default (NULL for generated columns,
//                 whose expression is not a default)
//   owned_sequence  the default reads a sequence OWNED BY this column
//   item_comment  the column's comment
extern const char* const objects;

// Primary key, unique, foreign key and check constraints of those tables
// (not exclusion or trigger constraints, nor the per-partition clones that
// a foreign key to a partitioned table gets), one row per constrained
// column in key order. Columns:
//   oid, schema, table_name, name, kind ('p' | 'u' | 'f' | 'c'), validated,
//   position, column_name, ref_schema, ref_table, ref_column,
//   on_delete, on_update (confdeltype / confupdtype codes),
//   definition (pg_get_constraintdef, checks only)
extern const char* const constraints;

// Every index of those tables and materialized views, one row per index column (keys first, then
// INCLUDE columns). Columns:
//   oid, schema, table_name, name, method, is_unique, is_valid,
//   constraint_backed (it implements a primary key, unique or exclusion
//   constraint), predicate (pg_get_expr of the WHERE clause, on the first
//   row only), position, is_include, column_name (NULL for an expression),
//   expression (pg_get_indexdef of that column, pretty), opclass (NULL when
//   it is the default for its type), option (pg_index.indoption bits)
extern const char* const indexes;

// Views and materialized views, functions and procedures (not an extension's), triggers (not
// internal or constraint triggers) and row-level security policies of those schemas, and the tables
// whose row-level security is on. Columns by kind:
//   kind          'view' | 'function' | 'trigger' | 'policy' | 'row_security'
//   schema, name  the object's (row_security: name NULL)
//   table_name    the trigger's, policy's or row_security's table
//   detail        view: relkind ('v' or 'm'); function: its input argument types (format_type, no
//                 modifier) joined by \x1f; trigger: the function's schema
//                 \x1f name; policy: polcmd ('*', 'r', 'a', 'w', 'd')
//   definition    view: pg_get_viewdef; function: pg_get_functiondef; trigger: its WHEN
//                 condition as pg_get_triggerdef prints it; policy: USING
//   extra         trigger: tgargs in hex; policy: WITH CHECK
//   flag          policy: permissive; row_security: FORCE as well
//   bits          view: its level (how deep it stands on other views of
//                 the schemas); trigger: tgtype
//   list          joined by \x1f: view: its columns ("name type");
//                 trigger: UPDATE OF columns; policy: role
//                 names, sorted ("public" for PUBLIC)
extern const char* const definitions;

}  // namespace schemad::catalog::queries
