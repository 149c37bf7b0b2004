"""Which image fields travel with a copy, and what differs between a source and its copy.
Pure: works on the flat dict Glance returns (core fields and custom properties side by side)."""
from dataclasses import dataclass

# set by Glance, or reserved for it: never written to a copy
READ_ONLY = frozenset({
    "id", "status", "created_at", "updated_at", "checksum", "size", "virtual_size", "file",
    "schema", "os_hash_algo", "os_hash_value", "direct_url", "locations", "self", "stores",
    "owner", "os_hidden"})
RESERVED_PREFIXES = ("os_glance_",)
CORE = ("name", "disk_format", "container_format", "min_disk", "min_ram", "visibility",
        "protected", "tags")
# Albatross's own marks on a copy (its own prefix: os_glance_* belongs to Glance)
SOURCE_MARK = "albatross_source_id"
REFERENCES = ("kernel_id", "ramdisk_id")  # AMI: point at the copies of the AKI/ARI images


@dataclass(frozen=True)
class ImageState:
    """The facts a sync needs about one image in one region."""
    id: str
    status: str
    owner: str | None
    size: int | None
    checksum: str | None
    hash_algo: str | None
    hash_value: str | None
    hidden: bool
    fields: dict  # everything writable: core fields and custom properties

    def to_dict(self) -> dict:
        return {"id": self.id, "status": self.status, "owner": self.owner, "size": self.size,
                "checksum": self.checksum, "hash_algo": self.hash_algo,
                "hash_value": self.hash_value, "hidden": self.hidden, "fields": self.fields}

    @classmethod
    def from_dict(cls, d: dict) -> "ImageState":
        return cls(d["id"], d["status"], d.get("owner"), d.get("size"), d.get("checksum"),
                   d.get("hash_algo"), d.get("hash_value"), bool(d.get("hidden")),
                   dict(d.get("fields") or {}))

    @property
    def name(self) -> str:
        return self.fields.get("name") or self.id

    def same_bytes(self, other: "ImageState") -> bool:
        """Same content: by the multihash when both have it, else by md5 and size."""
        if self.hash_value and other.hash_value and self.hash_algo == other.hash_algo:
            return self.hash_value == other.hash_value
        return bool(self.checksum) and self.checksum == other.checksum and \
            self.size == other.size


def writable(raw: dict) -> dict:
    """The fields of a flat Glance image dict that a copy carries."""
    out = {}
    for key, value in raw.items():
        if key in READ_ONLY or key.startswith(RESERVED_PREFIXES) or value is None:
            continue
        out[key] = sorted(value) if key == "tags" else value
    return out


def state_from_raw(raw: dict) -> ImageState:
    return ImageState(raw["id"], raw.get("status", ""), raw.get("owner"), raw.get("size"),
                      raw.get("checksum"), raw.get("os_hash_algo"), raw.get("os_hash_value"),
                      bool(raw.get("os_hidden")), writable(raw))


def desired_fields(source: ImageState, references: dict[str, str]) -> dict:
    """What the copy should carry: the source's writable fields, AMI references rewritten to
    the copies' ids, and the mark naming the source image."""
    fields = dict(source.fields)
    for key in REFERENCES:
        if key in fields and fields[key] in references:
            fields[key] = references[fields[key]]
    fields[SOURCE_MARK] = source.id
    return fields


def metadata_patch(desired: dict, current: dict) -> tuple[dict, list[str]]:
    """(fields to set, custom properties to remove) so that `current` becomes `desired`.
    Core fields are never removed; `disk_format`/`container_format` cannot change after
    upload and are left to the caller to treat as a replacement."""
    changes = {k: v for k, v in desired.items()
               if k not in ("disk_format", "container_format") and current.get(k) != v}
    removed = sorted(k for k in current if k not in desired and k not in CORE)
    return changes, removed


def immutable_differences(desired: dict, current: dict) -> list[str]:
    return [k for k in ("disk_format", "container_format") if desired.get(k) != current.get(k)]
