"""`albatross agent`: follows log files, attributes each line to a region, service and host,
parses oslo.log lines, and ships batches to POST /v1/logs.

Nothing is lost: a file's position moves only after the server has stored its lines, and
is saved (atomically) in the position file, so a restart goes on where the last stored batch
ended. Nothing is stored twice: each line carries a key (file identity and offset) and the
server skips keys it has, so a batch re-sent after a lost answer or a crash is harmless."""
import dataclasses
import datetime
import json
import logging
import os
import socket
import threading
import time
import zoneinfo

import requests
import yaml
from keystoneauth1 import exceptions as ks_exc

from albatross.logs import oslo
from albatross.logs.tail import MAX_LINE, Positions, RawLine, Watch

LOG = logging.getLogger(__name__)
RESCAN_SECONDS = 5.0
MAX_BACKOFF = 60.0


@dataclasses.dataclass
class FileSource:
    path: str       # a file or a glob
    region: str
    service: str


@dataclasses.dataclass
class AgentConfig:
    url: str | None
    files: list[FileSource]
    host: str = dataclasses.field(default_factory=socket.gethostname)
    position_file: str | None = None
    token_file: str | None = None
    os_cloud: str | None = None
    batch_lines: int = 500
    poll_interval: float = 1.0
    start_at: str = "end"           # for files the position file does not know yet
    timezone: str | None = None     # of oslo.log's zoneless times (default: this machine's)


def load_config(path: str | None, **overrides) -> AgentConfig:
    """The YAML file (see docs/logs.md), then the command line's options over it."""
    data = {}
    if path:
        with open(path) as f:
            data = yaml.safe_load(f) or {}
    data.update({k: v for k, v in overrides.items() if v not in (None, [])})
    try:
        files = [f if isinstance(f, FileSource) else FileSource(**f)
                 for f in data.pop("files", [])]
        cfg = AgentConfig(files=files, **{"url": None, **data})
    except TypeError as exc:
        raise ValueError(f"agent config: {exc}")
    if not cfg.files:
        raise ValueError("agent config: no files to follow (files: or --file)")
    if cfg.start_at not in ("end", "beginning"):
        raise ValueError("agent config: start_at must be end or beginning")
    return cfg


def parse_file_option(value: str) -> FileSource:
    """REGION:SERVICE:PATH"""
    region, service, path = value.split(":", 2)
    return FileSource(path=path, region=region, service=service)


def records(lines: list[RawLine], source: FileSource, host: str, tz) -> list[tuple[dict, int]]:
    """(record, end offset) per log entry; lines without an oslo.log header (a raw traceback,
    a print) continue the entry before them in the same read, or stand alone."""
    out: list[tuple[dict, int]] = []
    for line in lines:
        parsed = oslo.parse(line.text)
        if parsed is None and out and len(out[-1][0]["raw"]) + len(line.text) < MAX_LINE:
            rec = out[-1][0]
            rec["message"] += "\n" + line.text
            rec["raw"] += "\n" + line.text
            out[-1] = (rec, line.end)
            continue
        rec = {"region": source.region, "service": source.service, "host": host,
               "raw": line.text, "key": line.key}
        if parsed is None:
            rec.update(time=datetime.datetime.now(datetime.UTC).isoformat(), level="INFO",
                       message=line.text)
        else:
            zoned = parsed.time.replace(tzinfo=tz) if tz else parsed.time.astimezone()
            rec.update(time=zoned.isoformat(), level=parsed.level, logger=parsed.logger,
                       pid=parsed.pid, message=parsed.message)
        out.append((rec, line.end))
    return out


class Shipper:
    """POSTs JSON lines; retries with backoff until the server has them or `stop` is set."""

    def __init__(self, post, stop: threading.Event):
        self.post, self.stop = post, stop

    def ship(self, batch: list[dict]) -> bool:
        body = "\n".join(json.dumps(r) for r in batch).encode()
        delay = 1.0
        while not self.stop.is_set():
            try:
                resp = self.post(body)
            except (requests.RequestException, ks_exc.ClientException) as exc:
                LOG.warning("log server not reachable (%s); retrying in %.0fs",
                            type(exc).__name__, delay)
            else:
                if resp.status_code == 200:
                    return True
                if resp.status_code == 413 and len(batch) > 1:
                    half = len(batch) // 2
                    return self.ship(batch[:half]) and self.ship(batch[half:])
                if resp.status_code == 400:
                    self._report_rejected(resp)
                    return True  # the valid lines are stored; the others never will be
                LOG.warning("log server answered %s; retrying in %.0fs", resp.status_code,
                            delay)
            self.stop.wait(delay)
            delay = min(delay * 2, MAX_BACKOFF)
        return False

    @staticmethod
    def _report_rejected(resp) -> None:
        try:
            LOG.error("log server rejected lines: %s", resp.json()["error"]["message"][:1000])
        except (ValueError, KeyError, TypeError):
            LOG.error("log server rejected the batch: %s", resp.text[:500])


def http_post(cfg: AgentConfig):
    """A function that POSTs a body: with the ingest token (token file or
    ALBATROSS_INGEST_TOKEN), or else with a Keystone token of cfg.os_cloud."""
    headers = {"Content-Type": "application/x-ndjson"}
    token = os.environ.get("ALBATROSS_INGEST_TOKEN")
    if cfg.token_file:
        with open(cfg.token_file) as f:
            token = f.read().strip()
    if token:
        if not cfg.url:
            raise ValueError("agent config: url is required with an ingest token")
        session, url = requests.Session(), cfg.url.rstrip("/") + "/v1/logs"
        headers["Authorization"] = f"Bearer {token}"
        return lambda body: session.post(url, data=body, headers=headers, timeout=30)
    from albatross.cmd.client.http import AlbatrossClient
    client = AlbatrossClient(cloud=cfg.os_cloud, url=cfg.url)
    return lambda body: client.session.post(client.url + "/v1/logs", data=body,
                                            headers=headers, raise_exc=False, timeout=30)


class Agent:
    def __init__(self, cfg: AgentConfig, post, stop: threading.Event | None = None):
        self.cfg = cfg
        self.stop = stop or threading.Event()
        self.shipper = Shipper(post, self.stop)
        self.tz = zoneinfo.ZoneInfo(cfg.timezone) if cfg.timezone else None
        self.positions = Positions(cfg.position_file)
        self.watches = [(s, Watch(s.path, cfg.host, self.positions, cfg.start_at == "end"))
                        for s in cfg.files]
        self.positions.save()  # where it starts: every line written from now on is shipped

    def step(self) -> int:
        """Read one batch from the files, ship it, and move their positions."""
        batch = []
        for source, watch in self.watches:
            for follower in watch.followers.values():
                room = self.cfg.batch_lines - len(batch)
                if room <= 0:
                    break
                lines = follower.read(room)
                entries = records(lines, source, self.cfg.host, self.tz)
                if len(lines) == room and len(entries) > 1:
                    entries.pop()  # it may go on in lines not read yet: read it again next time
                batch += [(follower, end, rec) for rec, end in entries]
        if not batch or not self.shipper.ship([rec for _, _, rec in batch]):
            return 0
        ends = {}
        for follower, end, _ in batch:
            ends[follower] = end
        for follower, end in ends.items():
            follower.commit(end)
        self.positions.save()
        LOG.debug("shipped %d log lines", len(batch))
        return len(batch)

    def run(self, once: bool = False) -> int:
        """Until stopped (once: until every file is read to its end); returns lines shipped."""
        shipped, scanned = 0, time.monotonic()
        while not self.stop.is_set():
            n = self.step()
            shipped += n
            if n == 0:
                if once:
                    break
                self.stop.wait(self.cfg.poll_interval)
            if time.monotonic() - scanned > RESCAN_SECONDS:
                scanned = time.monotonic()
                for _source, watch in self.watches:
                    watch.scan()
        return shipped

    def close(self) -> None:
        for _source, watch in self.watches:
            for follower in watch.followers.values():
                follower.close()
