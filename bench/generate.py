#!/usr/bin/python3
"""Generate a deterministic benchmark schema of N tables, in three spellings.

    /usr/bin/python3 bench/generate.py --tables N [--seed S] [--schema S] --out DIR

writes into DIR:

  model.json    the schemad model (format version 1)
  schema.sql    the same schema as plain DDL, for `psql -1 -f` on an empty
                database (written here, not taken from `schemad export-sql`)
  metadata.py   the same schema as a SQLAlchemy 1.4 module defining `metadata`
                (a sqlalchemy.MetaData), for create_all() and Alembic

The three describe one database: every object carries an explicit name
except primary keys, which all three leave to PostgreSQL (`<table>_pkey`).
Foreign keys only point at tables generated earlier, so the DDL creates them
inline and no spelling needs use_alter or a second pass.

The mix, per table (about 20 columns): a uuid key (gen_random_uuid()) or a
bigint identity key; on about a third of the tables one or two foreign-key
columns (with an index each); a varchar code (unique on about 40 % of the
tables), varchar name, text, an enum with a default, booleans with defaults,
numeric, integer and bigint, jsonb (one with a '{}' default), dates and
timestamptz columns with now() defaults; one or two secondary indexes.
With --checks F, a fraction F of the tables also gets CHECK (amount >= 0);
none by default, as the issue's mix has no checks (see README: they change
what a no-op costs). The same seed, N and F always give the same files, byte
for byte; F does not change anything else.
"""
import argparse
import json
import os
import random
import sys

SCHEMA = "public"

NOUNS = [
    "account", "order", "invoice", "payment", "shipment", "product", "customer",
    "supplier", "ticket", "project", "task", "comment", "document", "event",
    "session", "device", "report", "contract", "asset", "booking",
]

ENUMS = [
    ("record_status", ["draft", "active", "suspended", "archived"]),
    ("priority_level", ["low", "normal", "high", "urgent"]),
    ("payment_state", ["pending", "authorized", "captured", "refunded", "failed"]),
    ("visibility", ["private", "internal", "public"]),
    ("review_state", ["open", "in_review", "approved", "rejected"]),
    ("channel_kind", ["web", "mobile", "api", "batch", "partner"]),
]

# Optional columns: (name, type, nullable, default). Defaults are
# ("lit", value) for a literal, ("sql", text) for an expression,
# ("json", value) for a JSON literal.
OPTIONAL = [
    ("description", "text", True, None),
    ("notes", "text", True, None),
    ("email", "varchar(320)", True, None),
    ("external_ref", "varchar(128)", True, None),
    ("is_deleted", "boolean", False, ("lit", False)),
    ("rate", "numeric(8,4)", True, None),
    ("quantity", "integer", False, ("lit", 0)),
    ("counter", "bigint", True, None),
    ("attributes", "jsonb", True, None),
    ("valid_from", "date", True, None),
    ("score", "double precision", True, None),
    ("published_at", "timestamptz", True, None),
    ("version_no", "integer", False, ("lit", 1)),
    ("locale", "varchar(16)", False, ("lit", "en")),
    ("tags", "text", True, None),
]


def build(n_tables, seed, checks_fraction=0.0):
    """The schema as plain data: enums and tables, in creation order."""
    rng = random.Random(seed * 1_000_003 + n_tables)
    tables = []
    width = max(4, len(str(n_tables)))
    for i in range(n_tables):
        name = f"{NOUNS[i % len(NOUNS)]}_{i + 1:0{width}d}"
        uuid_key = rng.random() < 0.6
        cols = []
        if uuid_key:
            cols.append({"name": "id", "type": "uuid", "pk": True, "nullable": False,
                         "default": ("sql", "gen_random_uuid()")})
        else:
            cols.append({"name": "id", "type": "bigint", "pk": True, "nullable": False,
                         "identity": "by default"})
        fks = []
        if i > 0 and rng.random() < 1 / 3:
            targets = sorted(set(rng.randrange(i) for _ in range(rng.choice((1, 1, 2)))))
            for t in targets:
                target = tables[t]
                col = f"{target['name']}_id"
                nullable = rng.random() < 0.4
                on_delete = ("set null" if nullable else rng.choice(("cascade", "no action", "restrict")))
                cols.append({"name": col, "type": target["key_type"], "nullable": nullable})
                fks.append({"name": f"fk_{name}_{target['name']}", "column": col,
                            "table": target["name"], "on_delete": on_delete})
        enum_name, enum_values = ENUMS[rng.randrange(len(ENUMS))]
        cols += [
            {"name": "code", "type": "varchar(64)", "nullable": False},
            {"name": "name", "type": "varchar(255)", "nullable": False},
            {"name": "status", "type": enum_name, "nullable": False,
             "default": ("lit", enum_values[0])},
            {"name": "is_active", "type": "boolean", "nullable": False, "default": ("lit", True)},
            {"name": "amount", "type": "numeric(12,2)", "nullable": False, "default": ("lit", 0)},
            {"name": "metadata", "type": "jsonb", "nullable": False, "default": ("json", {})},
        ]
        total = rng.randint(18, 22)
        picked = rng.sample(OPTIONAL, total - len(cols) - 3)
        picked.sort(key=OPTIONAL.index)
        for cname, ctype, nullable, default in picked:
            col = {"name": cname, "type": ctype, "nullable": nullable}
            if default is not None:
                col["default"] = default
            cols.append(col)
        cols += [
            {"name": "created_at", "type": "timestamptz", "nullable": False,
             "default": ("sql", "now()")},
            {"name": "updated_at", "type": "timestamptz", "nullable": False,
             "default": ("sql", "now()")},
            {"name": "deleted_at", "type": "timestamptz", "nullable": True},
        ]
        uniques = []
        if rng.random() < 0.4:
            uniques.append({"name": f"uq_{name}_code", "columns": ["code"]})
        checks = []
        if rng.random() < checks_fraction:
            checks.append({"name": f"ck_{name}_amount", "expression": "amount >= 0"})
        indexes = [{"name": f"ix_{name}_created_at", "columns": ["created_at"]}]
        if fks:
            for fk in fks:
                indexes.append({"name": f"ix_{name}_{fk['column']}", "columns": [fk["column"]]})
        elif rng.random() < 0.5:
            indexes.append({"name": f"ix_{name}_status_created", "columns": ["status", "created_at"]})
        tables.append({"name": name, "key_type": "uuid" if uuid_key else "bigint",
                       "columns": cols, "fks": fks, "uniques": uniques,
                       "checks": checks, "indexes": indexes})
    return {"enums": ENUMS, "tables": tables}


# --- schemad model -------------------------------------------------------

def model_default(default):
    kind, value = default
    if kind == "sql":
        return {"sql": value}
    if kind == "json":
        return {"json": value}
    return value


def to_model(schema, revision):
    model = {"version": 1, "schema": SCHEMA, "revision": revision,
             "enums": [{"name": n, "values": v} for n, v in schema["enums"]], "tables": []}
    for t in schema["tables"]:
        cols = []
        for c in t["columns"]:
            col = {"name": c["name"], "type": c["type"]}
            if c.get("pk"):
                col["primary_key"] = True
            elif not c["nullable"]:
                col["nullable"] = False
            if "identity" in c:
                col["identity"] = c["identity"]
            if "default" in c:
                col["default"] = model_default(c["default"])
            cols.append(col)
        table = {"name": t["name"], "columns": cols}
        if t["uniques"]:
            table["uniques"] = t["uniques"]
        if t["checks"]:
            table["checks"] = t["checks"]
        if t["fks"]:
            table["foreign_keys"] = [
                {"name": fk["name"], "columns": [fk["column"]],
                 "references": {"table": fk["table"], "columns": ["id"]},
                 "on_delete": fk["on_delete"]} for fk in t["fks"]]
        table["indexes"] = t["indexes"]
        model["tables"].append(table)
    return model


def model_text(model):
    """One table a line: readable with grep and diff, and nearly as small as
    compact JSON (10,000 tables make 14 MB; schemad refuses models over
    16 MiB)."""
    compact = {"separators": (",", ":")}
    head = {k: v for k, v in model.items() if k != "tables"}
    lines = ["{" + json.dumps(head, **compact)[1:-1] + ',"tables":[']
    lines += [json.dumps(t, **compact) + "," for t in model["tables"]]
    lines[-1] = lines[-1][:-1]
    return "\n".join(lines) + "\n]}\n"


# --- plain DDL -----------------------------------------------------------

def q(identifier):
    return '"' + identifier.replace('"', '""') + '"'


def qn(name):
    return f"{q(SCHEMA)}.{q(name)}"


def sql_literal(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def ddl_type(ctype, enum_names):
    return qn(ctype) if ctype in enum_names else ctype


def ddl_default(default, ctype):
    kind, value = default
    if kind == "sql":
        return value
    if kind == "json":
        return sql_literal(json.dumps(value, separators=(",", ":"))) + "::" + ctype
    return sql_literal(value)


def to_ddl(schema, seed):
    enum_names = {n for n, _ in schema["enums"]}
    out = [f"-- schemad benchmark schema: {len(schema['tables'])} tables, seed {seed}.",
           "-- Plain DDL for an empty database: psql -X -1 -v ON_ERROR_STOP=1 -f schema.sql", ""]
    for name, values in schema["enums"]:
        out.append(f"CREATE TYPE {qn(name)} AS ENUM ({', '.join(sql_literal(v) for v in values)});")
    out.append("")
    for t in schema["tables"]:
        lines = []
        for c in t["columns"]:
            line = f"  {q(c['name'])} {ddl_type(c['type'], enum_names)}"
            if not c["nullable"]:
                line += " NOT NULL"
            if "identity" in c:
                line += f" GENERATED {c['identity'].upper()} AS IDENTITY"
            if "default" in c:
                line += " DEFAULT " + ddl_default(c["default"], c["type"])
            lines.append(line)
        lines.append("  PRIMARY KEY (" + ", ".join(q(c["name"]) for c in t["columns"] if c.get("pk")) + ")")
        for u in t["uniques"]:
            lines.append(f"  CONSTRAINT {q(u['name'])} UNIQUE ({', '.join(q(c) for c in u['columns'])})")
        for ck in t["checks"]:
            lines.append(f"  CONSTRAINT {q(ck['name'])} CHECK ({ck['expression']})")
        for fk in t["fks"]:
            lines.append(f"  CONSTRAINT {q(fk['name'])} FOREIGN KEY ({q(fk['column'])}) "
                         f"REFERENCES {qn(fk['table'])} ({q('id')}) ON DELETE {fk['on_delete'].upper()}")
        out.append(f"CREATE TABLE {qn(t['name'])} (\n" + ",\n".join(lines) + "\n);")
        for ix in t["indexes"]:
            out.append(f"CREATE INDEX {q(ix['name'])} ON {qn(t['name'])} "
                       f"({', '.join(q(c) for c in ix['columns'])});")
    out.append("")
    return "\n".join(out)


# --- SQLAlchemy module -----------------------------------------------------

SA_TYPES = {
    "uuid": "UUID(as_uuid=True)",
    "bigint": "BigInteger()",
    "integer": "Integer()",
    "text": "Text()",
    "boolean": "Boolean()",
    "jsonb": "JSONB()",
    "date": "Date()",
    "double precision": "DOUBLE_PRECISION()",
    "timestamptz": "TIMESTAMP(timezone=True)",
}


def sa_type(ctype, enum_names):
    if ctype in enum_names:
        return f"E[{ctype!r}]"
    if ctype in SA_TYPES:
        return SA_TYPES[ctype]
    if ctype.startswith("varchar("):
        return f"String({int(ctype[8:-1])})"
    if ctype.startswith("numeric("):
        p, s = ctype[8:-1].split(",")
        return f"Numeric({int(p)}, {int(s)})"
    raise ValueError(f"no SQLAlchemy type for {ctype}")


def sa_default(default, ctype):
    return f"text({ddl_default(default, ctype)!r})"


def to_sqlalchemy(schema, seed):
    enum_names = {n for n, _ in schema["enums"]}
    out = [
        f'"""SQLAlchemy 1.4 metadata of the schemad benchmark schema: '
        f'{len(schema["tables"])} tables, seed {seed}.',
        "",
        "Generated by bench/generate.py, equivalent to model.json and schema.sql.",
        '"""',
        "from sqlalchemy import (BigInteger, Boolean, CheckConstraint, Column, Date, Enum,",
        "                        ForeignKeyConstraint, Identity, Index, Integer, MetaData, Numeric,",
        "                        String, Table, Text, UniqueConstraint, text)",
        "from sqlalchemy.dialects.postgresql import DOUBLE_PRECISION, JSONB, TIMESTAMP, UUID",
        "",
        "metadata = MetaData()",
        "",
        "E = {",
    ]
    for name, values in schema["enums"]:
        out.append(f"    {name!r}: Enum({', '.join(repr(v) for v in values)}, name={name!r}, metadata=metadata),")
    out += ["}", ""]
    for t in schema["tables"]:
        out.append(f"Table({t['name']!r}, metadata,")
        for c in t["columns"]:
            args = [repr(c["name"]), sa_type(c["type"], enum_names)]
            if "identity" in c:
                args.append(f"Identity(always={c['identity'] == 'always'})")
            if c.get("pk"):
                args.append("primary_key=True")
            args.append(f"nullable={c['nullable']}")
            if "default" in c:
                args.append("server_default=" + sa_default(c["default"], c["type"]))
            out.append(f"      Column({', '.join(args)}),")
        for u in t["uniques"]:
            out.append(f"      UniqueConstraint({', '.join(repr(c) for c in u['columns'])}, name={u['name']!r}),")
        for ck in t["checks"]:
            out.append(f"      CheckConstraint({ck['expression']!r}, name={ck['name']!r}),")
        for fk in t["fks"]:
            out.append(f"      ForeignKeyConstraint([{fk['column']!r}], [{fk['table'] + '.id'!r}], "
                       f"name={fk['name']!r}, ondelete={fk['on_delete'].upper()!r}),")
        for ix in t["indexes"]:
            out.append(f"      Index({ix['name']!r}, {', '.join(repr(c) for c in ix['columns'])}),")
        out.append(")")
    out.append("")
    return "\n".join(out)


def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tables", type=int, required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", required=True)
    ap.add_argument("--checks", type=float, default=0.0, metavar="FRACTION",
                    help="fraction of the tables that get a CHECK (amount >= 0); default 0, "
                         "the issue's mix has none")
    ap.add_argument("--schema", default="public",
                    help="the schema of every table and enum (default public); bench/fleet "
                         "generates its tenant template as \"tenant\"")
    args = ap.parse_args(argv)
    global SCHEMA
    SCHEMA = args.schema
    if args.tables < 1:
        ap.error("--tables must be at least 1")
    if not 0.0 <= args.checks <= 1.0:
        ap.error("--checks must be between 0 and 1")
    schema = build(args.tables, args.seed, args.checks)
    os.makedirs(args.out, exist_ok=True)
    revision = f"bench_{args.tables}_s{args.seed}"
    write(os.path.join(args.out, "model.json"), model_text(to_model(schema, revision)))
    write(os.path.join(args.out, "schema.sql"), to_ddl(schema, args.seed))
    write(os.path.join(args.out, "metadata.py"), to_sqlalchemy(schema, args.seed))
    ncols = sum(len(t["columns"]) for t in schema["tables"])
    nidx = sum(len(t["indexes"]) for t in schema["tables"])
    nfk = sum(1 for t in schema["tables"] if t["fks"])
    print(f"generate: {args.tables} tables, {ncols} columns, {nidx} secondary indexes, "
          f"{nfk} tables with foreign keys -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
