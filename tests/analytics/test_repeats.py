"""Repeat victimisation on a hand-checked extract and on real Chicago burglary locations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from safercity.analytics.repeats import RepeatVictimisation

EXACT_TOL = 1e-9


def _extract() -> pd.DataFrame:
    rows = [
        ("a", "2020-01-01"),
        ("a", "2020-01-05"),  # 4 days after the first: a repeat within 365 days
        ("a", "2020-06-01"),  # 148 days: a repeat
        ("a", "2021-08-01"),  # 426 days: not within 365
        ("b", "2020-03-01"),
        ("b", "2021-05-01"),  # 426 days: not within 365
        ("c", "2020-02-01"),
        (None, "2020-02-01"),  # no victim id: left out
    ]
    return pd.DataFrame(
        {
            "victim_id": [r[0] for r in rows],
            "occurred_from": pd.to_datetime([r[1] for r in rows]),
            "month": pd.to_datetime([r[1][:8] + "01" for r in rows]),
        }
    )


def test_repeat_measures_by_hand() -> None:
    rv = RepeatVictimisation(_extract(), population=1000)
    assert rv.n_without_key == 1
    assert rv.n_incidents == 7 and rv.n_victims == 3
    assert rv.prevalence_rate == pytest.approx(3.0) and rv.incidence_rate == pytest.approx(7.0)
    assert rv.concentration == pytest.approx(7 / 3, abs=EXACT_TOL)
    assert rv.share_victims_repeat == pytest.approx(200 / 3, abs=EXACT_TOL)
    assert rv.share_incidents_by_repeat_victims == pytest.approx(600 / 7, abs=EXACT_TOL)
    assert rv.n_repeats_window == 2
    assert rv.share_incidents_repeat_window == pytest.approx(200 / 7, abs=EXACT_TOL)
    assert rv.share_victims_heavy == pytest.approx(100 / 3, abs=EXACT_TOL)
    assert rv.share_incidents_heavy == pytest.approx(400 / 7, abs=EXACT_TOL)
    assert rv.median_days_to_next == pytest.approx((148 + 426) / 2)
    assert rv.days_to_next["count"].tolist() == [1, 0, 0, 1, 0, 2]
    assert rv.frequency["victims"].tolist() == [1, 1, 0, 1, 0]
    assert rv.frequency["incidents"].tolist() == [1, 2, 0, 4, 0]
    assert rv.date_precision == "day"
    assert "29% of incidents were repeats within 365 days" in rv.statements


def test_month_only_dates_and_window() -> None:
    f = _extract().drop(columns=["occurred_from"])
    rv = RepeatVictimisation(f, window_days=30)
    assert rv.date_precision == "month"
    # a: Jan, Jan (0 days), Jun, Aug 2021 -> only the same-month pair is within 30 days
    assert rv.n_repeats_window == 1


def test_missing_key_cannot_answer() -> None:
    with pytest.raises(ValueError, match="cannot answer"):
        RepeatVictimisation(pd.DataFrame({"month": pd.to_datetime(["2020-01-01"])}))


@pytest.mark.shared_data
def test_chicago_burglary_repeat_locations(shared_data: Path) -> None:
    """Chicago residential burglaries 2016 (R package NearRepeat): repeats at the same X,Y."""
    raw = pd.read_csv(shared_data / "incidents" / "chicago_burglary_2016.csv")
    cols = {c.lower(): c for c in raw.columns}
    x, y = raw[cols.get("x", raw.columns[0])], raw[cols.get("y", raw.columns[1])]
    date_col = next(c for c in raw.columns if "date" in c.lower())
    f = pd.DataFrame(
        {
            "location": x.round(0).astype(int).astype(str)
            + ","
            + y.round(0).astype(int).astype(str),
            "occurred_from": pd.to_datetime(raw[date_col]),
        }
    )
    rv = RepeatVictimisation(f, key="location")
    # independent count: sort, and test each incident against the previous one at its location
    g = f.dropna().sort_values(["location", "occurred_from"])
    prev_same = g["location"].eq(g["location"].shift())
    gap = (g["occurred_from"] - g["occurred_from"].shift()).dt.days
    expected = int((prev_same & (gap <= 365)).sum())
    assert rv.n_repeats_window == expected
    assert rv.n_victims == f["location"].nunique()
    assert rv.n_incidents == len(f.dropna()) == rv.frequency["incidents"].sum()
    # one year of data: (almost) every later burglary at a location is within 365 days
    assert rv.n_repeats_window <= rv.n_incidents - rv.n_victims
    assert rv.n_repeats_window >= 0.99 * (rv.n_incidents - rv.n_victims)
    assert 0 < rv.share_victims_repeat < 50
    assert np.isfinite(rv.median_days_to_next)
