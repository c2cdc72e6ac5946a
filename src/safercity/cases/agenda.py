"""The agenda rule: which cases a panel meeting discusses, in what order.

For a meeting on day *D* the agenda holds, in this order:

1. **new referrals**: cases still ``referred`` (not yet accepted or declined) that were referred
   on or before the papers deadline (*D* minus the cohort's ``papers_days``), oldest first;
2. **reviews**: open cases (accepted, active, under review, or a cohort's own open status) whose
   next review is due on or before *D*, the most overdue first, then the oldest referral.

Cases already listed for another meeting that has not yet been held are left out (they are
discussed there). When the cohort sets a ``capacity`` (the gangs panel reviews 10-12 young
people each time) the agenda takes that many and lists the rest as *carried forward* to the
next meeting: new referrals are never carried forward behind reviews, because a referral waiting
for a first decision is the more urgent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from .lifecycle import ENDS, REFERRED

Reason = Literal["new referral", "review due"]


@dataclass(frozen=True)
class CaseForAgenda:
    """What the rule needs to know of a case (no personal details)."""

    id: str
    status: str
    referred_on: dt.date
    next_review: dt.date | None = None
    scheduled_elsewhere: bool = False


@dataclass(frozen=True)
class Item:
    case_id: str
    reason: Reason
    days_overdue: int = 0


@dataclass(frozen=True)
class Agenda:
    meeting: dt.date
    items: list[Item] = field(default_factory=list)
    carried_forward: list[Item] = field(default_factory=list)

    @property
    def new_referrals(self) -> list[Item]:
        return [i for i in self.items if i.reason == "new referral"]

    @property
    def reviews(self) -> list[Item]:
        return [i for i in self.items if i.reason == "review due"]


def build(
    meeting: dt.date,
    cases: Iterable[CaseForAgenda],
    *,
    papers_days: int = 0,
    capacity: int | None = None,
) -> Agenda:
    """The agenda of the meeting on ``meeting`` from ``cases`` (see the module's rule)."""
    deadline = meeting - dt.timedelta(days=papers_days)
    new: list[tuple[dt.date, str]] = []
    due: list[tuple[int, dt.date, str]] = []
    for case in cases:
        if case.scheduled_elsewhere or case.status in ENDS:
            continue
        if case.status == REFERRED:
            if case.referred_on <= deadline:
                new.append((case.referred_on, case.id))
        elif case.next_review is not None and case.next_review <= meeting:
            due.append(((meeting - case.next_review).days, case.referred_on, case.id))
    new.sort()
    due.sort(key=lambda t: (-t[0], t[1], t[2]))
    ordered = [Item(cid, "new referral") for _, cid in new] + [
        Item(cid, "review due", overdue) for overdue, _, cid in due
    ]
    if capacity is None or len(ordered) <= capacity:
        return Agenda(meeting, ordered)
    return Agenda(meeting, ordered[:capacity], ordered[capacity:])
