"""The `albatross` command: server-side commands (serve, worker, db, devcloud) and client
commands over the REST API (region, keypair, flavor, secgroup, policy, drift, job, quota)."""
import argparse
import logging
import sys

from albatross import log
from albatross.cmd.client import commands as client_commands
from albatross.cmd.client import flavor_commands, image_commands, image_mode_commands
from albatross.cmd.client import quota_commands, rollout_commands
from albatross.cmd.client import address_commands, event_commands, secgroup_commands
from albatross.cmd.client import indicator_commands, log_commands


def _server_conf(args):
    from albatross import conf as albatross_conf
    files = [args.config_file] if args.config_file else None
    return albatross_conf.load([], config_files=files)


def cmd_serve(args):
    from albatross.cmd.serve import serve
    return serve(_server_conf(args))


def cmd_worker(args):
    from albatross.cmd.worker import run_worker
    return run_worker(_server_conf(args), args.concurrency, args.name)


def cmd_db(args):
    from albatross.db import migrate
    url = _server_conf(args).database.connection
    if args.action == "upgrade":
        migrate.upgrade(url, args.revision or "head")
    elif args.action == "downgrade":
        migrate.downgrade(url, args.revision or "-1")
    print(f"database at revision {migrate.current(url)}")
    return 0


def cmd_devcloud(args):
    from albatross.devcloud import cli
    return cli.main(args.devcloud_args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="albatross", description=__doc__)
    p.add_argument("--config-file", help="albatross.conf (default: the oslo.config search "
                                         "path, e.g. /etc/albatross/albatross.conf)")
    p.add_argument("--debug", action="store_true", help="verbose logs")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the API and the embedded worker")
    s.set_defaults(func=cmd_serve)
    s = sub.add_parser("worker", help="run a Celery worker (executor = celery)")
    s.add_argument("--concurrency", type=int, help="tasks at once (default: [jobs] "
                                                   "worker_threads)")
    s.add_argument("--name", help="Celery node name (default albatross@HOST)")
    s.set_defaults(func=cmd_worker)
    s = sub.add_parser("db", help="database migrations")
    s.add_argument("action", choices=["upgrade", "downgrade", "version"])
    s.add_argument("revision", nargs="?")
    s.set_defaults(func=cmd_db)
    s = sub.add_parser("devcloud", help="real multi-region OpenStack on this machine",
                       add_help=False)
    s.add_argument("devcloud_args", nargs=argparse.REMAINDER)
    s.set_defaults(func=cmd_devcloud)
    client_commands.register(sub)
    quota_commands.register(sub)
    flavor_commands.register(sub)
    secgroup_commands.register(sub)
    image = image_commands.register(sub)
    rollout_commands.register(image)
    image_mode_commands.register(image)
    address_commands.register(sub)
    indicator_commands.register(sub)
    event_commands.register(sub)
    log_commands.register(sub)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    log.setup(logging.DEBUG if args.debug else logging.INFO)
    try:
        return args.func(args) or 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
