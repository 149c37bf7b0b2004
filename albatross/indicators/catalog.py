"""Every indicator Albatross collects: its name (the API's `name`, and `albatross_NAME` in
Prometheus), what it means, the label its sub-key is exported as, and who may read it.

A series is (name, region, project_id, key): `key` is the service type, resource class,
object kind or quota resource the number is about ("" when none). Project series have the
project's id; the others have "". Region "all" holds numbers about every region at once
(a project's global quota headroom)."""
from dataclasses import dataclass

ADMIN, PROJECT = "admin", "project"
ALL_REGIONS = "all"


@dataclass(frozen=True)
class Indicator:
    name: str
    help: str
    label: str | None = None   # Prometheus label name for the series' key
    scope: str = ADMIN         # ADMIN: operators only; PROJECT: also the project's readers
    unit: str = ""


INDICATORS: dict[str, Indicator] = {i.name: i for i in (
    Indicator("region_up", "1 when every read of the region answered in the last round, "
              "else 0 (the reason is in the summary)"),
    Indicator("bus_up", "1 when the region's message bus (its notifications) accepts a "
              "connection, else 0; only regions listened to ([events])"),
    Indicator("endpoint_up", "1 when the endpoint's version document answered, else 0",
              "service"),
    Indicator("endpoint_latency_seconds", "Time the endpoint took to answer its version "
              "document", "service", unit="seconds"),
    Indicator("capacity", "Placement: (total - reserved) * allocation_ratio summed over the "
              "region's resource providers", "resource"),
    Indicator("used", "Placement: allocated amount summed over the region's resource "
              "providers", "resource"),
    Indicator("utilization", "used / capacity (absent when the capacity is 0)", "resource",
              unit="ratio"),
    Indicator("resource_count", "Objects of every project in the region", "kind"),
    Indicator("project_usage", "A project's usage of a quota resource in the region "
              "(in use plus reserved)", "resource", PROJECT),
    Indicator("project_headroom", "A project's global limit minus its usage in every region "
              "(only when every region answered and the limit is not unlimited)",
              "resource", PROJECT),
)}

PLACEMENT_CLASSES = ("VCPU", "MEMORY_MB", "DISK_GB")
COUNTED_KINDS = ("servers", "volumes", "images", "networks", "ports", "floating_ips")


def admin_only(name: str) -> bool:
    return INDICATORS[name].scope == ADMIN


def project_names() -> list[str]:
    return [n for n, i in INDICATORS.items() if i.scope == PROJECT]
