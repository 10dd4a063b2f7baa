#!/usr/bin/python3
"""The peers schemad is compared with: SQLAlchemy create_all() and Alembic.

    /usr/bin/python3 bench/peers.py create_all URL METADATA_PY
    /usr/bin/python3 bench/peers.py checkfirst URL METADATA_PY
    /usr/bin/python3 bench/peers.py compare    URL METADATA_PY

URL is a SQLAlchemy or libpq URL of the database; METADATA_PY a module from
generate.py (defines `metadata`).

  create_all  metadata.create_all(engine): what a SQLAlchemy user runs on an
              empty database (create_all's default is checkfirst=True).
  checkfirst  metadata.create_all(engine, checkfirst=True) on a database that
              already has everything: SQLAlchemy's no-op.
  compare     alembic.autogenerate.compare_metadata() with compare_type and
              compare_server_default on, as an Alembic project configured for
              a faithful `alembic check`/autogenerate would run it; the
              bookkeeping tables alembic_version and schemad_history are
              excluded through include_name, as an env.py would. Prints the
              number of differences on standard output (0 when the database
              matches the metadata; the harness records it as a cross-check
              that the three spellings of the schema agree).

Each is one whole process, timed from outside: importing SQLAlchemy and the
module is part of what a user pays.
"""
import importlib.util
import sys
import warnings

from sqlalchemy import create_engine

BOOKKEEPING_TABLES = frozenset({"alembic_version", "schemad_history"})


def load_metadata(path):
    spec = importlib.util.spec_from_file_location("bench_metadata", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.metadata


def engine_for(url):
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg2://" + url.split("://", 1)[1]
    return create_engine(url)


def include_name(name, type_, parent_names):
    return not (type_ == "table" and name in BOOKKEEPING_TABLES)


def main(argv):
    if len(argv) != 3 or argv[0] not in ("create_all", "checkfirst", "compare"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, url, module = argv
    metadata = load_metadata(module)
    engine = engine_for(url)
    if mode == "create_all":
        metadata.create_all(engine)
    elif mode == "checkfirst":
        metadata.create_all(engine, checkfirst=True)
    else:
        from alembic.autogenerate import compare_metadata
        from alembic.runtime.migration import MigrationContext
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={
                    "compare_type": True,
                    "compare_server_default": True,
                    "include_name": include_name,
                })
                diffs = compare_metadata(context, metadata)
        for d in diffs[:20]:
            print(f"difference: {d}", file=sys.stderr)
        print(len(diffs))
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
