"""The agent against a fake log server: every line arrives once, across rotation (rename and
copytruncate), restarts, lost answers and refused lines."""
import json
import os
import threading

import requests

from albatross.logs.agent import Agent, AgentConfig, FileSource, Shipper, records
from albatross.logs.tail import RawLine

HEADER = "2026-11-30 02:16:50.110 5982 INFO glance.api [None req-8d33aa00-1111-2222-3333-" \
         "444455556666 u p - - default default] "


class Resp:
    def __init__(self, status_code, body=None):
        self.status_code, self._body = status_code, body or {}

    def json(self):
        return self._body


class FakeServer:
    """Stores by key like Albatross does; can lose its first answers or refuse big bodies."""

    def __init__(self, lose_answers=0, max_lines=None):
        self.stored: dict[str, dict] = {}
        self.posts = 0
        self.lose_answers, self.max_lines = lose_answers, max_lines

    def post(self, body: bytes):
        self.posts += 1
        lines = [json.loads(x) for x in body.decode().split("\n")]
        if self.max_lines and len(lines) > self.max_lines:
            return Resp(413)
        for line in lines:
            self.stored.setdefault(line["key"], line)
        if self.lose_answers:
            self.lose_answers -= 1
            raise requests.ConnectionError("answer lost")
        return Resp(200)

    def messages(self):
        return sorted(r["message"] for r in self.stored.values())


def _append(path, *messages):
    with open(path, "a") as f:
        for m in messages:
            f.write(HEADER + m + "\n")


def _agent(tmp_path, server, path, start_at="beginning"):
    cfg = AgentConfig(url="http://x", files=[FileSource(str(path), "RegionTwo", "glance")],
                      host="ctl1", position_file=str(tmp_path / "pos.json"), start_at=start_at,
                      batch_lines=3, timezone="UTC")
    return Agent(cfg, server.post)


def test_lines_are_attributed_parsed_and_shipped(tmp_path):
    log = tmp_path / "glance.log"
    _append(log, "one", "two")
    with open(log, "a") as f:
        f.write("Traceback (most recent call last):\n  File x\nhalf a line")
    server = FakeServer()
    assert _agent(tmp_path, server, log).run(once=True) == 2
    first, second = sorted(server.stored.values(), key=lambda r: r["key"])
    assert first == {"region": "RegionTwo", "service": "glance", "host": "ctl1",
                     "raw": HEADER + "one", "key": first["key"],
                     "time": "2026-11-30T02:16:50.110000+00:00", "level": "INFO",
                     "logger": "glance.api", "pid": 5982, "message": "one"}
    assert second["message"] == "two\nTraceback (most recent call last):\n  File x"


def test_start_at_end_ships_only_new_lines(tmp_path):
    log = tmp_path / "glance.log"
    _append(log, "old")
    server = FakeServer()
    agent = _agent(tmp_path, server, log, start_at="end")
    _append(log, "new")
    agent.run(once=True)
    assert server.messages() == ["new"]


def test_rotation_by_rename_and_restarts_lose_and_repeat_nothing(tmp_path):
    log = tmp_path / "glance.log"
    _append(log, "a1", "a2")
    server = FakeServer()
    _agent(tmp_path, server, log).run(once=True)
    _append(log, "a3")                       # written before the rotation...
    os.rename(log, tmp_path / "glance.log.1")
    _append(tmp_path / "glance.log.1", "a4")  # ...and by the service until it reopens
    _append(log, "b1", "b2")
    agent = _agent(tmp_path, server, log)     # a restart, after the rotation
    agent.run(once=True)
    os.rename(log, tmp_path / "glance.log.2")
    _append(log, "c1")
    agent.run(once=True)                      # the same agent, across a rotation
    agent = _agent(tmp_path, server, log)
    assert agent.run(once=True) == 0          # nothing twice after a restart
    assert server.messages() == ["a1", "a2", "a3", "a4", "b1", "b2", "c1"]
    assert len(server.stored) == 7


def test_copytruncate_starts_the_file_again(tmp_path):
    log = tmp_path / "glance.log"
    _append(log, "before-1", "before-2")
    server = FakeServer()
    agent = _agent(tmp_path, server, log)
    agent.run(once=True)
    with open(log, "w"):
        pass
    _append(log, "after")
    agent.run(once=True)
    assert server.messages() == ["after", "before-1", "before-2"]


def test_a_lost_answer_is_retried_and_stored_once(tmp_path):
    log = tmp_path / "glance.log"
    _append(log, "x1", "x2")
    server = FakeServer(lose_answers=1)
    _agent(tmp_path, server, log).run(once=True)
    assert server.posts == 2 and server.messages() == ["x1", "x2"]


def test_a_refused_large_batch_is_split():
    server = FakeServer(max_lines=2)
    shipper = Shipper(server.post, threading.Event())
    assert shipper.ship([{"key": str(i), "message": str(i)} for i in range(5)])
    assert len(server.stored) == 5


def test_rejected_lines_are_not_sent_again():
    answers = [Resp(400, {"error": {"message": "1 line(s) rejected, 1 stored: line 2: x"}})]
    shipper = Shipper(lambda body: answers.pop(), threading.Event())
    assert shipper.ship([{"key": "1"}, {"key": "2"}]) and not answers


def test_a_stopped_shipper_gives_up_without_moving_positions():
    stop = threading.Event()
    stop.set()
    assert not Shipper(lambda body: Resp(503), stop).ship([{"key": "1"}])


def test_records_use_the_configured_zone():
    import zoneinfo
    [(rec, end)] = records([RawLine(HEADER + "m", "k", 10)],
                           FileSource("p", "R", "s"), "h", zoneinfo.ZoneInfo("Europe/Paris"))
    assert rec["time"] == "2026-11-30T02:16:50.110000+01:00" and end == 10
