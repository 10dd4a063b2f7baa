"""MetaData -> schemad model (format version 1), as create_all() would build it.

Every piece of DDL text in the model is produced by SQLAlchemy's own
PostgreSQL compiler, the one create_all() uses: types, server defaults, check
expressions, index expressions and predicates, and the names a
MetaData.naming_convention gives.  What the model format cannot say is a Note.
"""

import json
import re
from collections import OrderedDict, namedtuple

from sqlalchemy import exc, text, types as sqltypes
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import (
    CheckConstraint,
    Column,
    DefaultClause,
    ForeignKeyConstraint,
    PrimaryKeyConstraint,
    Sequence,
    UniqueConstraint,
)
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import TextClause

# PostgreSQL's index methods that the model format knows.
METHODS = ("btree", "hash", "gin", "gist", "brin", "spgist")

# ON DELETE / ON UPDATE as SQLAlchemy takes them -> the model's spelling.
ACTIONS = {
    "NO ACTION": "no action",
    "RESTRICT": "restrict",
    "CASCADE": "cascade",
    "SET NULL": "set null",
    "SET DEFAULT": "set default",
}

# Options of Identity() that the model format does not carry; their values
# when not given.
IDENTITY_OPTIONS = (
    ("start", (None, 1)),
    ("increment", (None, 1)),
    ("minvalue", (None,)),
    ("maxvalue", (None,)),
    ("nominvalue", (None, False)),
    ("nomaxvalue", (None, False)),
    ("cycle", (None, False)),
    ("cache", (None,)),
    ("order", (None, False)),
    ("on_null", (None, False)),
)

# Table options of the PostgreSQL dialect that change what create_all builds
# and that the model format cannot say.
TABLE_OPTIONS = ("inherits", "partition_by", "with_oids", "on_commit", "tablespace", "using")

# Index options likewise.
INDEX_OPTIONS = ("with", "tablespace", "nulls_not_distinct")


# A text() index key that ends in ASC/DESC and/or NULLS FIRST/LAST.
_TRAILING_SORT = re.compile(
    r"^\s*(?P<body>.*?)(?:\s+(?P<order>ASC|DESC))?(?:\s+NULLS\s+(?P<nulls>FIRST|LAST))?\s*$",
    re.IGNORECASE | re.DOTALL,
)

# A column name as written in SQL: plain, or double-quoted.
_IDENTIFIER = re.compile(r'[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+"')

# The modifiers of desc(), asc(), nulls_first(), nulls_last().
SORT_MODIFIERS = (
    operators.desc_op,
    operators.asc_op,
    operators.nulls_first_op,
    operators.nulls_last_op,
)


class ExportError(Exception):
    """The metadata cannot become a model; the message names the object."""


class Note(namedtuple("Note", "where what")):
    """Something create_all() would build that the model leaves out.

    `where` names the object (``public.users.created_at``), `what` says
    what is missing and why."""

    def __str__(self):
        return "%s: %s" % (self.where, self.what)


ExportResult = namedtuple("ExportResult", "model notes")


def _unquote(name):
    """The identifier that IdentifierPreparer.quote() rendered."""
    if len(name) >= 2 and name[0] == '"' and name[-1] == '"':
        return name[1:-1].replace('""', '"')
    return name


def _lower_unquoted(spelled):
    """'VARCHAR(255)' -> 'varchar(255)'; a spelling with a quoted name is kept."""
    return spelled if '"' in spelled else spelled.lower()


class _Exporter:
    def __init__(self, metadata, schema):
        self.metadata = metadata
        self.schema = schema
        self.dialect = postgresql.dialect()
        self.ddl = self.dialect.ddl_compiler(self.dialect, None)
        self.preparer = self.dialect.identifier_preparer
        self.notes = []
        self.enums = {}  # (schema, name) -> (values, first user)
        self.user_types = []  # (where, spelling) of UserDefinedType columns
        self.sequences = {}  # (schema, name) -> (model entry, first user)

    # -- helpers -----------------------------------------------------------

    def note(self, where, what):
        self.notes.append(Note(where, what))

    def sql(self, clause):
        """An expression as create_all renders it inside DDL."""
        return self.ddl.sql_compiler.process(
            clause, include_table=False, literal_binds=True
        )

    def schema_of(self, table):
        return table.schema or self.schema

    def where(self, table, *parts):
        return ".".join((self.schema_of(table), table.name) + parts)

    def constraint_name(self, constraint, where):
        """The name create_all gives the constraint or index (an explicit
        name, or what the naming convention makes of it), or None when
        PostgreSQL is left to choose one."""
        if constraint.name is None:  # no naming convention applies either
            return None
        try:
            name = self.preparer.format_constraint(constraint)
        except (exc.InvalidRequestError, exc.IdentifierError) as error:
            raise ExportError("%s: %s" % (where, error)) from None
        return None if name is None else _unquote(name)

    # -- types -------------------------------------------------------------

    def enum_reference(self, enum, table, where):
        """Records the enum; returns how a column of `table` names it."""
        if enum.name is None:
            raise ExportError(
                "%s: a PostgreSQL enum needs a name (Enum(..., name=...))" % where
            )
        schema = enum.schema or self.schema
        values = list(enum.enums)
        known = self.enums.get((schema, enum.name))
        if known is None:
            self.enums[(schema, enum.name)] = (values, where)
        elif known[0] != values:
            raise ExportError(
                "%s: enum %s.%s has the values %s here but %s at %s"
                % (where, schema, enum.name, values, known[0], known[1])
            )
        if schema == self.schema_of(table):
            return enum.name
        return "%s.%s" % (self.preparer.quote_schema(schema), self.preparer.quote(enum.name))

    def implementation(self, kind):
        """The type create_all compiles for `kind`: through TypeDecorators
        as the type compiler goes (TypeDecorator.type_engine), so that
        Interval becomes the dialect's INTERVAL, a Variant its PostgreSQL
        type, a user's decorator its implementation."""
        while isinstance(kind, sqltypes.TypeDecorator):
            kind = kind.type_engine(self.dialect)
        return kind

    def column_type(self, column, where):
        element, suffix = self.implementation(column.type), ""
        while isinstance(element, sqltypes.ARRAY):
            dimensions = element.dimensions or 1
            element, suffix = self.implementation(element.item_type), suffix + "[]" * dimensions
        if isinstance(element, sqltypes.Enum) and element.native_enum:
            return self.enum_reference(element, column.table, where) + suffix
        if getattr(element, "collation", None):
            self.note(
                where,
                "COLLATE %r is not expressed (the model format has no collations); "
                "the column gets the database's default collation" % element.collation,
            )
            element = element.copy()
            element.collation = None
        try:
            # The PostgreSQL compiler writes an array as its element's type
            # and one [] per dimension.
            spelled = element.compile(dialect=self.dialect) + suffix
        except exc.CompileError as error:
            raise ExportError(
                "%s: type %r has no PostgreSQL spelling: %s" % (where, column.type, error)
            ) from None
        if isinstance(element, sqltypes.UserDefinedType):
            # Its own spelling: an extension's type modifiers may be
            # case-sensitive.
            self.user_types.append((where, spelled))
            return spelled
        return _lower_unquoted(spelled)

    def serial(self, column):
        """'serial'/'bigserial'/'smallserial' when create_all makes the
        column SERIAL (the PostgreSQL dialect's rule), else None."""
        table = column.table
        auto = getattr(table, "autoincrement_column", None)
        if auto is None:
            auto = table._autoincrement_column
        if not column.primary_key or column is not auto or column.identity is not None:
            return None
        if column.default is not None and not (
            isinstance(column.default, Sequence) and column.default.optional
        ):
            return None
        impl = column.type.dialect_impl(self.dialect)
        if isinstance(impl, sqltypes.TypeDecorator):
            impl = impl.impl
        if isinstance(impl, sqltypes.BigInteger):
            return "bigserial"
        if isinstance(impl, sqltypes.SmallInteger):
            return "smallserial"
        return "serial"

    # -- columns -----------------------------------------------------------

    def column(self, column, key_columns):
        where = self.where(column.table, column.name)
        out = OrderedDict(name=column.name)
        serial = self.serial(column)
        out["type"] = serial or self.column_type(column, where)
        identity = column.identity
        implied_not_null = column.name in key_columns or serial or identity is not None
        if not column.nullable and not implied_not_null:
            out["nullable"] = False

        if serial is None:
            default = column.server_default
            if isinstance(default, DefaultClause) and identity is None and column.computed is None:
                if isinstance(default.arg, str):
                    out["default"] = default.arg
                else:
                    out["default"] = OrderedDict(sql=self.sql(default.arg))
            elif default is not None and identity is None and column.computed is None:
                self.note(
                    where,
                    "server_default=%s (the database fills it, a trigger say) is not "
                    "expressed" % type(default).__name__,
                )
        if column.default is not None and column.server_default is None:
            if isinstance(column.default, Sequence):
                # An optional Sequence on a SERIAL column is not created;
                # another is, without being the column's default (the ORM
                # calls nextval() itself).
                if serial is None:
                    self.sequence(column.default, where)
            elif serial is None:
                self.note(
                    where,
                    "Python-side default=%s has no server_default; the database gets "
                    "no default" % _describe_default(column.default),
                )
        if column.onupdate is not None:
            self.note(
                where,
                "Python-side onupdate=%s is not in the database" % _describe_default(column.onupdate),
            )
        if column.server_onupdate is not None and column.computed is None:
            self.note(where, "server_onupdate (a trigger) is not expressed")
        if column.computed is not None:
            if column.computed.persisted is False:
                raise ExportError(
                    "%s: Computed(persisted=False) is a virtual generated column, which "
                    "PostgreSQL does not have (create_all fails too)" % where
                )
            out["generated"] = self.sql(column.computed.sqltext)

        if identity is not None:
            out["identity"] = "always" if identity.always else "by default"
            given = [
                "%s=%r" % (option, getattr(identity, option, None))
                for option, unset in IDENTITY_OPTIONS
                if getattr(identity, option, None) not in unset
            ]
            if given:
                self.note(
                    where,
                    "Identity options %s are not expressed; the sequence gets "
                    "PostgreSQL's defaults" % ", ".join(given),
                )
        if column.comment:
            out["comment"] = column.comment
        return out

    def sequence(self, sequence, where):
        """Records a Sequence that create_all creates."""
        schema = sequence.schema or self.schema
        out = OrderedDict(name=sequence.name)
        if schema != self.schema:
            out["schema"] = schema
        if getattr(sequence, "data_type", None) is not None:
            out["type"] = self.implementation(sequence.data_type).compile(dialect=self.dialect).lower()
        for option, key in (
            ("start", "start"),
            ("increment", "increment"),
            ("minvalue", "min"),
            ("maxvalue", "max"),
            ("cache", "cache"),
        ):
            value = getattr(sequence, option, None)
            if value is not None:
                out[key] = value
        if sequence.cycle:
            out["cycle"] = True
        # NO MINVALUE / NO MAXVALUE are the defaults the model leaves out.
        if getattr(sequence, "order", None):
            self.note(where, "ORDER of Sequence(%r) is not expressed" % sequence.name)
        known = self.sequences.get((schema, sequence.name))
        if known is not None and known[0] != out:
            raise ExportError(
                "%s: sequence %s.%s is declared differently here and at %s"
                % (where, schema, sequence.name, known[1])
            )
        self.sequences.setdefault((schema, sequence.name), (out, where))

    # -- constraints and indexes -------------------------------------------

    def created(self, constraint):
        """Whether create_all emits the constraint (a type-bound check of an
        Enum or Boolean follows its type's rule)."""
        rule = getattr(constraint, "_create_rule", None)
        return rule is None or rule(self.ddl)

    def check_deferrable(self, constraint, where):
        if constraint.deferrable is not None or constraint.initially is not None:
            self.note(
                where,
                "DEFERRABLE / INITIALLY is not expressed; the constraint is created "
                "NOT DEFERRABLE",
            )

    def foreign_key(self, constraint, table):
        name = self.constraint_name(constraint, self.where(table))
        where = self.where(table, name or "(%s)" % ", ".join(constraint.column_keys))
        try:
            targets = [element.column for element in constraint.elements]
        except exc.NoReferencedTableError as error:
            raise ExportError(
                "%s: %s (the referenced table must be in the same MetaData)"
                % (where, error)
            ) from None
        referred = targets[0].table
        out = OrderedDict()
        if name:
            out["name"] = name
        out["columns"] = [column.name for column in constraint.columns]
        out["references"] = OrderedDict(
            [
                ("schema", self.schema_of(referred)),
                ("table", referred.name),
                ("columns", [column.name for column in targets]),
            ]
        )
        for key, value in (("on_delete", constraint.ondelete), ("on_update", constraint.onupdate)):
            if value is None:
                continue
            action = ACTIONS.get(" ".join(value.upper().split()))
            if action is None:
                raise ExportError(
                    "%s: %s=%r is not an action PostgreSQL knows (expected one of %s)"
                    % (where, key.replace("on_", "on"), value, ", ".join(sorted(ACTIONS)))
                )
            if action != "no action":
                out[key] = action
        if constraint.match is not None:
            self.note(where, "MATCH %s is not expressed" % constraint.match)
        self.check_deferrable(constraint, where)
        return out

    def index_key(self, expression, ops, method, where, table):
        """One key of an index: a column name, or a key object."""

        def column_of(body):
            name = body[1:-1].replace('""', '"') if body.startswith('"') else body
            if _IDENTIFIER.fullmatch(body) and name in table.c:
                return table.c[name]
            return None

        order = nulls = None
        while getattr(expression, "modifier", None) in SORT_MODIFIERS:
            modifier = expression.modifier
            if modifier in (operators.desc_op, operators.asc_op):
                order = order or ("desc" if modifier is operators.desc_op else "asc")
            else:
                nulls = nulls or ("first" if modifier is operators.nulls_first_op else "last")
            expression = expression.element
        if isinstance(expression, TextClause):
            # text("updated_at DESC"), as Alembic's autogenerate writes a
            # sorted key: the sort words go to "order"/"nulls" (inside the
            # parentheses schemad puts around an expression they would be a
            # syntax error), a bare column name to "column" (PostgreSQL
            # makes it a column key too).
            written = _TRAILING_SORT.match(expression.text)
            body = written.group("body")
            order = order or (written.group("order") or "").lower() or None
            nulls = nulls or (written.group("nulls") or "").lower() or None
            column = column_of(body)
            if column is not None:
                expression = column
            elif written.group("order") or written.group("nulls"):
                expression = text(body)
        key = OrderedDict()
        if isinstance(expression, Column):
            key["column"] = expression.name
            opclass = ops.get(expression.key)
        else:
            key["expression"] = self.sql(expression)
            opclass = ops.get(getattr(expression, "key", None))
        if opclass:
            key["opclass"] = opclass
        if (order or nulls) and method != "btree":
            raise ExportError(
                "%s: ASC/DESC and NULLS FIRST/LAST need a btree index, not %s" % (where, method)
            )
        if order:
            key["order"] = order
        if nulls:
            key["nulls"] = nulls
        if list(key) == ["column"]:
            return key["column"]
        return key

    def index(self, index, table):
        name = self.constraint_name(index, self.where(table))
        if name is None:
            raise ExportError(
                "%s: an index without a name (create_all needs one too: give it a name "
                "or an \"ix\" naming convention)" % self.where(table)
            )
        where = self.where(table, name)
        options = index.dialect_options["postgresql"]
        method = (options.get("using") or "btree").lower()
        if method not in METHODS:
            self.note(
                where,
                "index method %s is not expressed (the model knows %s); index left out"
                % (method, ", ".join(METHODS)),
            )
            return None
        ops = options.get("ops") or {}
        out = OrderedDict(name=name)
        out["columns"] = [
            self.index_key(expression, ops, method, where, table)
            for expression in index.expressions
        ]
        if method != "btree":
            out["method"] = method
        if index.unique:
            out["unique"] = True
        predicate = options.get("where")
        if predicate is not None:
            out["where"] = self.sql(predicate)
        include = options.get("include") or []
        if include:
            out["include"] = [
                column if isinstance(column, str) else column.name for column in include
            ]
        for option in INDEX_OPTIONS:
            if options.get(option):
                self.note(where, "postgresql_%s is not expressed" % option)
        return out

    # -- tables ------------------------------------------------------------

    def table(self, table):
        where = self.where(table)
        options = table.dialect_options["postgresql"]
        for option in TABLE_OPTIONS:
            if options.get(option):
                self.note(where, "postgresql_%s is not expressed" % option)
        if table._prefixes:
            self.note(where, "prefixes %s are not expressed" % " ".join(table._prefixes))

        out = OrderedDict(name=table.name)
        if self.schema_of(table) != self.schema:
            out["schema"] = self.schema_of(table)
        if table.comment:
            out["comment"] = table.comment

        primary_key = table.primary_key
        key_columns = [column.name for column in primary_key.columns]
        out["columns"] = [self.column(column, set(key_columns)) for column in table.columns]
        if key_columns:
            # Named only when the name is not the one PostgreSQL would choose.
            name = self.constraint_name(primary_key, where)
            if name is None or name == _pg_default_name(table.name, "pkey"):
                out["primary_key"] = key_columns
            else:
                out["primary_key"] = OrderedDict([("name", name), ("columns", key_columns)])
            self.check_deferrable(primary_key, where)

        uniques, foreign_keys, checks = [], [], []
        constraints = sorted(
            list(table.constraints)
            + [c for column in table.columns for c in column.constraints],
            key=_creation_order,
        )
        for constraint in constraints:
            if constraint is primary_key or not self.created(constraint):
                continue
            if isinstance(constraint, ForeignKeyConstraint):
                foreign_keys.append(self.foreign_key(constraint, table))
                continue
            name = self.constraint_name(constraint, where)
            entry = OrderedDict()
            if name:
                entry["name"] = name
            if isinstance(constraint, UniqueConstraint):
                entry["columns"] = [column.name for column in constraint.columns]
                uniques.append(entry)
                self.check_deferrable(constraint, self.where(table, name or "unique"))
            elif isinstance(constraint, CheckConstraint):
                entry["expression"] = self.sql(constraint.sqltext)
                checks.append(entry)
                self.check_deferrable(constraint, self.where(table, name or "check"))
            elif not isinstance(constraint, PrimaryKeyConstraint):
                self.note(
                    where,
                    "%s %s is not expressed" % (type(constraint).__name__, name or "(unnamed)"),
                )

        indexes = [self.index(index, table) for index in _sorted_indexes(table, self)]
        indexes = [index for index in indexes if index is not None]
        for key, items in (
            ("uniques", uniques),
            ("indexes", indexes),
            ("foreign_keys", foreign_keys),
            ("checks", checks),
        ):
            if items:
                out[key] = items
        return out

    # -- the model ---------------------------------------------------------

    def export(self, revision, extensions):
        tables = sorted(
            self.metadata.tables.values(), key=lambda t: (self.schema_of(t), t.name)
        )
        exported = [self.table(table) for table in tables]
        # Sequence(..., metadata=metadata): create_all creates those too.
        for name, sequence in sorted(getattr(self.metadata, "_sequences", {}).items()):
            self.sequence(sequence, "sequence %s" % name)
        if self.user_types and not extensions:
            for where, spelling in self.user_types:
                self.note(
                    where,
                    "custom type %s is neither built in nor an enum; schemad accepts it "
                    "only when the model declares the extension that provides it "
                    "(--extension NAME)" % spelling,
                )
        model = OrderedDict(version=1)
        model["schema"] = self.schema
        if revision:
            model["revision"] = revision
        if extensions:
            model["extensions"] = sorted(set(extensions))
        enums = []
        for (schema, name), (values, _where) in sorted(self.enums.items()):
            enum = OrderedDict(name=name)
            if schema != self.schema:
                enum["schema"] = schema
            enum["values"] = values
            enums.append(enum)
        if enums:
            model["enums"] = enums
        sequences = [entry for _, (entry, _where) in sorted(self.sequences.items())]
        if sequences:
            model["sequences"] = sequences
        model["tables"] = exported
        return ExportResult(model, self.notes)


def _creation_order(item):
    # create_all emits a table's constraints in the order they were made
    # (Table._sorted_constraints); an unnamed check's default name can depend
    # on it.
    return getattr(item, "_creation_order", 0)


def _sorted_indexes(table, exporter):
    return sorted(
        table.indexes,
        key=lambda index: exporter.constraint_name(index, exporter.where(table)) or "",
    )


def _pg_default_name(table, label):
    """PostgreSQL's <table>_<label> name (ChooseRelationName), truncated the
    way the server truncates it to 63 bytes."""
    name = table
    while len((name + "_" + label).encode()) > 63:
        name = name[:-1]
    return name + "_" + label


def _describe_default(default):
    arg = getattr(default, "arg", default)
    if callable(arg):
        return getattr(arg, "__qualname__", None) or getattr(arg, "__name__", None) or repr(arg)
    return repr(arg)


def export_metadata(metadata, schema="public", revision=None, extensions=()):
    """Export `metadata`; returns ExportResult(model, notes).

    `schema` is the model's default schema: where tables and enums without a
    schema go (create_all puts them in the connection's current schema).
    Raises ExportError for what cannot be exported at all."""
    return _Exporter(metadata, schema).export(revision, list(extensions))


def _render(value, indent, width):
    """JSON text of `value`: on one line when it fits in `width` columns
    from `indent`, else one member per line."""
    compact = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    if not isinstance(value, (dict, list)) or not value or indent + len(compact) <= width:
        return compact
    inner = " " * (indent + 2)
    if isinstance(value, dict):
        members = [
            "%s%s: %s"
            % (inner, json.dumps(key, ensure_ascii=False), _render(item, indent + 2, width))
            for key, item in value.items()
        ]
        opening, closing = "{", "}"
    else:
        members = [inner + _render(item, indent + 2, width) for item in value]
        opening, closing = "[", "]"
    return "%s\n%s\n%s%s" % (opening, ",\n".join(members), " " * indent, closing)


def model_json(model):
    """The model as schemad_sqlalchemy writes it: objects that fit on one
    line of 100 columns are written on one, UTF-8, a final newline; the same
    bytes for the same model."""
    return _render(model, 0, 100) + "\n"
