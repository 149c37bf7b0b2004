"""Engines and sessions per database URL, with the settings each backend needs for safe
concurrent writers (SQLite: WAL, busy timeout, BEGIN IMMEDIATE for what may write, and one
writer of the process at a time, queued here)."""
import contextlib
import threading

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

_lock = threading.Lock()
_reading = threading.local()   # this thread's transaction is a read_scope
_engines: dict[str, Engine] = {}
_makers: dict[str, sessionmaker] = {}
# SQLite: this process's write transactions queue on a lock here rather than in SQLite's busy
# handler, which sleeps up to 100 ms between tries: with a hundred task threads writing, the
# database sat idle between transactions (a 300-region keypair repair spent most of its wall
# time asleep). Other processes still meet SQLite's own lock; past the wait, a writer goes
# on to SQLite's lock as before.
_writers: dict[str, threading.RLock] = {}
WRITER_WAIT = 30.0


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # take the write lock up front: a read-then-write transaction can't deadlock; a
        # read-only one (read_scope) takes none: in WAL mode readers never wait
        conn.exec_driver_sql("BEGIN" if getattr(_reading, "now", False) else "BEGIN IMMEDIATE")


def get_engine(url: str, pool_size: int = 10) -> Engine:
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            if url.startswith("sqlite"):
                # connections kept, not reopened: above QueuePool's 5 + 10 a fan-out's
                # threads closed and reopened connections (and their PRAGMAs) on every use
                engine = create_engine(url, pool_size=4 * pool_size, max_overflow=pool_size,
                                       connect_args={"check_same_thread": False,
                                                     "timeout": 30})
                _configure_sqlite(engine)
                _writers[url] = threading.RLock()
            else:
                engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size,
                                       pool_pre_ping=True, pool_recycle=3600)
            _engines[url] = engine
            _makers[url] = sessionmaker(engine, expire_on_commit=False)
        return engine


@contextlib.contextmanager
def session_scope(url: str):
    """One transaction: commit on success, roll back on any error."""
    with _scope(url, reading=False) as session:
        yield session


@contextlib.contextmanager
def read_scope(url: str):
    """A transaction that only reads. On SQLite it takes no write lock (session_scope's
    BEGIN IMMEDIATE serialized every read behind every write: at a hundred regions'
    tasks at once, most of an audit's time was spent waiting for it); elsewhere it is a
    session_scope. Writing in it is a bug (SQLite would refuse a busy database)."""
    with _scope(url, reading=True) as session:
        yield session


@contextlib.contextmanager
def _scope(url: str, reading: bool):
    get_engine(url)
    gate = None if reading else _writers.get(url)
    if gate is not None and not gate.acquire(timeout=WRITER_WAIT):
        gate = None   # waited long enough: on to SQLite's own lock
    try:
        session: Session = _makers[url]()
        before = getattr(_reading, "now", False)
        _reading.now = reading   # read by _on_begin, in this thread, when the session begins
        try:
            with session.begin():
                yield session
        finally:
            _reading.now = before
            session.close()
    finally:
        if gate is not None:   # released however the transaction ended
            gate.release()


def dispose(url: str) -> None:
    with _lock:
        engine = _engines.pop(url, None)
        _makers.pop(url, None)
        _writers.pop(url, None)
    if engine is not None:
        engine.dispose()
