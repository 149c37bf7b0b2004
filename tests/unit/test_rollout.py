"""The rollout state machine over random histories (actions, jobs finishing well or badly,
wave starts that fail for a while), and the pure rollback plan."""
from hypothesis import given
from hypothesis import strategies as st

from albatross.images import meta
from albatross.images import rollout as m
from albatross.images.meta import ImageState
from albatross.reconcilers.image_rollback import plan_rollback

STEP = st.one_of(
    st.tuples(st.just("act"), st.sampled_from(m.ACTIONS)),
    st.tuples(st.just("wave_job"), st.booleans()),       # the pending wave job ends: well?
    st.tuples(st.just("rollback_job"), st.booleans()),   # the pending rollback job ends: well?
    st.tuples(st.just("tick"), st.booleans()))           # advance; does a wave start work?
# a wave that goes well and is approved: mixed with random steps, histories get far
GOOD_WAVE = [("tick", True), ("wave_job", True), ("tick", True), ("act", "approve")]
STEPS = st.lists(st.one_of(st.lists(STEP, max_size=4), st.just(GOOD_WAVE)),
                 max_size=12).map(lambda chunks: [s for c in chunks for s in c])


class World:
    """A rollout and its jobs, driven only through act() and advance() as the service does."""

    def __init__(self, waves: int, auto: bool):
        self.p = m.Progress(m.RUNNING, waves, 0, auto)
        self.wave_jobs: dict[int, str] = {}   # wave -> PENDING | SUCCEEDED | JOB_FAILED
        self.rollback = m.UNSTARTED
        self.started: list[int] = []
        self.approved: set[int] = set()       # waves whose successor a person approved

    def wave_fact(self) -> str:
        return self.wave_jobs.get(self.p.wave, m.UNSTARTED)

    def act(self, action: str) -> bool:
        try:
            after = m.act(self.p, action, self.rollback)
        except m.NotAllowed:
            return False
        if action == "approve":
            self.approved.add(self.p.wave)
        if action == "rollback":
            self.rollback = m.UNSTARTED
        self.p = after
        self.tick(True)  # the service advances right after an action
        return True

    def tick(self, start_works: bool) -> None:
        before = self.p
        after, step = m.advance(before, self.wave_fact(), self.rollback)
        if before.state in (m.PAUSED, m.WAITING, m.COMPLETED, m.FAILED, m.ABORTED,
                            m.ROLLED_BACK):
            assert (after, step) == (before, None), "only running or rolling back moves"
        if step == m.START_WAVE:
            k = after.wave
            assert before.state == after.state == m.RUNNING
            assert k not in self.started and k < after.waves
            if k > 0:
                assert self.wave_jobs.get(k - 1) == m.SUCCEEDED, "previous wave not verified"
                assert after.auto_approve or k - 1 in self.approved, "not approved"
            if start_works:
                self.started.append(k)
                self.wave_jobs[k] = m.PENDING
        elif step == m.START_ROLLBACK:
            assert self.wave_fact() != m.PENDING, "a rollback never races a running copy"
            self.rollback = m.PENDING
        self.p = after

    def run(self, step) -> None:
        kind, arg = step
        if kind == "act":
            self.act(arg)
        elif kind == "wave_job" and self.wave_fact() == m.PENDING:
            self.wave_jobs[self.p.wave] = m.SUCCEEDED if arg else m.JOB_FAILED
        elif kind == "rollback_job" and self.rollback == m.PENDING:
            self.rollback = m.SUCCEEDED if arg else m.JOB_FAILED
        elif kind == "tick":
            self.tick(arg)


@given(st.integers(1, 4), st.booleans(), STEPS)
def test_waves_start_in_order_only_after_success_and_approval(waves, auto, steps):
    world = World(waves, auto)
    for step in steps:
        world.run(step)
        assert world.started == list(range(len(world.started)))
        assert world.p.state in m.STATES


@given(st.integers(1, 4), st.booleans(), STEPS)
def test_rollback_is_reachable_from_every_state_and_ends_rolled_back(waves, auto, steps):
    world = World(waves, auto)
    for step in steps:
        world.run(step)
    if world.p.state == m.ROLLED_BACK:
        return
    if world.p.state != m.ROLLING_BACK or world.rollback == m.JOB_FAILED:
        assert world.act("rollback")
    if world.wave_fact() == m.PENDING:       # the copy in flight ends first
        world.run(("wave_job", True))
    world.tick(True)
    if world.rollback == m.JOB_FAILED:       # a failed rollback can be run again
        assert world.act("rollback")
    assert world.rollback in (m.PENDING, m.SUCCEEDED)
    world.run(("rollback_job", True))
    world.tick(True)
    assert world.p.state == m.ROLLED_BACK
    for action in m.ACTIONS:
        assert not world.act(action), "rolled_back is final"


@given(st.integers(1, 4), STEPS)
def test_paused_never_advances_whatever_the_jobs_do(waves, steps):
    world = World(waves, auto=True)
    world.tick(True)
    assert world.act("pause")
    started = list(world.started)
    for kind, arg in steps:
        if kind == "act":
            continue  # nobody resumes
        world.run((kind, arg))
        assert world.p.state == m.PAUSED and world.started == started


def test_a_canary_rollout_waits_for_approval_and_completes():
    world = World(2, auto=False)
    world.tick(True)
    assert world.started == [0]
    world.run(("wave_job", True))
    world.tick(True)
    assert world.p.state == m.WAITING and world.started == [0]
    assert world.act("approve") and world.started == [0, 1]
    world.run(("wave_job", True))
    world.tick(True)
    assert world.p.state == m.COMPLETED


def test_a_failed_wave_stops_the_rollout():
    world = World(3, auto=True)
    world.tick(True)
    world.run(("wave_job", False))
    world.tick(True)
    assert world.p.state == m.FAILED and world.started == [0]
    assert not world.act("approve") and not world.act("resume")


# ---- the rollback plan ---------------------------------------------------------------------
def image(image_id, hidden=False, status="active", **fields):
    return ImageState(image_id, status, "p", 1, "md5", "sha512", "h", hidden,
                      {"name": "app", **fields})


def test_rollback_shows_hidden_copies_again_and_deletes_only_what_the_rollout_made():
    v1 = image("v1", **{meta.SOURCE_MARK: "s1"})
    other = image("other", version="7")
    snapshot = [v1, other]
    current = [image("v1", hidden=True, **{meta.SOURCE_MARK: "s1"}),
               image("other", version="8", extra="x"),
               image("v2", **{meta.SOURCE_MARK: "s2"}),         # reported by its task
               image("v2b", **{meta.SOURCE_MARK: "s2"}),        # its task died: the mark
               image("mine", name="unrelated")]                 # a user's upload since
    plan = plan_rollback(snapshot, current, made={"v2"}, sources={"s2"})
    d = plan.details
    assert plan.action == "restore"
    assert d["restore"] == {"v1": {"changes": {"os_hidden": False}, "removed": []},
                            "other": {"changes": {"version": "7"}, "removed": ["extra"]}}
    assert d["delete"] == ["v2", "v2b"] and d["left"] == ["mine"] and d["missing"] == []


def test_rollback_of_a_region_as_it_was_writes_nothing_and_reports_what_is_gone():
    snapshot = [image("a"), image("b")]
    plan = plan_rollback(snapshot, [image("a")], made=set(), sources={"s"})
    assert plan.action == "none" and plan.details["missing"] == ["b"]
