"""A rebalance records every region's native limits and usage in one transaction, and writes
only what changed (a row per resource and region), on every backend."""
from albatross.db.quotas import QuotaStore


def test_every_region_recorded_at_once_and_only_changes_written(db_url):
    store = QuotaStore(db_url)
    store.record_regions("p", {"R1": ({"cores": 10, "ram": 100}, {"cores": 2, "ram": 0}),
                               "R2": ({"cores": 5}, {"cores": 0})})
    first = store.allowances("p")
    assert {k: (r.native_limit, r.usage) for k, r in first.items()} == {
        ("cores", "R1"): (10, 2), ("ram", "R1"): (100, 0), ("cores", "R2"): (5, 0)}
    store.record_regions("p", {"R1": ({"cores": 10, "ram": 100}, {"cores": 3, "ram": 0}),
                               "R2": ({"cores": 5}, {})})
    again = store.allowances("p")
    assert (again["cores", "R1"].native_limit, again["cores", "R1"].usage) == (10, 3)
    assert again["cores", "R1"].updated_at >= first["cores", "R1"].updated_at
    # unchanged rows keep the time their values were last seen to change
    assert again["ram", "R1"].updated_at == first["ram", "R1"].updated_at
    assert again["cores", "R2"].updated_at == first["cores", "R2"].updated_at
    assert store.allowances("other") == {}
    store.record_region("p", "R3", {"cores": 1}, {"cores": 1})
    assert (store.allowances("p")["cores", "R3"].usage) == 1
