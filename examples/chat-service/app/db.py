"""Where the database is: DATABASE_URL, and the password from a file.

    DATABASE_URL=postgresql://app@db:5432/app
    DATABASE_PASSWORD_FILE=/run/secrets/db_password   (optional)

The same variables schemad reads (it takes DATABASE_URL too, and its password
from SCHEMAD_DATABASE_PASSWORD_FILE), so one URL without a password serves
the service, Alembic (alembic/env.py) and schemad. Only SQLAlchemy and the
standard library are imported here.
"""

import os

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker


def database_url():
    """The SQLAlchemy URL of the database, with the password filled in."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("set DATABASE_URL (postgresql://user@host:5432/dbname)")
    if url.startswith("postgres://"):  # libpq's spelling; SQLAlchemy 1.4 wants postgresql://
        url = "postgresql://" + url[len("postgres://"):]
    parsed = make_url(url)
    password_file = os.environ.get("DATABASE_PASSWORD_FILE")
    if password_file and parsed.password is None:
        with open(password_file, encoding="utf-8") as f:
            parsed = parsed.set(password=f.read().rstrip("\r\n"))
    return parsed


def make_sessionmaker():
    engine = create_engine(database_url(), pool_pre_ping=True, future=True)
    return sessionmaker(engine, expire_on_commit=False, future=True)
