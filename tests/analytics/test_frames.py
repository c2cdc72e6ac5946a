"""incidents_frame: the one place the analyses read the store (area, category, theme, period)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from safercity.analytics.frames import incidents_frame, parse_period
from safercity.analytics.store import Workspace


def _ws(tmp_path: Path) -> Workspace:
    ws = Workspace(tmp_path / "ws")
    cols = [r[0] for r in ws.con.execute("DESCRIBE incidents").fetchall()]
    rows = [
        ("k1", "2016-01-01", "Burglary", "Westminster", "West End", None),
        ("k2", "2016-06-01", "Drugs", "Westminster", "West End", "2016-06-03 23:00"),
        ("k3", "2017-01-01", "Drugs", "Camden", "Holborn", None),
        ("k4", "2017-02-01", "Violence and sexual offences", "westminster", "St James's", None),
    ]
    frame = pd.DataFrame(
        [
            {
                "incident_key": k,
                "source_id": "t",
                "source_kind": "test",
                "month": dt.date.fromisoformat(m),
                "category": c,
                "local_authority": la,
                "ward_name": w,
                "occurred_from": pd.Timestamp(t) if t else None,
                "occurred_to": pd.Timestamp(t) if t else None,
            }
            for k, m, c, la, w, t in rows
        ],
        columns=cols,
    )
    ws.con.register("f", frame)
    ws.con.execute("INSERT INTO incidents SELECT * FROM f")
    ws.con.unregister("f")
    return ws


def test_parse_period() -> None:
    assert parse_period(None) == (None, None)
    assert parse_period("2016") == (dt.date(2016, 1, 1), dt.date(2016, 12, 1))
    assert parse_period("2016-01:2016-06") == (dt.date(2016, 1, 1), dt.date(2016, 6, 1))
    assert parse_period(":2016") == (None, dt.date(2016, 12, 1))


def test_filters(tmp_path: Path) -> None:
    with _ws(tmp_path) as ws:
        assert sorted(incidents_frame(ws)["incident_key"]) == ["k1", "k2", "k3", "k4"]
        west = incidents_frame(ws, area="WESTMINSTER")
        assert sorted(west["incident_key"]) == ["k1", "k2", "k4"]  # case-insensitive
        assert incidents_frame(ws, category="drugs")["incident_key"].tolist() == ["k2", "k3"]
        assert incidents_frame(ws, period="2016")["incident_key"].tolist() == ["k1", "k2"]
        nte = incidents_frame(ws, area="Westminster", theme="night-time-economy")
        assert sorted(nte["incident_key"]) == ["k2", "k4"]  # 23:00 drugs; untimed violence
        narrow = incidents_frame(ws, columns=["incident_key", "month"])
        assert list(narrow.columns) == ["incident_key", "month"]
        with pytest.raises(ValueError, match="not columns"):
            incidents_frame(ws, columns=["nope"])
        with pytest.raises(KeyError, match="no theme"):
            incidents_frame(ws, theme="nope")
