#!/usr/bin/env bash
# Creates .venv with Albatross and its test tools. Idempotent and quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null
fi
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "Python 3.11 or newer is needed" >&2; exit 1; }
[ -x .venv/bin/python ] || python3 -m venv .venv
stamp=.venv/.albatross-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "[bootstrap] installing Albatross into .venv (log: .venv/install.log)" >&2
  if ! { .venv/bin/pip install -U pip setuptools wheel && .venv/bin/pip install -e '.[test]'; } \
      > .venv/install.log 2>&1; then
    tail -30 .venv/install.log >&2; exit 1
  fi
  touch "$stamp"
fi
