"""A cohort's figures by period, as the values of a strategy measure (``kind: cases``).

A strategy measure whose ``data_source`` is ``kind: cases`` names a cohort and a statistic;
its values are worked out here from the cohort's plain records (:class:`~.figures.CaseFacts`,
:class:`~.figures.ActionFacts`) each time they are asked for, so they update themselves as
case work is recorded. Only numbers come out: no person, no case.

Statistics, for each period:

* ``size`` -- the cases open on the period's last day (accepted, or in a later open status,
  and not yet ended; as :class:`~.figures.CohortFigures` counts the size);
* ``referrals`` -- the referrals received in the period;
* ``reviewed`` -- the distinct cases discussed at a panel meeting held in the period (a case
  discussed at two meetings of the period counts once);
* ``actions_on_time`` -- of the actions due in the period, the percentage completed by their
  due date (an action still open, or completed late, is not on time; a period with no action
  due has no value). Each value carries its counts (on time, due) for the rating's test.

Periods are ``month``, ``quarter`` (calendar quarters) or ``financial_year`` (April to March);
each value is dated the period's first day, as the analytics measures date theirs. Only
periods that have ended by the day count (the period in progress has no value until it ends),
from the one holding the cohort's first referral.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .figures import ActionFacts, CaseFacts

#: statistic -> its unit (the unit a measure of it would give)
STATISTICS: dict[str, str] = {
    "size": "cases",
    "referrals": "referrals",
    "reviewed": "cases",
    "actions_on_time": "percent",
}
STATISTIC_LABELS: dict[str, str] = {
    "size": "Open cases on the period's last day",
    "referrals": "Referrals received in the period",
    "reviewed": "Cases discussed at a panel meeting in the period",
    "actions_on_time": "Actions due in the period completed on time (percent)",
}
PERIODS = ("month", "quarter", "financial_year")


@dataclass
class CohortValues:
    """The values of a cohort measure, dated by the first day of each period."""

    values: list[tuple[dt.date, float]] = field(default_factory=list)
    counts: dict[dt.date, tuple[float, float]] | None = None
    """For ``actions_on_time``: (actions on time, actions due) under each value."""
    note: str = ""


def period_start(day: dt.date, period: str) -> dt.date:
    """The first day of the period holding ``day``."""
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if period == "financial_year":
        return dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)
    raise ValueError(f"unknown period {period!r}")


def _next_start(start: dt.date, period: str) -> dt.date:
    months = {"month": 1, "quarter": 3, "financial_year": 12}[period]
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def periods(first: dt.date, day: dt.date, period: str) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of each period from the one holding ``first`` to the last that
    has ended on or before ``day``."""
    out: list[tuple[dt.date, dt.date]] = []
    start = period_start(first, period)
    while True:
        following = _next_start(start, period)
        end = following - dt.timedelta(days=1)
        if end > day:
            return out
        out.append((start, end))
        start = following


def cohort_values(
    cases: Iterable[CaseFacts],
    actions: Iterable[ActionFacts],
    statistic: str,
    period: str,
    day: dt.date,
) -> CohortValues:
    """The values of ``statistic`` for each period that has ended by ``day``."""
    if statistic not in STATISTICS:
        raise ValueError(f"unknown statistic {statistic!r}")
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}")
    cases = [c for c in cases if c.referred_on <= day]
    actions = list(actions)
    out = CohortValues()
    if not cases:
        out.note = "the cohort has no cases yet"
        return out
    spans = periods(min(c.referred_on for c in cases), day, period)
    if not spans:
        out.note = "no period has ended since the cohort's first referral"
        return out
    if statistic == "actions_on_time":
        out.counts = {}
        for start, end in spans:
            due = [a for a in actions if start <= a.due_on <= end]
            if not due:
                continue
            on_time = sum(
                1 for a in due if a.completed_on is not None and a.completed_on <= a.due_on
            )
            out.values.append((start, 100.0 * on_time / len(due)))
            out.counts[start] = (float(on_time), float(len(due)))
        out.note = "percent of the actions due in the period completed by their due date"
        if not out.values:
            out.note = "no action has fallen due yet"
        return out
    for start, end in spans:
        out.values.append((start, float(_count(cases, statistic, start, end))))
    out.note = STATISTIC_LABELS[statistic].lower()
    return out


def _count(cases: Sequence[CaseFacts], statistic: str, start: dt.date, end: dt.date) -> int:
    if statistic == "size":
        return sum(1 for c in cases if c.open_on(end))
    if statistic == "referrals":
        return sum(1 for c in cases if start <= c.referred_on <= end)
    # reviewed
    return sum(
        1
        for c in cases
        if any(start <= d <= end for d in (c.panel_dates or _first(c.first_panel_on)))
    )


def _first(day: dt.date | None) -> tuple[dt.date, ...]:
    return (day,) if day is not None else ()


__all__ = [
    "PERIODS",
    "STATISTICS",
    "STATISTIC_LABELS",
    "CohortValues",
    "cohort_values",
    "period_start",
    "periods",
]
