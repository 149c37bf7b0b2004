"""Install what the dev cloud needs: Debian packages (only what is missing) and one venv
with every OpenStack service, pinned by constraints.txt. Fast and idempotent: when the venv
already matches, this costs one short python start (importlib.metadata), no pip run.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from .processes import run
from .settings import (FAKEBIND_DIST, PINNED, PKG_DIR, UNPINNED, DevCloudError, Paths, log)

CONSTRAINTS = PKG_DIR / "constraints.txt"
FAKEBIND_SRC = PKG_DIR / "fakebind"
RABBIT_SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")

_CHECK = r"""
import importlib.metadata as md, json, re, sys
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
have = {norm(d.metadata["Name"]): d.version for d in md.distributions() if d.metadata["Name"]}
bad = [f"{n}=={v} (have {have.get(norm(n))})" for n, v in json.loads(sys.argv[1]).items()
       if norm(n) not in have or (v and have[norm(n)] != v)]
import hashlib, importlib.util
spec = importlib.util.find_spec("albatross_fakebind")
if spec is None or hashlib.sha256(open(spec.origin, "rb").read()).hexdigest() != sys.argv[2]:
    bad.append("albatross_fakebind.py (changed)")
print(json.dumps(bad))
"""


def _which(cmd: str) -> str | None:
    return shutil.which(cmd, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")


def apt_install(paths: Paths, packages: list[str]) -> None:
    if not packages:
        return
    if os.geteuid() != 0:
        raise DevCloudError(f"missing Debian packages {packages}; run as root or install them")
    t0 = time.monotonic()
    log(f"apt-get install {' '.join(packages)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    logfile = paths.logs / "apt.log"
    # keep apt from starting the distribution's daemons: we start our own, on our own data dir
    policy = Path("/usr/sbin/policy-rc.d")
    made_policy = not policy.exists()
    if made_policy:
        policy.write_text("#!/bin/sh\n# temporary, albatross.devcloud\nexit 101\n")
        policy.chmod(0o755)
    try:
        run(["apt-get", "update", "-qq"], logfile, env=env)
        run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages], logfile,
            env=env)
    finally:
        if made_policy:
            policy.unlink(missing_ok=True)
    log(f"apt done ({time.monotonic() - t0:.1f}s)")


def system_packages(paths: Paths, own_db: bool, own_rabbit: bool) -> list[str]:
    need = []
    if not (paths.bin / "uwsgi").exists():   # uWSGI is built from its sdist
        if not _which("gcc"):
            need.append("gcc")
        if not Path(sysconfig.get_paths()["include"], "Python.h").exists():
            need.append("python3-dev")
    if own_db and not _which("mariadbd"):
        need.append("mariadb-server")
    if own_rabbit and not RABBIT_SERVER.exists():
        need.append("rabbitmq-server")
    return need


def _wanted() -> dict[str, str]:
    want = dict(PINNED)
    want.update({n: "" for n in UNPINNED})
    if CONSTRAINTS.exists():
        for line in CONSTRAINTS.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if "==" in line:
                name, ver = line.split("==", 1)
                want.setdefault(name.strip(), ver.strip().split(";")[0].strip())
    want[FAKEBIND_DIST] = _fakebind_version()
    return want


def _fakebind_version() -> str:
    for line in (FAKEBIND_SRC / "pyproject.toml").read_text().splitlines():
        if line.startswith("version"):
            return line.split("=", 1)[1].strip().strip('"')
    return ""


def venv_missing(paths: Paths) -> list[str]:
    """What the venv lacks (empty list: nothing to do)."""
    if not paths.python.exists():
        return ["venv"]
    driver = hashlib.sha256((FAKEBIND_SRC / "albatross_fakebind.py").read_bytes()).hexdigest()
    p = subprocess.run([str(paths.python), "-I", "-c", _CHECK, json.dumps(_wanted()), driver],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return [f"venv check failed: {p.stderr.strip()[-300:]}"]
    bad = json.loads(p.stdout)
    if not (paths.bin / "uwsgi").exists():
        bad.append("uwsgi binary")
    return bad


def ensure_venv(paths: Paths) -> None:
    missing = venv_missing(paths)
    if not missing:
        return
    t0 = time.monotonic()
    paths.logs.mkdir(parents=True, exist_ok=True)
    logfile = paths.logs / "install.log"
    log(f"installing the OpenStack venv at {paths.venv} (missing: {', '.join(missing[:5])}"
        f"{' ...' if len(missing) > 5 else ''}); log: {logfile}")
    if not paths.python.exists():
        py = os.environ.get("ALBATROSS_DEVCLOUD_PYTHON") or sys.executable
        run([py, "-m", "venv", str(paths.venv)], logfile)
    pip = [str(paths.python), "-m", "pip", "--disable-pip-version-check"]
    # pip/setuptools/wheel too: the driver below is built without build isolation, and
    # constraints.txt pins them (freeze --all)
    specs = [f"{n}=={v}" for n, v in PINNED.items()] + UNPINNED + ["pip", "setuptools", "wheel"]
    cons = ["-c", str(CONSTRAINTS)] if CONSTRAINTS.exists() else []
    run(pip + ["install", "-q", *cons, *specs], logfile)
    # build the driver from a copy, so no build/ or egg-info lands in the source tree
    src = paths.base / "src" / "fakebind"
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(FAKEBIND_SRC, src)
    run(pip + ["install", "-q", "--no-deps", "--no-build-isolation", "--force-reinstall",
               str(src)], logfile)
    if not CONSTRAINTS.exists():
        write_constraints(paths)
    still = venv_missing(paths)
    if still:
        raise DevCloudError(f"venv still lacks {still}; see {logfile}")
    log(f"venv installed ({time.monotonic() - t0:.1f}s)")


def write_constraints(paths: Paths) -> Path:
    """Freeze the (working) venv into albatross/devcloud/constraints.txt."""
    p = subprocess.run([str(paths.python), "-m", "pip", "freeze", "--all", "--exclude",
                        FAKEBIND_DIST],
                       capture_output=True, text=True, check=True)
    lines = sorted((ln for ln in p.stdout.splitlines() if "==" in ln and " @ " not in ln),
                   key=str.lower)
    CONSTRAINTS.write_text(
        "# pip freeze of a working dev cloud venv (albatross.devcloud). The dev cloud installs\n"
        "# with `pip install -c` this file; regenerate: python -m albatross.devcloud freeze\n"
        + "\n".join(lines) + "\n")
    log(f"wrote {CONSTRAINTS} ({len(lines)} packages)")
    return CONSTRAINTS


def ensure_installed(paths: Paths, own_db: bool, own_rabbit: bool) -> None:
    paths.makedirs()
    apt_install(paths, system_packages(paths, own_db, own_rabbit))
    ensure_venv(paths)
