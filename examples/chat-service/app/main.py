"""The chat service's HTTP API: FastAPI over the tables of app/models.py.

    uvicorn app.main:app --host 0.0.0.0 --port 8000

It never creates or migrates tables: schemad does (compose.yaml starts this
service only once schemad's /readyz says the database satisfies the model),
and Alembic revisions do what schemad will not (renames, drops, data).
"""

import uuid
from functools import lru_cache
from typing import Any, Dict, Literal, Optional

from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import make_sessionmaker
from app.models import Conversation, Message, User

app = FastAPI(title="chat-service")


@lru_cache(maxsize=1)
def sessions():
    return make_sessionmaker()


def get_session():
    with sessions()() as session:
        yield session


class NewUser(BaseModel):
    email: str
    display_name: Optional[str] = None


class NewConversation(BaseModel):
    title: Optional[str] = None


class NewMessage(BaseModel):
    role: Literal["system", "user", "assistant", "tool"] = "user"
    content: str
    meta: Dict[str, Any] = {}


@app.get("/healthz")
def healthz():
    return {"ok": True}


@app.post("/users", status_code=201)
def create_user(body: NewUser, session: Session = Depends(get_session)):
    user = User(email=body.email, display_name=body.display_name)
    session.add(user)
    try:
        session.commit()
    except IntegrityError:  # uq_users_email
        raise HTTPException(409, "email already registered")
    return {"id": user.id, "email": user.email}


@app.post("/users/{user_id}/conversations", status_code=201)
def create_conversation(
    user_id: int, body: NewConversation, session: Session = Depends(get_session)
):
    if session.get(User, user_id) is None:
        raise HTTPException(404, "no such user")
    conversation = Conversation(owner_id=user_id)
    if body.title is not None:  # else the column's server default, "New conversation"
        conversation.title = body.title
    session.add(conversation)
    session.commit()
    session.refresh(conversation)  # id, title and timestamps come from the database
    return {"id": str(conversation.id), "title": conversation.title}


@app.get("/users/{user_id}/conversations")
def list_conversations(user_id: int, session: Session = Depends(get_session)):
    rows = session.scalars(  # ix_conversations_owner_id_updated_at
        select(Conversation)
        .where(Conversation.owner_id == user_id)
        .order_by(Conversation.updated_at.desc())
        .limit(50)
    )
    return [{"id": str(c.id), "title": c.title, "updated_at": c.updated_at} for c in rows]


@app.post("/conversations/{conversation_id}/messages", status_code=201)
def post_message(
    conversation_id: uuid.UUID, body: NewMessage, session: Session = Depends(get_session)
):
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise HTTPException(404, "no such conversation")
    message = Message(
        conversation_id=conversation_id, role=body.role, content=body.content, meta=body.meta
    )
    conversation.updated_at = func.now()
    session.add(message)
    session.commit()
    return {"id": message.id}


@app.get("/conversations/{conversation_id}/messages")
def list_messages(conversation_id: uuid.UUID, session: Session = Depends(get_session)):
    rows = session.scalars(  # ix_messages_conversation_id_created_at (partial)
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.deleted_at.is_(None))
        .order_by(Message.created_at)
    )
    fields = ("id", "role", "content", "meta", "created_at")
    return [{field: getattr(m, field) for field in fields} for m in rows]
