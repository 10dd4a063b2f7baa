"""Build a SQLAlchemy metadata into a database the way an application would.

    /usr/bin/python3 create_all.py URL MODULE

URL is an empty database (a libpq or SQLAlchemy URL, postgres:// accepted);
MODULE a Python file (or importable module name) that defines `metadata`.
Creates the metadata's named schemas (create_all does not), then runs
metadata.create_all() in one transaction. This is the reference a database
schemad built from the exported model is compared with (pg_dump
--schema-only of both).
"""
import sys

from sqlalchemy import create_engine, pool, text

from compare import load_metadata, sqlalchemy_url


def main(argv):
    if len(argv) != 3:
        print("usage: create_all.py URL MODULE", file=sys.stderr)
        return 2
    url, metadata = argv[1], load_metadata(argv[2])
    engine = create_engine(sqlalchemy_url(url), poolclass=pool.NullPool)
    schemas = sorted({t.schema for t in metadata.tables.values() if t.schema})
    with engine.begin() as connection:
        for schema in schemas:
            connection.execute(text('CREATE SCHEMA IF NOT EXISTS "%s"' % schema))
        metadata.create_all(connection)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
