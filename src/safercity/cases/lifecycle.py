"""A case's statuses and the transitions allowed between them.

Every cohort has the lifecycle the issue describes unless its YAML says otherwise::

    referred ──► accepted ──► active ◄──► under review
       │            │            │              │
       ▼            └────────────┴──────────────┴──► closed (reason and exit plan)
    declined (reason)

A cohort may add statuses of its own (the ABC cohort's "on contract") and transitions to and
from them, but ``referred`` is where every case starts, ``declined`` and ``closed`` are where
cases end, and a case must be able to reach ``closed`` from every status that is not an end:
:func:`problems` checks a lifecycle and :func:`check_transition` a move, with the reason or exit
plan it needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

REFERRED = "referred"
ACCEPTED = "accepted"
DECLINED = "declined"
ACTIVE = "active"
UNDER_REVIEW = "under_review"
CLOSED = "closed"

#: the statuses every lifecycle has, and the ends
REQUIRED = (REFERRED, DECLINED, CLOSED)
ENDS = frozenset({DECLINED, CLOSED})

DEFAULT_STATUSES: dict[str, str] = {
    REFERRED: "Referred",
    ACCEPTED: "Accepted",
    DECLINED: "Declined",
    ACTIVE: "Active",
    UNDER_REVIEW: "Under review",
    CLOSED: "Closed",
}
DEFAULT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    REFERRED: (ACCEPTED, DECLINED),
    ACCEPTED: (ACTIVE, CLOSED),
    ACTIVE: (UNDER_REVIEW, CLOSED),
    UNDER_REVIEW: (ACTIVE, CLOSED),
    DECLINED: (),
    CLOSED: (),
}


class TransitionError(ValueError):
    """A move the lifecycle does not allow, or one missing its reason or exit plan."""


@dataclass(frozen=True)
class Lifecycle:
    statuses: Mapping[str, str]
    transitions: Mapping[str, Sequence[str]]

    def label(self, status: str) -> str:
        return self.statuses.get(status, status.replace("_", " ").capitalize())

    def next_statuses(self, status: str) -> list[str]:
        return list(self.transitions.get(status, ()))

    def is_open(self, status: str) -> bool:
        return status not in ENDS


DEFAULT = Lifecycle(DEFAULT_STATUSES, DEFAULT_TRANSITIONS)


def problems(statuses: Mapping[str, str], transitions: Mapping[str, Sequence[str]]) -> list[str]:
    """What is wrong with a lifecycle, in words (an empty list when nothing is)."""
    out = [f"the status '{s}' is required" for s in REQUIRED if s not in statuses]
    for source, targets in transitions.items():
        if source not in statuses:
            out.append(f"transitions from '{source}', which is not a status")
        for target in targets:
            if target not in statuses:
                out.append(f"a transition from '{source}' to '{target}', which is not a status")
            if target == REFERRED:
                out.append(f"no transition may lead back to '{REFERRED}' (refer again instead)")
        if source in ENDS and targets:
            out.append(f"'{source}' is an end: no transition may leave it")
    if out:
        return out
    reachable = {REFERRED}
    frontier = [REFERRED]
    while frontier:
        for target in transitions.get(frontier.pop(), ()):
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    out += [f"'{s}' cannot be reached from '{REFERRED}'" for s in statuses if s not in reachable]
    for status in statuses:
        if status in ENDS:
            continue
        seen = {status}
        frontier = [status]
        while frontier:
            for target in transitions.get(frontier.pop(), ()):
                if target not in seen:
                    seen.add(target)
                    frontier.append(target)
        if CLOSED not in seen and DECLINED not in seen:
            out.append(f"a case in '{status}' can never be closed")
    return out


def check_transition(
    lifecycle: Lifecycle,
    current: str,
    target: str,
    *,
    reason: str = "",
    exit_plan: str = "",
) -> None:
    """Raise :class:`TransitionError` unless ``current`` → ``target`` is allowed and has what it
    needs: a reason to decline or close, and an exit plan to close."""
    if target not in lifecycle.statuses:
        raise TransitionError(f"'{target}' is not a status of this cohort")
    if target not in lifecycle.next_statuses(current):
        allowed = ", ".join(lifecycle.label(s) for s in lifecycle.next_statuses(current))
        raise TransitionError(
            f"a case that is {lifecycle.label(current).lower()} cannot become "
            f"{lifecycle.label(target).lower()}"
            + (f" (it can become: {allowed.lower()})" if allowed else " (it has ended)")
        )
    if target in ENDS and not reason.strip():
        raise TransitionError(f"give the reason the case is {lifecycle.label(target).lower()}")
    if target == CLOSED and not exit_plan.strip():
        raise TransitionError("give the exit plan agreed for closing the case")
