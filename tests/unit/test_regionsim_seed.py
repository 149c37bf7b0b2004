"""The simulator's bench shortcut: a region takes another's keypairs and security groups as
they are, each group under an id of its own with its rules' remote groups mapped onto them."""
from albatross.regionsim.state import Region

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIJ5w5fH1mXl7q0n4kJrS7hY6b0m7m8b1m0y7r3XcU3c x"


def test_a_region_takes_anothers_keypairs_and_groups_under_ids_of_its_own():
    source, target = Region("A"), Region("B")
    source.keypair_create("u", {"name": "k", "public_key": KEY})
    web = source.group_create({"name": "web", "project_id": "p"})
    source.rules_create([{"security_group_id": web["id"], "direction": "ingress",
                          "ethertype": "IPv4", "protocol": "tcp", "remote_group_id": web["id"]}])
    target.copy_from(source)
    assert target.keypair_get("u", "k")["public_key"] == KEY
    groups = {g["name"]: g for g in target.groups_of("p")}
    assert sorted(groups) == sorted(g["name"] for g in source.groups_of("p"))  # no new default
    copy = groups["web"]
    assert copy["id"] != web["id"] and copy["id"] in target.groups
    remote = [r["remote_group_id"] for r in copy["security_group_rules"] if r["protocol"]]
    assert remote == [copy["id"]] and all(r["security_group_id"] == copy["id"]
                                          for r in copy["security_group_rules"])
    target.group_update(copy["id"], {"name": "changed"})
    assert source.groups[web["id"]]["name"] == "web"   # copies, not shared objects
