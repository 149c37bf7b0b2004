"""One simulated region's servers and its Placement (pure: no I/O), only as far as Albatross
reads them: servers to count (a server is ACTIVE the moment it is made), and one compute
node whose Placement usages are what those servers' flavors take, as Nova allocates them."""
import datetime
import uuid

from albatross.regionsim.errors import ApiError

# Nova's classic default flavors: id -> (name, vcpus, ram MB, disk GB)
FLAVORS = {"1": ("m1.tiny", 1, 512, 1), "2": ("m1.small", 1, 2048, 20),
           "3": ("m1.medium", 2, 4096, 40), "4": ("m1.large", 4, 8192, 80),
           "5": ("m1.xlarge", 8, 16384, 160)}
# the compute node: (total, reserved, allocation ratio) per resource class, Nova's default
# ratios, a plausible two-socket host
NODE = {"VCPU": (64, 0, 4.0), "MEMORY_MB": (262144, 512, 1.0), "DISK_GB": (2000, 0, 1.0)}


class Servers:
    def __init__(self):
        self.rows: dict[str, dict] = {}
        self.generation = 1      # the provider's: every allocation made or freed bumps it

    def create(self, body: dict, project_id: str, user_id: str) -> dict:
        ref = str(body.get("flavorRef", ""))
        if ref not in FLAVORS:
            raise ApiError(400, f"Flavor {ref} could not be found.")
        name, vcpus, ram, disk = FLAVORS[ref]
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        server = {"id": str(uuid.uuid4()), "name": body.get("name", ""), "status": "ACTIVE",
                  "tenant_id": project_id, "user_id": user_id,
                  "flavor": {"vcpus": vcpus, "ram": ram, "disk": disk, "ephemeral": 0,
                             "swap": 0, "original_name": name, "extra_specs": {}},
                  "image": {"id": body["imageRef"]} if body.get("imageRef") else "",
                  "addresses": {}, "metadata": body.get("metadata") or {},
                  "created": stamp, "updated": stamp}
        self.rows[server["id"]] = server
        self.generation += 1
        return server

    def get(self, server_id: str) -> dict:
        if server_id not in self.rows:
            raise ApiError(404, f"Instance {server_id} could not be found.")
        return self.rows[server_id]

    def delete(self, server_id: str) -> None:
        self.get(server_id)
        del self.rows[server_id]
        self.generation += 1

    # ---- Placement ----------------------------------------------------------------------
    def provider(self, region: str) -> dict:
        """The region's one compute node (its uuid the same on every run)."""
        return {"uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"regionsim:{region}")),
                "name": f"{region.lower()}-compute", "generation": self.generation}

    def inventories(self) -> dict:
        return {rc: {"total": total, "reserved": reserved, "min_unit": 1, "max_unit": total,
                     "step_size": 1, "allocation_ratio": ratio}
                for rc, (total, reserved, ratio) in NODE.items()}

    def usages(self) -> dict:
        flavors = [s["flavor"] for s in self.rows.values()]
        return {"VCPU": sum(f["vcpus"] for f in flavors),
                "MEMORY_MB": sum(f["ram"] for f in flavors),
                "DISK_GB": sum(f["disk"] + f["ephemeral"] for f in flavors)}
