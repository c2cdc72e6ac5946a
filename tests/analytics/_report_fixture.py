"""A small, fixed, SYNTHETIC Westminster-like workspace for the Strategic Assessment tests.

Not a test module. Every row is made up (labelled ``source_kind = 'synthetic'``); the LSOA
codes and ward polygons are real Westminster ones (from the built-in geography) so that maps
draw. Counts are chosen to be checked by hand:

* data from 2017-01 to 2019-12, **2018-03 missing** (no rows at all);
* the period is 2019-01:2019-12 (12 months of data), the previous one 2018-01:2018-12
  (11 months of data);
* Burglary: 2 a month until 2018-12, 4 a month in 2019 (this 48, previous 22: the rate per
  month doubles, +100%); in LSOA E01033595 (West End), all in the same month at points 50 m
  apart, so near repeats are strong;
* Robbery: 1 a month, at 22:00 on the 5th, victims alternately v1 and v2 (male, 20 and 30,
  not resident), suspect aged 16; in LSOA E01004736 (St. James's);
* Drugs: 3 a month in 2017-2018, 1 a month in 2019; LSOA E01004763 (West End);
* Anti-social behaviour: 5 a month throughout (this 60, previous 55: the same rate per month);
  LSOA E01004714 (Marylebone High Street), no location for the 2019-06 ones;
* the Met borough series: 100 crimes a month for Westminster, 2015-01 to 2019-12.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import shapely

from safercity.analytics import geography
from safercity.analytics.store import Workspace

LSOA_POINTS = {
    "E01033595": (529065.0, 180880.0),
    "E01004763": (529674.0, 181242.0),
    "E01004736": (529587.0, 180181.0),
    "E01004714": (528256.0, 181397.0),
}
LSOA_WARD = {
    "E01033595": ("E05000649", "West End"),
    "E01004763": ("E05000649", "West End"),
    "E01004765": ("E05000649", "West End"),
    "E01004736": ("E05000644", "St. James's"),
    "E01004714": ("E05000641", "Marylebone High Street"),
}
MISSING = dt.date(2018, 3, 1)
IMPORTED_AT = dt.datetime(2020, 2, 3, 9, 0, 0)


def _rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    geo = geography.builtin_lsoas().lookup

    def add(month: dt.date, category: str, lsoa: str, k: int, **extra: object) -> None:
        e, n = LSOA_POINTS[lsoa]
        ward_code, ward_name = LSOA_WARD[lsoa]
        row: dict[str, object] = {
            "incident_key": f"syn:{len(rows)}",
            "crime_id": f"c{len(rows)}",
            "source_id": "synthetic-sha",
            "source_kind": "synthetic",
            "force": "Metropolitan Police",
            "month": month,
            "category": category,
            "easting": e + 50.0 * k,
            "northing": n,
            "location": f"On or near Synthetic Street {k}",
            "location_type": "Force",
            "lsoa_code": lsoa,
            "lsoa_name": str(geo.loc[lsoa, "lsoa_name"]),
            "local_authority": "Westminster",
            "ward_code": ward_code,
            "ward_name": ward_name,
        }
        row.update(extra)
        rows.append(row)

    for ts in pd.date_range("2017-01-01", "2019-12-01", freq="MS"):
        m = ts.date()
        if m == MISSING:
            continue
        y2019 = m.year == 2019
        for k in range(4 if y2019 else 2):
            add(m, "Burglary", "E01033595", k)
        t = pd.Timestamp(m) + pd.Timedelta(days=4, hours=22)
        odd = m.month % 2
        add(
            m,
            "Robbery",
            "E01004736",
            0,
            occurred_from=t,
            occurred_to=t,
            victim_id=f"v{1 + odd}",
            victim_sex="M",
            victim_age=20 + 10 * odd,
            victim_resident=False,
            suspect_age=16,
        )
        for k in range(1 if y2019 else 3):
            add(m, "Drugs", "E01004763", k)
        for k in range(5):
            add(m, "Anti-social behaviour", "E01004714", k)
            if m == dt.date(2019, 6, 1):
                rows[-1].update(
                    easting=None,
                    northing=None,
                    lsoa_code=None,
                    lsoa_name=None,
                    ward_code=None,
                    ward_name=None,
                    location=None,
                )
    return rows


def build(path: Path, *, met: bool = True, wards: bool = True) -> Path:
    """Create the workspace at ``path`` (with the Met series unless ``met=False``, with ward
    boundaries and ward fields unless ``wards=False``)."""
    rows = _rows()
    if not wards:
        for r in rows:
            r["ward_code"] = r["ward_name"] = None
    with Workspace(path) as ws:
        cols = [r[0] for r in ws.con.execute("DESCRIBE incidents").fetchall()]
        frame = pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)
        ws.con.register("new_rows", frame)
        ws.con.execute("INSERT INTO incidents SELECT * FROM new_rows")
        ws.con.unregister("new_rows")
        months = sorted({f"{r['month']:%Y-%m}" for r in rows})  # type: ignore[str-format]
        ws.con.execute(
            "INSERT INTO sources VALUES (?, ?, 'synthetic', 'Metropolitan Police', ?, ?, ?, 0, ?, ?)",
            [
                "synthetic-sha",
                "synthetic/westminster-like.csv",
                months,
                len(rows),
                len(rows),
                IMPORTED_AT,
                "synthetic test data",
            ],
        )
        if met:
            met_rows = [
                ("met-sha", "borough", None, "Westminster", "THEFT", "OTHER THEFT", ts.date(), 100)
                for ts in pd.date_range("2015-01-01", "2019-12-01", freq="MS")
            ]
            ws.con.executemany(
                "INSERT INTO recorded_crime VALUES (?, ?, ?, ?, ?, ?, ?, ?)", met_rows
            )
            ws.con.execute(
                "INSERT INTO sources VALUES ('met-sha', 'synthetic/met-borough.csv', 'met', "
                "NULL, NULL, 60, 60, 0, ?, 'synthetic Met series')",
                [IMPORTED_AT],
            )
        geo = geography.builtin_lsoas()
        index = {str(c): i for i, c in enumerate(geo.codes)}
        polygons: dict[str, tuple[str, list[object]]] = {}
        for lsoa, (code, name) in LSOA_WARD.items():
            polygons.setdefault(code, (name, []))[1].append(geo.polygons[index[lsoa]])
        for code, (name, polys) in sorted(polygons.items()) if wards else []:
            ws.con.execute(
                "INSERT INTO areas VALUES (?, 'ward', ?, ?, NULL, ?, 'synthetic')",
                [f"ward:{code}", code, name, shapely.to_wkb(shapely.union_all(polys))],
            )
    return path
