"""The log store on every backend: full-text search through each engine's own index (kept in
step by inserts and purges), request ids across lines, pages that new lines do not shift,
dedup keys and retention."""
import datetime

import pytest
from sqlalchemy import select

from albatross.db import fulltext
from albatross.db.engine import session_scope
from albatross.db.logs import TEXT, LogFilter, LogLine, LogStore
from albatross.logs.batch import MAX_MESSAGE

T0 = datetime.datetime(2026, 1, 1, 12, 0, 0)
REQ_A = "req-8d33aa00-1111-2222-3333-444455556666"
REQ_G = "req-00000000-aaaa-bbbb-cccc-ddddeeeeffff"


def _line(n: int, message: str, region="RegionOne", service="glance", level="INFO",
          request_ids=(), **extra) -> dict:
    return {"time": T0 + datetime.timedelta(seconds=n), "region": region, "service": service,
            "host": "ctl1", "level": level, "message": message,
            "request_ids": list(request_ids), **extra}


@pytest.fixture
def store(db_url):
    return LogStore(db_url)


def _messages(rows):
    return [r["message"] for r in rows]


def test_full_text_words_phrases_and_prefixes(store):
    store.insert([
        _line(1, "Image upload failed: HTTP 404 Not Found"),
        _line(2, "Connection to rabbitmq lost, retrying in 2 seconds"),
        _line(3, "Image format matched and virtual size computed"),
        _line(4, "Found nothing, not here: lost things"),
    ])

    def search(q):
        return _messages(store.search(LogFilter(q=q), 10))

    assert search("upload failed") == ["Image upload failed: HTTP 404 Not Found"]
    assert search("IMAGE") == ["Image format matched and virtual size computed",
                               "Image upload failed: HTTP 404 Not Found"]
    assert search('"not found"') == ["Image upload failed: HTTP 404 Not Found"]
    assert search("retry*") == ["Connection to rabbitmq lost, retrying in 2 seconds"]
    assert search("rabbitmq failed") == []
    assert search("computed") == ["Image format matched and virtual size computed"]


def test_full_text_is_an_index_kept_in_step_by_purges(store):
    store.insert([_line(1, "quarantined volume attachment"),
                  _line(3600 * 48, "quarantined again later")])
    assert store.purge(T0 + datetime.timedelta(hours=1)) == 1
    assert _messages(store.search(LogFilter(q="quarantined"), 10)) == ["quarantined again later"]


def test_a_query_with_nothing_to_search_for_is_refused(store):
    for q in ("  ", "*** --", '""', "x " * 300):
        with pytest.raises(fulltext.QueryError):
            store.search(LogFilter(q=q), 10)


def test_every_request_id_of_a_line_finds_it(store):
    store.insert([_line(1, "GET /v2/images", request_ids=[REQ_G, REQ_A]),
                  _line(2, "other", request_ids=[REQ_G], region="RegionTwo"),
                  _line(3, "unrelated")])
    by_local = store.search(LogFilter(request_id=REQ_A), 10)
    assert _messages(by_local) == ["GET /v2/images"]
    assert by_local[0]["request_ids"] == [REQ_G, REQ_A]
    assert _messages(store.search(LogFilter(request_id=REQ_G), 10)) == ["other", "GET /v2/images"]
    assert _messages(store.search(LogFilter(request_id=REQ_G, region="RegionTwo"), 10)) == [
        "other"]


def test_filters_combine(store):
    store.insert([_line(1, "a1 boom", level="ERROR"), _line(2, "a2 fine"),
                  _line(3, "b1 boom", service="nova", level="WARNING"),
                  _line(4, "c1 boom", region="RegionTwo", level="CRITICAL")])
    f = LogFilter(levels=("WARNING", "ERROR", "CRITICAL"), region="RegionOne")
    assert _messages(store.search(f, 10)) == ["b1 boom", "a1 boom"]
    f = LogFilter(start=T0 + datetime.timedelta(seconds=2), end=T0 + datetime.timedelta(
        seconds=4), q="boom")
    assert _messages(store.search(f, 10)) == ["b1 boom"]


def test_pages_are_newest_first_and_not_shifted_by_new_lines(store):
    store.insert([_line(n, f"line {n}") for n in range(10)] + [_line(5, "line 5 twin")])
    first = store.search(LogFilter(), 4)
    assert _messages(first) == ["line 9", "line 8", "line 7", "line 6"]
    store.insert([_line(100, "newer"), _line(7, "late line 7")])  # arrives between pages
    last = first[-1]
    after = (datetime.datetime.fromisoformat(last["time"].rstrip("Z")), last["id"])
    second = store.search(LogFilter(), 4, after=after)
    assert _messages(second) == ["line 5 twin", "line 5", "line 4", "line 3"]


def test_dedup_keys_store_a_resent_line_once(store):
    lines = [_line(1, "once", dedup_key="agent:a:1"), _line(2, "twice", dedup_key="agent:a:2")]
    assert store.insert(lines) == (2, 0)
    assert store.insert(lines + [_line(3, "new", dedup_key="agent:a:3"),
                                 _line(3, "new", dedup_key="agent:a:3")]) == (1, 3)
    assert sorted(_messages(store.search(LogFilter(), 10))) == ["new", "once", "twice"]


def test_purge_removes_old_lines_and_their_request_ids(store):
    store.insert([_line(n, f"old {n}", request_ids=[REQ_A]) for n in range(7)]
                 + [_line(86400 * 3, "kept", request_ids=[REQ_A])])
    assert store.purge(T0 + datetime.timedelta(days=1), batch=3) == 7
    assert _messages(store.search(LogFilter(request_id=REQ_A), 10)) == ["kept"]


def test_frequent_words_take_another_plan_to_the_same_lines(store, db_url):
    store.insert([_line(n, f"boom {n}" if n % 2 else f"calm {n}") for n in range(20)])
    with session_scope(db_url) as s:
        assert TEXT.is_frequent(s, "boom", threshold=5) == db_url.startswith("sqlite")
        assert not TEXT.is_frequent(s, "boom", threshold=11)
        found = [list(s.scalars(select(LogLine.message).where(
            TEXT.match("boom", LogLine.__table__, frequent))
            .order_by(LogLine.time.desc()).limit(3))) for frequent in (False, True)]
    assert found[0] == found[1] == ["boom 19", "boom 17", "boom 15"]


def test_the_largest_lines_fit_on_every_backend(store):
    many = [f"req-{n:08x}-0000-4000-8000-000000000000" for n in range(40)]
    text = "€" * MAX_MESSAGE  # 3 bytes each in UTF-8
    store.insert([_line(1, text, raw=text * 2, request_ids=many)])
    [line] = store.search(LogFilter(request_id=many[-1]), 10)
    assert (line["message"], line["raw"]) == (text, text * 2)
    assert line["request_ids"] == many[:len(line["request_ids"])]
    assert 20 < len(line["request_ids"]) < 40
