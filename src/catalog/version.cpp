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

// A catalog's part of each schema's version: `rows` yields (ns, x) pairs,
// the schema's oid and a row's xmin, one per row of the catalog that the
// schema's version counts. The same text as part() for each schema.
std::string grouped_part(const std::string& name, const std::string& rows) {
  return name +
         " AS (SELECT ns, sum(n) || ':' || sum(x::text::int8 * n) AS v FROM (SELECT ns, x, "
         "count(*) AS n FROM (" +
         rows + ") r GROUP BY 1, 2) g GROUP BY ns)";
}

std::string query_by_schema() {
  // (name, rows): every part of query(), in its order; the extensions'
  // part is the same for every schema, and comes from query() itself.
  const std::vector<std::pair<std::string, std::string>> parts = {
      {"p_requested", "SELECT oid AS ns, xmin AS x FROM requested"},
      {"p_rels", "SELECT ns, xmin AS x FROM rels"},
      {"p_attribute",
       "SELECT t.ns, a.xmin AS x FROM pg_attribute a JOIN tables t ON a.attrelid = t.oid"},
      {"p_attrdef",
       "SELECT t.ns, d.xmin AS x FROM pg_attrdef d JOIN tables t ON d.adrelid = t.oid"},
      // A foreign key between two schemas counts in both, once in each.
      {"p_constraint",
       "SELECT ns, x FROM (SELECT t.ns, k.oid, k.xmin AS x FROM pg_constraint k JOIN tables t "
       "ON k.conrelid = t.oid UNION SELECT t.ns, k.oid, k.xmin FROM pg_constraint k JOIN tables "
       "t ON k.confrelid = t.oid) k"},
      {"p_index", "SELECT t.ns, i.xmin AS x FROM pg_index i JOIN tables t ON i.indrelid = t.oid"},
      {"p_types", "SELECT ns, xmin AS x FROM types"},
      {"p_enum", "SELECT t.ns, e.xmin AS x FROM pg_enum e JOIN types t ON e.enumtypid = t.oid"},
      {"p_description",
       "SELECT t.ns, d.xmin AS x FROM pg_description d JOIN tables t ON d.objoid = t.oid"},
      {"p_depend",
       "SELECT t.ns, d.xmin AS x FROM pg_depend d JOIN tables t ON d.refobjid = t.oid "
       "WHERE d.refclassid = 'pg_class'::regclass"},
      {"p_sequence",
       "SELECT r.ns, s.xmin AS x FROM pg_sequence s JOIN rels r ON s.seqrelid = r.oid"},
      {"p_rewrite", "SELECT r.ns, w.xmin AS x FROM pg_rewrite w JOIN rels r ON w.ev_class = r.oid"},
      {"p_proc",
       "SELECT p.pronamespace AS ns, p.xmin AS x FROM pg_proc p "
       "WHERE p.pronamespace IN (SELECT oid FROM requested)"},
      {"p_trigger",
       "SELECT t.ns, g.xmin AS x FROM pg_trigger g JOIN tables t ON g.tgrelid = t.oid"},
      {"p_policy", "SELECT t.ns, p.xmin AS x FROM pg_policy p JOIN tables t ON p.polrelid = t.oid"},
  };
  std::string sql = R"SQL(
WITH requested AS (
  SELECT oid, xmin, nspname FROM pg_namespace WHERE nspname = ANY ($1::text[])
), rels AS (
  SELECT c.oid, c.xmin, c.relkind, c.relnamespace AS ns FROM pg_class c
  WHERE c.relnamespace IN (SELECT oid FROM requested)
), tables AS (
  SELECT oid, ns FROM rels WHERE relkind IN ('r', 'p')
), types AS (
  SELECT t.oid, t.xmin, t.typnamespace AS ns FROM pg_type t
  WHERE t.typnamespace IN (SELECT oid FROM requested)
))SQL";
  for (const auto& [name, rows] : parts) sql += ",\n" + grouped_part(name, rows);
  // The roles that a schema's policies name, each once.
  sql += R"SQL(,
p_roles AS (
  SELECT ns, count(*) || ':' || sum(hashtext(rolname)::int8) AS v FROM (
    SELECT DISTINCT t.ns, r.oid, r.rolname FROM pg_policy p JOIN tables t ON p.polrelid = t.oid
    CROSS JOIN LATERAL unnest(p.polroles) AS u(role) JOIN pg_roles r ON r.oid = u.role) r
  GROUP BY ns
), extensions AS (SELECT )SQL" +
         part("pg_extension", "x", "") + R"SQL( AS v)
SELECT s.i, concat_ws(' ')SQL";
  for (const auto& [name, rows] : parts) sql += ",\n  coalesce(" + name + ".v, '0:0')";
  sql += ",\n  (SELECT v FROM extensions)";  // after the policies, as in query()
  sql += ",\n  coalesce(p_roles.v, '0:0'))\n";
  sql +=
      "FROM unnest($1::text[]) WITH ORDINALITY AS s(name, i)\n"
      "LEFT JOIN requested n ON n.nspname = s.name";
  for (const auto& [name, rows] : parts) {
    sql += "\nLEFT JOIN " + name + " ON " + name + ".ns = n.oid";
  }
  sql += "\nLEFT JOIN p_roles ON p_roles.ns = n.oid\nORDER BY s.i\n";
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

const std::string& catalog_versions_by_schema_sql() {
  static const std::string sql = query_by_schema();
  return sql;
}

std::string catalog_version(pqxx::connection_base& conn, const std::vector<std::string>& schemas) {
  pqxx::nontransaction tx(conn, "schemad-catalog-version");
  return tx.exec_params1(catalog_version_sql(), sql::text_array(schemas))[0].c_str();
}

}  // namespace schemad::catalog
