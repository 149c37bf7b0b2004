"""Dashboard sessions. The browser holds only a random session key in an HttpOnly cookie; the
row is found by the key's SHA-256 and the Keystone tokens in it are encrypted with a key derived
from the session key, so a copy of the database alone opens no session and reveals no token."""
import base64
import datetime
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import JSON, Boolean, Index, String, Text, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from albatross.db.engine import session_scope
from albatross.db.models import Base, Timestamp, utcnow


class UiSession(Base):
    __tablename__ = "ui_sessions"
    __table_args__ = (Index("ix_ui_sessions_expires", "expires_at"),)

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64))
    user_name: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(64))
    project_name: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list] = mapped_column(JSON)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    projects: Mapped[list] = mapped_column(JSON)   # [{id, name}] the user may switch to
    token: Mapped[str] = mapped_column(Text)        # encrypted, project-scoped
    unscoped: Mapped[str | None] = mapped_column(Text, nullable=True)  # encrypted, to rescope
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime.datetime] = mapped_column(Timestamp, default=utcnow)
    expires_at: Mapped[datetime.datetime] = mapped_column(Timestamp)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _cipher(key: str) -> Fernet:
    digest = hashlib.sha256(b"albatross-ui-token:" + key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(key: str, secret: str | None) -> str | None:
    return None if secret is None else _cipher(key).encrypt(secret.encode()).decode()


def unseal(key: str, sealed: str | None) -> str | None:
    if sealed is None:
        return None
    try:
        return _cipher(key).decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None


class UiSessionStore:
    def __init__(self, db_url: str):
        self.db_url = db_url

    def save(self, key: str, **fields) -> None:
        """Insert or replace the session of `key` (login, project switch)."""
        fields["token"] = seal(key, fields["token"])
        fields["unscoped"] = seal(key, fields.get("unscoped"))
        with session_scope(self.db_url) as s:
            row = s.get(UiSession, key_hash(key))
            if row is None:
                s.add(UiSession(key_hash=key_hash(key), **fields))
            else:
                for name, value in fields.items():
                    setattr(row, name, value)

    def load(self, key: str) -> UiSession | None:
        """The live session of `key`, tokens decrypted; None when unknown or expired."""
        with session_scope(self.db_url) as s:
            row = s.get(UiSession, key_hash(key))
            if row is None:
                return None
            if row.expires_at <= utcnow():
                s.delete(row)
                return None
            s.expunge(row)
        row.token = unseal(key, row.token)
        row.unscoped = unseal(key, row.unscoped)
        return row if row.token else None

    def delete(self, key: str) -> None:
        with session_scope(self.db_url) as s:
            s.execute(delete(UiSession).where(UiSession.key_hash == key_hash(key)))

    def purge_expired(self) -> int:
        with session_scope(self.db_url) as s:
            return s.execute(delete(UiSession).where(UiSession.expires_at <= utcnow())).rowcount

    def count(self) -> int:
        with session_scope(self.db_url) as s:
            return len(s.scalars(select(UiSession.key_hash)).all())
