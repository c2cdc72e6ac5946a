"""The lifecycle: the default moves, reasons and exit plans, and lifecycles refused."""

from __future__ import annotations

import pytest

from safercity.cases import lifecycle as lc


def test_the_default_lifecycle_moves() -> None:
    life = lc.DEFAULT
    lc.check_transition(life, "referred", "accepted")
    lc.check_transition(life, "accepted", "active")
    lc.check_transition(life, "active", "under_review")
    lc.check_transition(life, "under_review", "active")
    lc.check_transition(life, "active", "closed", reason="risk reduced", exit_plan="IDVA support")
    lc.check_transition(life, "referred", "declined", reason="below threshold")
    assert not lc.problems(lc.DEFAULT_STATUSES, lc.DEFAULT_TRANSITIONS)


@pytest.mark.parametrize(
    ("current", "target", "kw", "message"),
    [
        ("referred", "active", {}, "cannot become active .it can become: accepted, declined"),
        ("closed", "active", {}, "it has ended"),
        ("referred", "declined", {}, "reason the case is declined"),
        ("active", "closed", {"reason": "done"}, "exit plan"),
        ("active", "closed", {"reason": "  ", "exit_plan": "x"}, "reason the case is closed"),
        ("active", "archived", {}, "not a status"),
    ],
)
def test_moves_refused_with_the_reason(
    current: str, target: str, kw: dict[str, str], message: str
) -> None:
    with pytest.raises(lc.TransitionError, match=message):
        lc.check_transition(lc.DEFAULT, current, target, **kw)


def test_lifecycles_that_cannot_work_are_refused() -> None:
    labels = dict(lc.DEFAULT_STATUSES)
    assert lc.problems({"referred": "R", "closed": "C"}, {"referred": ["closed"]}) == [
        "the status 'declined' is required"
    ]
    stuck = {**{k: list(v) for k, v in lc.DEFAULT_TRANSITIONS.items()}, "active": ["under_review"]}
    stuck["under_review"] = ["active"]
    assert lc.problems(labels, stuck) == [
        "a case in 'active' can never be closed",
        "a case in 'under_review' can never be closed",
    ]
    orphan = {**labels, "paused": "Paused"}
    assert "'paused' cannot be reached from 'referred'" in lc.problems(
        orphan, {**lc.DEFAULT_TRANSITIONS, "paused": ("closed",)}
    )
    back = {**lc.DEFAULT_TRANSITIONS, "closed": ("active",)}
    assert "'closed' is an end: no transition may leave it" in lc.problems(labels, back)
    loop = {**lc.DEFAULT_TRANSITIONS, "active": ("referred", "closed")}
    assert any("back to 'referred'" in p for p in lc.problems(labels, loop))
