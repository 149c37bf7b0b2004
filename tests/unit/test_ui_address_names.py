"""The address page shows Neutron's names first, the id after them (small mono text, the full
id as the title), and the id alone where there is no name; names are escaped."""
import re
from types import SimpleNamespace

from albatross.ui import render
from albatross.ui.pages import addresses as a

XSS = "<script>alert(1)</script>"
NET, SUB, PORT = "7a0e1111-0000-0000-0000-000000000001", "c41b2222-0000-0000-0000-000000000002", \
    "5d203333-0000-0000-0000-000000000003"
SESSION = SimpleNamespace(project_id="p1", project_name="demo", is_admin=True)


def _render(template, **context):
    env = render.make_env()
    return env.get_template(template).render(session=SESSION, page=None, flash=None,
                                             side_object=a.side_object, **context)


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_conflict_sides_show_names_first_and_ids_in_small_mono_text():
    side_a = {"region": "R1", "project_id": "p1", "network_id": NET, "port_id": PORT,
              "device_owner": "compute:nova", "device_id": "vm-1", "subnet_id": SUB,
              "port_name": "web-1", "network_name": "app", "subnet_name": "app-v4"}
    side_b = {"region": "R2", "project_id": "p1", "network_id": "n2", "port_id": "p2",
              "device_owner": "", "device_id": "", "subnet_id": "s2", "port_name": XSS,
              "network_name": "", "subnet_name": ""}
    html = _render("_addresses_conflicts.html", conflicts=[
        {"kind": "fixed-ip", "key": "10.0.0.5", "group": "project:p1", "side_a": side_a,
         "side_b": side_b}])
    text = _text(html)
    assert f"network app {NET}" in text and f"subnet app-v4 {SUB}" in text
    assert f"port web-1 {PORT}" in text
    assert f'<span class="name" title="{NET}">app</span> <small class="mono muted" ' \
        f'title="{NET}">{NET}</small>' in html
    assert '<span class="mono" title="n2">n2</span>' in html      # no name: the id alone
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_tables_show_names_with_short_ids():
    rows = [{"kind": "fixed_ip", "region": "R1", "network_id": NET, "object_id": PORT,
             "address": "10.0.0.5", "ip_version": 4, "mac": "fa:16:3e:00:00:01",
             "device_owner": "compute:nova", "device_id": "vm-1", "seen_at": None,
             "name": "web-1", "network_name": "app"},
            {"kind": "subnet", "region": "R2", "network_id": "n2", "object_id": SUB,
             "address": "10.0.0.0/24", "ip_version": 4, "mac": None, "device_owner": None,
             "device_id": None, "seen_at": None, "name": "", "network_name": ""},
            {"kind": "fixed_ip", "region": "R2", "network_id": "n3", "object_id": "old",
             "address": "10.0.0.6", "ip_version": 4, "mac": None, "device_owner": "",
             "device_id": "", "seen_at": None}]                    # a row without names
    args = {k: "" for k in ("region", "kind", "ip_version", "network_id", "sort", "order",
                            "page", "find")}
    table = _render("_addresses_table.html", rows=rows, total=3, regions=["R1", "R2"],
                    kinds=a.KINDS, sorts=a.SORTS, args=args, page_n=1, pages=1,
                    prev_url=None, next_url=None)
    assert f'<span class="name" title="{NET}">app</span> <small class="mono muted" ' \
        f'title="{NET}">{NET[:8]}</small>' in table
    assert f'<span class="name" title="{PORT}">web-1</span>' in table
    assert f'<span class="mono" title="{SUB}">{SUB[:8]}</span>' in table
    assert '<span class="mono" title="old">old</span>' in table
    found = _render("_addresses_find.html", found=rows[:1], find_error=None,
                    args={**args, "find": "10.0.0.5"})
    assert f'<span class="name" title="{PORT}">web-1</span> <small class="mono muted" ' \
        f'title="{PORT}">{PORT}</small>' in found


def test_external_view_names_floating_ips_and_routers():
    external = {
        "floating_ips": [{"region": "R1", "project_id": "p1", "fip_id": "f1",
                          "floating_ip": "203.0.113.7", "fixed_ip": None, "port_id": None,
                          "floating_network_id": "ext", "description": XSS}],
        "router_gateways": [{"region": "R2", "project_id": "p2", "router_id": "r1",
                             "network_id": "ext", "ips": ["203.0.113.7"], "name": "edge"}],
        "conflicts": [{"kind": "external-ip", "key": "203.0.113.7", "group": None,
                       "side_a": {"region": "R1", "project_id": "p1", "fip_id": "f1",
                                  "network_id": "ext", "port_id": None, "fixed_ip": None,
                                  "description": "bastion"},
                       "side_b": {"region": "R2", "project_id": "p2", "network_id": "ext",
                                  "router_id": "r1", "router_name": "edge"}}],
        "unreachable": {}}
    html = _render("_addresses_external.html", external=external)
    text = _text(html)
    assert "floating IP bastion f1" in text and "router edge r1" in text
    assert "<script>alert" not in html
