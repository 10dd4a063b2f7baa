"""A smoke test of the API against a real database the schema is in.

    DATABASE_URL=postgresql://... python3 smoke_test.py

Needs FastAPI and httpx (Starlette's TestClient); no server is started.
tests/packaging/check.sh runs it, when they are installed, on the database
that `schemad apply` built from the exported model: the service works on the
schema schemad makes. Exit 0 when every request gave what it should.
"""

import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fastapi.testclient import TestClient  # noqa: E402

from app.main import app  # noqa: E402


def expect(response, status):
    if response.status_code != status:
        raise SystemExit(
            "%s %s: %d, expected %d: %s"
            % (response.request.method, response.request.url.path, response.status_code,
               status, response.text)
        )
    return response.json()


def main():
    client = TestClient(app)
    email = "ada-%s@example.org" % uuid.uuid4().hex[:8]
    user = expect(client.post("/users", json={"email": email, "display_name": "Ada"}), 201)
    expect(client.post("/users", json={"email": email}), 409)  # uq_users_email
    conversation = expect(client.post("/users/%d/conversations" % user["id"], json={}), 201)
    assert conversation["title"] == "New conversation", conversation  # the server default
    path = "/conversations/%s/messages" % conversation["id"]
    expect(client.post(path, json={"role": "system", "content": "Be brief."}), 201)
    expect(client.post(path, json={"content": "Hello", "meta": {"lang": "en"}}), 201)
    expect(client.post(path, json={"role": "robot", "content": "?"}), 422)
    messages = expect(client.get(path), 200)
    assert [(m["role"], m["content"]) for m in messages] == [
        ("system", "Be brief."), ("user", "Hello")], messages
    assert messages[0]["meta"] == {} and messages[1]["meta"] == {"lang": "en"}, messages
    listed = expect(client.get("/users/%d/conversations" % user["id"]), 200)
    assert [c["id"] for c in listed] == [conversation["id"]], listed
    expect(client.get("/conversations/%s/messages" % uuid.uuid4()), 200)
    expect(client.post("/conversations/%s/messages" % uuid.uuid4(), json={"content": "x"}), 404)
    print("smoke test: %d messages in conversation %s" % (len(messages), conversation["id"]))


if __name__ == "__main__":
    main()
