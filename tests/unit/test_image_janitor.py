"""The janitor of unfinished image copies (services/images.remove_unfinished, one mapping at a
time as the LeftoverCopies controller runs it) against a real
SQLite database and a fake Glance: it removes a half copy once its region answers, and never
one a copy is working on or has taken over since (that would delete a good image)."""
from types import SimpleNamespace

import pytest

from albatross.db import locks, migrate
from albatross.db.mappings import MappingStore
from albatross.reconcilers.images import lock_name
from albatross.services import images


def remove_unfinished(rt) -> int:
    """What the controller's runs for every listed leftover remove; a region down raises in
    the run (the controller's backoff then) and counts as nothing removed here."""
    removed = 0
    for mapping_id in images.unfinished_copies(rt):
        try:
            removed += images.remove_unfinished(rt, mapping_id)
        except ConnectionError:
            pass
    return removed


class FakeGlance:
    def __init__(self):
        self.images, self.deleted, self.down = {"half", "good"}, [], False

    def get_image(self, image_id):
        if self.down:
            raise ConnectionError("region down")
        return SimpleNamespace(id=image_id, is_protected=False)

    def delete_image(self, image_id, ignore_missing=True):
        self.deleted.append(image_id)
        self.images.discard(image_id)


@pytest.fixture
def world(tmp_path):
    url = f"sqlite:///{tmp_path}/janitor.sqlite"
    migrate.upgrade(url)
    glance = FakeGlance()
    conn = SimpleNamespace(image=glance)
    rt = SimpleNamespace(store=SimpleNamespace(db_url=url),
                         registry=SimpleNamespace(connection=lambda region: conn))
    store = MappingStore(url, "image", "owner", "project", "RegionOne", "RegionFour")
    store.put("src", "half", created=True, task_id="t1", details={"unfinished": True})
    return rt, glance, store, url


def test_removes_the_half_copy_once_the_region_answers(world):
    rt, glance, store, _ = world
    glance.down = True
    assert remove_unfinished(rt) == 0 and "src" in store.load()
    glance.down = False
    assert remove_unfinished(rt) == 1
    assert glance.deleted == ["half"] and store.load() == {}


def test_leaves_a_copy_in_progress_alone(world):
    rt, glance, store, url = world
    assert locks.acquire(url, lock_name("src", "RegionFour"), "t2", 60)  # a retry copies
    assert remove_unfinished(rt) == 0
    assert glance.deleted == [] and store.load()["src"].target_id == "half"


def test_a_record_taken_over_by_a_retry_is_not_a_leftover(world, monkeypatch):
    """The retry recreates the copy (new record, mapped, mark cleared) after the janitor
    listed the leftovers and before it deletes: the janitor must see that and stand back."""
    rt, glance, store, _ = world
    acquire = locks.acquire

    def retry_first(*args):
        store.put("src", "good", created=True, task_id="t2", details={})
        return acquire(*args)

    monkeypatch.setattr(locks, "acquire", retry_first)
    assert remove_unfinished(rt) == 0
    assert glance.deleted == [] and store.load()["src"].target_id == "good"
