"""One simulated region's Glance v2 (pure: no I/O), as Glance 33 answers an admin: image
records with an id and owner of the caller's choosing, data uploaded queued -> saving ->
active with Glance's size, md5 checksum and sha512 multihash, tags, JSON-patch updates,
members of shared images, protected images kept from deletion. The data is kept in memory, in
the chunks it arrived in (never joined: an image is held once); for benchmarks with small
images. Error statuses and messages are the real Glance's (checked against the dev cloud)."""
import copy
import datetime
import hashlib
import re
import uuid
from urllib.parse import urlencode

from albatross.regionsim.errors import ApiError

DISK_FORMATS = ("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso",
                "ploop")
CONTAINER_FORMATS = ("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed")
VISIBILITIES = ("public", "private", "shared", "community")
# Glance's request deserializer: what a client may never write, and what is reserved
READ_ONLY = ("created_at", "updated_at", "status", "checksum", "size", "virtual_size",
             "direct_url", "self", "file", "schema", "id", "os_hash_algo", "os_hash_value",
             "stores")
RESERVED = ("location", "deleted", "deleted_at")
# the writable attributes of an image (the rest are custom properties, strings only)
CORE = {"name": (str, type(None)), "disk_format": (str, type(None)),
        "container_format": (str, type(None)), "visibility": (str,), "min_ram": (int,),
        "min_disk": (int,), "protected": (bool,), "os_hidden": (bool,),
        "owner": (str, type(None)), "tags": (list,)}
# the order Glance's serializer writes an image's attributes in (after its properties)
SHOWN = ("name", "disk_format", "container_format", "visibility", "size", "virtual_size",
         "status", "checksum", "protected", "min_ram", "min_disk", "owner", "os_hidden",
         "os_hash_algo", "os_hash_value", "id", "created_at", "updated_at", "tags")
FILTERED = ("name", "id", "status", "container_format", "disk_format")   # take `in:a,b`
PAGE, MAX_PAGE = 25, 1000   # Glance's limit_param_default and api_limit_max
UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
PATCH_TYPES = {"application/openstack-images-v2.1-json-patch": 10,
               "application/openstack-images-v2.0-json-patch": 4}


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check(key: str, value) -> None:
    """Glance's image schema, for one attribute or custom property."""
    if key in CORE:
        if not isinstance(value, CORE[key]) or (isinstance(value, bool) and bool not in
                                                CORE[key]):
            raise ApiError(400, f"Provided object does not match schema 'image': {value!r} "
                                f"is not valid for {key!r}")
        allowed = {"disk_format": (None, *DISK_FORMATS), "visibility": VISIBILITIES,
                   "container_format": (None, *CONTAINER_FORMATS)}.get(key)
        if allowed is not None and value not in allowed:
            raise ApiError(400, f"Provided object does not match schema 'image': {value!r} "
                                f"is not one of {list(allowed)}")
        if key == "tags" and any(not isinstance(t, str) or len(t) > 255 for t in value):
            raise ApiError(400, "Provided object does not match schema 'image': tags")
    elif not isinstance(value, str):
        raise ApiError(400, f"Provided object does not match schema 'image': {value!r} is "
                            f"not of type 'string'")


def _writable(key: str) -> None:
    if key in READ_ONLY:
        raise ApiError(403, f"Attribute '{key}' is read-only.")
    if key in RESERVED or key.startswith("os_glance"):
        raise ApiError(403, "Access was denied to this resource.")


class Upload:
    """The bytes of one upload as they arrive: Glance's hashes and the chunks themselves."""

    def __init__(self):
        self.md5, self.sha512 = hashlib.md5(usedforsecurity=False), hashlib.sha512()
        self.chunks: list[bytes] = []
        self.size = 0

    def add(self, chunk: bytes) -> None:
        self.md5.update(chunk)
        self.sha512.update(chunk)
        self.chunks.append(chunk)
        self.size += len(chunk)


class Link:
    """One direction of a region's link at `mbps` (0: unlimited): the transfers through it
    share it, chunk by chunk, first come first served, as on a WAN link."""

    def __init__(self):
        self.free_at = 0.0

    def delay(self, nbytes: int, mbps: float, at: float) -> float:
        """Seconds until a chunk of `nbytes` offered at time `at` has gone through (its time
        on the link is reserved)."""
        if not mbps:
            return 0.0
        self.free_at = max(at, self.free_at) + nbytes * 8 / (mbps * 1e6)
        return self.free_at - at


class Images:
    def __init__(self):
        self.images: dict[str, dict] = {}     # id -> record (custom properties inside)
        self.data: dict[str, tuple] = {}      # id -> the chunks of an active image
        self.members: dict[str, dict] = {}    # id -> {member id: member}
        self.gone: set[str] = set()           # deleted ids: Glance never reuses one
        self.inbound, self.outbound = Link(), Link()

    # ---- records ----------------------------------------------------------------------
    def get(self, image_id: str) -> dict:
        img = self.images.get(image_id)
        if img is None:
            raise ApiError(404, f"No image found with ID {image_id}")
        return img

    def create(self, body: dict) -> dict:
        body = dict(body)
        image_id = body.pop("id", None) or str(uuid.uuid4())
        if not isinstance(image_id, str) or not UUID.match(image_id):
            raise ApiError(400, f"Provided object does not match schema 'image': "
                                f"{image_id!r} does not match the id pattern")
        for key, value in body.items():
            _writable(key)
            _check(key, value)
        if image_id in self.images or image_id in self.gone:
            raise ApiError(409, f"Image ID {image_id} already exists!")
        stamp = now()
        img = {"name": None, "disk_format": None, "container_format": None,
               "visibility": "shared", "size": None, "virtual_size": None, "status": "queued",
               "checksum": None, "protected": False, "min_ram": 0, "min_disk": 0,
               "owner": None, "os_hidden": False, "os_hash_algo": None, "os_hash_value": None,
               "id": image_id, "created_at": stamp, "updated_at": stamp, **body,
               "tags": sorted(set(body.get("tags", [])))}
        self.images[image_id] = img
        return img

    def update(self, image_id: str, content_type: str, changes) -> dict:
        """A JSON patch, applied whole or not at all (Glance saves once, at the end)."""
        if content_type not in PATCH_TYPES:
            raise ApiError(415, f"The request media type {content_type} is not supported "
                                f"by this server.")
        if not isinstance(changes, list):
            raise ApiError(400, "Request body must be a JSON array of operation objects.")
        img = copy.deepcopy(self.get(image_id))
        for change in changes:
            op, key, value = self._parse(change, PATCH_TYPES[content_type])
            if op == "remove" and key in CORE:
                raise ApiError(403, "Access was denied to this resource.")
            if op != "add" and key not in img:     # no such custom property
                raise ApiError(409, "There was a conflict when trying to complete your "
                                    "request.")
            if op == "remove":
                del img[key]
            else:
                img[key] = sorted(set(value)) if key == "tags" else value
        img["updated_at"] = now()
        self.images[image_id] = img
        return img

    @staticmethod
    def _parse(change, draft: int) -> tuple[str, str, object]:
        if not isinstance(change, dict):
            raise ApiError(400, "Operations must be JSON objects.")
        if draft == 10:
            op, path = change.get("op"), change.get("path")
        else:
            op = next((k for k in ("add", "remove", "replace") if k in change), None)
            path = change.get(op)
        if op not in ("add", "remove", "replace") or not isinstance(path, str):
            raise ApiError(400, "Invalid operation: it must be one of add, remove, replace.")
        parts = [p.replace("~1", "/").replace("~0", "~") for p in path.lstrip("/").split("/")]
        if not path.startswith("/") or len(parts) != 1:
            raise ApiError(400, f"Invalid JSON pointer for this resource: '{path}'")
        key = parts[0]
        _writable(key)
        if op == "remove":
            return op, key, None
        if "value" not in change:
            raise ApiError(400, f'Operation "{op}" requires a member named "value".')
        _check(key, change["value"])
        return op, key, change["value"]

    def add_tag(self, image_id: str, tag: str) -> None:
        img = self._tagged(image_id)
        _check("tags", [tag])
        img["tags"] = sorted({*img["tags"], tag})
        img["updated_at"] = now()

    def remove_tag(self, image_id: str, tag: str) -> None:
        img = self._tagged(image_id)
        if tag not in img["tags"]:
            raise ApiError(404, "The resource could not be found.")
        img["tags"].remove(tag)
        img["updated_at"] = now()

    def _tagged(self, image_id: str) -> dict:
        if image_id not in self.images:
            raise ApiError(404, f"Image {image_id} not found.")
        return self.images[image_id]

    def delete(self, image_id: str) -> None:
        img = self.images.get(image_id)
        if img is None:
            raise ApiError(404, f"Failed to find image {image_id} to delete")
        if img["protected"]:
            raise ApiError(403, f"Image {image_id} is protected and cannot be deleted.")
        del self.images[image_id]
        self.data.pop(image_id, None)
        self.members.pop(image_id, None)
        self.gone.add(image_id)

    # ---- data ---------------------------------------------------------------------------
    def begin_upload(self, image_id: str) -> Upload:
        img = self.get(image_id)
        if img["status"] != "queued":
            raise ApiError(409, f"Image status transition from {img['status']} to saving is "
                                f"not allowed")
        missing = [k for k in ("disk_format", "container_format") if not img[k]]
        if missing:
            raise ApiError(400, f"Propert{'ies' if len(missing) > 1 else 'y'} "
                                f"{', '.join(missing)} must be set prior to saving data.")
        img["status"] = "saving"
        return Upload()

    def finish_upload(self, image_id: str, upload: Upload) -> None:
        img = self.images.get(image_id)
        if img is None or img["status"] != "saving":
            raise ApiError(410, f"Image {image_id} could not be found after upload. The "
                                f"image may have been deleted during the upload, cleaning up "
                                f"the chunks uploaded.")
        # Glance's format inspection sizes only a raw, bare image here (and never an empty one)
        raw = (img["disk_format"], img["container_format"]) == ("raw", "bare")
        img.update(size=upload.size, checksum=upload.md5.hexdigest(), os_hash_algo="sha512",
                   os_hash_value=upload.sha512.hexdigest(), status="active",
                   virtual_size=upload.size if raw and upload.size else None,
                   updated_at=now())
        self.data[image_id] = tuple(upload.chunks)

    def abort_upload(self, image_id: str) -> None:
        """The upload broke: back to queued, as Glance restores an image, for a retry."""
        img = self.images.get(image_id)
        if img is not None and img["status"] == "saving":
            img["status"] = "queued"

    def chunks(self, image_id: str) -> tuple | None:
        """The image's data, None when it has none (Glance answers 204 then)."""
        self.get(image_id)
        return self.data.get(image_id)

    # ---- members ------------------------------------------------------------------------
    def add_member(self, image_id: str, member_id: str) -> dict:
        img = self.get(image_id)
        if img["visibility"] != "shared":
            raise ApiError(403, f"Not allowed to create members for image {image_id}.")
        members = self.members.setdefault(image_id, {})
        if member_id in members:
            raise ApiError(409, f"Member {member_id} is duplicated for image {image_id}")
        stamp = now()
        members[member_id] = {"member_id": member_id, "image_id": image_id,
                              "status": "pending", "created_at": stamp, "updated_at": stamp,
                              "schema": "/v2/schemas/member"}
        return members[member_id]

    def member(self, image_id: str, member_id: str) -> dict:
        if self.get(image_id)["visibility"] != "shared":
            raise ApiError(404, "Only shared images have members.")
        found = self.members.get(image_id, {}).get(member_id)
        if found is None:
            raise ApiError(404, f"{member_id} not found in the member list of the image "
                                f"{image_id}.")
        return found

    # ---- listing ------------------------------------------------------------------------
    def listing(self, pairs: list[tuple[str, str]]) -> dict:
        """GET /v2/images as Glance answers an admin: every project's images but community
        ones unless asked, hidden ones only when asked; newest first, a page at a time, with
        `next` while a page is full."""
        params = dict(pairs)
        if {"sort", "sort_key", "sort_dir"} & set(params):
            raise ApiError(400, "the simulator sorts only as Glance does by default")
        try:
            limit = min(int(params.get("limit", PAGE)), MAX_PAGE)
        except ValueError:
            raise ApiError(400, "limit param must be an integer") from None
        if limit < 0:
            raise ApiError(400, "limit param must be positive")
        wanted = _filter([(k, v) for k, v in pairs if k not in ("limit", "marker")])
        rows = sorted((i for i in self.images.values() if wanted(i)),
                      key=lambda i: (i["created_at"], i["id"]), reverse=True)
        if "marker" in params:
            m = self.images.get(params["marker"])
            if m is None:
                raise ApiError(400, f"No image found with ID {params['marker']}")
            rows = [i for i in rows if (i["created_at"], i["id"]) < (m["created_at"], m["id"])]
        page = rows[:limit]
        params.pop("marker", None)
        body = {"images": page, "first": "/v2/images" + (f"?{urlencode(params)}" if params
                                                          else ""),
                "schema": "/v2/schemas/images"}
        if page and len(page) == limit:
            body["next"] = f"/v2/images?{urlencode({**params, 'marker': page[-1]['id']})}"
        return body


def _filter(pairs: list[tuple[str, str]]):
    """Glance's listing filters as one predicate: visibility, os_hidden (false unless asked),
    protected, every `tag`, `in:` lists of names, ids, statuses and formats, any other
    attribute or custom property by its value."""
    tags = {v for k, v in pairs if k == "tag"}
    params = {k: v for k, v in pairs if k not in ("tag", "member_status")}  # admin: any member
    visibility = params.pop("visibility", None)
    if visibility not in (None, "all", *VISIBILITIES):
        raise ApiError(400, f"Invalid visibility value: {visibility}")
    flags = {}
    for flag, default in (("os_hidden", "false"), ("protected", None)):
        value = params.pop(flag, default)
        if value is not None and value.lower() not in ("true", "false"):
            raise ApiError(400, f"Invalid value '{value}' for '{flag}' filter. Valid values "
                                f"are 'true' or 'false'.")
        if value is not None:
            flags[flag] = value.lower() == "true"

    def wanted(img: dict) -> bool:
        if visibility is None and img["visibility"] == "community" or \
                visibility not in (None, "all") and img["visibility"] != visibility:
            return False
        if any(img[f] != v for f, v in flags.items()) or not tags <= set(img["tags"]):
            return False
        return all(img.get(k) in v[3:].split(",") if k in FILTERED and v.startswith("in:")
                   else str(img.get(k)) == v for k, v in params.items())
    return wanted


def shown(img: dict, has_data: bool) -> dict:
    """The image as Glance's serializer writes it: custom properties first, then the
    attributes, the links and, once it has data, its store."""
    props = {k: v for k, v in img.items() if k not in SHOWN}
    link = f"/v2/images/{img['id']}"
    return {**props, **{k: img[k] for k in SHOWN}, "self": link, "file": f"{link}/file",
            "schema": "/v2/schemas/image", **({"stores": "fs"} if has_data else {})}
