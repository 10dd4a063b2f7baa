#pragma once

// A cheap answer to "has the catalog of these schemas changed?": one
// statement that counts, and sums the xmin of, every catalog row inspection
// reads (namespaces, relations, columns, defaults, constraints, indexes,
// types, enum labels, comments, dependencies, sequences, view rules,
// functions, triggers, policies, extensions, and the names of the roles that
// policies name). Any DDL inserts
// rows with a newer transaction id than every row it replaces, or deletes
// rows: a count or a sum changes. Freezing keeps xmin (PostgreSQL 9.4+).
// Statistics that VACUUM and ANALYZE write in place do not change it, and do
// not matter to a comparison. (After transaction ids wrap around, an update
// could in theory keep a sum, if the new row's transaction id were exactly the
// old one's: the daemon inspects in full every tenth run anyway, and a
// recorded verification (engine/verified.hpp) also compares schemad's
// version, the model and alembic_version.)

#include <pqxx/connection_base>
#include <string>
#include <vector>

namespace schemad::catalog {

// The version text of `schemas`; equal texts mean an unchanged catalog for
// them. Precondition: no transaction open on `conn`.
std::string catalog_version(pqxx::connection_base& conn, const std::vector<std::string>& schemas);

// The query itself: one row, one text column; $1 is the schemas (text[]).
// For a statement that reads the version along with something else.
const std::string& catalog_version_sql();

// Many versions in one statement: $1 is a text[] whose elements are text[]
// literals of schemas (sql::text_array), one per version wanted; a row
// (i, version) for each, i counting from 1. Each version is the text
// catalog_version gives for those schemas.
const std::string& catalog_versions_sql();

// The same for one schema a version, in one pass over the catalogs grouped
// by schema, where catalog_versions_sql reads them once per version (a
// fleet's thousand tenants: a thousand passes). $1 is a text[] of schema
// names; a row (i, version) for each, i counting from 1, the version being
// catalog_version({name}).
const std::string& catalog_versions_by_schema_sql();

}  // namespace schemad::catalog
