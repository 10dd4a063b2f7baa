"""Does a database match a SQLAlchemy metadata?  Alembic's verdict, and more.

    /usr/bin/python3 compare.py [--alembic-only] URL MODULE

URL is the database (a libpq or SQLAlchemy URL, postgres:// accepted).
MODULE is a Python file (or an importable module name) that defines
`metadata`, a sqlalchemy.MetaData; see full_metadata.py.

It runs alembic.autogenerate.compare_metadata() -- the comparison behind
`alembic revision --autogenerate` -- with compare_type and
compare_server_default on, over every schema the metadata uses, and prints
each difference on a line of standard output.  Exit 0 with no output when
there are none, 1 when there are differences, 2 on a usage error.

Because Alembic leaves parts of a schema uncompared (listed below), a second
check follows unless --alembic-only is given: the *create_all round trip*.
SQLAlchemy's metadata.create_all() builds the metadata in a scratch database
on the same server (created and dropped here, so the role needs CREATEDB),
and the two catalogs are compared as PostgreSQL prints them: every column
(position, type, NOT NULL, default, identity, comment), table comment,
constraint (pg_get_constraintdef, so checks, primary keys and constraint
names are included), index (pg_get_indexdef: method, columns and expressions,
operator classes, order, INCLUDE, WHERE), enum label list and sequence.  A
line present on one side only is a difference ("create_all: ...").  This is
the stronger claim: the database is the one SQLAlchemy itself would have
created from this metadata.

What this proves, and what it cannot (Alembic 1.8 with SQLAlchemy 1.4):

* Compared: tables; columns with their type (as the dialect compiles it,
  length, precision and array element type included), nullability, server
  default (PostgreSQL itself evaluates `SELECT stored = declared`), identity
  options and comment; table comments; unique constraints and indexes by
  name, uniqueness and *set* of columns; foreign keys by columns, target,
  ON DELETE / ON UPDATE and deferrability.
* Not compared by Alembic, so a difference there passes unseen: primary key
  constraints (only the NOT NULL of their columns), CHECK constraints, enum
  labels, an index's method, WHERE clause, INCLUDE columns, column order,
  sort order and operator classes, constraint names of foreign keys.
* Loosely compared: a type whose metadata side has no length or precision
  (String, Numeric) matches any length or precision in the database.
* Skipped with a warning: indexes on expressions (SQLAlchemy 1.4 cannot
  reflect them; Alembic drops them from the comparison).  Such warnings are
  printed on standard error as "note:" lines, so a reader sees what Alembic
  did not compare; they do not count as differences.
* A json (not jsonb) column's default is compared textually only: json has
  no `=` operator, so a default written differently from PostgreSQL's stored
  text makes Alembic's comparison query fail (a traceback, exit 1).
The create_all round trip covers all of these.

Bookkeeping tables that are in the database but never in an application's
metadata are excluded through the include_name hook below, as an Alembic
project's env.py would exclude them; otherwise autogenerate would report
them as tables to drop:
  alembic_version  -- Alembic's own revision table (schemad stamps it);
  schemad_history  -- schemad's audit of what it applied, in the same schema;
  schemad_memo     -- the server's answers schemad recorded about the model's text.
"""
import importlib
import importlib.util
import os
import sys
import uuid
import warnings
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Index, Table, create_engine, pool, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url
from sqlalchemy.schema import Constraint, DefaultClause, ForeignKeyConstraint
from sqlalchemy.types import TypeEngine

BOOKKEEPING_TABLES = frozenset({"alembic_version", "schemad_history", "schemad_memo"})


def load_metadata(module):
    """Return `metadata` from a .py file path or an importable module name."""
    path = Path(module)
    if path.suffix == ".py":
        spec = importlib.util.spec_from_file_location(path.stem, path)
        loaded = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(loaded)
    else:
        loaded = importlib.import_module(module)
    return loaded.metadata


def sqlalchemy_url(url):
    """SQLAlchemy 1.4 refuses the postgres:// scheme that libpq accepts."""
    if url.startswith("postgres://"):
        return "postgresql://" + url[len("postgres://"):]
    return url


def make_include_name(metadata):
    """Limit the comparison to the metadata's schemas, minus bookkeeping."""
    schemas = {table.schema for table in metadata.tables.values()}

    def include_name(name, type_, parent_names):
        if type_ == "schema":
            # The default schema is passed as None.
            return name in schemas
        if type_ == "table":
            # Not part of the application's model: see the module docstring.
            return name not in BOOKKEEPING_TABLES
        return True

    return include_name


def describe(item):
    """One schema object or value of a diff entry as short, readable text."""
    dialect = postgresql.dialect()
    if isinstance(item, Table):
        return item.fullname
    if isinstance(item, Column):
        return "%s.%s %s" % (
            item.table.fullname,
            item.name,
            item.type.compile(dialect=dialect),
        )
    if isinstance(item, Index):
        columns = ", ".join(str(expr) for expr in item.expressions)
        kind = "unique index" if item.unique else "index"
        return "%s %s on %s (%s)" % (
            kind,
            item.name,
            item.table.fullname,
            columns,
        )
    if isinstance(item, ForeignKeyConstraint):
        return "foreign key %s on %s (%s) -> %s ondelete=%s onupdate=%s" % (
            item.name,
            item.table.fullname,
            ", ".join(item.column_keys),
            ", ".join(element.target_fullname for element in item.elements),
            item.ondelete,
            item.onupdate,
        )
    if isinstance(item, Constraint):
        return "%s %s on %s (%s)" % (
            type(item).__name__,
            item.name,
            item.table.fullname,
            ", ".join(column.name for column in item.columns),
        )
    if isinstance(item, TypeEngine):
        return item.compile(dialect=dialect)
    if isinstance(item, DefaultClause):
        arg = item.arg
        return repr(arg if isinstance(arg, str) else str(arg))
    return repr(item)


def format_diff(diff):
    """Lines for one entry of compare_metadata()'s result."""
    if isinstance(diff, list):
        # Column modifications come grouped per column.
        return [line for entry in diff for line in format_diff(entry)]
    operation = diff[0]
    if operation.startswith("modify_"):
        # (op, schema, table, column, existing_kw, conn_value, metadata_value)
        schema, table, column, _existing, conn_value, md_value = diff[1:]
        where = ".".join(part for part in (schema, table, column) if part)
        return [
            "%s %s: database %s, metadata %s"
            % (operation, where, describe(conn_value), describe(md_value))
        ]
    return [" ".join([operation] + [describe(item) for item in diff[1:]])]


def compare(url, metadata):
    """Return (difference lines, warning lines)."""
    engine = create_engine(sqlalchemy_url(url), poolclass=pool.NullPool)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "compare_server_default": True,
                    "include_schemas": True,
                    "include_name": make_include_name(metadata),
                },
            )
            diffs = compare_metadata(context, metadata)
    lines = [line for diff in diffs for line in format_diff(diff)]
    notes = sorted({str(warning.message) for warning in caught})
    return lines, notes


# One text line per catalog object of the given schemas, as PostgreSQL
# prints it, so that two databases built from the same schema give the same
# set of lines.  Bookkeeping tables are left out, with their indexes,
# constraints and sequences.
CATALOG_SNAPSHOT = """
WITH rel AS (
  SELECT c.oid, c.relname, n.nspname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = ANY(:schemas) AND c.relkind IN ('r', 'p')
    AND NOT c.relname = ANY(:bookkeeping)
)
SELECT format('table %s.%s comment %s', nspname, relname,
              coalesce(quote_literal(obj_description(oid, 'pg_class')), '-'))
FROM rel
UNION ALL
SELECT format('column %s.%s #%s %s %s%s%s%s%s', r.nspname, r.relname,
              row_number() OVER (PARTITION BY r.oid ORDER BY a.attnum),
              a.attname, format_type(a.atttypid, a.atttypmod),
              CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
              CASE a.attidentity WHEN 'a' THEN ' identity always'
                                 WHEN 'd' THEN ' identity by default'
                                 ELSE '' END,
              coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), ''),
              coalesce(' comment ' ||
                       quote_literal(col_description(r.oid, a.attnum)), ''))
FROM rel r
JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0
                   AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = r.oid AND d.adnum = a.attnum
UNION ALL
SELECT format('constraint %s.%s %s: %s', r.nspname, r.relname, co.conname,
              pg_get_constraintdef(co.oid))
FROM rel r JOIN pg_constraint co ON co.conrelid = r.oid
UNION ALL
SELECT format('index %s%s', pg_get_indexdef(i.indexrelid),
              CASE WHEN i.indisvalid THEN '' ELSE ' INVALID' END)
FROM rel r JOIN pg_index i ON i.indrelid = r.oid
UNION ALL
SELECT format('enum %s.%s (%s)', n.nspname, t.typname,
              string_agg(quote_literal(e.enumlabel), ', '
                         ORDER BY e.enumsortorder))
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_enum e ON e.enumtypid = t.oid
WHERE n.nspname = ANY(:schemas)
GROUP BY n.nspname, t.typname
UNION ALL
SELECT format('sequence %s.%s %s start %s increment %s min %s max %s '
              'cache %s%s owned by %s', n.nspname, c.relname,
              format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,
              s.seqmin, s.seqmax, s.seqcache,
              CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END,
              coalesce(owner.relname || '.' || a.attname, '-'))
FROM pg_sequence s
JOIN pg_class c ON c.oid = s.seqrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_depend dep ON dep.classid = 'pg_class'::regclass
                       AND dep.objid = c.oid
                       AND dep.refclassid = 'pg_class'::regclass
                       AND dep.deptype IN ('a', 'i')
LEFT JOIN pg_class owner ON owner.oid = dep.refobjid
LEFT JOIN pg_attribute a ON a.attrelid = dep.refobjid
                        AND a.attnum = dep.refobjsubid
WHERE n.nspname = ANY(:schemas)
  AND NOT coalesce(owner.relname = ANY(:bookkeeping), false)
"""


def catalog_snapshot(connection, schemas):
    """The set of catalog lines (CATALOG_SNAPSHOT) of `schemas`."""
    rows = connection.execute(
        text(CATALOG_SNAPSHOT),
        {
            "schemas": sorted(schemas),
            "bookkeeping": sorted(BOOKKEEPING_TABLES),
        },
    )
    return {row[0] for row in rows}


def create_all_round_trip(url, metadata):
    """Lines where the database differs from metadata.create_all()'s result.

    The scratch database is created from template0 beside the target and
    always dropped, whatever happens.
    """
    target = make_url(sqlalchemy_url(url))
    scratch = "sqla_oracle_%d_%s" % (os.getpid(), uuid.uuid4().hex[:8])
    named_schemas = {t.schema for t in metadata.tables.values() if t.schema}
    admin = create_engine(
        target, poolclass=pool.NullPool, isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        default_schema = connection.scalar(text("SELECT current_schema()"))
        connection.execute(
            text('CREATE DATABASE "%s" TEMPLATE template0' % scratch)
        )
    schemas = named_schemas | {default_schema}
    try:
        built = create_engine(
            target.set(database=scratch), poolclass=pool.NullPool
        )
        with built.begin() as connection:
            for schema in sorted(named_schemas):
                connection.execute(
                    text('CREATE SCHEMA IF NOT EXISTS "%s"' % schema)
                )
            metadata.create_all(connection)
            expected = catalog_snapshot(connection, schemas)
        live = create_engine(target, poolclass=pool.NullPool)
        with live.connect() as connection:
            actual = catalog_snapshot(connection, schemas)
    finally:
        with admin.connect() as connection:
            connection.execute(
                text('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % scratch)
            )
    only_live = sorted(actual - expected)
    only_built = sorted(expected - actual)
    return [
        "create_all: only in the database: " + line for line in only_live
    ] + [
        "create_all: only in metadata.create_all(): " + line
        for line in only_built
    ]


def main(argv):
    args = argv[1:]
    alembic_only = "--alembic-only" in args
    args = [arg for arg in args if arg != "--alembic-only"]
    if len(args) != 2:
        print("usage: compare.py [--alembic-only] URL MODULE", file=sys.stderr)
        return 2
    url, metadata = args[0], load_metadata(args[1])
    lines, notes = compare(url, metadata)
    if not alembic_only:
        lines += create_all_round_trip(url, metadata)
    for note in notes:
        print("note: %s" % note, file=sys.stderr)
    for line in lines:
        print(line)
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
