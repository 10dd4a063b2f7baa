"""Alembic environment of the chat service.

The database URL comes from DATABASE_URL (and the password from
DATABASE_PASSWORD_FILE), never from alembic.ini: see app/db.py.
target_metadata is app.models' metadata, so `alembic revision
--autogenerate` compares the database with models.py.

schemad keeps two tables of its own beside alembic_version (in the same
schema): schemad_history, what it applied, and schemad_memo, the server's
answers it recorded. They are not the application's, so autogenerate must
not see them, or every new revision would start by dropping them.
"""

import sys
from logging.config import fileConfig
from pathlib import Path

from alembic import context
from sqlalchemy import create_engine, pool

# The project directory (the one holding app/), whatever the working directory.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.db import database_url  # noqa: E402
from app.models import metadata  # noqa: E402

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = metadata

# schemad's bookkeeping, never part of the models (Alembic leaves out its own
# alembic_version by itself).
SCHEMAD_TABLES = frozenset({"schemad_history", "schemad_memo"})


def include_name(name, type_, parent_names):
    if type_ == "table":
        return name not in SCHEMAD_TABLES
    return True


def run_migrations_offline() -> None:
    """Print the SQL instead of running it (alembic upgrade head --sql)."""
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        include_name=include_name,
        compare_type=True,
        compare_server_default=True,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_name=include_name,
            compare_type=True,
            compare_server_default=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
