#include "catalog/version.hpp"

#include <pqxx/nontransaction>
#include <string>
#include <vector>

#include "util/sql_text.hpp"

namespace schemad::catalog {

namespace {

// One catalog's part of the version: "count:sum of xmin" over its rows
// `from` `where`. Grouped by xmin first: the rows of a schema come from a
// handful of transactions, so only those few transaction ids go through
// the text cast (xid has no cast to a number), not every row's. The text is
// the same as count(*) and sum(xmin::text::int8) over the rows would give.
std::string part(const std::string& from, const std::string& alias, const std::string& where) {
  return "(SELECT coalesce(sum(n), 0) || ':' || coalesce(sum(x::text::int8 * n), 0) FROM "
         "(SELECT " +
         alias + ".xmin AS x, count(*) AS n FROM " + from + " " + alias +
         (where.empty() ? "" : " WHERE " + where) + " GROUP BY 1) g)";
}

// `schemas`: the SQL expression of the text[] of schemas.
std::string query(const std::string& schemas) {
  const std::vector<std::string> parts = {
      part("requested", "q", ""),
      part("rels", "r", ""),
      part("pg_attribute", "a", "a.attrelid IN (SELECT oid FROM tables)"),
      part("pg_attrdef", "d", "d.adrelid IN (SELECT oid FROM tables)"),
      part("pg_constraint", "k",
           "k.conrelid IN (SELECT oid FROM tables) OR k.confrelid IN (SELECT oid FROM tables)"),
      part("pg_index", "i", "i.indrelid IN (SELECT oid FROM tables)"),
      part("types", "t", ""),
      part("pg_enum", "e", "e.enumtypid IN (SELECT oid FROM types)"),
      part("pg_description", "d", "d.objoid IN (SELECT oid FROM tables)"),
      part("pg_depend", "d",
           "d.refclassid = 'pg_class'::regclass AND d.refobjid IN (SELECT oid FROM tables)"),
      part("pg_sequence", "s", "s.seqrelid IN (SELECT oid FROM rels)"),
      part("pg_rewrite", "r", "r.ev_class IN (SELECT oid FROM rels)"),
      part("pg_proc", "p", "p.pronamespace IN (SELECT oid FROM requested)"),
      part("pg_trigger", "t", "t.tgrelid IN (SELECT oid FROM tables)"),
      part("pg_policy", "p", "p.polrelid IN (SELECT oid FROM tables)"),
      part("pg_extension", "x", ""),
      // A policy prints its roles' names: a role renamed changes it, not
      // pg_policy.
      "(SELECT count(*) || ':' || coalesce(sum(hashtext(r.rolname)::int8), 0) FROM pg_roles r "
      "WHERE r.oid IN (SELECT unnest(p.polroles) FROM pg_policy p "
      "WHERE p.polrelid IN (SELECT oid FROM tables)))",
  };
  std::string sql = R"SQL(
WITH requested AS (
  SELECT oid, xmin FROM pg_namespace WHERE nspname = ANY ()SQL" +
                    schemas + R"SQL()
), rels AS (
  SELECT c.oid, c.xmin, c.relkind FROM pg_class c
  WHERE c.relnamespace IN (SELECT oid FROM requested)
), tables AS (
  SELECT oid FROM rels WHERE relkind IN ('r', 'p')
), types AS (
  SELECT t.oid, t.xmin FROM pg_type t WHERE t.typnamespace IN (SELECT oid FROM requested)
)
SELECT concat_ws(' ')SQL";
  for (const auto& p : parts) sql += ",\n  " + p;
  sql += ")\n";
  return sql;
}

}  // namespace

const std::string& catalog_version_sql() {
  static const std::string sql = query("$1::text[]");
  return sql;
}

const std::string& catalog_versions_sql() {
  static const std::string sql =
      "SELECT s.i, v.version FROM unnest($1::text[]) WITH ORDINALITY AS s(list, i) "
      "CROSS JOIN LATERAL (" +
      query("s.list::text[]") + ") v(version)";
  return sql;
}

std::string catalog_version(pqxx::connection_base& conn, const std::vector<std::string>& schemas) {
  pqxx::nontransaction tx(conn, "schemad-catalog-version");
  return tx.exec_params1(catalog_version_sql(), sql::text_array(schemas))[0].c_str();
}

}  // namespace schemad::catalog
