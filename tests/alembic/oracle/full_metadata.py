"""SQLAlchemy metadata equivalent to tests/alembic/full_model.json.

This is the other half of the Alembic interop proof: the same schema, written
the way a SQLAlchemy/Alembic user would declare it.  compare.py hands it to
Alembic's autogenerate after `schemad apply` created the database from the
JSON model; no difference means an Alembic project whose models are these
tables can take over a database that schemad built (and the other way round).

Conventions that keep the two files in step:

* Every object keeps the name the JSON model gives it.  Where the model leaves
  a constraint unnamed, so does this file (PostgreSQL picks the same default
  name for both).  SQLAlchemy cannot create an unnamed index, so the one
  unnamed index of the model carries PostgreSQL's default name here
  (users_birthday_idx).
* Server defaults are written as a SQLAlchemy user would write them; the JSON
  default of the json column is spelt exactly as PostgreSQL stores it
  (see `users.profile`).
* The foreign key cycle orgs -> billing.invoices -> orgs is declared with
  use_alter=True, so that metadata.create_all() can build this schema too.
"""
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Enum,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import (
    ARRAY,
    BYTEA,
    CHAR,
    DOUBLE_PRECISION,
    INET,
    INTERVAL,
    JSON,
    JSONB,
    REAL,
    TIMESTAMP,
    TSVECTOR,
    UUID,
)

metadata = MetaData()

account_status = Enum("active", "suspended", "closed", name="account_status")
invoice_state = Enum(
    "draft", "issued", "paid", "void", name="invoice_state", schema="billing"
)

orgs = Table(
    "orgs",
    metadata,
    # Integer primary key with autoincrement: SQLAlchemy emits SERIAL.
    Column("id", Integer, primary_key=True),
    Column(
        "slug", String(64), nullable=False, unique=True, comment="URL name"
    ),
    Column("name", Text, nullable=False),
    Column("status", account_status, nullable=False, server_default="active"),
    Column("parent_id", Integer),
    Column("current_invoice_id", UUID),
    Column("allowed_net", INET),
    Column(
        "settings",
        JSONB,
        nullable=False,
        server_default=text("""'{"beta": false, "theme": "dark"}'::jsonb"""),
    ),
    Column(
        "created_at",
        TIMESTAMP(timezone=True),
        nullable=False,
        server_default=func.now(),
    ),
    ForeignKeyConstraint(
        ["parent_id"], ["orgs.id"], name="fk_orgs_parent", ondelete="SET NULL"
    ),
    ForeignKeyConstraint(
        ["current_invoice_id"],
        ["billing.invoices.id"],
        name="fk_orgs_current_invoice",
        ondelete="SET NULL",
        onupdate="CASCADE",
        use_alter=True,
    ),
    CheckConstraint("slug ~ '^[a-z0-9-]+$'", name="ck_orgs_slug_format"),
    CheckConstraint("char_length(name) > 0"),
    comment="tenants",
)
Index("ix_orgs_parent", orgs.c.parent_id)
Index(
    "ix_orgs_settings",
    orgs.c.settings,
    postgresql_using="gin",
    postgresql_ops={"settings": "jsonb_path_ops"},
)
Index(
    "ix_orgs_allowed_net",
    orgs.c.allowed_net,
    postgresql_using="gist",
    postgresql_ops={"allowed_net": "inet_ops"},
)

users = Table(
    "users",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("org_id", Integer, nullable=False),
    Column(
        "email", String(320), nullable=False, comment="login, unique per org"
    ),
    Column("display_name", String),
    Column("country", CHAR(2), nullable=False, server_default="NL"),
    Column("is_admin", Boolean, nullable=False, server_default=text("false")),
    Column(
        "login_count", BigInteger, nullable=False, server_default=text("0")
    ),
    Column(
        "balance", Numeric(12, 2), nullable=False, server_default=text("0")
    ),
    Column("karma", Numeric),
    Column("api_key", Text),
    Column(
        "id_token",
        UUID,
        nullable=False,
        server_default=text("gen_random_uuid()"),
    ),
    Column("birthday", Date),
    Column("last_seen", TIMESTAMP(precision=3)),
    # json (unlike jsonb) has no equality operator, so Alembic can only
    # compare this default textually: it is written as PostgreSQL stores it.
    Column("profile", JSON, server_default=text("""'{"bio":""}'::json""")),
    Column(
        "tags",
        ARRAY(Text),
        nullable=False,
        server_default=text("'{}'::text[]"),
    ),
    Column("avatar", BYTEA),
    Column("last_ip", INET),
    UniqueConstraint("org_id", "email", name="uq_users_org_email"),
    UniqueConstraint("org_id", "id"),
    ForeignKeyConstraint(
        ["org_id"],
        ["orgs.id"],
        name="fk_users_org",
        ondelete="CASCADE",
        onupdate="CASCADE",
    ),
    CheckConstraint("balance >= 0", name="ck_users_balance"),
)
Index("ux_users_api_key", users.c.api_key, unique=True)
Index("ix_users_lower_email", func.lower(users.c.email))
Index("ix_users_id_token", users.c.id_token, postgresql_using="hash")
Index("ix_users_last_ip", users.c.last_ip, postgresql_using="spgist")
Index("ix_users_tags", users.c.tags, postgresql_using="gin")
Index("users_birthday_idx", users.c.birthday)

events = Table(
    "events",
    metadata,
    # BigInteger primary key with autoincrement: SQLAlchemy emits BIGSERIAL.
    Column("id", BigInteger, primary_key=True),
    Column("user_id", BigInteger, nullable=False),
    Column("kind", SmallInteger, nullable=False, server_default=text("1")),
    Column(
        "happened_at",
        TIMESTAMP(timezone=True),
        nullable=False,
        server_default=func.now(),
    ),
    Column("day", Date, nullable=False, server_default=text("CURRENT_DATE")),
    Column("starts_at", Time),
    Column("duration", INTERVAL, server_default=text("'00:05:00'::interval")),
    Column("payload", JSONB),
    Column("search", TSVECTOR),
    ForeignKeyConstraint(
        ["user_id"], ["users.id"], name="fk_events_user", ondelete="RESTRICT"
    ),
)
Index("ix_events_happened_at", events.c.happened_at, postgresql_using="brin")
Index("ix_events_search", events.c.search, postgresql_using="gist")
Index(
    "ix_events_user_recent",
    events.c.user_id,
    events.c.happened_at.desc().nulls_last(),
)
Index(
    "ix_events_user_kind",
    events.c.user_id,
    postgresql_include=["kind"],
    postgresql_where=text("kind > 0"),
)

memberships = Table(
    "memberships",
    metadata,
    Column("org_id", Integer, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("invited_by", BigInteger),
    Column("role", String(16), nullable=False, server_default="member"),
    PrimaryKeyConstraint("org_id", "user_id"),
    ForeignKeyConstraint(
        ["org_id"],
        ["orgs.id"],
        name="fk_memberships_org",
        ondelete="NO ACTION",
    ),
    ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
    ForeignKeyConstraint(
        ["invited_by"],
        ["users.id"],
        name="fk_memberships_invited_by",
        ondelete="SET DEFAULT",
    ),
    ForeignKeyConstraint(
        ["org_id", "user_id"],
        ["users.org_id", "users.id"],
        name="fk_memberships_user_org",
        ondelete="CASCADE",
    ),
    CheckConstraint("role IN ('member', 'admin', 'owner')"),
)

notes = Table(
    "notes",
    metadata,
    Column("id", Integer, Identity(always=False), primary_key=True),
    Column("user_id", BigInteger, nullable=False),
    Column("body", Text, nullable=False, server_default=""),
    Column("pinned", Boolean, nullable=False, server_default=text("true")),
    Column("weight", REAL, nullable=False, server_default=text("1.5")),
    Column(
        "ratio", DOUBLE_PRECISION, nullable=False, server_default=text("0.25")
    ),
    Column("scores", ARRAY(Integer)),
    Column(
        "written_on", Date, nullable=False, server_default=text("CURRENT_DATE")
    ),
    ForeignKeyConstraint(
        ["user_id"], ["users.id"], name="fk_notes_user", ondelete="CASCADE"
    ),
    CheckConstraint(
        "weight > 0 AND ratio BETWEEN 0 AND 1", name="ck_notes_weight"
    ),
)

invoices = Table(
    "invoices",
    metadata,
    Column(
        "id", UUID, primary_key=True, server_default=text("gen_random_uuid()")
    ),
    Column("org_id", Integer, nullable=False),
    Column("number", Integer, nullable=False),
    Column("state", invoice_state, nullable=False, server_default="draft"),
    Column("amount", Numeric(12, 2), nullable=False, server_default=text("0")),
    Column("currency", CHAR(3), nullable=False, server_default="EUR"),
    Column("issued_on", Date),
    UniqueConstraint("org_id", "number"),
    ForeignKeyConstraint(
        ["org_id"], ["orgs.id"], name="fk_invoices_org", ondelete="RESTRICT"
    ),
    CheckConstraint("amount >= 0"),
    schema="billing",
    comment="one per org and number",
)
Index(
    "ux_invoices_one_draft",
    invoices.c.org_id,
    unique=True,
    postgresql_where=text("state = 'draft'::billing.invoice_state"),
)
