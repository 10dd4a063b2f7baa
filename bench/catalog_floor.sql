-- The no-op floor: what any tool that compares a model with the database
-- must at least read, as four bulk catalog queries over the model's schemas
-- (psql variable `schemas`, a text[] literal such as '{public}'), run with
--   psql -X -q -v schemas='{public}' -f bench/catalog_floor.sql -o /dev/null
-- One REPEATABLE READ READ ONLY transaction, as schemad inspects. The rows
-- carry what a comparison needs, read the cheapest way: raw catalog columns
-- (key arrays, flags), comments by a join rather than a function call per
-- row, and the server's deparsers only where there is no raw form (a
-- column's type and default, an index's predicate and expressions, a check).

BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;

-- 1. tables (pg_class) with their comments
SELECT c.oid, n.nspname, c.relname, c.relkind, d.description
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_description d
       ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid AND d.objsubid = 0
WHERE n.nspname = ANY (:'schemas'::text[]) AND c.relkind IN ('r', 'p');

-- 2. columns (pg_attribute): type, nullability, identity, default, comment
SELECT a.attrelid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull, a.attidentity, pg_get_expr(ad.adbin, ad.adrelid) AS default_expr,
       d.description
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p')
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_description d
       ON d.classoid = 'pg_class'::regclass AND d.objoid = a.attrelid AND d.objsubid = a.attnum
WHERE n.nspname = ANY (:'schemas'::text[]) AND a.attnum > 0 AND NOT a.attisdropped;

-- 3. indexes (pg_index): method, key columns, operator classes, options,
--    uniqueness, validity, predicate and expressions
SELECT i.indrelid, i.indexrelid, ic.relname, am.amname, i.indkey, i.indclass, i.indoption,
       i.indnkeyatts, i.indisunique, i.indisprimary, i.indisvalid,
       pg_get_expr(i.indpred, i.indrelid) AS predicate,
       pg_get_expr(i.indexprs, i.indrelid) AS expressions
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
WHERE n.nspname = ANY (:'schemas'::text[]);

-- 4. constraints (pg_constraint): kind, columns, target, actions, validity;
--    the definition of checks
SELECT con.conrelid, con.conname, con.contype, con.conkey, con.confrelid, con.confkey,
       con.confdeltype, con.confupdtype, con.convalidated, con.conindid,
       CASE WHEN con.contype = 'c' THEN pg_get_constraintdef(con.oid) END AS check_definition
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY (:'schemas'::text[]);

COMMIT;
