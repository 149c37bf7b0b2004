"""What a rebalance tells people: soft limits crossed or cleared, and usage over the global
limit (an overshoot some region's own service let pass), as quota events, an audit event in
the event store and the [quota] webhook. Only changes are told, never every reading."""
import logging

import requests

from albatross.db.events import EventStore
from albatross.db.models import utcnow
from albatross.db.quotas import QuotaStore
from albatross.quota.overshoot import overshoots
from albatross.quota.soft import is_over, transition

LOG = logging.getLogger(__name__)


def soft_limits(store: QuotaStore, project, hard, soft, usage, allowances, failed, webhook):
    for name, (limit, was_over) in soft.items():
        total = sum(u.get(name, 0) for u in usage.values())
        total += sum(row.usage for (res, region), row in allowances.items()  # unread
                     if res == name and region in failed and region not in usage)
        now_over = is_over(limit, hard[name], total)
        change = transition(was_over, now_over)
        if change is None:
            continue
        threshold = limit.threshold(hard[name])
        store.set_soft_over(project, name, now_over)
        store.add_event(project, f"soft_{change}", name, total, threshold, hard[name])
        if webhook:
            notify(webhook, {"project_id": project, "resource": name,
                             "event": f"soft_limit_{change}", "usage": total,
                             "threshold": threshold, "hard_limit": hard[name]})


def hard_limits(store: QuotaStore, db_url: str, project, hard, usage, limits, allowances,
                failed, webhook) -> dict:
    """Record which resources are over G now (usage read live where the region answered, the
    last known usage where it did not) and tell what started or cleared. Returns the
    overshoots, {resource: Overshoot}."""
    usage = dict(usage)
    limits = dict(limits)
    for region in failed:
        if region in usage:
            continue
        usage[region] = {n: row.usage for (n, r), row in allowances.items() if r == region}
        limits[region] = {n: row.native_limit for (n, r), row in allowances.items()
                          if r == region}
    if not any(r not in failed for r in usage):
        return {}  # no region answered: nothing new is known
    current = overshoots(hard, usage, limits)
    started, cleared = store.record_overshoots(project, current, known=set(hard))
    for name in started:
        over = current[name]
        detail = describe(over)
        store.add_event(project, "hard_exceeded", name, over.total_usage, None,
                        over.global_limit, detail)
        _audit(db_url, project, name, "albatross.quota.exceeded",
               f"{name} over its global limit: {detail}",
               {"resource": name, "usage": over.total_usage, "limit": over.global_limit,
                "over_by": over.over_by, "regions": over.regions})
        LOG.warning("project %s: %s over its global limit (%s)", project, name, detail)
        if webhook:
            notify(webhook, {"project_id": project, "resource": name,
                             "event": "hard_limit_exceeded", "usage": over.total_usage,
                             "hard_limit": over.global_limit, "over_by": over.over_by,
                             "regions": over.regions})
    for name in cleared:
        total = sum(u.get(name, 0) for u in usage.values())
        store.add_event(project, "hard_restored", name, total, None, hard[name])
        _audit(db_url, project, name, "albatross.quota.restored",
               f"{name} back under its global limit ({total} of {hard[name]})",
               {"resource": name, "usage": total, "limit": hard[name]})
        if webhook:
            notify(webhook, {"project_id": project, "resource": name,
                             "event": "hard_limit_restored", "usage": total,
                             "hard_limit": hard[name]})
    return current


def describe(over) -> str:
    """'8 used of 6 (2 over); RegionOne 4 of its 3, RegionTwo 4 of its 3'"""
    parts = [f"{r} {v['usage']} of its {v['limit'] if v['limit'] is not None else '?'}"
             for r, v in sorted(over.regions.items())]
    return (f"{over.total_usage} used of {over.global_limit} ({over.over_by} over); "
            + ", ".join(parts))


def _audit(db_url: str, project: str, resource: str, event_type: str, summary: str,
           payload: dict) -> None:
    try:
        EventStore(db_url).add(time=utcnow(), region="albatross", service="albatross",
                               source="audit", event_type=event_type, project_id=project,
                               resource_id=resource, summary=summary[:1000], payload=payload)
    except Exception as exc:  # the quota event is the record; this copy is for search
        LOG.warning("audit event %s not stored: %s", event_type, type(exc).__name__)


def notify(url: str, body: dict) -> None:
    try:
        requests.post(url, json=body, timeout=5)
    except requests.RequestException as exc:
        LOG.warning("quota webhook failed: %s", type(exc).__name__)
