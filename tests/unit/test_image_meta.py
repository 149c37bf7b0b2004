"""Image metadata (images/meta.py) and the per-target decision (reconcilers.images.diff_image):
what a copy carries, how it is patched into line, and when a copy is created, filled,
recreated, replaced or refused. Wrong here means a copy with Glance's own fields written into
it, a property that never goes away, or a user's image overwritten without `force`."""
import string

from hypothesis import given
from hypothesis import strategies as st

from albatross.images import meta
from albatross.images.meta import ImageState
from albatross.reconcilers.images import diff_image

keys = st.text(string.ascii_lowercase + "_", min_size=1, max_size=10)
values = st.one_of(st.text(max_size=8), st.integers(-5, 5), st.booleans())
custom = st.dictionaries(keys.filter(lambda k: k not in meta.READ_ONLY and k not in meta.CORE
                                     and not k.startswith("os_glance_")), values, max_size=6)
core = st.fixed_dictionaries({}, optional={
    "name": st.text(max_size=8), "disk_format": st.sampled_from(["raw", "qcow2"]),
    "container_format": st.sampled_from(["bare", "ovf"]), "min_disk": st.integers(0, 3),
    "min_ram": st.integers(0, 3), "visibility": st.sampled_from(["private", "shared"]),
    "protected": st.booleans(), "tags": st.lists(st.text(max_size=4), max_size=3)})
field_dicts = st.builds(lambda a, b: {**a, **b}, core, custom)


@given(field_dicts, st.dictionaries(st.sampled_from(sorted(meta.READ_ONLY)), values),
       st.dictionaries(keys.map(lambda k: "os_glance_" + k), values), st.sets(keys))
def test_writable_keeps_what_a_copy_may_carry_and_nothing_of_glances(fields, read_only,
                                                                     reserved, nulls):
    raw = {**fields, **read_only, **reserved, **{f"null_{k}": None for k in nulls}}
    out = meta.writable(raw)
    assert set(out) == set(fields)
    for key, value in fields.items():
        assert out[key] == (sorted(value) if key == "tags" else value)


def apply(current: dict, changes: dict, removed: list[str]) -> dict:
    """What Glance holds after the patch."""
    return {**{k: v for k, v in current.items() if k not in removed}, **changes}


@given(field_dicts, field_dicts)
def test_metadata_patch_brings_the_copy_in_line_and_then_has_nothing_to_do(desired, current):
    changes, removed = meta.metadata_patch(desired, current)
    assert not {"disk_format", "container_format"} & set(changes)  # fixed after upload
    assert not set(meta.CORE) & set(removed)                       # never removed
    assert set(changes).isdisjoint(removed)
    after = apply(current, changes, removed)
    for key, value in desired.items():
        if key not in ("disk_format", "container_format"):
            assert after[key] == value
    assert set(after) - set(desired) <= set(meta.CORE)
    assert meta.metadata_patch(desired, after) == ({}, [])


def test_metadata_patch_example():
    desired = {"name": "deb", "min_ram": 128, "build": "43", "tags": ["a"]}
    current = {"name": "deb", "min_ram": 64, "build": "42", "stale": "x", "min_disk": 1,
               "disk_format": "qcow2"}
    assert meta.metadata_patch(desired, current) == (
        {"min_ram": 128, "build": "43", "tags": ["a"]}, ["stale"])
    assert meta.immutable_differences({"disk_format": "raw"}, current) == ["disk_format"]


def state(id_="src", status="active", fields=None, **kw) -> ImageState:
    base = dict(owner="p", size=10, checksum="md5-a", hash_algo="sha512", hash_value="h-a",
                hidden=False)
    base.update(kw)
    return ImageState(id_, status, base["owner"], base["size"], base["checksum"],
                      base["hash_algo"], base["hash_value"], base["hidden"],
                      dict({"name": "img"} if fields is None else fields))


@given(field_dicts, st.dictionaries(st.sampled_from(["kernel_id", "ramdisk_id"]),
                                    st.sampled_from(["k1", "k2", "r1"])))
def test_desired_fields_rewrites_references_and_marks_the_source(fields, refs):
    source = state(fields={**fields, **refs})
    copies = {"k1": "k1-copy", "r1": "r1-copy"}
    out = meta.desired_fields(source, copies)
    assert out[meta.SOURCE_MARK] == "src"
    for key, ref in refs.items():
        assert out[key] == copies.get(ref, ref)
    assert {k: v for k, v in out.items() if k not in refs and k != meta.SOURCE_MARK} == fields
    assert source.fields == {**fields, **refs}  # the snapshot is not changed


def test_same_bytes_prefers_the_multihash_and_falls_back_to_md5_and_size():
    src = state()
    assert src.same_bytes(state("c", checksum="other"))           # multihash decides
    assert not src.same_bytes(state("c", hash_value="h-b"))
    no_hash = state("c", hash_value=None)
    assert src.same_bytes(no_hash)                                # md5 + size
    assert not src.same_bytes(state("c", hash_value=None, size=11))
    assert not src.same_bytes(state("c", hash_algo="sha256", checksum="md5-b"))
    assert not state(checksum=None, hash_value=None).same_bytes(
        state("c", checksum=None, hash_value=None))               # nothing to compare


def expected_action(current, same, meta_differs, ours, force) -> str:
    """The decision table, written independently of diff_image."""
    if current is None:
        return "create"
    if current.owner != "p":  # another project's image, whatever its id and marks say
        return "conflict"
    if current.status == "active" and same:
        return "update" if meta_differs else "none"
    if ours and current.status == "queued":
        return "fill"
    if ours and current.status != "active":
        return "recreate"
    return "replace" if force else "conflict"


statuses = st.sampled_from(["active", "queued", "saving", "importing", "killed",
                            "deactivated", "uploading"])


@given(st.booleans(), statuses, st.booleans(), st.booleans(), st.booleans(), st.booleans(),
       st.booleans(), st.booleans())
def test_diff_image_decisions(present, status, same, meta_differs, hidden_differs, ours,
                              force, foreign):
    source = state(fields={"name": "img", "build": "1"})
    desired = meta.desired_fields(source, {})
    fields = dict(desired, build="2") if meta_differs else dict(desired)
    current = state("copy", status, fields, hidden=hidden_differs,
                    hash_value="h-a" if same else "h-b",
                    owner="intruder" if foreign else "p") if present else None
    plan = diff_image(source, current, desired, force, ours)
    want = expected_action(current, same, meta_differs or hidden_differs, ours, force)
    assert plan.action == want, plan.reason
    assert plan.desired is source and plan.current is current
    if want == "update":
        changes = plan.details["changes"]
        assert (changes.get("build") == "1") == meta_differs
        assert ("os_hidden" in changes) == hidden_differs
    if want == "conflict":
        assert current.id in plan.reason
        assert ("another project" in plan.reason) == foreign


def test_diff_image_never_overwrites_someone_elses_image_without_force():
    source = state()
    theirs = state("src", "active", hash_value="h-other")
    assert diff_image(source, theirs, meta.desired_fields(source, {}), False,
                      False).action == "conflict"
    queued = state("src", "queued")   # not ours: someone is uploading into it
    assert diff_image(source, queued, {}, False, False).action == "conflict"
    assert diff_image(source, queued, {}, True, False).action == "replace"
