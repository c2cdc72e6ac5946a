"""Outcome measures computed from the incident store (no Django here).

A measure whose ``data_source`` is ``kind: analytics`` is worked out from the workspace's
incidents, by period (rolling 12 months, month, quarter or financial year,
:func:`safercity.analytics.monitoring.period_values`):

* ``count`` - incidents of the categories, theme, area, wards and flags;
* ``rate`` - that count per ``per`` residents of the wards (the ``areas`` table's populations,
  from the ward boundary file) or of the local authority (the 2011 Census residents of its
  LSOAs, built in);
* ``share`` - that count as a percentage of the incidents of ``share_of`` (by default every
  incident of the same area and wards);
* ``repeat_rate`` - the percentage of those incidents against a victim who had another of them
  in the ``repeat_within_days`` before (as :class:`safercity.analytics.repeats
  .RepeatVictimisation` counts repeats); needs an extract with victim ids.

Only months the store holds data for in the area count: a month with none is missing, not
zero (police.uk skipped March 2016 for the Met), so a rolling year or a quarter with a missing
month has no value. Each value carries the counts under it (:attr:`Computed.counts`), so
:class:`safercity.analytics.monitoring.MeasureRating` tests the change from the baseline on the
counts with the Strategic Assessment's test (the E-test of two Poisson counts; for a rate or a
share, a change in rate with the residents or the whole as exposures).

``con`` is anything with DuckDB's ``execute`` (a connection or a cursor on the store).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from safercity.analytics.categories import normalise_category
from safercity.analytics.monitoring import period_values
from safercity.analytics.trends import monthly_counts

STATISTIC_UNITS = {
    "count": "",
    "rate": "per residents",
    "share": "percent",
    "repeat_rate": "percent",
}


@dataclass
class Computed:
    """Values of a computed measure, with the counts under them."""

    values: list[tuple[dt.date, float]] = field(default_factory=list)
    counts: dict[dt.date, tuple[float, float]] | None = None
    """For rates, shares and repeat rates: (count, exposure) under each value."""
    months: dict[dt.date, int] = field(default_factory=dict)
    """Months of data under each value."""
    note: str = ""
    """Why there are no values, or what the values rest on."""
    missing_months: list[str] = field(default_factory=list)


class _Con:
    """The store through a connection or cursor, shaped as the analytics library reads it."""

    def __init__(self, con: Any) -> None:
        self.con = con


def _key(text: str) -> str:
    """Ward names compared without case, dots or apostrophes ("St. James's" = "St James's")."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower().replace("'", "").replace("’", "")).strip()


def _frame(
    con: Any,
    *,
    category: Sequence[str] = (),
    theme: str | None = None,
    area: str | None = None,
    wards: Sequence[str] = (),
    flags: Mapping[str, bool] | None = None,
    columns: Sequence[str] = ("month",),
    themes: Any = None,
) -> pd.DataFrame:
    from safercity.analytics.frames import incidents_frame

    wanted = list(dict.fromkeys([*columns, "month"]))
    if wards:
        wanted += [c for c in ("ward_name", "ward_code") if c not in wanted]
    for flag in flags or {}:
        if flag not in wanted:
            wanted.append(flag)
    theme_obj: Any = None
    if theme:
        from safercity.analytics.themes import load_themes

        theme_obj = (themes if themes is not None else load_themes()).get(theme)
    frame = incidents_frame(
        _Con(con),  # type: ignore[arg-type]
        area=area,
        category=[normalise_category(c) or c for c in category] or None,
        theme=theme_obj,
        columns=wanted,
    )
    if wards:
        keys = {_key(w) for w in wards}
        names = frame["ward_name"].astype("string").fillna("").map(_key)
        codes = frame["ward_code"].astype("string").fillna("").map(_key)
        frame = frame[names.isin(keys) | codes.isin(keys)]
    for flag, wanted_value in (flags or {}).items():
        frame = frame[frame[flag].astype("boolean").fillna(False) == wanted_value]
    return frame


def data_months(con: Any, area: str | None = None) -> list[dt.date]:
    """The months the store holds any incident for, in the local authority when given."""
    sql = "SELECT DISTINCT month FROM incidents WHERE month IS NOT NULL"
    params: list[Any] = []
    if area:
        sql += " AND lower(local_authority) = lower(?)"
        params.append(area)
    rows = con.execute(sql + " ORDER BY month", params).fetchall()
    return [r[0] if isinstance(r[0], dt.date) else pd.Timestamp(r[0]).date() for r in rows]


def _monthly(frame: pd.DataFrame, months: Sequence[dt.date]) -> list[tuple[dt.date, float]]:
    """Counts for each month the store has data for (zero where none matched)."""
    if not months:
        return []
    series = monthly_counts(frame, start=months[0], end=months[-1])
    counts = {ts.date(): float(v) for ts, v in series.items()}
    return [(m, counts.get(m, 0.0)) for m in months]


def _ward_population(con: Any, wards: Sequence[str]) -> tuple[float | None, str]:
    rows = con.execute(
        "SELECT code, name, population FROM areas WHERE area_type = 'ward'"
    ).fetchall()
    found: dict[str, float | None] = {}
    for code, name, population in rows:
        for w in wards:
            if _key(w) in (_key(str(code)), _key(str(name))):
                found[_key(w)] = population
    missing = [w for w in wards if found.get(_key(w)) is None]
    if missing:
        return None, (
            f"no population for the ward(s) {', '.join(missing)}: load ward boundaries with "
            "their populations (safercity geography load FILE --type ward)"
        )
    return float(sum(v for v in found.values() if v is not None)), "residents of the wards"


def _area_population(area: str) -> tuple[float | None, str]:
    from safercity.analytics.geography import lsoas_of_local_authority

    try:
        lsoas = lsoas_of_local_authority(area)
    except KeyError as exc:
        return None, str(exc).strip("\"'")
    total = pd.to_numeric(lsoas["population"], errors="coerce").sum()
    if not total:
        return None, f"no population for {area}"
    return float(total), f"2011 Census residents of {area}'s LSOAs"


def _repeats(frame: pd.DataFrame, within_days: int) -> pd.DataFrame:
    """The incidents with a victim id, each marked ``repeat`` when the same victim had another
    in the ``within_days`` before it (as RepeatVictimisation counts repeats)."""
    ids = frame["victim_id"].astype("string")
    has = ids.notna() & (ids.str.strip().str.len() > 0)
    sub = frame[has.to_numpy()].copy()
    when = pd.to_datetime(sub["occurred_from"], errors="coerce")
    when = when.fillna(pd.to_datetime(sub["month"]))
    sub["_when"] = when
    sub = sub[sub["_when"].notna()].sort_values(["victim_id", "_when"], kind="stable")
    gaps = sub.groupby("victim_id", sort=False)["_when"].diff().dt.total_seconds() / 86400.0
    sub["repeat"] = (gaps <= within_days).fillna(False).to_numpy()
    return sub


def compute(con: Any, query: Mapping[str, Any], *, themes: Any = None) -> Computed:
    """The values of an analytics measure (``query`` is its ``data_source`` without ``kind``,
    as :class:`safercity.strategy.model.AnalyticsQuery` fields)."""
    statistic = query.get("statistic") or "count"
    period = query.get("period") or "rolling_12_months"
    area = query.get("area") or None
    wards = list(query.get("wards") or [])
    filters = {
        "category": list(query.get("category") or []),
        "theme": query.get("theme") or None,
        "area": area,
        "wards": wards,
        "flags": dict(query.get("flags") or {}),
        "themes": themes,
    }
    months = data_months(con, area)
    out = Computed()
    if not months:
        out.note = f"the store holds no incidents{' for ' + area if area else ''}"
        return out
    first, last = months[0], months[-1]
    every = pd.date_range(first, last, freq="MS").date
    out.missing_months = [m.strftime("%Y-%m") for m in every if m not in set(months)]
    try:
        if statistic == "repeat_rate":
            frame = _frame(con, columns=("month", "occurred_from", "victim_id"), **filters)
            marked = _repeats(frame, int(query.get("repeat_within_days") or 365))
            if marked.empty:
                out.note = (
                    "no incident has a victim id: the repeat rate needs the partnership's own "
                    "extract (police.uk data has no victims)"
                )
                return out
            whole = period_values(_monthly(marked, months), period)
            part = period_values(_monthly(marked[marked["repeat"]], months), period)
            return _ratio(out, part, whole, 100.0, "percent of incidents that are repeats")
        frame = _frame(con, **filters)
    except KeyError as exc:  # an unknown theme
        out.note = str(exc).strip("\"'")
        return out
    counted = period_values(_monthly(frame, months), period)
    if statistic == "count":
        out.values, out.months = counted.values, counted.months
        out.note = "incidents"
        return out
    if statistic == "rate":
        population, basis = _ward_population(con, wards) if wards else _area_population(area or "")
        if population is None:
            out.note = basis
            return out
        per = float(query.get("per") or 1000)
        out.values = [(d, v * per / population) for d, v in counted.values]
        out.counts = {d: (v, population) for d, v in counted.values}
        out.months = counted.months
        out.note = f"per {per:,.0f} {basis} ({population:,.0f})"
        return out
    if statistic == "share":
        of = dict(query.get("share_of") or {})
        whole_filters = {
            "category": of.get("category") if of.get("category") is not None else [],
            "theme": of.get("theme"),
            "area": of.get("area") or area,
            "wards": of.get("wards") if of.get("wards") is not None else wards,
            "flags": {},
            "themes": themes,
        }
        whole = period_values(_monthly(_frame(con, **whole_filters), months), period)
        return _ratio(out, counted, whole, 100.0, "percent of the whole")
    raise ValueError(f"unknown statistic {statistic!r}")


def _ratio(out: Computed, part: Any, whole: Any, scale: float, note: str) -> Computed:
    wholes = dict(whole.values)
    out.counts = {}
    for d, v in part.values:
        w = wholes.get(d)
        if w:
            out.values.append((d, scale * v / w))
            out.counts[d] = (v, w)
            out.months[d] = part.months[d]
    out.note = note
    return out


def as_dict(computed: Computed) -> dict[str, Any]:
    return {
        "values": [[d.isoformat(), v] for d, v in computed.values],
        "note": computed.note,
        "missing_months": computed.missing_months,
    }


__all__ = ["Computed", "as_dict", "compute", "data_months"]
