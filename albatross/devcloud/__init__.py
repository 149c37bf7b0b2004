"""Albatross's development cloud: a real multi-region OpenStack on 127.0.0.1.

One shared Keystone and, per region, Glance, Neutron (ML2, no agents), Nova API, Cinder API
and Placement under uWSGI, from PyPI releases in a venv of their own ($BASE/venv), MariaDB
for every database. Optionally full Nova (conductor, scheduler, fake compute) in RegionOne.

    from albatross.devcloud import DevCloud
    info = DevCloud(regions=2).up()     # idempotent; returns info()

CLI: python -m albatross.devcloud up|down|status|stop|start|info  (see README.md here).
This package uses only the standard library; OpenStack runs in the separate venv.
"""
from .core import DevCloud
from .settings import DevCloudError

__all__ = ["DevCloud", "DevCloudError"]
