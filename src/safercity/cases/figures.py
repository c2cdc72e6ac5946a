"""A cohort's figures: size, referrals per month and by agency, time from referral to first
panel, actions completed on time, outcomes at closure.

Computed from plain records, never from people: the web app passes what the user may see
(members see their cohorts) or what the anonymised statistics hold after retention.

* **size on a day**: cases accepted (or in a later open status) and not yet closed that day;
* **time to first panel**: days from referral to the first meeting that discussed the case,
  for cases discussed at all; the median and the 90th percentile (nearest rank);
* **actions on time**: of the actions due on or before the day, those completed by their due
  date; an action still open past its due date counts as late.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .lifecycle import CLOSED, DECLINED, REFERRED


@dataclass(frozen=True)
class CaseFacts:
    referred_on: dt.date
    referring_agency: str
    status: str
    accepted_on: dt.date | None = None
    ended_on: dt.date | None = None
    outcome: str = ""
    first_panel_on: dt.date | None = None
    panel_dates: tuple[dt.date, ...] = ()
    """The days of the panel meetings that discussed the case (for the cases reviewed in a
    period; an anonymised case keeps only its first panel)."""

    def open_on(self, day: dt.date) -> bool:
        """In the cohort that day: accepted (or in a later open status) and not yet ended."""
        ended = self.ended_on is not None and self.ended_on <= day
        started = self.accepted_on is not None and self.accepted_on <= day
        return started and not ended and self.status != REFERRED


@dataclass(frozen=True)
class ActionFacts:
    due_on: dt.date
    completed_on: dt.date | None = None


def nearest_rank(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0-1) by the nearest-rank method (no interpolation)."""
    if not values:
        return None
    ordered = sorted(values)
    k = max(1, math.ceil(q * len(ordered)))
    return ordered[k - 1]


@dataclass
class CohortFigures:
    """Computed on creation from ``cases`` and ``actions`` as at ``day``; results are
    attributes."""

    cases: Iterable[CaseFacts]
    actions: Iterable[ActionFacts]
    day: dt.date
    size: int = 0
    referrals_by_month: dict[str, int] = field(default_factory=dict)
    referrals_by_agency: dict[str, int] = field(default_factory=dict)
    days_to_first_panel: list[int] = field(default_factory=list)
    median_days_to_first_panel: float | None = None
    p90_days_to_first_panel: float | None = None
    actions_due: int = 0
    actions_on_time: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    declined: int = 0

    def __post_init__(self) -> None:
        cases = list(self.cases)
        by_month: Counter[str] = Counter()
        by_agency: Counter[str] = Counter()
        outcomes: Counter[str] = Counter()
        for c in cases:
            if c.referred_on > self.day:
                continue
            by_month[c.referred_on.strftime("%Y-%m")] += 1
            by_agency[c.referring_agency or "Not recorded"] += 1
            ended = c.ended_on is not None and c.ended_on <= self.day
            if c.status == DECLINED and ended:
                self.declined += 1
            if c.status == CLOSED and ended:
                outcomes[c.outcome or "Not recorded"] += 1
            if c.open_on(self.day):
                self.size += 1
            if c.first_panel_on is not None and c.first_panel_on <= self.day:
                self.days_to_first_panel.append((c.first_panel_on - c.referred_on).days)
        self.referrals_by_month = dict(sorted(by_month.items()))
        self.referrals_by_agency = dict(by_agency.most_common())
        self.outcomes = dict(outcomes.most_common())
        days = [float(d) for d in self.days_to_first_panel]
        if days:
            ordered = sorted(days)
            mid = len(ordered) // 2
            self.median_days_to_first_panel = (
                ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
            )
        self.p90_days_to_first_panel = nearest_rank(days, 0.9)
        for a in self.actions:
            if a.due_on > self.day:
                continue
            self.actions_due += 1
            if a.completed_on is not None and a.completed_on <= a.due_on:
                self.actions_on_time += 1

    @property
    def share_on_time(self) -> float | None:
        return self.actions_on_time / self.actions_due if self.actions_due else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_at": self.day.isoformat(),
            "size": self.size,
            "referrals_by_month": self.referrals_by_month,
            "referrals_by_agency": self.referrals_by_agency,
            "declined": self.declined,
            "cases_discussed": len(self.days_to_first_panel),
            "median_days_to_first_panel": self.median_days_to_first_panel,
            "p90_days_to_first_panel": self.p90_days_to_first_panel,
            "actions_due": self.actions_due,
            "actions_on_time": self.actions_on_time,
            "share_on_time": self.share_on_time,
            "outcomes": self.outcomes,
        }
