"""Image sync modes: which setting governs an image (resolve), and auto mode's decisions (decide,
deletions): no image outside auto is ever copied or deleted, every auto image whose targets lack
an identical copy gets exactly one sync naming exactly those targets, a running copy is never
doubled, and only copies Albatross created follow a delete."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from albatross.conf.image_sync import RegionUrls
from albatross.images import auto
from albatross.images.meta import SOURCE_MARK, ImageState
from albatross.images.modes import Effective, Setting, resolve

REGIONS = ("R1", "R2", "R3", "R4")


# ---- resolve -------------------------------------------------------------------------------
def test_nothing_stored_is_none():
    assert resolve(None, None) == Effective("none", None, None, False, "default")


def test_the_project_default_applies_to_images_without_their_own():
    default = Setting("auto", "R1", ["R2"], True)
    assert resolve(None, default) == Effective("auto", "R1", ["R2"], True, "project")


def test_an_images_own_mode_overrides_the_default():
    default = Setting("auto", "R1", "all", True)
    assert resolve(Setting("none"), default).mode == "none"
    lazy = resolve(Setting("lazy", "R3"), default)
    assert (lazy.mode, lazy.source_region, lazy.set_on) == ("lazy", "R3", "image")


def test_regions_left_out_come_from_the_default_with_its_deletes():
    default = Setting("lazy", "R1", ["R2", "R3"], True)
    eff = resolve(Setting("auto"), default)
    assert (eff.source_region, eff.target_regions, eff.propagate_deletes) == \
        ("R1", ["R2", "R3"], True)
    own = resolve(Setting("auto", None, ["R4"], False), default)
    assert (own.source_region, own.target_regions, own.propagate_deletes) == \
        ("R1", ["R4"], False)
    asked = resolve(Setting("auto", propagate_deletes=True), Setting("auto", "R1", ["R2"]))
    assert asked.propagate_deletes is True


def test_auto_without_regions_is_incomplete():
    assert not resolve(Setting("auto"), None).complete
    assert not resolve(Setting("auto", "R1"), Setting("none")).complete
    assert resolve(Setting("auto", "R1", "all"), None).complete


# ---- decide --------------------------------------------------------------------------------
def image(i: int, status="active", name="img", hidden=False, digest="h") -> ImageState:
    return ImageState(f"img-{i}", status, "p", 10, "md5" + digest, "sha512", digest, hidden,
                      {"name": name, "disk_format": "raw", "container_format": "bare"})


def copy_of(src: ImageState, kind: str) -> ImageState | None:
    """What a target holds: nothing, an identical copy, other bytes, other metadata, an
    unfinished copy."""
    if kind == "missing":
        return None
    fields = {**src.fields, SOURCE_MARK: src.id}
    if kind == "renamed":
        fields["name"] = "old"
    return ImageState(src.id, "queued" if kind == "queued" else "active", src.owner, src.size,
                      src.checksum, src.hash_algo, "other" if kind == "bytes"
                      else src.hash_value, src.hidden, fields)


KINDS = ("missing", "same", "bytes", "renamed", "queued")


@st.composite
def worlds(draw):
    n = draw(st.integers(0, 6))
    candidates = []
    for i in range(n):
        src = image(i, status=draw(st.sampled_from(("active", "active", "queued"))),
                    hidden=draw(st.booleans()))
        mode = draw(st.sampled_from(("none", "auto", "lazy", "controlled")))
        source = draw(st.sampled_from(REGIONS))
        targets = tuple(draw(st.lists(st.sampled_from(REGIONS), unique=True, max_size=3)))
        setting = Effective(mode, source, list(targets) or None, False, "project")
        copies = {t: copy_of(src, draw(st.sampled_from(KINDS))) for t in targets}
        candidates.append(auto.Candidate(src, setting, targets, copies))
    busy = {f"img-{i}" for i in draw(st.sets(st.integers(0, 6)))}
    return candidates, busy


@given(worlds())
def test_decide_copies_exactly_the_auto_images_that_lack_an_identical_copy(world):
    candidates, busy = world
    orders, deferred = auto.decide(candidates, busy)
    by_id = {o.image_id: o for o in orders}
    assert len(by_id) == len(orders)  # one sync per image
    for c in candidates:
        lacking = tuple(t for t in c.targets if t != c.setting.source_region and
                        not auto.identical(c.image, c.copies.get(t), {}))
        wanted = c.setting.mode == "auto" and c.setting.complete and \
            c.image.status == "active" and bool(lacking)
        if not wanted:
            assert c.image.id not in by_id and c.image.id not in deferred
        elif c.image.id in busy:  # its copy job still runs: never a second one
            assert c.image.id not in by_id and c.image.id in deferred
        else:
            order = by_id[c.image.id]
            assert order.targets == lacking and order.source_region == c.setting.source_region


def test_identical_means_bytes_metadata_and_hidden_flag():
    src = image(1)
    assert auto.identical(src, copy_of(src, "same"), {})
    for kind in ("missing", "bytes", "renamed", "queued"):
        assert not auto.identical(src, copy_of(src, kind), {}), kind
    hidden = ImageState(**{**copy_of(src, "same").__dict__, "hidden": True})
    assert not auto.identical(src, hidden, {})


def test_an_ami_copy_is_compared_with_its_references_rewritten():
    kernel_ref = {"kernel_id": "k-src"}
    src = ImageState("a", "active", "p", 1, "m", "sha512", "h", False,
                     {"name": "ami", **kernel_ref})
    copy = ImageState("a", "active", "p", 1, "m", "sha512", "h", False,
                      {"name": "ami", "kernel_id": "k-copy", SOURCE_MARK: "a"})
    assert not auto.identical(src, copy, {})
    assert auto.identical(src, copy, {"k-src": "k-copy"})


# ---- deletions -----------------------------------------------------------------------------
@given(st.lists(st.tuples(st.integers(0, 4), st.sampled_from(REGIONS), st.booleans()),
                max_size=10),
       st.sets(st.integers(0, 4)),
       st.dictionaries(st.integers(0, 4), st.tuples(
           st.sampled_from(("none", "auto", "lazy", "controlled")), st.booleans(),
           st.lists(st.sampled_from(REGIONS), unique=True, min_size=1))))
def test_only_copies_albatross_made_of_deleted_auto_images_go(mapped, present, settings):
    copies = [auto.MappedCopy(f"s{i}", region, f"t{i}{region}", created)
              for i, region, created in mapped]
    effective = {f"s{i}": Effective(mode, "R0", regions, propagate, "project")
                 for i, (mode, propagate, regions) in settings.items()}
    targets = {k: tuple(e.target_regions) for k, e in effective.items()}
    gone = auto.deletions(copies, {f"s{i}" for i in present}, effective, targets)
    for m in gone:
        setting = effective[m.source_id]
        assert m.created_by_albatross and m.source_id not in {f"s{i}" for i in present}
        assert setting.mode == "auto" and setting.propagate_deletes
        assert m.target_region in setting.target_regions
    for m in copies:
        setting = effective.get(m.source_id)
        if setting and setting.mode == "auto" and setting.propagate_deletes and \
                m.created_by_albatross and m.target_region in setting.target_regions and \
                m.source_id not in {f"s{i}" for i in present}:
            assert m in gone


# ---- back-off per (image, region) ----------------------------------------------------------
BASE = st.floats(1, 10_000)
FAILURES = st.integers(1, 200)
TIMES = st.floats(0, 4e9)


@given(FAILURES, BASE, st.floats(0, 1))
def test_the_delay_is_the_shared_backoff_capped(failures, base, r):
    e = auto.record_outcome({}, {"R2": "quota"}, "d1", 0, base, rand=lambda: r)["R2"]
    ceiling = min(base * 2 ** min(failures - 1, 60), auto.MAX_BACKOFF)
    assert 0 < e["retry_at"] <= min(base, auto.MAX_BACKOFF)
    entries = {"R2": {**e, "failures": failures - 1}} if failures > 1 else {}
    nth = auto.record_outcome(entries, {"R2": "quota"}, "d1", 0, base, rand=lambda: r)["R2"]
    assert nth["failures"] == failures and ceiling / 2 <= nth["retry_at"] <= ceiling


@given(st.lists(st.tuples(st.sampled_from(REGIONS), st.one_of(st.none(), st.just("quota")),
                          st.sampled_from(("d1", "d2")), st.floats(0, 1e6)), max_size=8),
       BASE, TIMES, st.sampled_from(("d1", "d2", "d3")))
def test_never_due_before_retry_at_and_a_changed_source_is_always_due(events, base, now,
                                                                      digest):
    entries = {}
    for region, error, at, when in events:
        entries = auto.record_outcome(entries, {region: error}, at, when, base)
    held = auto.held(entries, digest, now)
    for region, e in entries.items():
        assert e["failures"] >= 1 and e["retry_at"] - auto.MAX_BACKOFF <= max(
            w for *_, w in events)
        if e["digest"] != digest:
            assert region not in held  # a changed source image is always due
        else:
            assert (region in held) == (now < e["retry_at"])
    assert set(held) <= set(entries)


def test_failures_count_up_and_a_success_or_a_new_source_starts_over():
    top = {"rand": lambda: 1.0}   # the jitter at its top: the whole doubled delay
    e = auto.record_outcome({}, {"R2": "quota", "R3": None}, "d1", 0, 600, **top)
    assert e == {"R2": {"failures": 1, "retry_at": 600, "last_error": "quota", "digest": "d1"}}
    e = auto.record_outcome(e, {"R2": "quota"}, "d1", 700, 600, **top)
    assert (e["R2"]["failures"], e["R2"]["retry_at"]) == (2, 700 + 1200)
    assert auto.held(e, "d1", 1899) == {"R2"} and auto.held(e, "d1", 1900) == set()
    assert auto.held(e, "d2", 0) == set() and auto.current(e, "d2") == {}
    assert auto.record_outcome(e, {"R2": "disk"}, "d2", 0, 600)["R2"]["failures"] == 1
    assert auto.record_outcome(e, {"R2": None}, "d1", 0, 600) == {}
    many = {"R2": {**e["R2"], "failures": 29}}
    assert auto.record_outcome(many, {"R2": "quota"}, "d1", 0, 600, **top)["R2"][
        "retry_at"] == auto.MAX_BACKOFF


# ---- [image_sync] notification_urls ---------------------------------------------------------
def test_region_urls_keep_commas_inside_a_url():
    parse = RegionUrls()
    assert parse("RegionOne=rabbit://g:g@127.0.0.1:5672/") == {
        "RegionOne": "rabbit://g:g@127.0.0.1:5672/"}
    assert parse("A=rabbit://u:p@h1:5672,u:p@h2:5672/?ssl=1, B = rabbit://h3/") == {
        "A": "rabbit://u:p@h1:5672,u:p@h2:5672/?ssl=1", "B": "rabbit://h3/"}
    assert parse("") == {}
    with pytest.raises(ValueError):
        parse("RegionOne")
