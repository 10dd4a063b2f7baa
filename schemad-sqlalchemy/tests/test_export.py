"""The exporter's rules, without a database: what each construct becomes,
what is reported, what is an error, and that the output is deterministic.

The proof that the exported model builds what create_all() builds is in
schemad's end-to-end tests (tests/e2e/sqlalchemy_export_test.cpp), against
a real PostgreSQL with Alembic's compare_metadata and pg_dump as oracles.
"""

import enum
import unittest

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    DateTime,
    Enum,
    FetchedValue,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    Interval,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    Sequence,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import UserDefinedType

from schemad_sqlalchemy import ExportError, export_metadata, model_json


def tables_by_name(model):
    return {table["name"]: table for table in model["tables"]}


def columns_by_name(table):
    return {column["name"]: column for column in table["columns"]}


def one_table(*columns_and_args, schema=None, naming_convention=None, **kwargs):
    metadata = MetaData(naming_convention=naming_convention or {"ix": "ix_%(column_0_label)s"})
    Table("t", metadata, *columns_and_args, schema=schema, **kwargs)
    return metadata


def export_table(*columns_and_args, **kwargs):
    result = export_metadata(one_table(*columns_and_args, **kwargs))
    return result.model["tables"][0], [str(note) for note in result.notes]


class Mood(enum.Enum):
    happy = "h"
    sad = "s"


class Padded(TypeDecorator):
    impl = String(20)
    cache_ok = True


class Point(UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **kw):
        return "geometry(Point,4326)"


class Types(unittest.TestCase):
    def types(self, *columns):
        table, notes = export_table(Column("id", Integer, primary_key=True), *columns)
        self.assertEqual(notes, [])
        return {c["name"]: c["type"] for c in table["columns"]}

    def test_types_are_spelled_as_the_postgresql_compiler_spells_them(self):
        types = self.types(
            Column("a", String(255)),
            Column("b", String),
            Column("c", Numeric(12, 2)),
            Column("d", DateTime(timezone=True)),
            Column("e", DateTime),
            Column("f", ARRAY(Integer)),
            Column("g", ARRAY(Text, dimensions=2)),
            Column("h", postgresql.JSONB),
            Column("i", postgresql.UUID(as_uuid=True)),
            Column("j", Padded),
            Column("k", postgresql.INET),
            Column("l", Boolean),
            Column("m", Interval),
            Column("n", ARRAY(Interval)),
        )
        self.assertEqual(
            types,
            {
                "id": "serial",
                "a": "varchar(255)",
                "b": "varchar",
                "c": "numeric(12, 2)",
                "d": "timestamp with time zone",
                "e": "timestamp without time zone",
                "f": "integer[]",
                "g": "text[][]",
                "h": "jsonb",
                "i": "uuid",
                "j": "varchar(20)",
                "k": "inet",
                "l": "boolean",
                "m": "interval",
                "n": "interval[]",
            },
        )

    def test_serial_follows_the_dialects_autoincrement_rule(self):
        metadata = MetaData()
        Table("a", metadata, Column("id", BigInteger, primary_key=True))
        Table("b", metadata, Column("id", SmallInteger, primary_key=True))
        Table("c", metadata, Column("id", Integer, Identity(always=True), primary_key=True))
        Table(
            "d",
            metadata,
            Column("x", Integer, primary_key=True),
            Column("y", Integer, primary_key=True),
        )
        Table("e", metadata, Column("id", Integer, primary_key=True, autoincrement=False))
        Table("f", metadata, Column("id", Integer, ForeignKey("a.id"), primary_key=True))
        Table("g", metadata, Column("id", String(10), primary_key=True))
        tables = tables_by_name(export_metadata(metadata).model)
        first = {name: t["columns"][0] for name, t in tables.items()}
        self.assertEqual(first["a"], {"name": "id", "type": "bigserial"})
        self.assertEqual(first["b"], {"name": "id", "type": "smallserial"})
        self.assertEqual(first["c"], {"name": "id", "type": "integer", "identity": "always"})
        self.assertEqual(first["d"], {"name": "x", "type": "integer"})
        self.assertEqual(first["e"], {"name": "id", "type": "integer"})
        self.assertEqual(first["f"], {"name": "id", "type": "integer"})
        self.assertEqual(first["g"], {"name": "id", "type": "varchar(10)"})
        self.assertEqual(tables["d"]["primary_key"], ["x", "y"])

    def test_enums_become_model_enums_with_their_labels_in_order(self):
        metadata = MetaData()
        Table(
            "t",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("status", Enum("new", "done", "old", name="status")),
            Column("mood", Enum(Mood, name="mood")),
            Column("mood_values", Enum(Mood, name="mood_v", values_callable=lambda e: [m.value for m in e])),
            Column("moods", ARRAY(Enum(Mood, name="mood"))),
            Column("state", Enum("a", "b", name="state", schema="billing")),
        )
        Table(
            "u",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("state", Enum("a", "b", name="state", schema="billing")),
            schema="billing",
        )
        model = export_metadata(metadata).model
        self.assertEqual(
            model["enums"],
            [
                {"name": "state", "schema": "billing", "values": ["a", "b"]},
                {"name": "mood", "values": ["happy", "sad"]},
                {"name": "mood_v", "values": ["h", "s"]},
                {"name": "status", "values": ["new", "done", "old"]},
            ],
        )
        tables = tables_by_name(model)
        t = columns_by_name(tables["t"])
        self.assertEqual(t["status"]["type"], "status")
        self.assertEqual(t["moods"]["type"], "mood[]")
        # Another schema's enum is named with its schema; its own, bare.
        self.assertEqual(t["state"]["type"], "billing.state")
        self.assertEqual(columns_by_name(tables["u"])["state"]["type"], "state")

    def test_an_enum_with_two_label_lists_is_an_error(self):
        metadata = MetaData()
        Table("a", metadata, Column("e", Enum("x", "y", name="e")))
        Table("b", metadata, Column("e", Enum("y", "x", name="e")))
        with self.assertRaisesRegex(ExportError, r"public\.b\.e: enum public\.e has the values"):
            export_metadata(metadata)

    def test_a_non_native_enum_is_a_varchar_and_the_check_create_all_adds(self):
        table, _ = export_table(
            Column("e", Enum("ab", "c", name="e", native_enum=False, create_constraint=True)),
            Column("f", Enum("ab", "c", name="f", native_enum=False)),
            Column("b", Boolean(create_constraint=True)),
        )
        self.assertEqual(table["columns"][0]["type"], "varchar(2)")
        # Boolean's check is not created on PostgreSQL (a native boolean).
        self.assertEqual(table["checks"], [{"name": "e", "expression": "e IN ('ab', 'c')"}])

    def test_a_user_defined_type_needs_an_extension(self):
        metadata = one_table(Column("p", Point))
        result = export_metadata(metadata)
        self.assertEqual(result.model["tables"][0]["columns"][0]["type"], "geometry(Point,4326)")
        self.assertEqual(len(result.notes), 1)
        self.assertIn("custom type geometry(Point,4326)", str(result.notes[0]))
        self.assertIn("--extension", str(result.notes[0]))
        with_extension = export_metadata(metadata, extensions=["postgis"])
        self.assertEqual(with_extension.notes, [])
        self.assertEqual(with_extension.model["extensions"], ["postgis"])


class Defaults(unittest.TestCase):
    def test_server_defaults_are_literals_or_sql_as_create_all_renders_them(self):
        table, notes = export_table(
            Column("id", Integer, primary_key=True),
            Column("role", String(16), nullable=False, server_default="member"),
            Column("quote", Text, server_default="it's"),
            Column("at", DateTime(timezone=True), server_default=func.now()),
            Column("n", Integer, server_default=text("0")),
            Column("tags", ARRAY(Text), server_default=text("'{}'::text[]")),
            Column("sum", Integer, server_default=text("1 + 2")),
        )
        self.assertEqual(notes, [])
        columns = columns_by_name(table)
        self.assertEqual(columns["role"]["default"], "member")
        self.assertEqual(columns["role"]["nullable"], False)
        self.assertEqual(columns["quote"]["default"], "it's")
        self.assertEqual(columns["at"]["default"], {"sql": "now()"})
        self.assertEqual(columns["n"]["default"], {"sql": "0"})
        self.assertEqual(columns["tags"]["default"], {"sql": "'{}'::text[]"})
        self.assertEqual(columns["sum"]["default"], {"sql": "1 + 2"})

    def test_python_side_defaults_and_database_filled_values_are_reported(self):
        table, notes = export_table(
            Column("id", Integer, primary_key=True),
            Column("a", Integer, default=5),
            Column("b", DateTime, default=func.now(), onupdate=func.now()),
            Column("c", Integer, server_default=FetchedValue()),
            Column("d", Integer, server_default=text("1"), default=2),
        )
        columns = columns_by_name(table)
        self.assertNotIn("default", columns["a"])
        self.assertEqual(columns["d"]["default"], {"sql": "1"})
        self.assertEqual(
            [note.split(": ", 1)[0] for note in notes],
            ["public.t.a", "public.t.b", "public.t.b", "public.t.c"],
        )
        self.assertIn("Python-side default=5 has no server_default", notes[0])
        self.assertIn("Python-side onupdate", notes[2])
        self.assertIn("server_default=FetchedValue", notes[3])

    def test_computed_and_sequences_are_exported_collation_identity_options_reported(self):
        metadata = one_table(
            Column("id", Integer, Sequence("t_id_seq"), primary_key=True),
            Column("a", Integer),
            Column("b", Integer, Computed("a * 2")),
            Column("b2", Integer, Computed(text("a + 1"), persisted=True)),
            Column("c", String(10, collation="C")),
            Column("d", BigInteger, Identity(start=100, increment=5)),
            Column("e", Integer, Sequence("e_seq", start=10, increment=2, cycle=True)),
        )
        Sequence("standalone", metadata=metadata, data_type=SmallInteger, maxvalue=999)
        result = export_metadata(metadata)
        table = result.model["tables"][0]
        notes = [str(note) for note in result.notes]
        self.assertEqual(
            result.model["sequences"],
            [
                {"name": "e_seq", "start": 10, "increment": 2, "cycle": True},
                {"name": "standalone", "type": "smallint", "max": 999},
                {"name": "t_id_seq"},
            ],
        )
        columns = columns_by_name(table)
        self.assertEqual(columns["id"], {"name": "id", "type": "integer"})
        self.assertEqual(columns["b"], {"name": "b", "type": "integer", "generated": "a * 2"})
        self.assertEqual(columns["b2"], {"name": "b2", "type": "integer", "generated": "a + 1"})
        self.assertEqual(columns["c"]["type"], "varchar(10)")
        self.assertEqual(columns["d"], {"name": "d", "type": "bigint", "identity": "by default"})
        self.assertEqual(columns["e"], {"name": "e", "type": "integer"})
        self.assertEqual(len(notes), 2)
        self.assertIn("COLLATE 'C' is not expressed", notes[0])
        self.assertIn("Identity options start=100, increment=5", notes[1])

    def test_a_virtual_computed_column_is_an_error(self):
        metadata = one_table(Column("a", Integer), Column("b", Integer, Computed("a", persisted=False)))
        with self.assertRaisesRegex(ExportError, r"public\.t\.b: Computed\(persisted=False\)"):
            export_metadata(metadata)


class Constraints(unittest.TestCase):
    convention = {
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    }

    def test_names_come_from_the_naming_convention_as_create_all_gives_them(self):
        metadata = MetaData(naming_convention=self.convention)
        Table("users", metadata, Column("id", Integer, primary_key=True))
        Table(
            "posts",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("author_id", Integer, ForeignKey("users.id", ondelete="CASCADE")),
            Column("slug", String(40), unique=True),
            Column("score", Integer, CheckConstraint("score >= 0", name="score")),
            Column("title", Text, index=True),
            CheckConstraint("slug <> ''", name="slug"),
            UniqueConstraint("author_id", "title", name="uq_posts_author_title"),
        )
        posts = tables_by_name(export_metadata(metadata).model)["posts"]
        self.assertEqual(
            posts["foreign_keys"],
            [
                {
                    "name": "fk_posts_author_id_users",
                    "columns": ["author_id"],
                    "references": {"schema": "public", "table": "users", "columns": ["id"]},
                    "on_delete": "cascade",
                }
            ],
        )
        self.assertEqual(
            posts["uniques"],
            # In the order create_all emits them: as they were made.
            [
                {"name": "uq_posts_author_title", "columns": ["author_id", "title"]},
                {"name": "uq_posts_slug", "columns": ["slug"]},
            ],
        )
        self.assertEqual(
            posts["checks"],
            [
                {"name": "ck_posts_score", "expression": "score >= 0"},
                {"name": "ck_posts_slug", "expression": "slug <> ''"},
            ],
        )
        self.assertEqual(posts["indexes"], [{"name": "ix_posts_title", "columns": ["title"]}])

    def test_unnamed_constraints_stay_unnamed_for_postgresql_to_name(self):
        table, _ = export_table(
            Column("id", Integer, primary_key=True),
            Column("a", Integer, unique=True),
            CheckConstraint("a > 0"),
            naming_convention={},
        )
        self.assertEqual(table["uniques"], [{"columns": ["a"]}])
        self.assertEqual(table["checks"], [{"expression": "a > 0"}])

    def test_a_long_convention_name_is_truncated_with_sqlalchemys_md5_suffix(self):
        metadata = MetaData(naming_convention={"ix": "ix_%(column_0_label)s"})
        long_table = "t" * 40
        Table(long_table, metadata, Column("c" * 40, Integer, index=True))
        name = export_metadata(metadata).model["tables"][0]["indexes"][0]["name"]
        # SQLAlchemy keeps 63 - 8 characters and adds "_" and 4 of an md5.
        self.assertEqual(len(name), 60)
        self.assertRegex(name, r"^ix_t{40}_c{11}_[0-9a-f]{4}$")

    def test_a_convention_that_needs_a_name_it_lacks_is_an_error(self):
        # SQLAlchemy refuses an unnamed CheckConstraint when it is defined;
        # the check of an unnamed non-native Enum fails only when compiled.
        metadata = MetaData(naming_convention={"ck": "ck_%(table_name)s_%(constraint_name)s"})
        kind = Enum("a", "b", native_enum=False, create_constraint=True)
        Table("t", metadata, Column("a", kind))
        with self.assertRaisesRegex(ExportError, r"^public\.t: .*requires that constraint is explicitly named"):
            export_metadata(metadata)

    def test_a_primary_key_is_named_unless_it_is_postgresqls_own_name(self):
        for convention, expected in (
            ({"pk": "pk_%(table_name)s"}, {"name": "pk_t", "columns": ["id"]}),
            ({"pk": "%(table_name)s_pkey"}, ["id"]),
            ({}, ["id"]),
        ):
            table, notes = export_table(
                Column("id", Integer, primary_key=True), naming_convention=convention
            )
            self.assertEqual(table["primary_key"], expected)
            self.assertEqual(notes, [])
        table, _ = export_table(
            Column("a", Integer), Column("b", Integer), PrimaryKeyConstraint("b", "a", name="old_pkey")
        )
        self.assertEqual(table["primary_key"], {"name": "old_pkey", "columns": ["b", "a"]})

    def test_foreign_keys_carry_every_action_and_the_targets_schema(self):
        metadata = MetaData()
        Table(
            "orgs",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("code", String(8), unique=True),
            schema="core",
        )
        Table(
            "t",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("a", Integer),
            Column("b", String(8)),
            ForeignKeyConstraint(["a"], ["core.orgs.id"], ondelete="SET NULL", onupdate="cascade"),
            ForeignKeyConstraint(["b"], ["core.orgs.code"], ondelete="NO ACTION", onupdate="RESTRICT"),
            ForeignKeyConstraint(["a"], ["core.orgs.id"], name="fk_deferred", deferrable=True),
        )
        result = export_metadata(metadata)
        keys = tables_by_name(result.model)["t"]["foreign_keys"]
        self.assertEqual(keys[0]["on_delete"], "set null")
        self.assertEqual(keys[0]["on_update"], "cascade")
        self.assertNotIn("on_delete", keys[1])
        self.assertEqual(keys[1]["on_update"], "restrict")
        self.assertEqual(keys[1]["references"], {"schema": "core", "table": "orgs", "columns": ["code"]})
        self.assertEqual([str(n) for n in result.notes], [
            "public.t.fk_deferred: DEFERRABLE / INITIALLY is not expressed; the constraint is "
            "created NOT DEFERRABLE"
        ])

    def test_a_foreign_key_to_a_table_outside_the_metadata_is_an_error(self):
        metadata = MetaData()
        Table("t", metadata, Column("a", Integer, ForeignKey("elsewhere.id")))
        with self.assertRaisesRegex(ExportError, r"public\.t\.\(a\): .*same MetaData"):
            export_metadata(metadata)


class Indexes(unittest.TestCase):
    def test_every_index_option_the_model_has(self):
        metadata = MetaData()
        t = Table(
            "t",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("email", String(320)),
            Column("at", DateTime),
            Column("doc", postgresql.JSONB),
            Column("kind", Integer),
        )
        Index("ix_lower", func.lower(t.c.email), unique=True)
        Index("ix_recent", t.c.kind, t.c.at.desc().nulls_last())
        Index("ix_doc", t.c.doc, postgresql_using="gin", postgresql_ops={"doc": "jsonb_path_ops"})
        Index(
            "ix_partial",
            t.c.kind,
            postgresql_include=["email"],
            postgresql_where=t.c.kind > 5,
        )
        Index("ix_text_where", t.c.email, postgresql_where=text("email IS NOT NULL"))
        Index("ix_hash", t.c.email, postgresql_using="HASH")
        Index("ix_bloom", t.c.kind, postgresql_using="bloom")
        result = export_metadata(metadata)
        indexes = {i["name"]: i for i in result.model["tables"][0]["indexes"]}
        self.assertEqual(
            indexes["ix_lower"],
            {"name": "ix_lower", "columns": [{"expression": "lower(email)"}], "unique": True},
        )
        self.assertEqual(
            indexes["ix_recent"]["columns"],
            ["kind", {"column": "at", "order": "desc", "nulls": "last"}],
        )
        self.assertEqual(
            indexes["ix_doc"],
            {"name": "ix_doc", "columns": [{"column": "doc", "opclass": "jsonb_path_ops"}], "method": "gin"},
        )
        self.assertEqual(indexes["ix_partial"]["where"], "kind > 5")
        self.assertEqual(indexes["ix_partial"]["include"], ["email"])
        self.assertEqual(indexes["ix_text_where"]["where"], "email IS NOT NULL")
        self.assertEqual(indexes["ix_hash"]["method"], "hash")
        # Sorted by name; the unknown method is left out and reported.
        self.assertEqual(
            list(indexes), ["ix_doc", "ix_hash", "ix_lower", "ix_partial", "ix_recent", "ix_text_where"]
        )
        self.assertEqual(len(result.notes), 1)
        self.assertIn("public.t.ix_bloom: index method bloom is not expressed", str(result.notes[0]))

    def test_text_keys_with_sort_words_as_alembic_writes_them(self):
        metadata = MetaData()
        Table(
            "t",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("score", Integer),
            Column("Up Case", Integer),
            Index("ix_a", text("score DESC")),
            Index("ix_b", text("lower(x) desc nulls last")),
            Index("ix_c", text('"Up Case" NULLS FIRST')),
            Index("ix_d", text("score")),
            Index("ix_e", text("coalesce(score, 0)")),
        )
        indexes = {i["name"]: i["columns"] for i in export_metadata(metadata).model["tables"][0]["indexes"]}
        self.assertEqual(indexes["ix_a"], [{"column": "score", "order": "desc"}])
        self.assertEqual(indexes["ix_b"], [{"expression": "lower(x)", "order": "desc", "nulls": "last"}])
        self.assertEqual(indexes["ix_c"], [{"column": "Up Case", "nulls": "first"}])
        self.assertEqual(indexes["ix_d"], ["score"])
        self.assertEqual(indexes["ix_e"], [{"expression": "coalesce(score, 0)"}])

    def test_an_index_without_a_name_is_an_error(self):
        # A convention without "ix" (an empty one means SQLAlchemy's default).
        metadata = MetaData(naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s"})
        Table("t", metadata, Column("a", Integer, index=True))
        with self.assertRaisesRegex(ExportError, r"public\.t: an index without a name"):
            export_metadata(metadata)

    def test_sort_order_needs_btree(self):
        metadata = MetaData()
        t = Table("t", metadata, Column("a", Integer))
        Index("ix", t.c.a.desc(), postgresql_using="brin")
        with self.assertRaisesRegex(ExportError, r"public\.t\.ix: ASC/DESC .* need a btree index, not brin"):
            export_metadata(metadata)


def define(metadata, order):
    """The same three tables, defined in the order `order` gives."""
    makers = {
        "users": lambda: Table(
            "users",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("email", String(320), nullable=False, unique=True),
            comment="people",
        ),
        "posts": lambda: Table(
            "posts",
            metadata,
            Column("id", BigInteger, primary_key=True),
            Column("author_id", Integer, ForeignKey("users.id"), nullable=False),
            Column("state", Enum("draft", "live", name="post_state"), server_default="draft"),
            Index("ix_posts_author", "author_id"),
        ),
        "tags": lambda: Table(
            "tags",
            metadata,
            Column("name", Text, primary_key=True, comment="the tag"),
            schema="meta",
        ),
    }
    for name in order:
        makers[name]()


class Output(unittest.TestCase):
    def test_the_same_bytes_whatever_the_order_of_definition(self):
        texts = set()
        for order in (("users", "posts", "tags"), ("tags", "posts", "users"), ("posts", "tags", "users")):
            metadata = MetaData()
            define(metadata, order)
            texts.add(model_json(export_metadata(metadata, revision="abc123").model))
        self.assertEqual(len(texts), 1)
        text = texts.pop()
        self.assertTrue(text.endswith("}\n"))
        self.assertIn('"revision": "abc123"', text)
        # Short objects on one line, as a person would write them.
        self.assertIn('\n  "enums": [{"name": "post_state", "values": ["draft", "live"]}],\n', text)

    def test_declarative_classes_export_like_tables(self):
        Base = declarative_base()

        class User(Base):
            __tablename__ = "users"
            __table_args__ = {"schema": "app", "comment": "people"}
            id = Column(Integer, Identity(always=True), primary_key=True)
            name = Column(String(50), nullable=False, comment="shown")

        model = export_metadata(Base.metadata, schema="app").model
        self.assertEqual(model["schema"], "app")
        self.assertEqual(
            model["tables"],
            [
                {
                    "name": "users",
                    "comment": "people",
                    "columns": [
                        {"name": "id", "type": "integer", "identity": "always"},
                        {"name": "name", "type": "varchar(50)", "nullable": False, "comment": "shown"},
                    ],
                    "primary_key": ["id"],
                }
            ],
        )

    def test_an_empty_metadata_is_a_model_with_no_tables(self):
        self.assertEqual(
            model_json(export_metadata(MetaData()).model),
            '{"version": 1, "schema": "public", "tables": []}\n',
        )


if __name__ == "__main__":
    unittest.main()
