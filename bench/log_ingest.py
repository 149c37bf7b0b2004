"""Log ingestion and full-text search.

Ingestion, lines per second in one process: (a) through the API: POST /v1/logs with the
ingest token, the whole WSGI pipeline called in-process (no socket: body limit, auth_token,
router, JSON-lines parsing and validation, oslo.log parsing, insert); (b) the store alone
(LogStore.insert of rows already parsed), as the baseline that shows what parsing costs.

Search: N generated lines (oslo.log lines of Glance, Nova, Neutron, Cinder, Placement and
oslo.messaging with uuids, request ids, hosts and numbers; 4 regions, one day), then each
query newest first with LIMIT 100 through the engine's full-text index, against the same
filter as `LIKE '%word%'` on every word (the baseline), median of the rounds after a warm-up.

    .venv/bin/python -m bench.log_ingest [--lines 1000000] [--backends sqlite,postgresql]
        [--ingest-lines 50000] [--batch 1000] [--rounds 5]
"""
import argparse
import datetime
import json
import os
import random
import statistics
import tempfile
import time
import uuid

import sqlalchemy as sa
import webob
from oslo_config import cfg

from albatross import conf as albatross_conf
from albatross.db import engine as db_engine
from albatross.db import migrate
from albatross.db.logs import LogFilter, LogLine, LogStore
from albatross.logs import batch as log_batch

PG_ADMIN = os.environ.get("ALBATROSS_TEST_PG_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REGIONS = ("RegionOne", "RegionTwo", "RegionThree", "RegionFour")
TEMPLATES = [  # (service, logger, level, message), weights below
    ("glance", "glance.api.v2.image_data", "INFO",
     "Image {u} upload finished: {n} bytes in {f} seconds"),
    ("nova", "nova.compute.manager", "INFO",
     "[instance: {u}] Took {f} seconds to spawn the instance on the hypervisor."),
    ("nova", "nova.scheduler.filters.core_filter", "WARNING",
     "Host {h} has not enough {r}: requested {n}, free {m}"),
    ("neutron", "neutron.plugins.ml2.rpc", "INFO",
     "Port {u} updated. Details: {{'device_owner': 'compute:nova', 'status': 'ACTIVE'}}"),
    ("glance", "glance.common.wsgi", "ERROR",
     "Caught error: unable to receive chunked part: OSError: unable to receive chunked part"),
    ("nova", "oslo.messaging._drivers.impl_rabbit", "ERROR",
     "Connection to rabbitmq at 10.0.{m}.{n}:5672 lost, retrying in {m} seconds"),
    ("cinder", "cinder.volume.manager", "INFO", "Volume {u}: created successfully."),
    ("placement", "placement.requestlog", "INFO",
     '10.0.0.{m} "GET /resource_providers/{u}/allocations" status: 200 len: {n} '
     "microversion: 1.{m}"),
]
WEIGHTS = [20, 25, 5, 25, 2, 3, 10, 10]
QUERIES = [  # (label, full-text query, the LIKE words)
    ("common word", "instance", ["instance"]),
    ("two words", "rabbitmq lost", ["rabbitmq", "lost"]),
    ("phrase", '"not enough VCPU"', ["not enough VCPU"]),
    ("rare word (10 lines)", "quarantined", ["quarantined"]),
    ("one uuid", None, None),  # filled with a uuid of a generated line
]


def make_lines(n: int, rnd: random.Random) -> list[dict]:
    start = datetime.datetime(2026, 11, 29)
    out = []
    for i in range(n):
        service, logger, level, text = rnd.choices(TEMPLATES, WEIGHTS)[0]
        message = text.format(u=uuid.UUID(int=rnd.getrandbits(128)), n=rnd.randrange(10**6),
                              m=rnd.randrange(256), f=round(rnd.random() * 30, 2),
                              h=f"compute-{rnd.randrange(200)}",
                              r=rnd.choice(["VCPU", "MEMORY_MB", "DISK_GB"]))
        if i % (n // 10 or 1) == 0:
            message += " (volume quarantined)"
        req = f"req-{uuid.UUID(int=rnd.getrandbits(128))}"
        time = start + datetime.timedelta(seconds=86400 * i / n)
        raw = (f"{time:%Y-%m-%d %H:%M:%S.%f}"[:-3] + f" {rnd.randrange(1000, 30000)} {level} "
               f"{logger} [None {req} {uuid.uuid4().hex} {uuid.uuid4().hex} - - default "
               f"default] {message}")
        out.append({"time": time, "region": REGIONS[i % 4], "service": service,
                    "host": f"ctl-{i % 3}", "level": level, "logger": logger, "pid": 1,
                    "message": message, "raw": raw, "request_ids": [req], "extra": None,
                    "dedup_key": None})
    return out


def new_database(backend: str) -> tuple[str, callable]:
    if backend == "sqlite":
        path = tempfile.mktemp(suffix=".sqlite")
        return f"sqlite:///{path}", lambda: os.path.exists(path) and os.remove(path)
    name = f"albatross_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f"CREATE DATABASE {name}")
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"

    def drop():
        db_engine.dispose(url)
        with admin.connect() as c:
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    return url, drop


def api_app(url: str, token: str):
    from albatross.api.deploy import build_app
    from albatross.db.jobs import JobStore
    from albatross.services.runtime import Runtime
    conf = cfg.ConfigOpts()
    albatross_conf.register_opts(conf)
    conf([], project="albatross", default_config_files=[])
    conf.set_override("connection", url, group="database")
    conf.set_override("ingest_token", token, group="logs")
    rt = Runtime(conf=conf, store=JobStore(url), registry=None, health=None, dispatcher=None)
    return build_app(conf, rt)


def ingest(url: str, lines: list[dict], batch: int) -> dict:
    """Lines per second: through the API (JSON lines, as the agent sends them), then the
    store alone, into the same fresh database."""
    token = uuid.uuid4().hex
    app = api_app(url, token)
    bodies = []
    for i in range(0, len(lines), batch):
        bodies.append("\n".join(json.dumps({
            "time": f"{line['time'].isoformat()}Z", "region": line["region"],
            "service": line["service"], "host": line["host"], "message": line["raw"]})
            for line in lines[i:i + batch]).encode())

    def post(body):
        req = webob.Request.blank("/v1/logs", method="POST", body=body,
                                  headers={"Authorization": f"Bearer {token}",
                                           "Content-Type": "application/x-ndjson"})
        resp = req.get_response(app)
        assert resp.status_int == 200, resp.body[:300]

    store = LogStore(url)
    post(bodies[0])                 # warm-ups (engine, compiled statements), not timed
    store.insert(lines[:batch])
    t0 = time.perf_counter()
    for body in bodies:
        post(body)
    api = len(lines) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for i in range(0, len(lines), batch):
        store.insert(lines[i:i + batch])
    direct = len(lines) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    now = datetime.datetime.now()
    for body in bodies:
        log_batch.parse(body, batch, now)
    parse = len(lines) / (time.perf_counter() - t0)
    return {"api": api, "store": direct, "parse": parse}


def _time(fn, rounds: int) -> float:
    fn()
    runs = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def search(url: str, lines: list[dict], batch: int, rounds: int) -> list[tuple]:
    store = LogStore(url)
    t0 = time.perf_counter()
    for i in range(0, len(lines), batch):
        store.insert(lines[i:i + batch])
    loaded = time.perf_counter() - t0
    if url.startswith("postgresql"):
        with db_engine.get_engine(url).begin() as c:
            c.exec_driver_sql("ANALYZE")
    target = lines[len(lines) // 3]["message"].split()
    one = next(w for w in target if w.count("-") == 4 or "instance:" in w).strip("[]")
    one = one.removeprefix("instance:")
    results = [("load", len(lines), loaded)]
    for label, q, words in QUERIES:
        if q is None:
            q, words = f'"{one}"', [one]

        def fts(q=q):
            return store.search(LogFilter(q=q), 100)

        def like(words=words):
            query = sa.select(LogLine).where(*[LogLine.message.like(f"%{w}%") for w in words]) \
                .order_by(LogLine.time.desc(), LogLine.id.desc()).limit(100)
            with db_engine.session_scope(url) as s:
                return list(s.scalars(query))

        found, baseline = len(fts()), len(like())
        results.append((label, q, found, baseline, _time(fts, rounds), _time(like, rounds)))
    req = lines[len(lines) // 2]["request_ids"][0]
    results.append(("request id", req, len(store.search(LogFilter(request_id=req), 100)), None,
                    _time(lambda: store.search(LogFilter(request_id=req), 100), rounds), None))
    return results


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--lines", type=int, default=1_000_000)
    p.add_argument("--ingest-lines", type=int, default=50_000)
    p.add_argument("--batch", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--backends", default="sqlite,postgresql")
    args = p.parse_args()
    rnd = random.Random(7)
    small = make_lines(args.ingest_lines, rnd)
    big = make_lines(args.lines, rnd)
    for backend in args.backends.split(","):
        url, drop = new_database(backend)
        try:
            migrate.upgrade(url)
            rates = ingest(url, small, args.batch)
            print(f"\n{backend}: ingestion of {len(small)} lines, batches of {args.batch}")
            print(f"  through the API (in-process WSGI): {rates['api']:,.0f} lines/s")
            print(f"  store alone (baseline):            {rates['store']:,.0f} lines/s")
            print(f"  parsing alone:                     {rates['parse']:,.0f} lines/s")
            print(f"  ratio API / store:                 {rates['api'] / rates['store']:.2f}")
        finally:
            drop()
        url, drop = new_database(backend)
        try:
            migrate.upgrade(url)
            results = search(url, big, 5000, args.rounds)
            _, n, loaded = results[0]
            print(f"\n{backend}: {n:,} lines loaded in {loaded:.0f} s "
                  f"({n / loaded:,.0f} lines/s)")
            print(f"  {'query':22} {'hits':>5} {'full text':>11} {'LIKE':>11} {'ratio':>8}")
            for label, q, found, base, t_fts, t_like in results[1:]:
                ratio = f"{t_like / t_fts:8.1f}" if t_like else ""
                like = f"{t_like * 1000:9.1f}ms" if t_like else ""
                print(f"  {label:22} {found:5} {t_fts * 1000:9.1f}ms {like:>11} {ratio}"
                      + (f"  (LIKE found {base})" if base is not None and base != found else ""))
        finally:
            drop()


if __name__ == "__main__":
    main()
