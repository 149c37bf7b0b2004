"""A policy's keypairs in one target region (plan_keypairs): missing ones are created, a
different key under a kept name is replaced, copies whose source went are deleted only with
delete propagation and only if Albatross made them; everything else is left alone."""
from hypothesis import given
from hypothesis import strategies as st

from albatross.reconcilers.keypair_sets import plan_keypairs


def kp(body: str, comment: str = "", type_: str | None = "ssh", fp: str | None = None) -> dict:
    return {"public_key": f"ssh-ed25519 {body} {comment}".strip(), "type": type_,
            "fingerprint": fp or f"fp-{body}"}


def test_missing_keys_are_created_in_name_order():
    plan = plan_keypairs({"b": kp("BBB"), "a": kp("AAA", type_="x509")}, {}, {}, False)
    assert [(s.name, s.type, s.public_key) for s in plan.create] == \
        [("a", "x509", "ssh-ed25519 AAA"), ("b", "ssh", "ssh-ed25519 BBB")]
    assert plan.replace == [] and plan.delete == [] and plan.writes == 2
    assert plan.drift == [{"kind": "missing", "name": n, "detail": "not in target"}
                          for n in ("a", "b")]


def test_same_key_is_no_change_whatever_the_comment_or_missing_type():
    source = {"k": kp("AAA", "alice@laptop")}
    target = {"k": {"public_key": "ssh-ed25519 AAA bob@desk", "fingerprint": "fp-AAA"}}
    plan = plan_keypairs(source, target, {}, True)
    assert plan.writes == 0 and plan.drift == []


def test_a_different_key_or_type_is_replaced():
    source = {"k": kp("AAA", fp="fp-new"), "x": kp("XXX", type_="x509")}
    target = {"k": kp("ZZZ", fp="fp-old"), "x": kp("XXX")}
    plan = plan_keypairs(source, target, {}, False)
    assert [s.name for s in plan.replace] == ["k", "x"] and plan.create == []
    assert plan.writes == 4  # a replace is a delete and a create
    assert plan.drift[0] == {"kind": "different", "name": "k",
                             "detail": "fingerprint fp-old instead of fp-new"}


def test_deleted_in_source_only_goes_if_propagated_and_ours():
    target = {"ours": kp("O"), "adopted": kp("A"), "hand": kp("H")}
    gone = {"ours": True, "adopted": False, "absent": True}
    plan = plan_keypairs({}, target, gone, True)
    assert plan.delete == ["ours"] and plan.writes == 1
    assert plan.drift == [
        {"kind": "deleted", "name": "adopted", "repairable": False,
         "detail": "deleted in the source; the copy is kept"},
        {"kind": "deleted", "name": "ours", "detail": "deleted in the source; the copy is deleted"}]
    kept = plan_keypairs({}, target, gone, False)
    assert kept.delete == [] and kept.writes == 0
    assert [(d["name"], d["repairable"]) for d in kept.drift] == [("adopted", False),
                                                                  ("ours", False)]


names = st.sampled_from(["a", "b", "c", "d", "e", "f"])
keys = st.builds(kp, st.sampled_from(["K1", "K2", "K3"]), st.sampled_from(["", "me@host"]),
                 st.sampled_from(["ssh", "x509", None]))


def apply(plan, target: dict) -> dict:
    """What KeypairSetReconciler.apply leaves in Nova."""
    after = dict(target)
    for state in plan.replace:
        after.pop(state.name)
    for state in plan.create + plan.replace:
        assert state.name not in after  # Nova would refuse: the name is taken
        after[state.name] = {"public_key": state.public_key, "type": state.type,
                             "fingerprint": state.fingerprint}
    for name in plan.delete:
        del after[name]
    return after


@given(st.dictionaries(names, keys), st.dictionaries(names, keys),
       st.dictionaries(names, st.booleans()), st.booleans())
def test_one_apply_converges_and_touches_nothing_else(source, target, gone, propagate):
    gone = {n: created for n, created in gone.items() if n not in source}
    plan = plan_keypairs(source, target, gone, propagate)
    after = apply(plan, target)
    again = plan_keypairs(source, after, gone, propagate)
    assert again.writes == 0 and again.create == again.replace == again.delete == []
    for name, want in source.items():
        assert after[name]["public_key"].split()[:2] == want["public_key"].split()[:2]
        assert (after[name]["type"] or "ssh") == (want["type"] or "ssh")
    for name in set(target) - set(source):
        deleted = propagate and gone.get(name) is True
        assert (name not in after) == deleted
        if not deleted:
            assert after[name] == target[name]  # another key, or kept: left exactly as it was
    for name in set(target) & set(source):  # the same key is never rewritten
        if name not in {s.name for s in plan.replace}:
            assert after[name] is target[name]
    assert plan.writes == len(plan.create) + 2 * len(plan.replace) + len(plan.delete)
    assert {d["name"] for d in plan.drift} == {s.name for s in plan.create + plan.replace} | \
        (set(gone) & set(target))
