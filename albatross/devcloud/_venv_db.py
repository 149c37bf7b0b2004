"""Run SQL as MariaDB root (no password) on 127.0.0.1. Runs with the DEV CLOUD venv's python
(PyMySQL), not with Albatross's: do not import albatross here.

stdin: {"port": 3306, "statements": ["...", ...]}
stdout: JSON list with the rows of each statement. Exit 2 if root cannot log in.
"""
import json
import sys

import pymysql

req = json.load(sys.stdin)
try:
    conn = pymysql.connect(host="127.0.0.1", port=req["port"], user="root", password="",
                           connect_timeout=5, autocommit=True)
except pymysql.err.OperationalError as exc:
    print(f"cannot log in as root without password on 127.0.0.1:{req['port']}: {exc}",
          file=sys.stderr)
    sys.exit(2)
out = []
with conn.cursor() as cur:
    for stmt in req["statements"]:
        cur.execute(stmt)
        out.append([list(r) for r in cur.fetchall()] if cur.description else [])
conn.close()
json.dump(out, sys.stdout, default=str)
