#include "catalog/queries.hpp"

namespace schemad::catalog::queries {

const char* const set_search_path = "SET LOCAL search_path = pg_catalog";

// One UNION ALL rather than four queries: round trips, not rows, are what
// a large catalog must not multiply. Rows that are not columns leave the
// column fields NULL. No ORDER BY: sorting these wide rows took the server
// as long as the rest of the query (1,000 tables); the client orders enum
// labels and columns by `position` itself.
//
// Types: an array column is described by its element type (an element type
// points back at its array through typarray, which int2vector and
// oidvector do not). A built-in element type is the text format_type prints,
// typmod included; any other is its bare name and the typmod text apart,
// which is what format_type adds after the name.
//
// Sequences, but an identity column's (deptype 'i'): their numbers in
// `item` (start, increment, min, max, cache, cycle as 0/1), their type in
// `type_name`, the column owning them (OWNED BY: table \x1f column, always in
// the sequence's schema) in `item_comment`. A subquery per sequence: there
// are few.
//
// A generated column's expression is in pg_attrdef too: it comes apart
// from defaults (attgenerated = 's').
//
// serial-ness (`owned`): the default depends on a sequence (deptype 'n'
// from pg_attrdef) that itself depends automatically (deptype 'a', OWNED
// BY) on this very column. One hash join over the few owned sequences
// rather than a subquery per column.
const char* const objects = R"SQL(
WITH requested AS (
  SELECT n.oid, n.nspname::text AS nspname
  FROM pg_namespace n
  WHERE n.nspname = ANY ($1::text[])
),
owned AS (
  SELECT DISTINCT od.refobjid AS relid, od.refobjsubid AS attnum, dd.objid AS attrdef
  FROM pg_depend od
  JOIN pg_class s ON s.oid = od.objid AND s.relkind = 'S'
  JOIN pg_depend dd ON dd.classid = 'pg_attrdef'::regclass
                   AND dd.refclassid = 'pg_class'::regclass AND dd.refobjid = s.oid
  WHERE od.classid = 'pg_class'::regclass AND od.refclassid = 'pg_class'::regclass
    AND od.deptype = 'a'
)
SELECT 'schema' AS kind, r.oid AS owner, 0::float8 AS position, r.nspname AS schema,
       NULL::text AS name, NULL::text AS comment, NULL::text AS item,
       NULL::text AS type_schema, NULL::text AS type_name, NULL::text AS type_modifier,
       NULL::bool AS type_array, NULL::bool AS not_null, NULL::text AS identity,
       NULL::text AS default_expr, NULL::bool AS owned_sequence, NULL::text AS item_comment,
       NULL::text AS generated_expr
FROM requested r
UNION ALL
SELECT 'extension', x.oid, 0, NULL, x.extname::text, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM pg_extension x
UNION ALL
SELECT 'sequence', c.oid, 0, r.nspname, c.relname::text, NULL,
       concat_ws(',', s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
                 s.seqcycle::int),
       NULL, format_type(s.seqtypid, NULL), NULL, NULL, NULL, NULL, NULL, NULL,
       (SELECT t.relname || E'\x1f' || a.attname
        FROM pg_depend d
        JOIN pg_class t ON t.oid = d.refobjid
        JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
          AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a' AND d.refobjsubid > 0),
       NULL
FROM requested r
JOIN pg_class c ON c.relnamespace = r.oid AND c.relkind = 'S'
JOIN pg_sequence s ON s.seqrelid = c.oid
WHERE NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                    AND d.deptype = 'i')
UNION ALL
SELECT 'enum', t.oid, l.enumsortorder, r.nspname, t.typname::text, NULL, l.enumlabel::text,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM requested r
JOIN pg_type t ON t.typnamespace = r.oid AND t.typtype = 'e'
LEFT JOIN pg_enum l ON l.enumtypid = t.oid
UNION ALL
SELECT 'table', c.oid, a.attnum, r.nspname, c.relname::text, td.description, a.attname::text,
       CASE WHEN bn.nspname = 'pg_catalog' THEN '' ELSE bn.nspname::text END,
       CASE WHEN bn.nspname = 'pg_catalog' THEN format_type(b.oid, a.atttypmod)
            ELSE b.typname::text END,
       CASE WHEN bn.nspname <> 'pg_catalog' AND a.atttypmod >= 0
            THEN substr(format_type(b.oid, a.atttypmod), length(format_type(b.oid, NULL)) + 1)
            ELSE '' END,
       el.oid IS NOT NULL,
       a.attnotnull,
       a.attidentity::text,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END,
       o.attrdef IS NOT NULL,
       cd.description,
       CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, ad.adrelid) END
FROM requested r
JOIN pg_class c ON c.relnamespace = r.oid AND c.relkind IN ('r', 'p') AND NOT c.relispartition
LEFT JOIN pg_description td
       ON td.classoid = 'pg_class'::regclass AND td.objoid = c.oid AND td.objsubid = 0
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_type ty ON ty.oid = a.atttypid
LEFT JOIN pg_type el ON el.oid = ty.typelem AND el.typarray = ty.oid
LEFT JOIN pg_type b ON b.oid = COALESCE(el.oid, ty.oid)
LEFT JOIN pg_namespace bn ON bn.oid = b.typnamespace
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN owned o ON o.relid = a.attrelid AND o.attnum = a.attnum AND o.attrdef = ad.oid
LEFT JOIN pg_description cd
       ON cd.classoid = 'pg_class'::regclass AND cd.objoid = a.attrelid AND cd.objsubid = a.attnum
)SQL";

// conparentid <> 0 marks the clones PostgreSQL adds, on the referencing
// table, for each partition of a referenced partitioned table: the parent
// constraint alone is what was declared. conkey of a check lists the
// columns it reads, which is not part of its definition.
const char* const constraints = R"SQL(
SELECT con.oid, n.nspname::text AS schema, c.relname::text AS table_name,
       con.conname::text AS name, con.contype::text AS kind, con.convalidated AS validated,
       k.position,
       (SELECT a.attname::text FROM pg_attribute a
        WHERE a.attrelid = con.conrelid AND a.attnum = k.attnum) AS column_name,
       rn.nspname::text AS ref_schema, rc.relname::text AS ref_table,
       (SELECT ra.attname::text FROM pg_attribute ra
        WHERE ra.attrelid = con.confrelid AND ra.attnum = k.ref_attnum) AS ref_column,
       con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update,
       CASE WHEN con.contype = 'c' THEN pg_get_constraintdef(con.oid) END AS definition
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid AND c.relkind IN ('r', 'p') AND NOT c.relispartition
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = ANY ($1::text[])
LEFT JOIN pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN LATERAL unnest(CASE WHEN con.contype <> 'c' THEN con.conkey END,
                         CASE WHEN con.contype = 'f' THEN con.confkey END)
          WITH ORDINALITY AS k(attnum, ref_attnum, position) ON true
WHERE con.contype IN ('p', 'u', 'f', 'c') AND con.conparentid = 0
ORDER BY con.oid, k.position
)SQL";

// indkey has indnatts entries, indclass and indoption only the first
// indnkeyatts: unnest pads the include columns with NULLs. A foreign key
// also points at an index (conindid, the referenced key's): only p, u and x
// constraints of the index's own table make it constraint-backed (a join:
// pg_constraint has no index on conindid, and a subquery per index row
// scanned it 2,000 times on a 1,000-table catalog). Column names come from
// one index lookup each: the planner, misjudging the row count, hashed all
// of pg_attribute instead. The constraints query does the same.
const char* const indexes = R"SQL(
SELECT i.indexrelid AS oid, n.nspname::text AS schema, c.relname::text AS table_name,
       ic.relname::text AS name, am.amname::text AS method,
       i.indisunique AS is_unique, i.indisvalid AS is_valid,
       cb.conindid IS NOT NULL AS constraint_backed,
       CASE WHEN k.position = 1 THEN pg_get_expr(i.indpred, i.indrelid) END AS predicate,
       k.position, k.position > i.indnkeyatts AS is_include,
       CASE WHEN k.attnum > 0 THEN
         (SELECT a.attname::text FROM pg_attribute a
          WHERE a.attrelid = i.indrelid AND a.attnum = k.attnum) END AS column_name,
       CASE WHEN k.attnum = 0
            THEN pg_get_indexdef(i.indexrelid, k.position::int, true) END AS expression,
       CASE WHEN NOT opc.opcdefault THEN opc.opcname::text END AS opclass,
       CASE WHEN opc.opcdefault THEN opc.opcname::text END AS default_opclass,
       k.option
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid AND c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = ANY ($1::text[])
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
LEFT JOIN (SELECT DISTINCT conindid, conrelid FROM pg_constraint
           WHERE contype IN ('p', 'u', 'x')) cb
       ON cb.conindid = i.indexrelid AND cb.conrelid = i.indrelid
CROSS JOIN LATERAL unnest(i.indkey::int2[], i.indclass::oid[], i.indoption::int2[])
          WITH ORDINALITY AS k(attnum, opclass, option, position)
LEFT JOIN pg_opclass opc ON opc.oid = k.opclass
ORDER BY i.indexrelid, k.position
)SQL";

// Few rows: a subquery per item is cheaper than joins over the catalog.
// Extensions' members are not the model's (pg_stat_statements' views).
// pg_get_viewdef reads pg_rewrite with a query of its own, one per view
// (pg_stat_statements.track = all counts them).
// pg_roles rather than pg_authid, which only superusers may read. The WHEN
// condition is cut out of pg_get_triggerdef's fixed form ("... WHEN (cond)
// EXECUTE FUNCTION f(args)"): no other function prints it.
const char* const definitions = R"SQL(
WITH RECURSIVE view_rel AS (
  SELECT c.oid, n.nspname::text AS nspname, c.relname::text AS relname, c.relkind
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = ANY ($1::text[])
  WHERE c.relkind IN ('v', 'm')
    AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.deptype = 'e')
),
reads AS (  -- view -> another view of those schemas that its query reads
  SELECT DISTINCT r.ev_class AS view, d.refobjid AS read
  FROM pg_rewrite r
  JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                  AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> r.ev_class
  WHERE r.ev_class IN (SELECT oid FROM view_rel) AND d.refobjid IN (SELECT oid FROM view_rel)
),
levels(view, level) AS (
  SELECT oid, 0 FROM view_rel
  UNION ALL
  SELECT x.view, l.level + 1 FROM reads x JOIN levels l ON l.view = x.read
)
SELECT 'view' AS kind, v.nspname AS schema, v.relname AS name, NULL::text AS table_name,
       v.relkind::text AS detail, pg_get_viewdef(v.oid) AS definition, NULL::text AS extra,
       NULL::bool AS flag, (SELECT max(l.level) FROM levels l WHERE l.view = v.oid) AS bits,
       array_to_string(ARRAY(SELECT a.attname::text || ' ' || format_type(a.atttypid, a.atttypmod)
                             FROM pg_attribute a
                             WHERE a.attrelid = v.oid AND a.attnum > 0 AND NOT a.attisdropped
                             ORDER BY a.attnum), E'\x1f') AS list
FROM view_rel v
UNION ALL
SELECT 'function', n.nspname::text, p.proname::text,
       NULL,
       array_to_string(ARRAY(SELECT format_type(a.t, NULL)
                             FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY a(t, i)
                             ORDER BY a.i), E'\x1f'),
       pg_get_functiondef(p.oid), NULL, NULL,
       NULL, NULL
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace AND n.nspname = ANY ($1::text[])
WHERE p.prokind IN ('f', 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
UNION ALL
SELECT 'trigger', n.nspname::text, t.tgname::text, c.relname::text,
       fn.nspname::text || E'\x1f' || f.proname::text,
       substring(pg_get_triggerdef(t.oid) FROM ' WHEN \((.*)\) EXECUTE '),
       encode(t.tgargs, 'hex'), NULL, t.tgtype::int,
       array_to_string(ARRAY(SELECT a.attname::text
                             FROM unnest(t.tgattr::int2[]) WITH ORDINALITY k(attnum, i)
                             JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = k.attnum
                             ORDER BY k.i), E'\x1f')
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid AND c.relkind IN ('r', 'p') AND NOT c.relispartition
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = ANY ($1::text[])
JOIN pg_proc f ON f.oid = t.tgfoid
JOIN pg_namespace fn ON fn.oid = f.pronamespace
WHERE NOT t.tgisinternal AND t.tgconstraint = 0
UNION ALL
SELECT 'policy', n.nspname::text, p.polname::text, c.relname::text, p.polcmd::text,
       pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid),
       p.polpermissive, NULL,
       array_to_string(ARRAY(SELECT CASE WHEN r.oid = 0 THEN 'public'
                                         ELSE (SELECT ro.rolname::text FROM pg_roles ro
                                               WHERE ro.oid = r.oid) END
                             FROM unnest(p.polroles) r(oid) ORDER BY 1), E'\x1f')
FROM pg_policy p
JOIN pg_class c ON c.oid = p.polrelid AND c.relkind IN ('r', 'p') AND NOT c.relispartition
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = ANY ($1::text[])
UNION ALL
SELECT 'row_security', n.nspname::text, NULL, c.relname::text, NULL, NULL, NULL,
       c.relforcerowsecurity, NULL, NULL
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = ANY ($1::text[])
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relrowsecurity
)SQL";

}  // namespace schemad::catalog::queries
