"""Periods of a Strategic Assessment: what is compared with what, and the long-run series.

Like with like
--------------
Crime is seasonal, so a period is compared with **the same months a year earlier** (for a
period of up to 12 months; a longer period with the same number of whole years just before).
A 12-month period is therefore compared with the 12 months before it, as before; a single month
(the demo's July 2018) with the same month a year earlier (July 2017), never with an empty June.
Months with no data at all are *missing*, not zero: counts are compared as rates per month of
data (:class:`Basis`).

Which test decides
------------------
Monthly crime counts are usually more variable than Poisson (overdispersed), so both Poisson
tests call too many changes real. :func:`dispersion_of` estimates the dispersion from the months
compared (a level for each period and, for 12-month periods, a month-of-year effect, as
:func:`safercity.analytics.trends.comparison_dispersion`); when it can be estimated, the
quasi-Poisson test that allows for it decides whether a change is significant, and the E-test
is tabled beside it. With too few months to estimate it (a single month against the same month
a year earlier), the E-test decides and the report says the result may overstate significance.

The long run (Figure 1)
-----------------------
:func:`long_run_table`: one value per year for the period's window - the 12 months to the
period's last month, or, for a period shorter than a year, the period's own months in each year
("July of each year"), so snapshot data (one month a year) is shown as what it is. A window with
only part of its months of data is **estimated** (annualised: count x months in window / months
of data) and marked when at least half its months have data, and **left out** with a note
otherwise; it is never plotted as a short year beside full ones.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from safercity.analytics import wording as w
from safercity.analytics.trends import comparison_dispersion

#: a window with at least this share of its months of data is annualised (else left out)
MIN_WINDOW_SHARE = 0.5


def month_range(start: dt.date, end: dt.date) -> list[dt.date]:
    """Month starts from ``start`` to ``end`` inclusive."""
    return [ts.date() for ts in pd.date_range(start, end, freq="MS")]


def add_months(d: dt.date, k: int) -> dt.date:
    """The first of the month ``k`` months after ``d`` (negative: before)."""
    m = d.year * 12 + d.month - 1 + k
    return dt.date(m // 12, m % 12 + 1, 1)


def comparison_offset(n_months: int) -> int:
    """Months between a period and its comparison period: whole years (12 for up to a year)."""
    return 12 * max(1, math.ceil(n_months / 12))


def window_label(months: Sequence[dt.date]) -> str:
    """``"July 2018"``, ``"Jan – Mar 2018"``, ``"Jul 2017 – Jun 2018"``."""
    first, last = months[0], months[-1]
    if first == last:
        return w.month_label(first)
    if first.year == last.year:
        return f"{w.MONTH_NAMES[first.month - 1][:3]} – {w.short_month(last)}"
    return f"{w.short_month(first)} – {w.short_month(last)}"


@dataclass(frozen=True)
class Basis:
    """This period, the period it is compared with, and how they were chosen."""

    start: dt.date
    end: dt.date
    months: tuple[dt.date, ...]
    prev_months: tuple[dt.date, ...]
    offset: int

    @classmethod
    def like_with_like(cls, start: dt.date, end: dt.date) -> Basis:
        months = tuple(month_range(start, end))
        offset = comparison_offset(len(months))
        return cls(start, end, months, tuple(add_months(m, -offset) for m in months), offset)

    @property
    def n_months(self) -> int:
        return len(self.months)

    @property
    def prev_start(self) -> dt.date:
        return self.prev_months[0]

    @property
    def prev_end(self) -> dt.date:
        return self.prev_months[-1]

    @property
    def year_on_year(self) -> bool:
        """True when the comparison is with the same months a year earlier (periods up to 12)."""
        return self.offset == 12

    def describe(self) -> str:
        """How the comparison period was chosen, in words."""
        this = w.period_label(self.start, self.end)
        prev = w.period_label(self.prev_start, self.prev_end)
        if self.n_months == 12:
            return f"{this} is compared with the 12 months before it ({prev})"
        if self.year_on_year:
            return (
                f"{this} is compared with the same "
                f"{'month' if self.n_months == 1 else 'months'} a year earlier ({prev}), so "
                "that seasonal variation does not count as change"
            )
        return f"{this} is compared with the same number of whole years before it ({prev})"


def monthly_series(counts: pd.Series, months: Iterable[dt.date], have: set[dt.date]) -> pd.Series:
    """Counts for ``months`` (a Series keyed by month start dates) as floats, NaN where the
    area has no data at all that month, indexed by Timestamp."""
    ms = list(months)
    values = [float(counts.get(m, 0)) if m in have else np.nan for m in ms]
    return pd.Series(values, index=pd.DatetimeIndex([pd.Timestamp(m) for m in ms]))


def dispersion_of(last: pd.Series, this: pd.Series) -> float | None:
    """Overdispersion of the months compared (see the module docstring); None when it cannot
    be estimated (too few months of data)."""
    series = pd.concat([last, this])
    if int(series.notna().sum()) < 4:
        return None
    return comparison_dispersion(series, len(this))


def seasonality(counts: pd.Series, have: Sequence[dt.date]) -> dict[str, Any]:
    """Month-of-year pattern of a monthly series (crimes), when every calendar month has data
    in at least two years: each month's mean against the mean of all months.

    Returns ``{"estimable": bool, "reason": str, "index": {month: ratio}, "peak": ..., ...}``.
    """
    months = sorted(have)
    by_moy: dict[int, list[float]] = {}
    for m in months:
        by_moy.setdefault(m.month, []).append(float(counts.get(m, 0)))
    calendar_months = sorted(by_moy)
    if len(calendar_months) < 12 or min(len(v) for v in by_moy.values()) < 2:
        held = w.join_list([w.MONTH_NAMES[k - 1] for k in calendar_months])
        return {
            "estimable": False,
            "reason": (
                f"the data holds {held} only, so seasonality cannot be estimated"
                if len(calendar_months) < 12
                else "fewer than two years of each calendar month, so seasonality is not estimated"
            ),
            "index": {},
        }
    means = {k: float(np.mean(v)) for k, v in by_moy.items()}
    overall = float(np.mean(list(means.values())))
    index = {k: v / overall for k, v in means.items()} if overall else {}
    peak = max(index, key=lambda k: (index[k], -k))
    low = min(index, key=lambda k: (index[k], k))
    return {
        "estimable": True,
        "reason": "",
        "index": index,
        "peak": w.MONTH_NAMES[peak - 1],
        "peak_pct": 100.0 * (index[peak] - 1.0),
        "low": w.MONTH_NAMES[low - 1],
        "low_pct": 100.0 * (index[low] - 1.0),
        "years": min(len(v) for v in by_moy.values()),
    }


def long_run_table(
    counts: pd.Series,
    have: set[dt.date],
    basis: Basis,
    *,
    complete_only: bool = False,
) -> pd.DataFrame:
    """One row per year's window, oldest first (see the module docstring).

    Parameters
    ----------
    counts : Series
        Crimes per month, keyed by month start dates.
    have : set of date
        Months with any data.
    basis : Basis
        The assessment's periods; windows are the period's months (up to 12) or the 12 months
        to its end, stepped back a year at a time while they overlap the data.
    complete_only : bool, default False
        Keep complete windows only (a complete series such as the Met's, whose first part-year
        is left out).

    Returns
    -------
    DataFrame
        ``year`` (label), ``year_end``, ``months_in_window``, ``months_of_data``, ``crimes``
        (observed), ``value`` (observed, or annualised when estimated; NaN when left out),
        ``status`` ("complete", "estimated" or "left out") and ``pct_change_on_previous_year``
        (between consecutive shown values).
    """
    length = min(basis.n_months, 12)
    first = min(have) if have else basis.start
    rows = []
    k = 0
    while True:
        w_end = add_months(basis.end, -12 * k)
        window = month_range(add_months(w_end, -(length - 1)), w_end)
        if w_end < first:
            break
        n_have = sum(1 for m in window if m in have)
        crimes = int(sum(int(counts.get(m, 0)) for m in window if m in have))
        if n_have == length:
            status, value = "complete", float(crimes)
        elif n_have >= MIN_WINDOW_SHARE * length and not complete_only:
            status, value = "estimated", crimes * length / n_have
        else:
            status, value = "left out", math.nan
        rows.append(
            {
                "year": window_label(window),
                "year_end": f"{w_end:%Y-%m}",
                "months_in_window": length,
                "months_of_data": n_have,
                "crimes": crimes,
                "value": value,
                "status": status,
            }
        )
        k += 1
    rows.reverse()
    if complete_only:
        rows = [r for r in rows if r["status"] == "complete"]
    table = pd.DataFrame(
        rows,
        columns=[
            "year",
            "year_end",
            "months_in_window",
            "months_of_data",
            "crimes",
            "value",
            "status",
        ],
    )
    pct: list[float | None] = []
    prev: float | None = None
    for v in table["value"]:
        if math.isnan(float(v)):
            pct.append(None)
            continue
        pct.append(100.0 * (float(v) / prev - 1.0) if prev else None)
        prev = float(v)
    table["pct_change_on_previous_year"] = pct
    return table


__all__ = [
    "Basis",
    "add_months",
    "comparison_offset",
    "dispersion_of",
    "long_run_table",
    "month_range",
    "monthly_series",
    "seasonality",
    "window_label",
]
