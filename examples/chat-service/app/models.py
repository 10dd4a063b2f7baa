"""The chat service's tables: the one place the schema is declared.

Only SQLAlchemy is imported here, so the schemad model can be exported
without the web stack:

    python3 -m schemad_sqlalchemy app.models:Base --strict -o model.json

Every construct below is one the exporter expresses without a note (--strict
proves it): server-side defaults only (server_default=, never a Python-side
default=), a native enum, identity and serial keys, named constraints and
indexes from the naming convention, GIN indexes with an operator class, a
partial index, a descending index key.
"""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import declarative_base, relationship

# Names for indexes, unique, check and foreign-key constraints, so that the
# database, the Alembic revisions and the schemad model agree on every name.
# No "pk" entry: primary keys keep PostgreSQL's default name, <table>_pkey
# (a "pk" entry would work too: the model then names each key).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)
Base = declarative_base(metadata=metadata)

MESSAGE_ROLES = ("system", "user", "assistant", "tool")
message_role = Enum(*MESSAGE_ROLES, name="message_role")


class User(Base):
    __tablename__ = "users"
    __table_args__ = {"comment": "people who sign in"}

    id = Column(Integer, primary_key=True)  # SERIAL
    email = Column(String(320), nullable=False, unique=True)
    display_name = Column(Text)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())

    conversations = relationship("Conversation", back_populates="owner", passive_deletes=True)


class Conversation(Base):
    __tablename__ = "conversations"

    id = Column(UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()"))
    owner_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    title = Column(String(200), nullable=False, server_default="New conversation")
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    updated_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())

    owner = relationship("User", back_populates="conversations")
    messages = relationship(
        "Message", back_populates="conversation", passive_deletes=True, order_by="Message.id"
    )


# A user's conversations, most recently active first.
Index(None, Conversation.owner_id, Conversation.updated_at.desc())


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        # The live messages of a conversation in order; soft-deleted ones are
        # left out of the index.
        Index(None, "conversation_id", "created_at", postgresql_where=text("deleted_at IS NULL")),
        {"comment": "chat messages"},
    )

    id = Column(BigInteger, Identity(always=True), primary_key=True)
    conversation_id = Column(
        UUID(as_uuid=True), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    role = Column(message_role, nullable=False, server_default="user")
    content = Column(Text, nullable=False)
    meta = Column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    deleted_at = Column(DateTime(timezone=True))

    conversation = relationship("Conversation", back_populates="messages")


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint("size_bytes >= 0", name="size_bytes_non_negative"),
        # jsonb_path_ops: a smaller, faster GIN index for body @> '{...}'.
        Index(None, "body", postgresql_using="gin", postgresql_ops={"body": "jsonb_path_ops"}),
        Index(None, "tags", postgresql_using="gin"),
    )

    id = Column(UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()"))
    owner_id = Column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    conversation_id = Column(
        UUID(as_uuid=True), ForeignKey("conversations.id", ondelete="SET NULL")
    )
    title = Column(Text, nullable=False)
    body = Column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    tags = Column(ARRAY(Text), nullable=False, server_default=text("'{}'::text[]"))
    size_bytes = Column(BigInteger, nullable=False, server_default=text("0"))
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
