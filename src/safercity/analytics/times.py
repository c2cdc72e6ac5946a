"""Times: hour-of-day by day-of-week tables, night-time windows, aoristic apportioning.

The Strategy 2011-14 says "three quarters of all drug offences in Soho and the West End & China
Town take place between 8pm and 4am". That needs times: a local extract gives each incident a
window ``occurred_from``..``occurred_to`` (equal when the time is known exactly; a burglary
discovered in the morning may span a night). Uncertain windows are spread over the hours they
cover by **aoristic apportioning** (Ratcliffe 2002): each incident carries a total weight of 1,
shared among hour-of-week bins in proportion to the part of its window that falls in each.

police.uk data is month-only: there is no time to analyse, and :class:`TimeProfile` says so
(:class:`NoTimesError`) rather than inventing hours.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from safercity.analytics.themes import parse_hours

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOURS_PER_WEEK = 168
Method = Literal["proportional", "ratcliffe"]


class NoTimesError(ValueError):
    """The incidents have no times (e.g. police.uk's month-only data): cannot answer."""


def _week_hours(ts: pd.Series) -> np.ndarray:
    """Hours since Monday 1970-01-05 00:00 (a Monday), as float."""
    origin = pd.Timestamp("1970-01-05")
    return np.asarray((ts - origin) / pd.Timedelta(hours=1), dtype=float)


def _cum_in_bins(t: np.ndarray) -> np.ndarray:
    """F[i, b] = hours spent in hour-of-week bin b between the origin and time t[i]."""
    weeks = np.floor(t / HOURS_PER_WEEK)
    within = t - weeks * HOURS_PER_WEEK
    bins = np.arange(HOURS_PER_WEEK, dtype=float)
    out: np.ndarray = weeks[:, None] + np.clip(within[:, None] - bins[None, :], 0.0, 1.0)
    return out


def _windows(start: np.ndarray, end: np.ndarray, method: Method) -> tuple[np.ndarray, np.ndarray]:
    """Window starts and ends in hours; Ratcliffe's method widens them to whole hours."""
    s = np.asarray(start, dtype=float)
    e = np.asarray(end, dtype=float)
    if method == "ratcliffe":
        s = np.floor(s)
        e = np.maximum(np.ceil(e), s + 1.0)
    elif method != "proportional":
        raise ValueError(f"method must be 'proportional' or 'ratcliffe', not {method!r}")
    return s, e


def aoristic_weights(
    start: np.ndarray, end: np.ndarray, *, method: Method = "proportional"
) -> np.ndarray:
    """Aoristic weights over the 168 hours of the week (rows sum to 1).

    Parameters
    ----------
    start, end : ndarray of float
        Window start and end in hours since a Monday 00:00 (``end >= start``).
    method : {"proportional", "ratcliffe"}, default "proportional"
        ``"proportional"``: each hour gets the fraction of the window that falls in it (the
        continuous form of Ratcliffe's uniform assumption; Ashby & Bowers 2013).
        ``"ratcliffe"``: Ratcliffe's (2002) aoristic value - 1/k to each of the k whole hours the
        window touches (a window ending exactly on the hour does not touch the next hour).
        An exact time (``start == end``) gives weight 1 to its hour in both methods.

    References
    ----------
    Ratcliffe, J. H. (2002). Aoristic signatures and the spatio-temporal analysis of high volume
    crime patterns. Journal of Quantitative Criminology 18(1), 23-43.
    Ashby, M. P. J. & Bowers, K. J. (2013). A comparison of methods for temporal analysis of
    aoristic crime. Crime Science 2, 1.
    """
    s, e = _windows(start, end, method)
    exact = e <= s
    out = np.zeros((len(s), HOURS_PER_WEEK))
    if (~exact).any():
        ss, ee = s[~exact], e[~exact]
        out[~exact] = (_cum_in_bins(ee) - _cum_in_bins(ss)) / (ee - ss)[:, None]
    if exact.any():
        b = np.floor(np.mod(s[exact], HOURS_PER_WEEK)).astype(int)
        out[np.flatnonzero(exact), b] = 1.0
    return out


def aoristic_table(
    start: np.ndarray, end: np.ndarray, *, method: Method = "proportional"
) -> np.ndarray:
    """The 168 hour-of-week totals of :func:`aoristic_weights`, in O(n) time and memory.

    Summing ``F_b(end) - F_b(start)`` over incidents (``F_b`` the time spent in bin ``b`` up to
    a time, see :func:`aoristic_weights`) needs, per bin, only the weighted count of incidents
    whose time-of-week lies beyond the bin and the weighted fractional part of those inside it,
    which ``bincount`` gives without building the n x 168 matrix.
    """
    s, e = _windows(start, end, method)
    exact = e <= s
    out = np.zeros(HOURS_PER_WEEK)
    if exact.any():
        b = np.floor(np.mod(s[exact], HOURS_PER_WEEK)).astype(np.int64)
        out += np.bincount(b, minlength=HOURS_PER_WEEK)[:HOURS_PER_WEEK]
    ss, ee = s[~exact], e[~exact]
    if len(ss) == 0:
        return out
    w = 1.0 / (ee - ss)

    def cum(t: np.ndarray) -> np.ndarray:
        weeks = np.floor(t / HOURS_PER_WEEK)
        within = t - weeks * HOURS_PER_WEEK
        b = np.minimum(np.floor(within).astype(np.int64), HOURS_PER_WEEK - 1)
        frac = within - b
        at = np.bincount(b, weights=w, minlength=HOURS_PER_WEEK)
        part = np.bincount(b, weights=w * frac, minlength=HOURS_PER_WEEK)
        beyond = np.concatenate([np.cumsum(at[::-1])[::-1][1:], [0.0]])  # weight in bins > b
        out_b: np.ndarray = beyond + part
        return out_b

    weeks_term = float((w * (np.floor(ee / HOURS_PER_WEEK) - np.floor(ss / HOURS_PER_WEEK))).sum())
    total: np.ndarray = out + weeks_term + cum(ee) - cum(ss)
    return total


def _cum_in_daily_window(t: np.ndarray, a: float, b: float) -> np.ndarray:
    """Hours spent inside the daily window [a, b) (wrapping midnight if b <= a) up to time t."""
    days = np.floor(t / 24.0)
    x = t - days * 24.0
    if b > a:
        per_day = b - a
        part = np.clip(x - a, 0.0, per_day)
    else:
        per_day = (24.0 - a) + b
        part = np.minimum(x, b) + np.clip(x - a, 0.0, 24.0 - a)
    return days * per_day + part


def window_weights(
    start: np.ndarray,
    end: np.ndarray,
    window: tuple[float, float],
    *,
    method: Method = "proportional",
) -> np.ndarray:
    """Share of each incident's window inside a daily time window (e.g. 20:00-04:00).

    Exact times give 1 or 0; from/to windows give the fraction of the window inside (the
    aoristic weight of the daily window). ``method`` as in :func:`aoristic_weights`.
    """
    s = np.asarray(start, dtype=float)
    e = np.asarray(end, dtype=float)
    if method == "ratcliffe":
        s = np.floor(s)
        e = np.maximum(np.ceil(e), s + 1.0)
    a, b = window
    exact = e <= s
    out = np.zeros(len(s))
    if (~exact).any():
        ss, ee = s[~exact], e[~exact]
        out[~exact] = (_cum_in_daily_window(ee, a, b) - _cum_in_daily_window(ss, a, b)) / (ee - ss)
    if exact.any():
        h = np.mod(s[exact], 24.0)
        out[exact] = ((h >= a) & (h < b)) if b > a else ((h >= a) | (h < b))
    return out


class TimeProfile:
    """When incidents happen: hour-of-day x day-of-week, and the share inside a time window.

    Parameters
    ----------
    incidents : DataFrame
        Incidents with ``occurred_from`` and (optionally) ``occurred_to``; rows without
        ``occurred_from`` are left out and counted in ``n_untimed``. A missing ``occurred_to``
        means an exact time.
    window : str, default "20:00-04:00"
        Daily window for ``window_share`` (may wrap midnight): the Strategy's "between 8pm and
        4am".
    method : {"proportional", "ratcliffe"}, default "proportional"
        Aoristic method (:func:`aoristic_weights`).
    max_window_hours : float, optional
        Leave out incidents whose window is longer (counted in ``n_too_wide``). Default None: keep
        all (a window of a week or more is spread evenly and carries no time information).

    Attributes
    ----------
    table : DataFrame
        24 rows (hour 0-23) x 7 columns (Mon..Sun) of aoristic counts; sums to ``n_timed``.
    by_hour, by_day : Series
    window_share : float
        Share of timed incidents inside ``window`` (aoristic); ``window_count`` the weight.
    n_timed, n_exact, n_untimed, n_too_wide : int
    statement : str

    Raises
    ------
    NoTimesError
        If no incident has a time ("cannot answer: source has no times").
    """

    def __init__(
        self,
        incidents: pd.DataFrame,
        *,
        window: str = "20:00-04:00",
        method: Method = "proportional",
        max_window_hours: float | None = None,
    ) -> None:
        self.window = window
        self.method: Method = method
        if "occurred_from" in incidents.columns:
            start_ts = pd.to_datetime(incidents["occurred_from"])
        else:
            start_ts = pd.Series(pd.NaT, index=incidents.index, dtype="datetime64[ns]")
        timed = start_ts.notna().to_numpy()
        self.n_untimed = int((~timed).sum())
        if not timed.any():
            raise NoTimesError(
                "cannot answer: source has no times (police.uk and other month-only data give "
                "no time of day; load an extract with occurred_from/occurred_to)"
            )
        start_ts = start_ts[timed]
        if "occurred_to" in incidents.columns:
            end_ts = pd.to_datetime(incidents["occurred_to"])[timed].fillna(start_ts)
        else:
            end_ts = start_ts
        s = _week_hours(start_ts)
        e = _week_hours(end_ts)
        if (e < s).any():
            bad = int((e < s).sum())
            raise ValueError(f"{bad} incident(s) end before they start (occurred_to < from)")
        keep = np.ones(len(s), dtype=bool)
        if max_window_hours is not None:
            keep = (e - s) <= max_window_hours
        self.n_too_wide = int((~keep).sum())
        s, e = s[keep], e[keep]
        self.n_timed = len(s)
        self.n_exact = int((e == s).sum())
        week = aoristic_table(s, e, method=method)
        self.table = pd.DataFrame(
            week.reshape(7, 24).T, index=pd.RangeIndex(24, name="hour"), columns=list(DAYS)
        )
        self.by_hour = self.table.sum(axis=1)
        self.by_day = self.table.sum(axis=0)
        wstart, wend = parse_hours(window)
        inside = window_weights(s, e, (wstart, wend), method=method)
        self.window_count = float(inside.sum())
        self.window_share = self.window_count / self.n_timed if self.n_timed else float("nan")
        self.statement = (
            f"{100 * self.window_share:.0f}% of incidents with a time happened between "
            f"{window.replace('-', ' and ')} ({self.n_timed:,} timed"
            + (f", {self.n_untimed:,} without a time left out" if self.n_untimed else "")
            + ")"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "window": self.window,
            "window_share": self.window_share,
            "window_count": self.window_count,
            "method": self.method,
            "n_timed": self.n_timed,
            "n_exact": self.n_exact,
            "n_untimed": self.n_untimed,
            "n_too_wide": self.n_too_wide,
            "by_hour": {str(h): float(v) for h, v in self.by_hour.items()},
            "by_day": {str(d): float(v) for d, v in self.by_day.items()},
            "hour_by_day": {
                str(d): [float(x) for x in self.table[d].to_numpy()] for d in self.table.columns
            },
            "statement": self.statement,
        }
