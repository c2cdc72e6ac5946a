"""Monitoring a strategy's delivery: status of milestones and activities, RAG of measures.

Plain rules over plain values (no database), written down in ``docs/monitoring.md``:

* :func:`milestone_status` / :func:`activity_status` - not started, on track, at risk, overdue
  or complete, from the dates and the progress updates, as at a given day;
* :func:`parse_recurrence` / :class:`RecurringStatus` - a recurring milestone ("monthly",
  "every 6 weeks", "3 times per year") is due at each occurrence: each occurrence with no
  update in its window is missed, and the status is that of the latest occurrence;
* :func:`start_status` - a milestone that is only a date ("May 2011") is a start date: it
  starts on that day and runs until a day, and is never overdue;
* :class:`Target` and :class:`MeasureRating` - a measure's target (absolute, or relative to its
  baseline such as x2 or -5%, for the whole strategy or one year of it), its values (for the
  period, or cumulative), its projection to the due date and its RAG; for counts, whether the
  change from the baseline is statistically significant, by the E-test of
  :class:`safercity.analytics.trends.PoissonComparison` (the test the Strategic Assessment uses);
* :func:`priority_rag` - a priority's RAG at a glance from its activities, milestones and
  measures;
* :func:`period_values` / :func:`analytics_values` - the values of a count measure computed
  from the incident store, by rolling 12 months, month, quarter or financial year.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from safercity.analytics.trends import PoissonComparison

Status = Literal["not_started", "on_track", "at_risk", "overdue", "complete"]
Rag = Literal["green", "amber", "red", "grey"]

NOT_STARTED: Status = "not_started"
ON_TRACK: Status = "on_track"
AT_RISK: Status = "at_risk"
OVERDUE: Status = "overdue"
COMPLETE: Status = "complete"

STATUS_LABELS: dict[str, str] = {
    NOT_STARTED: "Not started",
    ON_TRACK: "On track",
    AT_RISK: "At risk",
    OVERDUE: "Overdue",
    COMPLETE: "Complete",
}

#: a dated milestone not yet reported as started is at risk this many days before it is due;
#: a start-date milestone with no report that it has started is at risk this many days after
#: its start
DUE_SOON_DAYS = 30
#: an update older than this many days (a quarter and a half) no longer vouches for "on track"
STALE_DAYS = 135
#: a measure within this fraction of its target (of the target's size) is "within tolerance"
TOLERANCE = 0.10
#: significance level of the change-from-baseline test for count measures
ALPHA = 0.05
#: units whose values are not counts (no Poisson test on the values themselves)
NON_COUNT_UNITS = frozenset({"percent", "percentage", "proportion", "rate", "ratio", "%"})


@dataclass(frozen=True)
class Update:
    """A progress update as the rules need it: its date and the status its author gave."""

    date: dt.date
    status: str


def latest(updates: Iterable[Update]) -> Update | None:
    """The most recent update (the later one in the list on the same day)."""
    best: Update | None = None
    for u in updates:
        if best is None or u.date >= best.date:
            best = u
    return best


def known(updates: Iterable[Update], today: dt.date) -> list[Update]:
    """The updates dated on or before ``today`` (later ones are not yet known)."""
    return [u for u in updates if u.date <= today]


def milestone_status(
    updates: Sequence[Update],
    today: dt.date,
    *,
    due: dt.date | None = None,
) -> Status:
    """Status of a milestone (or of anything with an optional due date and updates).

    Rules, first match wins (``latest`` is the most recent update on or before ``today``):

    1. **complete** - the latest update says complete;
    2. **overdue** - it has a due date and ``today`` is after it;
    3. **not started** / **at risk** - no update: at risk when due within ``DUE_SOON_DAYS``,
       otherwise not started;
    4. **at risk** - the latest update says at risk or overdue, or it is more than
       ``STALE_DAYS`` old (no report for more than a quarter and a half);
    5. **not started** - the latest update says not started (at risk when due within
       ``DUE_SOON_DAYS``);
    6. **on track** - otherwise (a recent update saying on track).
    """
    last = latest(known(updates, today))
    if last is not None and last.status == COMPLETE:
        return COMPLETE
    if due is not None and today > due:
        return OVERDUE
    due_soon = due is not None and (due - today).days <= DUE_SOON_DAYS
    if last is None:
        return AT_RISK if due_soon else NOT_STARTED
    if last.status in (AT_RISK, OVERDUE) or (today - last.date).days > STALE_DAYS:
        return AT_RISK
    if last.status == NOT_STARTED:
        return AT_RISK if due_soon else NOT_STARTED
    return ON_TRACK


def start_status(
    updates: Sequence[Update],
    today: dt.date,
    *,
    start: dt.date,
) -> Status:
    """Status of a milestone that is only a date: work that **starts on** ``start`` and runs
    on (until a day, or the end of the strategy). It is never overdue.

    1. **not started** - before its start (at risk if an update says so);
    2. **complete** - the latest update says complete;
    3. **at risk** - no update saying it has started (on track or complete) more than
       ``DUE_SOON_DAYS`` after the start; or the latest update says at risk or overdue, or is
       more than ``STALE_DAYS`` old;
    4. **not started** - no update, or the latest says not started, within ``DUE_SOON_DAYS``
       of the start;
    5. **on track** - otherwise.
    """
    last = latest(known(updates, today))
    if today < start:
        return AT_RISK if last is not None and last.status in (AT_RISK, OVERDUE) else NOT_STARTED
    if last is not None and last.status == COMPLETE:
        return COMPLETE
    late_start = (today - start).days > DUE_SOON_DAYS
    if last is None or last.status == NOT_STARTED:
        return AT_RISK if late_start else NOT_STARTED
    if last.status in (AT_RISK, OVERDUE) or (today - last.date).days > STALE_DAYS:
        return AT_RISK
    return ON_TRACK


# --------------------------------------------------------------------------- recurrence


@dataclass(frozen=True)
class Recurrence:
    """How often a milestone recurs: every ``months`` calendar months or every ``days`` days;
    neither for "ongoing" (continuous work with no occurrences)."""

    text: str
    months: int = 0
    days: int = 0

    @property
    def ongoing(self) -> bool:
        return not self.months and not self.days

    def describe(self) -> str:
        if self.ongoing:
            return "ongoing"
        if self.months:
            return "every month" if self.months == 1 else f"every {self.months} months"
        if self.days % 7 == 0:
            weeks = self.days // 7
            return "every week" if weeks == 1 else f"every {weeks} weeks"
        return f"every {self.days} days"


_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "eight": 8,
    "twelve": 12,
}


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word]


_NUM = r"(\d+|one|two|three|four|five|six|eight|twelve)"
_PATTERNS: tuple[tuple[str, Any], ...] = (
    (r"ongoing|continuous(ly)?", lambda m: (0, 0)),
    (r"(at least )?(monthly|every month|each month|once a month)", lambda m: (1, 0)),
    (r"(at least )?(quarterly|every quarter)", lambda m: (3, 0)),
    (r"(annually|yearly|every year|once a year)", lambda m: (12, 0)),
    (r"(at least )?(fortnightly|every two weeks|every 2 weeks)", lambda m: (0, 14)),
    (r"(at least )?(weekly|every week|once a week)", lambda m: (0, 7)),
    (rf"every {_NUM} weeks?|{_NUM}[ -]weekly", lambda m: (0, 7 * _number(m[1] or m[2]))),
    (rf"every {_NUM} months?|{_NUM}[ -]monthly", lambda m: (_number(m[1] or m[2]), 0)),
    (
        rf"{_NUM} times (a|per|each) year",
        lambda m: (12 // _number(m[1]), 0) if 12 % _number(m[1]) == 0 else None,
    ),
)


def parse_recurrence(text: str | None) -> Recurrence | None:
    """A recurrence in the document's words, or None when the words are not understood.

    >>> parse_recurrence("monthly thereafter").months
    1
    >>> parse_recurrence("every 6 weeks").days
    42
    >>> parse_recurrence("3 times per year").months
    4
    >>> parse_recurrence("ongoing").ongoing
    True
    """
    if not text:
        return None
    words = " ".join(text.lower().replace("-", " ").split())
    words = re.sub(r"\s*(thereafter|after that|on a \w+ basis)$", "", words).strip()
    words = re.sub(r"^on a (\w+) basis$", r"\1", words)
    for pattern, make in _PATTERNS:
        m = re.fullmatch(pattern, words)
        if m:
            got = make(m)
            if got is None:
                return None
            months, days = got
            return Recurrence(text, months=months, days=days)
    basis = re.fullmatch(r"on an? (\w+) basis", " ".join(text.lower().split()))
    if basis:
        return parse_recurrence(basis[1])
    return None


def milestone_kind(recurrence: str | None, due: dt.date | None, start: dt.date | None) -> str:
    """``recurring`` (due at each occurrence), ``ongoing``, ``deliverable`` (due by a day),
    ``start`` (only a start date: starts on a day, runs until a day) or ``undated``."""
    rec = parse_recurrence(recurrence)
    if rec is not None:
        return "ongoing" if rec.ongoing else "recurring"
    if due is not None:
        return "deliverable"
    if start is not None:
        return "start"
    return "undated"


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: dt.date, months: int) -> dt.date:
    """The last day of the month ``months`` after ``day``'s month (month-end dates)."""
    index = day.year * 12 + day.month - 1 + months
    return _month_end(index // 12, index % 12 + 1)


def occurrences(
    recurrence: Recurrence,
    *,
    first_due: dt.date | None = None,
    start: dt.date | None = None,
    until: dt.date,
) -> list[tuple[dt.date, dt.date]]:
    """The occurrences of a recurring milestone as ``(opens, due)`` windows, due on or before
    ``until``.

    The first occurrence is due on ``first_due`` (e.g. "May 2011; monthly thereafter": 31 May
    2011) or, without it, one interval after ``start`` (monthly from 1 June 2011: 30 June
    2011; every 6 weeks from 1 April 2011: 12 May 2011). Each later occurrence is one interval
    after the one before (month ends for monthly recurrences). An occurrence's window opens the
    day after the previous one is due (the first: one interval before its due date).
    """
    if recurrence.ongoing:
        return []
    if first_due is None and start is None:
        raise ValueError("a recurring milestone needs a first due date or a start")
    out: list[tuple[dt.date, dt.date]] = []
    i = 0
    while True:
        if recurrence.months:
            if first_due is not None:
                due = _add_months(first_due, i * recurrence.months)
                previous = _add_months(first_due, (i - 1) * recurrence.months)
            else:
                assert start is not None
                due = _add_months(start, (i + 1) * recurrence.months - 1)
                previous = (
                    _add_months(start, i * recurrence.months - 1)
                    if i
                    else start - dt.timedelta(days=1)
                )
        else:
            step = dt.timedelta(days=recurrence.days)
            if first_due is not None:
                due = first_due + i * step
            else:
                assert start is not None
                due = start + (i + 1) * step - dt.timedelta(days=1)
            previous = due - step
        if due > until:
            return out
        out.append((previous + dt.timedelta(days=1), due))
        i += 1


@dataclass(frozen=True)
class Occurrence:
    opens: dt.date
    due: dt.date
    met: bool | None
    """True: an update in its window says on track or complete; False: its due date has passed
    without one (missed); None: still open."""


class RecurringStatus:
    """Status of a recurring milestone as at ``today``: due at each occurrence.

    An occurrence is **met** when an update dated in its window (the day after the previous
    occurrence was due, to its own due date, both inclusive) says on track or complete, and
    **missed** when its due date has passed without one. Rules, first match wins:

    1. **overdue** - the latest occurrence whose due date has passed was missed;
    2. **complete** - every occurrence is past and the last one was met;
    3. **at risk** - the latest update in the open occurrence's window says at risk or overdue;
    4. **on track** - the latest past occurrence was met, or the open one already has an
       update saying on track or complete;
    5. before any occurrence is past: the rule for a dated milestone due on the first
       occurrence's date (:func:`milestone_status`).

    Attributes
    ----------
    occurrences : list of Occurrence
        Those that have opened by ``today``, oldest first.
    missed : list of Occurrence
    status : str
    upcoming : Occurrence or None
        The open occurrence (or the next to open).
    """

    def __init__(
        self,
        updates: Sequence[Update],
        today: dt.date,
        *,
        recurrence: Recurrence,
        first_due: dt.date | None = None,
        start: dt.date | None = None,
        until: dt.date,
    ) -> None:
        windows = occurrences(recurrence, first_due=first_due, start=start, until=until)
        seen = known(updates, today)
        good = (ON_TRACK, COMPLETE)
        self.occurrences: list[Occurrence] = []
        self.upcoming: Occurrence | None = None
        for opens, due in windows:
            if opens > today:
                if self.upcoming is None:
                    self.upcoming = Occurrence(opens, due, None)
                break
            met = any(opens <= u.date <= due and u.status in good for u in seen)
            if due < today:
                self.occurrences.append(Occurrence(opens, due, met))
            else:
                occ = Occurrence(opens, due, True if met else None)
                self.occurrences.append(occ)
                self.upcoming = occ
        self.missed = [o for o in self.occurrences if o.met is False]
        past = [o for o in self.occurrences if o.due < today]
        open_now = self.upcoming if self.upcoming and self.upcoming.opens <= today else None
        self.status: Status
        if past and past[-1].met is False:
            self.status = OVERDUE
        elif windows and past and len(past) == len(windows):
            self.status = COMPLETE
        else:
            in_open = (
                [u for u in seen if open_now.opens <= u.date <= open_now.due] if open_now else []
            )
            last_open = latest(in_open)
            if last_open is not None and last_open.status in (AT_RISK, OVERDUE):
                self.status = AT_RISK
            elif past or (open_now is not None and open_now.met):
                self.status = ON_TRACK
            else:
                first = windows[0][1] if windows else until
                self.status = milestone_status(seen, today, due=first)


# --------------------------------------------------------------------------- activities


def combine(statuses: Sequence[Status]) -> Status:
    """Status of a whole from its parts: overdue if any part is overdue, else at risk if any is
    at risk, else complete if every part is complete, else on track if any part is on track or
    complete, else not started (also for no parts)."""
    if not statuses:
        return NOT_STARTED
    for worst in (OVERDUE, AT_RISK):
        if worst in statuses:
            return worst
    if all(s == COMPLETE for s in statuses):
        return COMPLETE
    if any(s in (ON_TRACK, COMPLETE) for s in statuses):
        return ON_TRACK
    return NOT_STARTED


def activity_status(
    updates: Sequence[Update], milestone_statuses: Sequence[Status], today: dt.date
) -> Status:
    """Status of an activity from its own updates and its milestones' statuses.

    1. **complete** - the activity's latest update says complete (its owner closes it);
    2. otherwise :func:`combine` of its milestones' statuses and its own status from its
       updates (:func:`milestone_status` with no due date), the latter only when it has updates
       or no milestones.
    """
    last = latest(known(updates, today))
    if last is not None and last.status == COMPLETE:
        return COMPLETE
    parts = list(milestone_statuses)
    if last is not None or not parts:
        parts.append(milestone_status(updates, today))
    return combine(parts)


# --------------------------------------------------------------------------- measures


def _linear_projection(points: Sequence[tuple[dt.date, float]], when: dt.date) -> float | None:
    """Least-squares straight line through the points, evaluated at ``when``."""
    if len(points) < 2:
        return None
    xs = [p[0].toordinal() for p in points]
    ys = [p[1] for p in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    return my + slope * (when.toordinal() - mx)


def _is_whole(v: float) -> bool:
    return math.isfinite(v) and v >= 0 and float(v).is_integer()


def financial_year(day: dt.date) -> int:
    """The financial year (April to March) of a day, by the year it starts: 2011 for 2011/12."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(year: int) -> str:
    """2011 -> "2011/12"."""
    return f"{year}/{(year + 1) % 100:02d}"


@dataclass(frozen=True)
class Target:
    """A target: absolute (``value``, with ``upper`` for a range such as 20-25%) or relative to
    the baseline (``times`` 2 for "double", ``percent`` -5 for "5% fewer"), to be met by
    ``end``. Period values (``basis="period"``) are summed from ``start``.

    ``label`` names it, e.g. "2011/12" for the target of one year of the strategy.
    """

    value: float | None = None
    upper: float | None = None
    times: float | None = None
    percent: float | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    label: str = ""

    @property
    def relative(self) -> bool:
        return self.times is not None or self.percent is not None

    def resolve(self, baseline: float | None) -> tuple[float | None, float | None]:
        """``(target, upper)`` as numbers; a relative target without a baseline is None."""
        if self.times is not None:
            return (None, None) if baseline is None else (baseline * self.times, None)
        if self.percent is not None:
            if baseline is None:
                return None, None
            return baseline * (1 + self.percent / 100.0), None
        return self.value, self.upper

    def describe(self) -> str:
        if self.times is not None:
            return f"{self.times:g} times the baseline"
        if self.percent is not None:
            sign = "+" if self.percent > 0 else ""
            return f"{sign}{self.percent:g}% on the baseline"
        if self.value is None:
            return ""
        if self.upper is not None:
            return f"{self.value:g} to {self.upper:g}"
        return f"{self.value:g}"


def target_for(targets: Sequence[Target], today: dt.date) -> Target | None:
    """The target that applies on ``today``: the one whose window (``start`` to ``end``)
    holds it; before them all the first; after them all the last to end."""
    if not targets:
        return None
    for t in targets:
        if (t.start is None or t.start <= today) and (t.end is None or today <= t.end):
            return t
    ordered = sorted(targets, key=lambda t: t.end or dt.date.max)
    if ordered[0].start is not None and today < ordered[0].start:
        return ordered[0]
    ended = [t for t in ordered if t.end is not None and t.end < today]
    return ended[-1] if ended else ordered[-1]


class MeasureRating:
    """A measure's RAG against its target, as at a day.

    Parameters
    ----------
    values : sequence of (date, value)
        The measure's values (entered by the owner or computed by the analytics).
    today : date
        The day of the rating; values after it are ignored.
    direction : {"increase", "reduce", "achieve"} or None
        "increase"/"reduce": higher/lower is better; "achieve": reach the target (higher is
        better). None: the document does not say.
    target, target_upper : float, optional
        An absolute target and, for a range, its upper end (shorthand for one :class:`Target`).
    targets : sequence of Target, optional
        The targets, e.g. one per year of the strategy; the one for ``today`` applies
        (:func:`target_for`).
    baseline, baseline_date : optional
        The baseline value and its date. Without a value but with a date, the value on that
        date; without either, the first value (when there are two or more).
    deadline : date, optional
        When the target is due (the measure's due date, else the end of the strategy), for
        ``target``/``target_upper``.
    basis : {"cumulative", "period"}, default "cumulative"
        "cumulative": each value is the total (or level) so far, and the latest is rated;
        "period": each value counts its own period only, and the values dated in the target's
        window (its ``start`` to ``today``) are summed.
    unit : str
        The unit; percentages, proportions and rates are not counts.
    counts : mapping of date to (count, exposure), optional
        For a rate or share computed from counts: the count under each value and its exposure
        (residents, or the count of the whole), and the same for the baseline's date. The
        change from the baseline is then tested on the counts, as a change in rate.
    tolerance : float, default ``TOLERANCE``
    alpha : float, default ``ALPHA``

    Attributes
    ----------
    latest : float or None
        The value rated: the latest value on or before ``today``, or for period values the sum
        in the target's window.
    latest_date : date or None
    target_now : Target or None
        The target that applies on ``today``.
    target_value, target_upper_value : float or None
        That target as numbers (a relative target resolved against the baseline).
    projected : float or None
        The least-squares line through the baseline and the values (cumulative within the
        window, for period values), at the target's due date.
    rag : {"green", "amber", "red", "grey"}
    label : str
        "Met", "Projected to meet target", "Improving, target not met", "Within tolerance",
        "Off track", "Significantly better", "No significant change", "Significantly worse",
        "Improving", "No data", "No baseline" or "No target".
    reason : str
        One sentence saying which rule gave the RAG.
    is_count : bool
        The values can be tested as counts: a count unit and whole non-negative values (and
        baseline), or ``counts`` given.
    comparison : PoissonComparison or None
        The value rated against the baseline (two-sided E-test; equal exposures for counts over
        periods of the same length, the exposures of ``counts`` otherwise).
    significant : bool or None
    change : {"up", "down", "none"} or None
        The direction of a significant change from the baseline ("none": not significant).
    statement : str
        The comparison in words, in the measure's unit ("" without a comparison).
    """

    def __init__(
        self,
        values: Sequence[tuple[dt.date, float]],
        today: dt.date,
        *,
        direction: str | None = None,
        target: float | None = None,
        target_upper: float | None = None,
        targets: Sequence[Target] = (),
        baseline: float | None = None,
        baseline_date: dt.date | None = None,
        deadline: dt.date | None = None,
        basis: str = "cumulative",
        unit: str = "",
        counts: dict[dt.date, tuple[float, float]] | None = None,
        tolerance: float = TOLERANCE,
        alpha: float = ALPHA,
    ) -> None:
        all_points = sorted((d, float(v)) for d, v in values)
        pts = [(d, v) for d, v in all_points if d <= today]
        self.today = today
        self.direction = direction or None
        self.tolerance = tolerance
        self.basis = basis
        if target is not None or target_upper is not None:
            targets = [Target(value=target, upper=target_upper, end=deadline), *targets]
        self.target_now = target_for(targets, today)
        self.deadline = self.target_now.end if self.target_now else deadline
        # the baseline: given, else the value on its date, else the first value
        base = baseline
        if base is None and baseline_date is not None:
            base = next((v for d, v in all_points if d == baseline_date), None)
        if base is None and baseline_date is None and len(pts) > 1:
            base = pts[0][1]
            baseline_date = pts[0][0]
        self.baseline = base
        self.target_value, self.target_upper_value = (
            self.target_now.resolve(base) if self.target_now else (None, None)
        )
        # the value rated
        if basis == "period":
            start = self.target_now.start if self.target_now else None
            window = [(d, v) for d, v in pts if start is None or d >= start]
            self.latest = sum(v for _, v in window) if window else None
            self.latest_date = window[-1][0] if window else None
            running = 0.0
            fit: list[tuple[dt.date, float]] = [(start, 0.0)] if start is not None else []
            for d, v in window:
                running += v
                fit.append((d, running))
        else:
            self.latest = pts[-1][1] if pts else None
            self.latest_date = pts[-1][0] if pts else None
            fit = list(pts)
            if (
                base is not None
                and baseline_date is not None
                and baseline_date < (pts[0][0] if pts else today)
            ):
                fit = [(baseline_date, float(base)), *fit]
        self.projected = (
            _linear_projection(fit, self.deadline)
            if self.deadline is not None and self.deadline > today
            else None
        )
        self.is_count = counts is not None or (
            unit.strip().lower() not in NON_COUNT_UNITS
            and bool(pts)
            and all(_is_whole(v) for _, v in pts)
            and (base is None or _is_whole(base))
        )
        self.comparison: PoissonComparison | None = None
        self.significant: bool | None = None
        window_complete = (
            basis != "period"
            or self.target_now is None
            or (self.target_now.end is not None and self.target_now.end < today)
        )
        if self.is_count and base is not None and self.latest is not None and window_complete:
            if counts is not None:
                now = counts.get(self.latest_date) if self.latest_date else None
                then = counts.get(baseline_date) if baseline_date else None
                if now is not None and then is not None and now[1] > 0 and then[1] > 0:
                    self.comparison = PoissonComparison(
                        round(now[0]),
                        round(then[0]),
                        exposure_this=now[1],
                        exposure_last=then[1],
                        alpha=alpha,
                    )
            else:
                self.comparison = PoissonComparison(int(self.latest), int(base), alpha=alpha)
        self.change: str | None = None
        if self.comparison is not None:
            self.significant = self.comparison.significant
            pct = self.comparison.pct_change
            self.change = (
                "none"
                if not self.significant or math.isnan(pct) or pct == 0
                else ("up" if pct > 0 else "down")
            )
        #: e.g. "60 offences, down 40.0% on 100 (E-test p = 0.0012: a real change at 0.05)"
        self.statement = (
            self.comparison.statement(unit.strip() or "counts") if self.comparison else ""
        )
        self.rag, self.label, self.reason = self._rate()

    def _better(self) -> int:
        """+1 when higher is better, -1 when lower is better."""
        return -1 if self.direction == "reduce" else 1

    def _meets(self, v: float) -> bool:
        assert self.target_value is not None
        if self.direction == "reduce":
            return v <= self.target_value
        if self.target_upper_value is not None:
            return self.target_value <= v <= self.target_upper_value
        return v >= self.target_value

    def _significant_way(self) -> int:
        """+1 significantly better than the baseline, -1 significantly worse, 0 neither."""
        if self.change in (None, "none") or self.direction not in ("increase", "reduce"):
            return 0
        up = 1 if self.change == "up" else -1
        return up * self._better()

    def _rate(self) -> tuple[Rag, str, str]:
        if self.latest is None:
            return "grey", "No data", "No value has been entered or computed yet."
        way = self._significant_way()
        if self.target_now is not None and self.target_value is None and self.target_now.relative:
            return (
                "grey",
                "No baseline",
                "The target is relative to the baseline, which is not known yet.",
            )
        if self.target_value is None:
            if self.direction not in ("increase", "reduce") or self.baseline is None:
                return "grey", "No target", "There is no target or direction to rate against."
            if self.comparison is not None:
                if way > 0:
                    return (
                        "green",
                        "Significantly better",
                        "A statistically significant change from the baseline, the way sought.",
                    )
                if way < 0:
                    return (
                        "red",
                        "Significantly worse",
                        "A statistically significant change from the baseline, the wrong way.",
                    )
                return (
                    "amber",
                    "No significant change",
                    "The change from the baseline is within normal variation.",
                )
            change = (self.latest - self.baseline) * self._better()
            if change > 0:
                return "green", "Improving", "Better than the baseline, the direction sought."
            if abs(self.latest - self.baseline) <= self.tolerance * abs(self.baseline):
                return "amber", "Within tolerance", "Within tolerance of the baseline."
            return "red", "Off track", "Worse than the baseline."
        if self._meets(self.latest):
            return "green", "Met", "The latest value meets the target."
        if way < 0:
            return (
                "red",
                "Significantly worse",
                "Not met, and significantly worse than the baseline.",
            )
        if self.projected is not None and self._meets(self.projected):
            return (
                "green",
                "Projected to meet target",
                "The trend of the values, projected to the due date, meets the target.",
            )
        if way > 0:
            return (
                "amber",
                "Improving, target not met",
                "Significantly better than the baseline, but the target is not met yet.",
            )
        gap, size = abs(self.latest - self.target_value), abs(self.target_value)
        if self.target_upper_value is not None and self.latest > self.target_upper_value:
            # above a range: how far above its upper end, as a share of the upper end
            gap, size = self.latest - self.target_upper_value, abs(self.target_upper_value)
        if gap <= self.tolerance * max(size, 1e-9):
            return (
                "amber",
                "Within tolerance",
                f"Not yet met, but within {self.tolerance:.0%} of the target.",
            )
        return "red", "Off track", "Not met, not projected to be met and outside tolerance."

    def to_dict(self) -> dict[str, Any]:
        return {
            "latest": self.latest,
            "latest_date": self.latest_date.isoformat() if self.latest_date else None,
            "baseline": self.baseline,
            "target": self.target_value,
            "target_upper": self.target_upper_value,
            "target_label": self.target_now.label if self.target_now else "",
            "projected": self.projected,
            "rag": self.rag,
            "label": self.label,
            "reason": self.reason,
            "is_count": self.is_count,
            "significant": self.significant,
            "change": self.change,
            "comparison": self.comparison.to_dict() if self.comparison else None,
        }


def priority_rag(activity_statuses: Sequence[str], measure_rags: Sequence[str]) -> Rag:
    """A priority at a glance (its plan's own milestones count as activities).

    * **red** - an activity is overdue or a measure off track;
    * **amber** - an activity is at risk or a measure within tolerance;
    * **green** - at least one activity on track or complete, or a measure green, and none of
      the above;
    * **grey** - nothing started and no measure rated.
    """
    if OVERDUE in activity_statuses or "red" in measure_rags:
        return "red"
    if AT_RISK in activity_statuses or "amber" in measure_rags:
        return "amber"
    if any(s in (ON_TRACK, COMPLETE) for s in activity_statuses) or "green" in measure_rags:
        return "green"
    return "grey"


RAG_LABELS: dict[str, str] = {
    "green": "Green",
    "amber": "Amber",
    "red": "Red",
    "grey": "Not rated",
}


def strategy_start(period_start: int) -> dt.date:
    """The first day of a strategy period ``YYYY-YY``: 1 April of its first year."""
    return dt.date(period_start, 4, 1)


def strategy_end(period_end: int) -> dt.date:
    """The last day of a strategy period ``YYYY-YY``: 31 March of its end year (UK
    partnerships plan by financial year, April to March)."""
    return dt.date(period_end, 3, 31)


def default_as_at(period_start: int, period_end: int, today: dt.date) -> dt.date:
    """The day a strategy's pages show by default: today while the strategy runs, its last
    day once it has ended, its first day before it starts."""
    first, last = strategy_start(period_start), strategy_end(period_end)
    return min(max(today, first), last)


# --------------------------------------------------------------------------- analytics measures

Period = Literal["rolling_12_months", "financial_year", "quarter", "month"]


@dataclass
class PeriodValues:
    """Values of a count measure by period, each dated by the first day of its last month."""

    values: list[tuple[dt.date, float]] = field(default_factory=list)
    months: dict[dt.date, int] = field(default_factory=dict)
    """Months of data under each value (12 for a rolling year, 3 for a quarter, ...)."""


def period_values(monthly: Sequence[tuple[dt.date, float]], period: str) -> PeriodValues:
    """Group a complete monthly series (first days of months, no gaps) into a measure's periods.

    ``month``: each month; ``rolling_12_months``: for each month with 12 months of data up to
    it, the total of the 12 months ending with it (dated that month); ``quarter``: each
    calendar quarter with all three months present (dated its first month); ``financial_year``:
    each April-March year with all twelve months present (dated 1 April).
    """
    months = sorted(monthly)
    out = PeriodValues()
    if period == "month":
        out.values = [(d, float(v)) for d, v in months]
        out.months = {d: 1 for d, _ in months}
        return out
    if period == "rolling_12_months":
        for i in range(11, len(months)):
            window = months[i - 11 : i + 1]
            first, last = window[0][0], window[-1][0]
            if (last.year - first.year) * 12 + last.month - first.month != 11:
                continue  # a gap in the months: not twelve consecutive months
            out.values.append((last, float(sum(v for _, v in window))))
            out.months[last] = 12
        return out
    if period not in ("quarter", "financial_year"):
        raise ValueError(f"unknown period {period!r}")
    groups: dict[dt.date, list[float]] = {}
    for d, v in months:
        if period == "quarter":
            key = dt.date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
        else:  # financial_year, April to March
            key = dt.date(financial_year(d), 4, 1)
        groups.setdefault(key, []).append(float(v))
    size = 3 if period == "quarter" else 12
    for k, vs in sorted(groups.items()):
        if len(vs) == size:
            out.values.append((k, sum(vs)))
            out.months[k] = size
    return out


def analytics_values(
    workspace: Any,
    *,
    category: Sequence[str] = (),
    theme: str | None = None,
    area: str | None = None,
    period: str = "rolling_12_months",
) -> list[tuple[dt.date, float]]:
    """Values of a count measure computed from the incident store (see :func:`period_values`;
    months with no incidents between the first and last are zeros)."""
    import pandas as pd

    from safercity.analytics.frames import incidents_frame
    from safercity.analytics.trends import monthly_counts

    frame = incidents_frame(
        workspace,
        area=area,
        category=list(category) or None,
        theme=theme,
        columns=["month"],
    )
    monthly = monthly_counts(frame)
    pairs = [
        (ts.date(), float(v))
        for ts, v in zip(pd.DatetimeIndex(monthly.index), monthly, strict=True)
    ]
    return period_values(pairs, period).values
