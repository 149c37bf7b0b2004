"""Full-text search with each database's own engine, so a search over millions of rows stays
an index lookup instead of a LIKE scan:

- SQLite: an FTS5 external-content table ``<table>_fts`` (the text is not stored twice) kept in
  step by three triggers ``<table>_fts_ai|ad|au``;
- PostgreSQL: a generated column ``fts`` (``to_tsvector('simple', ...)``) with a GIN index
  ``ix_<table>_fts``;
- MariaDB/MySQL: a FULLTEXT index ``ix_<table>_fts`` (InnoDB), searched in boolean mode.

Usage::

    from albatross.db import fulltext

    LOG_TEXT = fulltext.FullText("logs", ("message",))          # key column "id" by default

    # in an Alembic migration, after op.create_table("logs", ...):
    fulltext.FullText("logs", ("message",)).create()              # before op.drop_table: .drop()

    # in a query (compiled for whatever dialect the statement runs on):
    select(Log).where(LOG_TEXT.match("image upload failed"))
    # newest first with a LIMIT on SQLite, ask first whether the words are frequent:
    frequent = LOG_TEXT.is_frequent(session, "instance")
    select(Log).where(LOG_TEXT.match("instance", frequent=frequent)).order_by(...).limit(100)

The indexed table needs an integer primary key (``key``): FTS5 uses it as the rowid.
Objects created here are not in the SQLAlchemy metadata (their SQL differs per engine);
``include_name`` hides them from Alembic's comparison (used by migrations/env.py and
tests/db/test_migrations.py). Hence the name part ``fts`` (``x_fts``, ``x_fts_y``, ``fts``) is
reserved for them. A later batch migration on SQLite that recreates the table drops the
triggers: call ``drop()`` before and ``create()`` after it.

The query language is the same everywhere: words, all of which must match (case-insensitive,
whole tokens); ``"a quoted phrase"``; ``word*`` for a prefix. Engines tokenise a little
differently (e.g. MariaDB ignores tokens under 3 characters and its stopwords), so a search is
for finding lines, not for exact counting. ``parse`` raises ``QueryError`` (a ValueError, whose
message suits a 400) for a query with nothing to search for.

SQLite's planner knows nothing of how many rows an FTS5 query matches, so it reads them all
first, then sorts: right for rare words, slow for frequent ones (250,000 matches of 1,000,000
lines: 0.8 s instead of 30 ms). ``is_frequent`` probes (under a millisecond, stopping at
``threshold`` matches); ``match(..., frequent=True)`` then lets SQLite walk the ORDER BY index
and test each row against the match instead. PostgreSQL and MariaDB plan with statistics of
their own (PostgreSQL still takes correlated words as independent: "rabbitmq lost" costs it
0.17 s over 1,000,000 lines); there ``is_frequent`` is False without a query, and
``frequent`` changes nothing.
"""
import dataclasses
import re

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

MAX_QUERY = 256
FREQUENT = 2000
MAX_TERMS = 16
_TOKEN = re.compile(r'"([^"]*)(?:"|$)|(\S+)')
_WORD = re.compile(r"\w+")


class QueryError(ValueError):
    pass


@dataclasses.dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False
    prefix: bool = False


def parse(query: str) -> list[Term]:
    """Split a user query into terms; punctuation-only words are dropped."""
    if len(query) > MAX_QUERY:
        raise QueryError(f"longer than {MAX_QUERY} characters")
    terms = []
    for quoted, word in _TOKEN.findall(query):
        if quoted:
            terms.append(Term(quoted.strip(), phrase=True))
        elif word:
            prefix = word.endswith("*")
            text = word.rstrip("*")
            terms.append(Term(text, phrase=not _WORD.fullmatch(text), prefix=prefix))
    terms = [t for t in terms if _WORD.search(t.text)]
    if not terms:
        raise QueryError("no word to search for")
    if len(terms) > MAX_TERMS:
        raise QueryError(f"more than {MAX_TERMS} terms")
    return terms


def include_name(name, type_, parent_names) -> bool:
    """Alembic ``include_name`` hook: False for the objects this module manages."""
    return not (name and "fts" in name.split("_"))


@dataclasses.dataclass(frozen=True)
class FullText:
    table: str
    columns: tuple[str, ...]
    key: str = "id"

    # ---- DDL ----------------------------------------------------------------------------
    def statements(self, dialect: str) -> list[str]:
        t, cols, fts = self.table, ", ".join(self.columns), f"{self.table}_fts"
        if dialect == "sqlite":
            new = ", ".join(f"new.{c}" for c in self.columns)
            old = ", ".join(f"old.{c}" for c in self.columns)
            insert = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.{self.key}, {new});"
            delete = (f"INSERT INTO {fts}({fts}, rowid, {cols}) "
                      f"VALUES ('delete', old.{self.key}, {old});")
            return [
                f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{t}', "
                f"content_rowid='{self.key}')",
                f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {t} BEGIN {insert} END",
                f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {t} BEGIN {delete} END",
                f"CREATE TRIGGER {fts}_au AFTER UPDATE ON {t} BEGIN {delete} {insert} END",
                f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
            ]
        if dialect == "postgresql":
            doc = " || ' ' || ".join(f"coalesce({c}, '')" for c in self.columns)
            return [f"ALTER TABLE {t} ADD COLUMN fts tsvector GENERATED ALWAYS AS "
                    f"(to_tsvector('simple'::regconfig, {doc})) STORED",
                    f"CREATE INDEX ix_{t}_fts ON {t} USING gin (fts)"]
        if dialect in ("mysql", "mariadb"):
            return [f"CREATE FULLTEXT INDEX ix_{t}_fts ON {t} ({cols})"]
        raise NotImplementedError(f"full-text search on {dialect}")

    def drop_statements(self, dialect: str) -> list[str]:
        t, fts = self.table, f"{self.table}_fts"
        if dialect == "sqlite":
            return [f"DROP TRIGGER IF EXISTS {fts}_{s}" for s in ("ai", "ad", "au")] + [
                f"DROP TABLE IF EXISTS {fts}"]
        if dialect == "postgresql":
            return [f"DROP INDEX IF EXISTS ix_{t}_fts", f"ALTER TABLE {t} DROP COLUMN fts"]
        if dialect in ("mysql", "mariadb"):
            return [f"DROP INDEX ix_{t}_fts ON {t}"]
        raise NotImplementedError(f"full-text search on {dialect}")

    def create(self, bind=None) -> None:
        """Create the index for the connection's dialect (default: Alembic's ``op``)."""
        self._run(self.statements, bind)

    def drop(self, bind=None) -> None:
        self._run(self.drop_statements, bind)

    @staticmethod
    def _run(statements, bind) -> None:
        if bind is None:
            from alembic import op
            bind = op.get_bind()
        for stmt in statements(bind.dialect.name):
            bind.exec_driver_sql(stmt)

    # ---- queries ------------------------------------------------------------------------
    def match(self, query: str, table: sa.FromClause | None = None,
              frequent: bool = False) -> ColumnElement:
        """A boolean condition "this row matches `query`" (raises QueryError). `table`: the
        table or alias in the statement (default: the table by name)."""
        return _Match(self, parse(query), table, frequent)

    def is_frequent(self, session, query: str, threshold: int = FREQUENT) -> bool:
        """SQLite: does `query` match at least `threshold` rows? (a Session or Connection)"""
        bind = session if hasattr(session, "dialect") else session.get_bind()
        if bind.dialect.name != "sqlite":
            return False
        fts = f"{self.table}_fts"
        probe = sa.text(f"SELECT count(*) FROM (SELECT rowid FROM {fts} WHERE {fts} MATCH :q "
                        "LIMIT :n)").bindparams(q=_sqlite_query(parse(query)), n=threshold)
        return session.execute(probe).scalar() >= threshold


class _Match(ColumnElement):
    """Compiled per dialect, so callers need not know which database they talk to."""
    type = sa.Boolean()
    _is_implicitly_boolean = True  # a condition as is: MySQL must not get "= 1" appended
    inherit_cache = False

    def __init__(self, spec: FullText, terms: list[Term], table, frequent: bool):
        self.spec, self.terms, self.frequent = spec, terms, frequent
        self.table = table if table is not None else sa.table(
            spec.table, *(sa.column(c) for c in (spec.key, *spec.columns)))


def _sqlite_query(terms: list[Term]) -> str:
    return " AND ".join('"' + t.text.replace('"', '""') + '"' + ("*" if t.prefix else "")
                        for t in terms)


# InnoDB's default stopwords and innodb_ft_min_token_size: such a word is not in the index,
# so "+word" would match nothing; a phrase skips them by itself
_MYSQL_STOPWORDS = set("a about an are as at be by com de en for from how i in is it la of on or "
                       "that the this to was what when where who will with und www".split())


def _mysql_query(terms: list[Term]) -> str | None:
    parts = []
    for t in terms:
        if not t.phrase and not t.prefix and (len(t.text) < 3
                                              or t.text.lower() in _MYSQL_STOPWORDS):
            continue
        if t.phrase:
            parts.append('+"' + " ".join(_WORD.findall(t.text)) + '"')
        else:
            parts.append("+" + t.text + ("*" if t.prefix else ""))
    return " ".join(parts) or None


def _pg_query(terms: list[Term]):
    query = None
    for t in terms:
        if t.prefix and not t.phrase:
            part = sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"),
                                      sa.literal(f"'{t.text}':*"))
        else:
            part = sa.func.phraseto_tsquery(sa.literal_column("'simple'::regconfig"),
                                            sa.literal(t.text))
        query = part if query is None else query.op("&&")(part)
    return query


@compiles(_Match, "sqlite")
def _match_sqlite(element, compiler, **kw):
    fts = sa.table(f"{element.spec.table}_fts", sa.column("rowid"))
    rows = sa.select(fts.c.rowid).where(
        sa.literal_column(fts.name).op("MATCH")(sa.literal(_sqlite_query(element.terms))))
    condition = compiler.process(element.table.c[element.spec.key].in_(rows), **kw)
    # "+key": the key's index may not drive the query, the ORDER BY's index does
    return f"+{condition}" if element.frequent else condition


@compiles(_Match, "postgresql")
def _match_pg(element, compiler, **kw):
    vector = sa.literal_column(f"{element.table.name}.fts")
    return compiler.process(vector.op("@@")(_pg_query(element.terms)), **kw)


@compiles(_Match, "mysql")
@compiles(_Match, "mariadb")
def _match_mysql(element, compiler, **kw):
    cols = ", ".join(compiler.process(element.table.c[c], **kw) for c in element.spec.columns)
    against = _mysql_query(element.terms)
    if against is None:
        return "1 = 0"
    # bare, so that the optimizer uses the index ("MATCH(...) > 0" would scan the table)
    return f"MATCH ({cols}) AGAINST ({compiler.process(sa.literal(against), **kw)} " \
           "IN BOOLEAN MODE)"
