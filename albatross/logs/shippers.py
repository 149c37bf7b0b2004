"""Who ships log lines, and what each shipper may say. A shipper's credential binds it to a
region, so a line cannot claim to come from a region its shipper does not serve; its dedup
keys live in its own namespace, so lines sent ahead by someone else never make its real ones
be dropped as duplicates; and every line is redacted as Albatross's own logs are."""
import hashlib
import hmac
from dataclasses import dataclass

from albatross.events.extract import masked
from albatross.log import redact

ANY_REGION = "*"


@dataclass(frozen=True)
class Shipper:
    name: str
    region: str = ANY_REGION


class ShipperConfigError(ValueError):
    pass


def configured(conf) -> list[tuple[Shipper, str]]:
    """([logs] shippers entries NAME:REGION:TOKEN) + the legacy [logs] ingest_token, which
    may send lines of any region."""
    out = []
    for entry in conf.logs.shippers:
        parts = entry.split(":", 2)
        if len(parts) != 3 or not all(parts):
            raise ShipperConfigError("[logs] shippers: each entry is NAME:REGION:TOKEN")
        out.append((Shipper(parts[0], parts[1]), parts[2]))
    if conf.logs.ingest_token:
        out.append((Shipper("ingest_token"), conf.logs.ingest_token))
    return out


def identify(conf, bearer: str) -> Shipper | None:
    """The shipper whose token this is (every token compared, in constant time)."""
    found = None
    for shipper, token in configured(conf):
        if hmac.compare_digest(bearer.encode(), token.encode()):
            found = found or shipper
    return found


def admit(row: dict, shipper: Shipper) -> str | None:
    """Make `row` safe to store for `shipper` (in place); the reason it is refused, if it is."""
    if shipper.region != ANY_REGION and row["region"] != shipper.region:
        return f"region: shipper {shipper.name} sends lines of {shipper.region} only"
    if row.get("dedup_key"):
        row["dedup_key"] = hashlib.sha256(
            f"{shipper.name}\0{row['dedup_key']}".encode()).hexdigest()
    row["message"] = redact(row["message"])
    if row.get("raw"):
        row["raw"] = redact(row["raw"])
    if row.get("extra"):
        row["extra"] = masked(row["extra"])
    return None
