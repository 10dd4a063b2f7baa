#include "catalog/extras.hpp"

#include <pqxx/pqxx>

#include "util/sql_text.hpp"

namespace schemad::catalog {

namespace {

const char* const kExtensions = R"sql(
SELECT e.extname, n.nspname
  FROM pg_catalog.pg_extension e
  JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
 ORDER BY 1
)sql";

// Objects of the schemas ($1) that the model format cannot say. Members
// of extensions (deptype 'e') are left out; sequences, views, functions,
// procedures, triggers, policies and row-level security are in the model. A
// partitioned table is pulled as a table, without its partitioning: that
// is said too.
const char* const kNotExpressed = R"sql(
WITH member AS (
  SELECT classid, objid FROM pg_catalog.pg_depend WHERE deptype = 'e'
)
SELECT kind, name FROM (
  SELECT CASE c.relkind WHEN 'f' THEN 'foreign table'
                        WHEN 'p' THEN 'partitioning (PARTITION BY) of table'
                        ELSE 'partition' END AS kind,
         pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS name
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = ANY ($1::text[])
     AND (c.relkind IN ('f', 'p') OR (c.relkind = 'r' AND c.relispartition))
     AND NOT EXISTS (SELECT 1 FROM member d
                      WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid)
  UNION ALL
  SELECT CASE p.prokind WHEN 'a' THEN 'aggregate' ELSE 'window function' END,
         pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname) || '(' ||
         pg_catalog.pg_get_function_identity_arguments(p.oid) || ')'
    FROM pg_catalog.pg_proc p
    JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname = ANY ($1::text[]) AND p.prokind IN ('a', 'w')
     AND NOT EXISTS (SELECT 1 FROM member d
                      WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid)
  UNION ALL
  SELECT 'constraint trigger', pg_catalog.quote_ident(t.tgname) || ' on ' ||
         pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
    FROM pg_catalog.pg_trigger t
    JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = ANY ($1::text[]) AND NOT t.tgisinternal AND t.tgconstraint <> 0
  UNION ALL
  SELECT 'trigger on a view', pg_catalog.quote_ident(t.tgname) || ' on ' ||
         pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
    FROM pg_catalog.pg_trigger t
    JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid AND c.relkind IN ('v', 'm')
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = ANY ($1::text[]) AND NOT t.tgisinternal
  UNION ALL
  SELECT 'privileges', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = ANY ($1::text[]) AND c.relkind IN ('r', 'p') AND c.relacl IS NOT NULL
  UNION ALL
  SELECT CASE t.typtype WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range type'
                        WHEN 'c' THEN 'composite type' ELSE 'base type' END,
         pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(t.typname)
    FROM pg_catalog.pg_type t
    JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
    LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid
   WHERE n.nspname = ANY ($1::text[])
     AND (t.typtype IN ('d', 'r', 'b') OR (t.typtype = 'c' AND c.relkind = 'c'))
     AND t.typelem = 0
     AND NOT EXISTS (SELECT 1 FROM member d
                      WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid)
) x
ORDER BY kind, name
)sql";

}  // namespace

Extras read_extras(pqxx::connection_base& conn, const std::vector<std::string>& schemas,
                   const std::string& version_schema) {
  Extras out;
  pqxx::read_transaction tx(conn, "schemad_pull");
  for (const auto& r : tx.exec(kExtensions)) out.extension_schemas[r[0].c_str()] = r[1].c_str();
  for (const auto& r : tx.exec_params(kNotExpressed, sql::text_array(schemas))) {
    out.not_expressed.push_back(std::string(r[0].c_str()) + " " + r[1].c_str());
  }
  const std::string table = sql::ident(version_schema) + ".alembic_version";
  const pqxx::row found = tx.exec_params1("SELECT to_regclass($1) IS NOT NULL", table);
  if (found[0].as<bool>()) {
    for (const auto& r : tx.exec("SELECT version_num FROM " + table + " ORDER BY 1")) {
      out.revisions.push_back(r[0].c_str());
    }
  }
  tx.commit();
  return out;
}

}  // namespace schemad::catalog
