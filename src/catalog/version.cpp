#include "catalog/version.hpp"

#include <pqxx/nontransaction>

#include "util/sql_text.hpp"

namespace schemad::catalog {

namespace {

const char* const kQuery = R"SQL(
WITH requested AS (
  SELECT oid, xmin FROM pg_namespace WHERE nspname = ANY ($1::text[])
), rels AS (
  SELECT c.oid, c.xmin, c.relkind FROM pg_class c
  WHERE c.relnamespace IN (SELECT oid FROM requested)
), tables AS (
  SELECT oid FROM rels WHERE relkind IN ('r', 'p')
), types AS (
  SELECT t.oid, t.xmin FROM pg_type t WHERE t.typnamespace IN (SELECT oid FROM requested)
)
SELECT concat_ws(' ',
  (SELECT count(*) || ':' || coalesce(sum(xmin::text::int8), 0) FROM requested),
  (SELECT count(*) || ':' || coalesce(sum(xmin::text::int8), 0) FROM rels),
  (SELECT count(*) || ':' || coalesce(sum(a.xmin::text::int8), 0)
   FROM pg_attribute a WHERE a.attrelid IN (SELECT oid FROM tables)),
  (SELECT count(*) || ':' || coalesce(sum(d.xmin::text::int8), 0)
   FROM pg_attrdef d WHERE d.adrelid IN (SELECT oid FROM tables)),
  (SELECT count(*) || ':' || coalesce(sum(k.xmin::text::int8), 0)
   FROM pg_constraint k
   WHERE k.conrelid IN (SELECT oid FROM tables) OR k.confrelid IN (SELECT oid FROM tables)),
  (SELECT count(*) || ':' || coalesce(sum(i.xmin::text::int8), 0)
   FROM pg_index i WHERE i.indrelid IN (SELECT oid FROM tables)),
  (SELECT count(*) || ':' || coalesce(sum(xmin::text::int8), 0) FROM types),
  (SELECT count(*) || ':' || coalesce(sum(e.xmin::text::int8), 0)
   FROM pg_enum e WHERE e.enumtypid IN (SELECT oid FROM types)),
  (SELECT count(*) || ':' || coalesce(sum(d.xmin::text::int8), 0)
   FROM pg_description d WHERE d.objoid IN (SELECT oid FROM tables)),
  (SELECT count(*) || ':' || coalesce(sum(d.xmin::text::int8), 0)
   FROM pg_depend d
   WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid IN (SELECT oid FROM tables)),
  (SELECT count(*) || ':' || coalesce(sum(s.xmin::text::int8), 0)
   FROM pg_sequence s WHERE s.seqrelid IN (SELECT oid FROM rels)),
  (SELECT count(*) || ':' || coalesce(sum(r.xmin::text::int8), 0)
   FROM pg_rewrite r WHERE r.ev_class IN (SELECT oid FROM rels)),
  (SELECT count(*) || ':' || coalesce(sum(p.xmin::text::int8), 0)
   FROM pg_proc p WHERE p.pronamespace IN (SELECT oid FROM requested)),
  (SELECT count(*) || ':' || coalesce(sum(t.xmin::text::int8), 0)
   FROM pg_trigger t WHERE t.tgrelid IN (SELECT oid FROM tables)),
  (SELECT count(*) || ':' || coalesce(sum(p.xmin::text::int8), 0)
   FROM pg_policy p WHERE p.polrelid IN (SELECT oid FROM tables)),
  (SELECT count(*) || ':' || coalesce(sum(xmin::text::int8), 0) FROM pg_extension),
  -- A policy prints its roles' names: a role renamed changes it, not pg_policy.
  (SELECT count(*) || ':' || coalesce(sum(hashtext(r.rolname)::int8), 0) FROM pg_roles r
   WHERE r.oid IN (SELECT unnest(p.polroles) FROM pg_policy p
                   WHERE p.polrelid IN (SELECT oid FROM tables))))
)SQL";

}  // namespace

const std::string& catalog_version_sql() {
  static const std::string query = kQuery;
  return query;
}

std::string catalog_version(pqxx::connection_base& conn, const std::vector<std::string>& schemas) {
  pqxx::nontransaction tx(conn, "schemad-catalog-version");
  return tx.exec_params1(kQuery, sql::text_array(schemas))[0].c_str();
}

}  // namespace schemad::catalog
