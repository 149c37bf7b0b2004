"""The last value of every series in Prometheus' text format, each sample labelled by region
(and project where it is a project's), the series' key under its catalog label."""
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import generate_latest

from albatross.indicators.catalog import INDICATORS, PROJECT

CONTENT_TYPE = "text/plain; version=0.0.4"
PREFIX = "albatross_"


class _Families:
    """What generate_latest() collects from: the families already made."""

    def __init__(self, families):
        self.families = families

    def collect(self):
        return iter(self.families)


def render(rows) -> str:
    """rows: objects with name, region, project_id, key and last_value (a series each)."""
    by_name: dict[str, list] = {}
    for row in rows:
        if row.name in INDICATORS:
            by_name.setdefault(row.name, []).append(row)
    families = []
    for name, series in sorted(by_name.items()):
        ind = INDICATORS[name]
        labels = ["region"] + (["project"] if ind.scope == PROJECT else []) \
            + ([ind.label] if ind.label else [])
        family = GaugeMetricFamily(PREFIX + name, ind.help, labels=labels)
        for row in sorted(series, key=lambda r: (r.region, r.project_id, r.key)):
            values = [row.region] + ([row.project_id] if ind.scope == PROJECT else []) \
                + ([row.key] if ind.label else [])
            family.add_metric(values, row.last_value)
        families.append(family)
    return generate_latest(_Families(families)).decode()
