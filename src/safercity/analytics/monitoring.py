"""Monitoring a strategy's delivery: status of milestones and activities, RAG of measures.

Plain rules over plain values (no database), written down in ``docs/monitoring.md``:

* :func:`milestone_status` / :func:`activity_status` - not started, on track, at risk, overdue
  or complete, from the dates and the progress updates, as at a given day;
* :class:`MeasureRating` - a measure's latest value, its projection to the due date and its RAG
  (green: met or projected to meet the target; amber: within tolerance; red: off track), and
  for count measures whether the change from the baseline is statistically significant, by the
  E-test of :class:`safercity.analytics.trends.PoissonComparison`;
* :func:`priority_rag` - a priority's RAG at a glance from its activities and measures.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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

#: a dated milestone not yet reported as started is at risk this many days before it is due
DUE_SOON_DAYS = 30
#: an update older than this many days (a quarter and a half) no longer vouches for "on track"
STALE_DAYS = 135
#: a measure within this fraction of its target (of the target's size) is "within tolerance"
TOLERANCE = 0.10
#: significance level of the change-from-baseline test for count measures
ALPHA = 0.05
#: units whose values are not counts (no Poisson test)
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
    4. **at risk** - the latest update says at risk or overdue, or it is older than
       ``STALE_DAYS`` (no report for more than a quarter and a half);
    5. **not started** - the latest update says not started (at risk when due within
       ``DUE_SOON_DAYS``);
    6. **on track** - otherwise (a recent update saying on track).
    """
    last = latest(u for u in updates if u.date <= today)
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
    last = latest(u for u in updates if u.date <= today)
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
        The target and, for a range, its upper end.
    baseline, baseline_date : optional
        The baseline value and its date. Without a baseline the first value is the baseline of
        the significance test and of a target-less direction.
    deadline : date, optional
        When the target is due (the measure's due date, else the end of the strategy).
    unit : str
        The unit; percentages, proportions and rates are not counts.
    tolerance : float, default ``TOLERANCE``
    alpha : float, default ``ALPHA``

    Attributes
    ----------
    latest : float or None
        The latest value on or before ``today``.
    latest_date : date or None
    projected : float or None
        The least-squares line through the baseline and the values, at ``deadline``.
    rag : {"green", "amber", "red", "grey"}
    label : str
        "Met", "Projected to meet target", "Within tolerance", "Off track", "No data" or
        "No target".
    reason : str
        One sentence saying which rule gave the RAG.
    is_count : bool
        Count measure: a count unit and whole non-negative values (and baseline).
    comparison : PoissonComparison or None
        Latest value against the baseline (two-sided E-test, equal exposures: both are counts
        over a period of the same length), for count measures with a baseline.
    significant : bool or None
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
        baseline: float | None = None,
        baseline_date: dt.date | None = None,
        deadline: dt.date | None = None,
        unit: str = "",
        tolerance: float = TOLERANCE,
        alpha: float = ALPHA,
    ) -> None:
        pts = sorted((d, float(v)) for d, v in values if d <= today)
        self.today = today
        self.direction = direction or None
        self.target = target
        self.target_upper = target_upper
        self.deadline = deadline
        self.tolerance = tolerance
        self.latest = pts[-1][1] if pts else None
        self.latest_date = pts[-1][0] if pts else None
        base = baseline if baseline is not None else (pts[0][1] if len(pts) > 1 else None)
        self.baseline = base
        fit = list(pts)
        if baseline is not None and baseline_date is not None:
            fit = [(baseline_date, float(baseline)), *fit]
        self.projected = (
            _linear_projection(fit, deadline) if deadline is not None and deadline > today else None
        )
        self.is_count = (
            unit.strip().lower() not in NON_COUNT_UNITS
            and bool(pts)
            and all(_is_whole(v) for _, v in pts)
            and (base is None or _is_whole(base))
        )
        self.comparison: PoissonComparison | None = None
        self.significant: bool | None = None
        if self.is_count and base is not None and self.latest is not None:
            self.comparison = PoissonComparison(int(self.latest), int(base), alpha=alpha)
            self.significant = self.comparison.significant
        #: e.g. "60 offences, down 40.0% on 100 (E-test p = 0.0012: a real change at 0.05)"
        self.statement = (
            self.comparison.statement(unit.strip() or "counts") if self.comparison else ""
        )
        self.rag, self.label, self.reason = self._rate()

    def _better(self) -> int:
        """+1 when higher is better, -1 when lower is better."""
        return -1 if self.direction == "reduce" else 1

    def _meets(self, v: float) -> bool:
        assert self.target is not None
        if self.direction == "reduce":
            return v <= self.target
        if self.target_upper is not None:
            return self.target <= v <= self.target_upper
        return v >= self.target

    def _rate(self) -> tuple[Rag, str, str]:
        if self.latest is None:
            return "grey", "No data", "No value has been entered or computed yet."
        if self.target is None:
            if self.direction not in ("increase", "reduce") or self.baseline is None:
                return "grey", "No target", "There is no target or direction to rate against."
            change = (self.latest - self.baseline) * self._better()
            if change > 0:
                return "green", "Improving", "Better than the baseline, the direction sought."
            if abs(self.latest - self.baseline) <= self.tolerance * abs(self.baseline):
                return "amber", "Within tolerance", "Within tolerance of the baseline."
            return "red", "Off track", "Worse than the baseline."
        if self._meets(self.latest):
            return "green", "Met", "The latest value meets the target."
        if self.projected is not None and self._meets(self.projected):
            return (
                "green",
                "Projected to meet target",
                "The trend of the values, projected to the due date, meets the target.",
            )
        gap = abs(self.latest - self.target)
        if self.target_upper is not None and self.latest > self.target_upper:
            gap = self.latest - self.target_upper
        if gap <= self.tolerance * max(abs(self.target), 1e-9):
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
            "projected": self.projected,
            "rag": self.rag,
            "label": self.label,
            "reason": self.reason,
            "is_count": self.is_count,
            "significant": self.significant,
            "comparison": self.comparison.to_dict() if self.comparison else None,
        }


def priority_rag(activity_statuses: Sequence[str], measure_rags: Sequence[str]) -> Rag:
    """A priority at a glance.

    * **red** - an activity is overdue or a measure is off track;
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


def strategy_end(period_end: int) -> dt.date:
    """The last day of a strategy period ``YYYY-YY``: 31 March of its end year (UK
    partnerships plan by financial year, April to March)."""
    return dt.date(period_end, 3, 31)


# --------------------------------------------------------------------------- analytics measures


def analytics_values(
    workspace: Any,
    *,
    category: Sequence[str] = (),
    theme: str | None = None,
    area: str | None = None,
    period: str = "rolling_12_months",
) -> list[tuple[dt.date, float]]:
    """Values of a measure computed from the incident store.

    ``rolling_12_months``: for each month with 12 complete months of data up to it, the count
    of the 12 months ending with it (dated the first day of that month); ``month``: the count of
    each month; ``quarter``: of each calendar quarter with all three months present;
    ``financial_year``: of each April-March year with all twelve months present.
    """
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
    if monthly.empty:
        return []
    months = [
        (ts.date(), float(v))
        for ts, v in zip(pd.DatetimeIndex(monthly.index), monthly, strict=True)
    ]
    if period == "month":
        return months
    if period == "rolling_12_months":
        rolled = monthly.rolling(12).sum().dropna()
        return [
            (ts.date(), float(v))
            for ts, v in zip(pd.DatetimeIndex(rolled.index), rolled, strict=True)
        ]
    groups: dict[dt.date, list[float]] = {}
    for d, v in months:
        if period == "quarter":
            key = dt.date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
        else:  # financial_year, April to March
            key = dt.date(d.year if d.month >= 4 else d.year - 1, 4, 1)
        groups.setdefault(key, []).append(v)
    size = 3 if period == "quarter" else 12
    return [(k, sum(vs)) for k, vs in sorted(groups.items()) if len(vs) == size]
