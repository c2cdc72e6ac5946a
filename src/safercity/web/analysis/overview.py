"""The analysis overview: a picture of crime first, the data inventory second.

The latest month with data, crime and anti-social behaviour apart (ASB is not crime), each
against the same month a year earlier where the workspace holds it; the crime types that
changed; a small trend; where crime is (the busiest boroughs, with rates per 1,000 residents,
and neighbourhoods). Then, in words, what the workspace holds and where it came from.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from safercity.analytics import charts
from safercity.analytics.wording import fmt_int, fmt_pct, join_list, month_label

from . import places, services
from .trend import ASB, add_months

#: the files listed under "What the workspace holds"
SOURCES_SHOWN = 20
#: crime types, boroughs and neighbourhoods listed
TOP = 5
#: what each kind of imported file is, in words
KIND_LABELS = {
    "police_uk_street": "police.uk street-level crime",
    "police_uk_outcomes": "police.uk outcomes",
    "police_uk_stop_search": "police.uk stop and search",
    "police_uk_api": "police.uk API crime records",
    "met_recorded_crime": "Metropolitan Police recorded crime tables",
    "local_extract": "local extracts (partner or force data)",
    "synthetic": "synthetic test data",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " "))


def overview() -> dict[str, Any]:
    return services.cached("overview", _overview)  # type: ignore[no-any-return]


def _overview() -> dict[str, Any]:
    from safercity.analytics.trends import PoissonComparison

    rows = services._rows
    with services.store() as con:
        totals = rows(
            con,
            "SELECT count(*) AS incidents, min(month) AS first_month, max(month) AS last_month, "
            "count(DISTINCT month) AS months, "
            "count(*) FILTER (WHERE easting IS NOT NULL) AS located FROM incidents",
        )[0]
        latest = totals["last_month"]
        data_months = sorted(
            r[0] for r in con.execute("SELECT DISTINCT month FROM incidents").fetchall()
        )
        year_before = add_months(latest, -12) if latest else None
        have_before = year_before in data_months
        categories = rows(
            con,
            "SELECT category, count(*) FILTER (WHERE month = ?) AS latest, "
            "count(*) FILTER (WHERE month = ?) AS year_before, count(*) AS incidents "
            "FROM incidents GROUP BY category ORDER BY latest DESC, incidents DESC, category",
            [latest, year_before],
        )
        monthly = rows(
            con,
            "SELECT month, count(*) FILTER (WHERE category <> ?) AS crimes, "
            "count(*) FILTER (WHERE category = ?) AS asb FROM incidents GROUP BY month",
            [ASB, ASB],
        )
        boroughs = rows(
            con,
            "SELECT local_authority AS name, count(*) AS incidents FROM incidents "
            "WHERE month = ? AND category <> ? AND local_authority IS NOT NULL "
            "GROUP BY 1 ORDER BY 2 DESC, 1",
            [latest, ASB],
        )
        neighbourhoods = rows(
            con,
            "SELECT lsoa_code AS code, any_value(lsoa_name) AS name, "
            "any_value(local_authority) AS borough, count(*) AS incidents FROM incidents "
            "WHERE month = ? AND category <> ? AND lsoa_code IS NOT NULL "
            "GROUP BY 1 ORDER BY 4 DESC, 1 LIMIT ?",
            [latest, ASB, TOP],
        )
        kinds = rows(
            con,
            "SELECT kind, count(*) AS files, sum(rows_read) AS rows_read, "
            "sum(rows_stored) AS rows_stored, sum(rows_quarantined) AS rows_quarantined, "
            "min(imported_at) AS first_import, max(imported_at) AS last_import, "
            "list(DISTINCT force) FILTER (WHERE force IS NOT NULL) AS forces "
            "FROM sources GROUP BY kind ORDER BY kind",
        )
        sources = rows(
            con,
            "SELECT path, kind, force, rows_read, rows_stored, rows_quarantined, imported_at "
            "FROM sources ORDER BY imported_at DESC, path LIMIT ?",
            [SOURCES_SHOWN],
        )
        recorded = rows(
            con,
            "SELECT count(*) AS rows, min(month) AS first_month, max(month) AS last_month, "
            "count(DISTINCT area_name) AS areas FROM recorded_crime",
        )[0]
    for s in sources:
        s["name"] = str(s["path"]).replace("\\", "/").rsplit("/", 1)[-1].rsplit("!", 1)[-1]
        s["kind_label"] = kind_label(s["kind"])
    for k in kinds:
        k["kind_label"] = kind_label(k["kind"])
    out: dict[str, Any] = {
        "totals": totals,
        "categories": categories,
        "sources": sources,
        "source_kinds": kinds,
        "files": sum(int(k["files"]) for k in kinds),
        "recorded_crime": recorded,
        "months_held": [m.strftime("%Y-%m") for m in data_months],
        "months_held_text": _months_text(data_months),
        "latest": None,
    }
    if not latest or year_before is None:
        return out

    def compare(this: int, before: int | None, what: str) -> dict[str, Any]:
        item: dict[str, Any] = {"what": what, "this": this, "before": before}
        if before is None:
            item["change"] = None
            item["words"] = f"no data for {month_label(year_before)} to compare with"
            return item
        c = PoissonComparison(this, before)
        item["change"] = c.change
        item["pct_change"] = None if c.last_period == 0 else round(c.pct_change, 1)
        item["abs_pct"] = None if c.last_period == 0 else abs(round(c.pct_change, 1))
        item["significant"] = c.significant
        item["p_etest"] = c.p_etest
        item["words"] = _change_words(c.this_period, c.last_period, c.pct_change, c.significant)
        return item

    asb = next((c for c in categories if c["category"] == ASB), None)
    crimes_now = sum(int(c["latest"]) for c in categories if c["category"] != ASB)
    crimes_before = sum(int(c["year_before"]) for c in categories if c["category"] != ASB)
    out["latest"] = {
        "month": latest,
        "month_label": month_label(latest),
        "year_before": year_before,
        "year_before_label": month_label(year_before),
        "year_before_held": have_before,
        "crimes": compare(crimes_now, crimes_before if have_before else None, "crimes"),
        "asb": compare(
            int(asb["latest"]) if asb else 0,
            (int(asb["year_before"]) if asb else 0) if have_before else None,
            "anti-social behaviour incidents",
        ),
    }
    crime_types = [c for c in categories if c["category"] != ASB and int(c["latest"]) > 0]
    for c in crime_types:
        c["compared"] = compare(
            int(c["latest"]), int(c["year_before"]) if have_before else None, "crimes"
        )
    out["top_categories"] = crime_types[:TOP]
    out["crime_types"] = crime_types
    residents = places.residents("borough", pd.Index([b["name"] for b in boroughs]))
    for b in boroughs:
        pop = residents.get(b["name"])
        b["residents"] = None if pop is None or pop != pop else int(pop)
        b["per_1000"] = None if not b["residents"] else round(1000 * b["incidents"] / pop, 1)
    out["boroughs"] = boroughs[:TOP]
    out["boroughs_total"] = len(boroughs)
    out["neighbourhoods"] = neighbourhoods
    out["monthly"] = _monthly(monthly, data_months)
    out["gap_months"] = len(out["monthly"]) - len(data_months)
    return out


def _change_words(this: int, before: int, pct: float, significant: bool) -> str:
    if before == 0:
        return "none a year earlier to compare with" if this else "none in either month"
    if this == before:
        return "the same as a year earlier"
    direction = "up" if this > before else "down"
    verdict = "a real change" if significant else "within normal variation"
    return f"{direction} {fmt_pct(abs(pct))} on a year earlier ({fmt_int(before)}): {verdict}"


def _months_text(months: list[dt.date]) -> str:
    from .trend import months_phrase

    if not months:
        return "no months yet"
    return (
        months_phrase(months)
        if len(months) <= 6
        else (f"{len(months)} months from {month_label(months[0])} to {month_label(months[-1])}")
    )


def _monthly(rows: list[dict[str, Any]], data_months: list[dt.date]) -> list[dict[str, Any]]:
    """Crimes and ASB by month from the first to the last month held (None: no data)."""
    if not data_months:
        return []
    by_month = {r["month"]: r for r in rows}
    out = []
    month = data_months[0]
    while month <= data_months[-1]:
        r = by_month.get(month)
        out.append(
            {
                "month": month.strftime("%Y-%m"),
                "label": month.strftime("%b %Y"),
                "crimes": None if r is None else int(r["crimes"]),
                "asb": None if r is None else int(r["asb"]),
            }
        )
        month = add_months(month, 1)
    return out


def trend_chart(data: dict[str, Any]) -> str:
    """The small trend: crimes and ASB by month, months with no data as gaps."""
    monthly = data.get("monthly") or []
    if not monthly:
        return ""
    gaps = any(m["crimes"] is None for m in monthly)
    return charts.line_chart(
        "overview-trend",
        [m["label"] for m in monthly],
        [
            charts.Series("Crimes", [m["crimes"] for m in monthly]),
            charts.Series("ASB incidents", [m["asb"] for m in monthly]),
        ],
        title="Crimes and anti-social behaviour incidents by month",
        desc=f"Line chart of crimes and of anti-social behaviour incidents by month, "
        f"{month_label(data['totals']['first_month'])} to "
        f"{month_label(data['totals']['last_month'])}."
        + (" Months with no data are gaps." if gaps else "")
        + " The figures are on the Crime trend page.",
        width=640,
        height=260,
        css_class="app-chart",
        label_from_end=True,
    )


def categories_chart(data: dict[str, Any]) -> str:
    """Crimes by type in the latest month as a bar chart (the table beside it gives the
    figures and the change on a year earlier)."""
    types = data.get("crime_types") or []
    if not types or data["latest"] is None:
        return ""
    month = data["latest"]["month_label"]
    return charts.bar_chart(
        "overview-categories",
        [c["category"] for c in types],
        [int(c["latest"]) for c in types],
        title=f"Crimes by type, {month}",
        desc=f"Bar chart of crimes by type in {month}, largest first: "
        + join_list([f"{c['category']} {fmt_int(c['latest'])}" for c in types[:3]])
        + ". The table below gives every figure.",
        width=640,
        css_class="app-chart",
    )
