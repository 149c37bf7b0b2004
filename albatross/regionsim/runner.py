"""The simulator in a background thread of this process (tests and benches), and an
openstacksdk connection to one of its regions without Keystone (tests only: Albatross itself
reaches the simulator through the real Keystone's catalog)."""
import asyncio
import socket
import threading

import openstack
from aiohttp import web
from keystoneauth1 import noauth
from keystoneauth1 import session as ks_session

from albatross.regionsim.app import Simulator, build


class Running:
    def __init__(self, sim: Simulator, host: str = "127.0.0.1"):
        self.sim, self.host = sim, host
        with socket.socket() as s:
            s.bind((host, 0))
            self.port = s.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        self._runner = web.AppRunner(build(sim))
        started = threading.Event()

        def run():
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._runner.setup())
            self._loop.run_until_complete(web.TCPSite(self._runner, host, self.port).start())
            started.set()
            self._loop.run_forever()
        threading.Thread(target=run, name="regionsim", daemon=True).start()
        if not started.wait(10):
            raise RuntimeError("the region simulator did not start")

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def endpoints(self, region: str) -> dict[str, str]:
        """What a catalog lists for the region."""
        return {"compute": f"{self.url}/{region}/compute/v2.1",
                "network": f"{self.url}/{region}/network",
                "block_storage": f"{self.url}/{region}/volume/v3/%(project_id)s",
                "image": f"{self.url}/{region}/image",
                "placement": f"{self.url}/{region}/placement"}

    def connection(self, region: str) -> openstack.connection.Connection:
        ep = self.endpoints(region)
        ep["block_storage"] = ep["block_storage"].replace("%(project_id)s", "sim")
        return openstack.connection.Connection(
            session=ks_session.Session(auth=noauth.NoAuth()), region_name=region,
            **{f"{service}_endpoint_override": url for service, url in ep.items()})

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
