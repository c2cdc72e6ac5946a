"""A small SYNTHETIC workspace for the web tests (no real data: made up, seeded, labelled).

Incidents in two boroughs and four wards of central London over 24 months, with British National
Grid and WGS84 coordinates, a few with exact times (as a local extract would have), plus one
ward boundary in the ``areas`` table.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer
from shapely import wkb
from shapely.geometry import box

from safercity.analytics.store import Workspace

WARDS = [
    ("Westminster", "E05000644", "St James's", 529500.0, 180200.0),
    ("Westminster", "E05000649", "West End", 529300.0, 181000.0),
    ("Westminster", "E05000641", "Marylebone High Street", 528400.0, 181700.0),
    ("Camden", "E05000143", "Holborn and Covent Garden", 530200.0, 181300.0),
]
CATEGORIES = [
    "Anti-social behaviour",
    "Theft from the person",
    "Violence and sexual offences",
    "Shoplifting",
    "Burglary",
]
N = 1200


def build(path: Path, n: int = N, seed: int = 7) -> Path:
    """Write the synthetic store at ``path`` and return it."""
    rng = np.random.default_rng(seed)
    ward = rng.integers(0, len(WARDS), n)
    months = pd.date_range("2016-01-01", periods=24, freq="MS")
    month = months[rng.integers(0, len(months), n)]
    easting = np.array([WARDS[w][3] for w in ward]) + rng.normal(0, 250, n)
    northing = np.array([WARDS[w][4] for w in ward]) + rng.normal(0, 250, n)
    lon, lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(easting, northing)
    timed = rng.random(n) < 0.3
    occurred = [
        (
            pd.Timestamp(m)
            + pd.Timedelta(days=int(rng.integers(0, 28)), hours=int(rng.integers(0, 24)))
        )
        if t
        else None
        for m, t in zip(month, timed, strict=True)
    ]
    frame = pd.DataFrame(
        {
            "incident_key": [f"synthetic:{i}" for i in range(n)],
            "crime_id": [f"SYN{i:06d}" for i in range(n)],
            "source_id": "synthetic",
            "source_kind": "synthetic",
            "force": "metropolitan",
            "month": [m.date() for m in month],
            "occurred_from": occurred,
            "occurred_to": occurred,
            "category": [CATEGORIES[c] for c in rng.integers(0, len(CATEGORIES), n)],
            "easting": easting,
            "northing": northing,
            "longitude": lon,
            "latitude": lat,
            "local_authority": [WARDS[w][0] for w in ward],
            "ward_code": [WARDS[w][1] for w in ward],
            "ward_name": [WARDS[w][2] for w in ward],
            "lsoa_code": [f"E0100{w:04d}" for w in ward],
            "lsoa_name": [f"{WARDS[w][0]} {w:03d}A" for w in ward],
        }
    )
    with Workspace(path) as ws:
        ws.con.register("frame", frame)
        cols = ", ".join(frame.columns)
        ws.con.execute(f"INSERT INTO incidents ({cols}) SELECT {cols} FROM frame")
        ws.con.execute(
            "INSERT INTO sources VALUES ('synthetic', 'synthetic-test-data.csv', 'synthetic', "
            "'metropolitan', ['2016-01'], ?, ?, 0, ?, 'SYNTHETIC test data')",
            [n, n, dt.datetime(2026, 1, 1)],
        )
        _, code, name, e, nn = WARDS[0]
        ws.con.execute(
            "INSERT INTO areas VALUES ('ward:' || ?, 'ward', ?, ?, 10000, ?, 'synthetic')",
            [code, code, name, wkb.dumps(box(e - 400, nn - 400, e + 400, nn + 400))],
        )
    return path
