"""The crime trend: counts by month, this year against the same months a year earlier.

What the page says follows ``safercity.analytics.trends`` (the library the command line and the
Strategic Assessment use):

* a month in which the store holds no incident of any kind in the chosen area is **missing
  data**, not zero (police.uk releases skip months; a workspace may hold only some months): it is
  a gap in the chart and "No data" in the table, and it is left out of every statistic;
* the headline compares **like with like**: each month of the latest twelve that has data, with
  the same month a year earlier where that month has data too; the months compared are named, so
  "12 months" never stands for windows that hold one month each;
* what is counted is said in words: anti-social behaviour incidents are not "crimes".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pandas as pd

from safercity.analytics import charts
from safercity.analytics.wording import fmt_int, fmt_num, fmt_p, fmt_pct, join_list, month_label

from . import services
from .services import Filters

ASB = "Anti-social behaviour"
#: the significance level of the headline's test
ALPHA = 0.05
#: an SPC chart needs this many months in a row (Making Data Count: 12 at the least)
SPC_MIN_MONTHS = 12


#: what the figures count, in words and for a chart's legend (anti-social behaviour is not crime)
WORDS = {
    "asb": ("anti-social behaviour incidents", "ASB incidents"),
    "crime": ("crimes", "Crimes"),
    "theme": ("incidents", "Incidents"),
    "all": ("crimes and anti-social behaviour incidents", "Crimes and ASB"),
}


def _what(filters: Filters) -> tuple[str, str]:
    if filters.category == ASB:
        return WORDS["asb"]
    if filters.category:
        return WORDS["crime"]
    return WORDS["theme"] if filters.theme else WORDS["all"]


def counted(filters: Filters) -> str:
    """What the figures count, in words."""
    return _what(filters)[0]


def series_name(filters: Filters) -> str:
    """A short name for the chart's legend."""
    return _what(filters)[1]


def add_months(month: dt.date, n: int) -> dt.date:
    k = month.year * 12 + month.month - 1 + n
    return dt.date(k // 12, k % 12 + 1, 1)


def months_phrase(months: list[dt.date]) -> str:
    """Months in words, runs joined: "July 2018", "January to July 2018", "March 2017 and May
    to July 2018"."""
    runs: list[list[dt.date]] = []
    for m in sorted(months):
        if runs and add_months(runs[-1][-1], 1) == m:
            runs[-1].append(m)
        else:
            runs.append([m])
    parts = []
    for run in runs:
        first, last = run[0], run[-1]
        if first == last:
            parts.append(month_label(first))
        elif first.year == last.year:
            parts.append(f"{month_label(first).split()[0]} to {month_label(last)}")
        else:
            parts.append(f"{month_label(first)} to {month_label(last)}")
    return join_list(parts)


def trend(filters: Filters) -> dict[str, Any]:
    """Counts by month and the statements about them (plain data: the page and the API)."""
    return services.cached("trend", lambda: _trend(filters), filters)  # type: ignore[no-any-return]


def _trend(filters: Filters) -> dict[str, Any]:
    from safercity.analytics.trends import Trend, monthly_counts

    what = counted(filters)
    empty: dict[str, Any] = {
        "counted": what,
        "months": [],
        "missing_months": [],
        "total": 0,
        "comparison": None,
        "statement": "",
        "spc": None,
        "long_run": None,
    }
    bounds = services.store_months()
    if bounds is None:
        return empty
    start = filters.month_from or bounds[0]
    end = filters.month_to or bounds[1]
    if start > end:
        return empty
    have = services.months_with_data(filters)
    # the months shown, and the 23 before the last: the year-earlier months of the comparison
    first = min(start, add_months(end, -23))
    frame = services.incidents(
        dataclasses.replace(filters, month_from=first, month_to=end), ("month",)
    )
    counts = monthly_counts(frame, start=first, end=end)
    shown = counts[counts.index >= pd.Timestamp(start)]
    if not any(ts.date() in have for ts in shown.index):
        return empty
    t = Trend(monthly=shown, months_with_data=have)
    months = [
        {
            "month": ts.strftime("%Y-%m"),
            "label": ts.strftime("%b %Y"),
            "name": month_label(ts.date()),
            "count": None if pd.isna(v) else int(v),
            "has_data": not pd.isna(v),
        }
        for ts, v in zip(t.monthly.index, t.monthly.to_numpy(), strict=True)
    ]
    total = sum(m["count"] or 0 for m in months)
    comparison = like_for_like(counts, have, start, end, what)
    spc = None
    if t.spc is not None and not t.missing_months and len(shown) >= SPC_MIN_MONTHS:
        spc = _spc(t.spc.to_dict())
    long_run = None
    if t.long_run is not None and not t.missing_months:
        long_run = t.long_run
    return {
        **empty,
        "months": months,
        "missing_months": t.missing_months,
        "total": total,
        "comparison": comparison,
        "statement": comparison["statement"],
        "spc": spc,
        "long_run": long_run,
        "long_run_statement": _long_run_statement(long_run),
    }


def like_for_like(
    counts: pd.Series, have: frozenset[dt.date], start: dt.date, end: dt.date, what: str
) -> dict[str, Any]:
    """The latest twelve months (or the months chosen, if fewer) against the same months a year
    earlier, each month only where both it and its month a year earlier have data."""
    from safercity.analytics.trends import Trend

    window = [m for k in range(11, -1, -1) if (m := add_months(end, -k)) >= start]
    this = [m for m in window if m in have and add_months(m, -12) in have]
    last = [add_months(m, -12) for m in this]
    held = [m for m in window if m in have]
    out: dict[str, Any] = {
        "this_months": [m.strftime("%Y-%m") for m in this],
        "last_months": [m.strftime("%Y-%m") for m in last],
        "window": f"{month_label(window[0])} to {month_label(window[-1])}"
        if len(window) > 1
        else month_label(window[0]),
    }
    if not this:
        out["statement"] = (
            f"No comparison with a year earlier: none of the months with data in {out['window']} "
            "has data for the same month a year before."
            if held
            else f"No comparison with a year earlier: there is no data in {out['window']}."
        )
        return out
    index = pd.date_range(add_months(end, -23), end, freq="MS", name="month")
    trend = Trend(monthly=counts.reindex(index), months_with_data=set(this) | set(last))
    c = trend.comparison
    assert c is not None  # 24 months, one or more with data in each half
    p_quasi = c.p_quasi_poisson
    p = p_quasi if p_quasi is not None else c.p_etest
    significant = p < ALPHA
    this_text, last_text = months_phrase(this), months_phrase(last)
    what_cap = what[:1].upper() + what[1:]
    if c.last_period == 0:
        change = "had none in the same months a year earlier to compare with"
    elif c.this_period == c.last_period:
        change = "were unchanged"
    else:
        verb = ("rose" if c.pct_change > 0 else "fell") if significant else None
        change = (
            f"{verb} by {fmt_pct(abs(c.pct_change))}, a real change"
            if verb
            else f"showed no real change ({'up' if c.pct_change > 0 else 'down'} "
            f"{fmt_pct(abs(c.pct_change))}, within normal variation)"
        )
    test = (
        f"quasi-Poisson test allowing for overdispersion, {fmt_p(p_quasi)}"
        if p_quasi is not None
        else f"E-test for two Poisson counts, {fmt_p(c.p_etest)}"
    )
    n = len(this)
    basis = "the same month a year earlier" if n == 1 else f"the same {n} months a year earlier"
    statement = (
        f"{what_cap} {change}: {fmt_int(c.this_period)} in {this_text} against "
        f"{fmt_int(c.last_period)} in {last_text}, {basis} ({test})."
    )
    if n < len(window):
        statement += (
            f" Of the {len(window)} months {out['window']}, only {this_text} "
            f"{'has' if n == 1 else 'have'} data for both years, so only "
            f"{'that month is' if n == 1 else 'those months are'} compared."
        )
    out.update(
        {
            "statement": statement,
            "this_period": c.this_period,
            "last_period": c.last_period,
            "change": c.change,
            "pct_change": None if pd.isna(c.pct_change) else round(c.pct_change, 2),
            "p_etest": c.p_etest,
            "p_quasi_poisson": p_quasi,
            "dispersion": c.dispersion,
            "significant": significant,
            "alpha": ALPHA,
        }
    )
    return out


def _spc(spc: dict[str, Any]) -> dict[str, Any]:
    flagged = spc["special_cause_points"]
    rules = spc["rules"]
    return {
        "mean": spc["mean"],
        "lower": spc["lower_limit"],
        "upper": spc["upper_limit"],
        "special_cause": {
            month: [rules[r] for r in found] for month, found in sorted(flagged.items())
        },
    }


def _long_run_statement(long_run: dict[str, Any] | None) -> str:
    if long_run is None:
        return ""
    low, high = long_run["ci95"]
    return (
        f"Over the {long_run['months']} months, the long-run change is "
        f"{fmt_pct(long_run['annual_pct_change'], signed=True)} a year (95% interval "
        f"{fmt_pct(low, signed=True)} to {fmt_pct(high, signed=True)}, {fmt_p(long_run['p_value'])};"
        " quasi-Poisson regression on time)."
    )


def chart(filters: Filters, data: dict[str, Any]) -> str:
    """The monthly counts as an SVG line chart (safercity.analytics.charts): missing months are
    gaps, the SPC mean and limits are dashed lines when the months run unbroken."""
    months = data["months"]
    if not months:
        return ""
    refs = []
    if data["spc"]:
        spc = data["spc"]
        refs = [
            charts.RefLine(f"Mean {fmt_num(spc['mean'], 0)}", spc["mean"]),
            charts.RefLine(f"Upper limit {fmt_num(spc['upper'], 0)}", spc["upper"]),
        ]
        if spc["lower"] > 0:
            refs.append(charts.RefLine(f"Lower limit {fmt_num(spc['lower'], 0)}", spc["lower"]))
    gaps = " Months with no data are gaps in the line." if data["missing_months"] else ""
    return charts.line_chart(
        "trend-chart",
        [m["label"] for m in months],
        [charts.Series(series_name(filters), [m["count"] for m in months])],
        title=f"{filters.describe()}: {counted(filters)} by month",
        desc=f"Line chart of {counted(filters)} by month, {months[0]['name']} to "
        f"{months[-1]['name']}.{gaps} The same figures are in the table below.",
        y_label=series_name(filters),
        ref_lines=refs,
        width=720,
        height=320,
        css_class="app-chart",
        label_from_end=True,
    )
