"""Neutron reads and writes for security group cloning. Reading a project's whole state in a
region costs two calls (groups embed their rules), so an audit with no drift is cheap."""
from openstack import exceptions as sdk_exc
from openstack.network.v2 import security_group as _sg

from albatross.secgroups.model import (AddressGroup, Rule, Snapshot, address_group_from_sdk,
                                       group_from_sdk)


def _listed(conn, path: str, key: str, **params) -> list[dict]:
    """A Neutron listing as Neutron sent it, every page (its `<key>_links` next, when the
    deployment pages): openstacksdk builds a Resource per object, most of an audit's CPU
    over thousands of regions."""
    out, url = [], path
    while url:
        resp = conn.network.get(url, params=params)
        sdk_exc.raise_from_response(resp)
        body = resp.json()
        out += body.get(key, [])
        url = next((link["href"] for link in body.get(f"{key}_links", [])
                    if link.get("rel") == "next"), None)
        params = None   # the next link carries them
    return out


def read_snapshot(conn, project_id: str) -> Snapshot:
    """Every security group (with rules) and address group of the project. Listing as admin
    with a project filter also makes Neutron create the project's default group."""
    groups = [group_from_sdk(g) for g in _listed(conn, "/security-groups",
                                                  "security_groups", project_id=project_id)]
    try:
        ags = [address_group_from_sdk(a)
               for a in conn.network.address_groups(project_id=project_id)]
    except sdk_exc.NotFoundException:  # the region has no address-group extension
        ags = []
    return Snapshot({g.id: g for g in groups}, {a.id: a for a in ags})


def create_address_group(conn, project_id: str, ag: AddressGroup) -> str:
    return conn.network.create_address_group(
        name=ag.name, description=ag.description, addresses=list(ag.addresses),
        project_id=project_id).id


def create_group(conn, project_id: str, name: str, description: str,
                 stateful: bool | None) -> tuple[str, dict[str, Rule]]:
    """A new, empty-as-Neutron-makes-it group: returns its id and the rules Neutron added."""
    attrs = dict(name=name, description=description, project_id=project_id)
    if stateful is not None:
        attrs["stateful"] = stateful
    g = group_from_sdk(conn.network.create_security_group(**attrs))
    return g.id, g.rules


def update_group(conn, group_id: str, changes: dict) -> int:
    """Fields, then tags (their own API); returns the number of calls made."""
    calls = 0
    fields = {k: v for k, v in changes.items() if k != "tags"}
    if fields:
        conn.network.update_security_group(group_id, **fields)
        calls += 1
    if "tags" in changes:
        conn.network.set_tags(_sg.SecurityGroup.existing(id=group_id), list(changes["tags"]))
        calls += 1
    return calls


def _rule_body(project_id: str, group_id: str, rule: Rule) -> dict:
    body = {"security_group_id": group_id, "project_id": project_id,
            "direction": rule.direction, "ethertype": rule.ethertype}
    for key, value in (("protocol", rule.protocol), ("port_range_min", rule.port_range_min),
                       ("port_range_max", rule.port_range_max),
                       ("remote_ip_prefix", rule.remote_ip_prefix),
                       ("remote_group_id", rule.remote_group),
                       ("remote_address_group_id", rule.remote_address_group),
                       ("description", rule.description or None)):
        if value is not None:
            body[key] = value
    return body


def create_rules(conn, project_id: str, group_id: str, rules: list[Rule]) -> tuple[list[str], int]:
    """All of one group's new rules in one bulk call (Neutron creates them atomically). If
    one already exists (409: a crashed earlier attempt made it) fall back to one call per
    rule and treat 409 as done. Returns the created rule ids and the calls made."""
    bodies = [_rule_body(project_id, group_id, r) for r in rules]
    try:
        return [r.id for r in conn.network.create_security_group_rules(bodies)], 1
    except sdk_exc.ConflictException:
        pass
    ids = []
    for body in bodies:
        try:
            ids.append(conn.network.create_security_group_rule(**body).id)
        except sdk_exc.ConflictException:
            continue
    return ids, 1 + len(bodies)


def update_address_group(conn, group_id: str, changes: dict) -> None:
    conn.network.update_address_group(group_id, **changes)


def add_addresses(conn, group_id: str, addresses: list[str]) -> None:
    conn.network.add_addresses_to_address_group(group_id, addresses)


def remove_addresses(conn, group_id: str, addresses: list[str]) -> None:
    conn.network.remove_addresses_from_address_group(group_id, addresses)


def delete_rule(conn, rule_id: str) -> None:
    conn.network.delete_security_group_rule(rule_id, ignore_missing=True)


def delete_group(conn, group_id: str) -> None:
    conn.network.delete_security_group(group_id, ignore_missing=True)
