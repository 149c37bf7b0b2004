"""Dashboard sessions on every backend: the row is found by the SHA-256 of the cookie's key
(never the key itself), the Keystone tokens in it are encrypted with a key derived from the
cookie's key, and expired sessions are neither loaded nor kept."""
import datetime
import hashlib
import secrets

import pytest
import sqlalchemy as sa

from albatross.db import migrate
from albatross.db.engine import get_engine
from albatross.db.models import utcnow
from albatross.db.ui_sessions import UiSessionStore, key_hash, seal, unseal

TOKEN = "gAAAAA-keystone-token-" + "t" * 180
UNSCOPED = "gAAAAA-unscoped-token-" + "u" * 180


def _fields(**over) -> dict:
    fields = {"user_id": "u" * 32, "user_name": "alice", "project_id": "p" * 32,
              "project_name": "demo", "roles": ["member", "reader"], "is_admin": False,
              "projects": [{"id": "p" * 32, "name": "demo"}, {"id": "q" * 32, "name": "ops"}],
              "token": TOKEN, "unscoped": UNSCOPED, "csrf": secrets.token_urlsafe(32),
              "expires_at": utcnow() + datetime.timedelta(hours=1)}
    fields.update(over)
    return fields


@pytest.fixture
def store(db_url):
    return UiSessionStore(db_url)


def _rows(db_url) -> list[dict]:
    with get_engine(db_url).connect() as c:
        return [dict(r._mapping) for r in c.execute(sa.text("SELECT * FROM ui_sessions"))]


def test_save_and_load_round_trip(store):
    key = secrets.token_urlsafe(32)
    fields = _fields()
    store.save(key, **fields)
    s = store.load(key)
    assert s is not None
    for name in ("user_id", "user_name", "project_id", "project_name", "roles", "is_admin",
                 "projects", "token", "unscoped", "csrf"):
        assert getattr(s, name) == fields[name], name
    assert abs(s.expires_at - fields["expires_at"]) < datetime.timedelta(seconds=1)
    assert s.created_at <= utcnow()
    assert store.count() == 1
    # a session without an unscoped token (logged in with a project-scoped one)
    other = secrets.token_urlsafe(32)
    store.save(other, **_fields(unscoped=None, is_admin=True, roles=["admin"]))
    loaded = store.load(other)
    assert loaded.unscoped is None and loaded.is_admin and loaded.roles == ["admin"]
    assert store.count() == 2


def test_save_again_replaces_the_session(store):
    """A project switch keeps the cookie's key and replaces what the row holds."""
    key = secrets.token_urlsafe(32)
    store.save(key, **_fields())
    store.save(key, **_fields(project_id="q" * 32, project_name="ops", token="new-token",
                              csrf="new-csrf"))
    s = store.load(key)
    assert (s.project_id, s.project_name, s.token, s.csrf) == ("q" * 32, "ops", "new-token",
                                                               "new-csrf")
    assert store.count() == 1


def test_the_row_holds_the_keys_hash_and_encrypted_tokens_only(store, db_url):
    key = secrets.token_urlsafe(32)
    store.save(key, **_fields())
    (row,) = _rows(db_url)
    assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest() == key_hash(key)
    everything = repr(row)
    for secret in (key, TOKEN, UNSCOPED, "t" * 40, "u" * 40):
        assert secret not in everything
    assert row["token"] != row["unscoped"]
    assert unseal(key, row["token"]) == TOKEN and unseal(key, row["unscoped"]) == UNSCOPED


def test_another_key_opens_nothing(store, db_url):
    key, other = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    store.save(key, **_fields())
    assert store.load(other) is None
    assert store.load("") is None
    # even a row moved under the other key's hash (a copy of the database and a guess at
    # which row is whose) does not decrypt with the other key
    with get_engine(db_url).begin() as c:
        c.execute(sa.text("UPDATE ui_sessions SET key_hash = :new"), {"new": key_hash(other)})
    assert store.load(other) is None
    assert store.load(key) is None


def test_seal_is_keyed_and_authenticated():
    sealed = seal("k1", TOKEN)
    assert sealed != seal("k1", TOKEN)          # a fresh IV every time
    assert unseal("k1", sealed) == TOKEN
    assert unseal("k2", sealed) is None
    assert unseal("k1", sealed[:-4] + "AAAA") is None
    assert seal("k1", None) is None and unseal("k1", None) is None


def test_expired_sessions_are_not_loaded_and_are_purged(store, db_url):
    live, old, older = (secrets.token_urlsafe(32) for _ in range(3))
    store.save(live, **_fields())
    store.save(old, **_fields(expires_at=utcnow() - datetime.timedelta(seconds=1)))
    store.save(older, **_fields(expires_at=utcnow() - datetime.timedelta(days=2)))
    assert store.count() == 3
    assert store.load(old) is None
    assert store.count() == 2           # loading an expired session deletes it
    assert store.purge_expired() == 1
    assert [r["key_hash"] for r in _rows(db_url)] == [key_hash(live)]
    assert store.purge_expired() == 0
    assert store.load(live).token == TOKEN


def test_delete(store):
    key, other = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    store.save(key, **_fields())
    store.save(other, **_fields())
    store.delete(key)
    store.delete(key)                   # twice: nothing to do
    store.delete("never-saved")
    assert store.load(key) is None and store.load(other) is not None
    assert store.count() == 1


def test_migration_0010_goes_down_and_up(empty_db_url):
    migrate.upgrade(empty_db_url)
    assert "ui_sessions" in sa.inspect(get_engine(empty_db_url)).get_table_names()
    migrate.downgrade(empty_db_url, "0009")
    assert migrate.current(empty_db_url) == "0009"
    assert "ui_sessions" not in sa.inspect(get_engine(empty_db_url)).get_table_names()
    migrate.upgrade(empty_db_url)
    inspector = sa.inspect(get_engine(empty_db_url))
    assert "ui_sessions" in inspector.get_table_names()
    assert {tuple(ix["column_names"]) for ix in inspector.get_indexes("ui_sessions")} >= {
        ("expires_at",)}
    assert inspector.get_pk_constraint("ui_sessions")["constrained_columns"] == ["key_hash"]
    store = UiSessionStore(empty_db_url)
    store.save("k", **_fields())
    assert store.load("k").token == TOKEN
