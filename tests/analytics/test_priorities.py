"""Priorities: scoring rules by hand and a ranked matrix on a small hand-made borough."""

from __future__ import annotations

import pandas as pd
import pytest

from safercity.analytics.priorities import (
    WESTMINSTER_2010_CONSULTATION,
    PriorityMatrix,
    concern_score,
    score_by_thresholds,
    trend_score,
)
from safercity.analytics.trends import PoissonComparison


def test_scoring_rules() -> None:
    th = (1.0, 5.0, 10.0, 20.0)
    assert [score_by_thresholds(v, th) for v in (0.5, 1.0, 4.9, 5, 12, 20, 99)] == [
        1,
        2,
        2,
        3,
        4,
        5,
        5,
    ]
    assert trend_score(None) == 3
    assert trend_score(PoissonComparison(100, 100)) == 3  # no change
    assert trend_score(PoissonComparison(200, 100)) == 5  # significant +100%
    assert trend_score(PoissonComparison(10500, 10000)) == 4  # significant +5%
    assert trend_score(PoissonComparison(9500, 10000)) == 2  # significant -5%
    assert trend_score(PoissonComparison(50, 100)) == 1
    assert [concern_score(r) for r in (1, 2, 3, 4, 5, 9, None)] == [5, 4, 3, 2, 1, 1, 1]
    # with overdispersion allowed for, +5% on 10,000 is no longer a significant change
    assert trend_score(PoissonComparison(10500, 10000, dispersion=20.0)) == 3
    assert trend_score(PoissonComparison(200, 100, dispersion=2.0)) == 5


def _borough() -> pd.DataFrame:
    rows = []
    # 24 months. Robbery in the West End at 22:00 rising 10 -> 30 a month in the second year
    # (night-time economy theme); shoplifting flat 20 a month; ASB flat 40 a month.
    for i, month in enumerate(pd.date_range("2019-01-01", periods=24, freq="MS")):
        n_rob = 10 if i < 12 else 30
        for j in range(n_rob):
            t = month + pd.Timedelta(hours=22)
            rows.append(("Robbery", "West End", t, f"r{j % 3}" if j < 6 else None, month))
        for _ in range(20):
            rows.append(("Shoplifting", "Abbey Road", pd.NaT, None, month))
        for _ in range(40):
            rows.append(("Anti-social behaviour", "Abbey Road", pd.NaT, None, month))
    return pd.DataFrame(
        rows, columns=["category", "ward_name", "occurred_from", "victim_id", "month"]
    ).assign(occurred_to=lambda f: f["occurred_from"])


def test_priority_matrix_ranks_with_reasons() -> None:
    pm = PriorityMatrix(_borough(), consultation=WESTMINSTER_2010_CONSULTATION)
    t = pm.table
    assert t.index[0] == "night-time-economy"
    nte = t.loc["night-time-economy"]
    assert nte["harm_score"] == 5  # robbery 365 days
    # last 12 months: 360 robbery + 240 shoplifting + 480 ASB = 1080; NTE = robbery + ASB? no:
    # ASB is in Abbey Road, outside the NTE wards -> 360 / 1080 = 33% -> volume 5
    assert nte["n"] == 360
    assert nte["volume_value"] == pytest.approx(100 * 360 / 1080)
    assert nte["volume_score"] == 5
    assert nte["trend_score"] == 5  # 360 vs 120: significant rise of 200%
    assert nte["public_concern_score"] == 5
    # repeats: each month r0, r1, r2 twice -> within 365 days, nearly all are repeats
    assert nte["vulnerability_score"] == 5
    assert "ranked 1 in consultation" in nte["reasons"]
    asb = t.loc["anti-social-behaviour"]
    assert pd.isna(asb["harm_score"])  # no CCHI weight for ASB: harm not scored
    assert asb["trend_score"] == 3 and asb["public_concern_score"] == 1
    # overall = weighted mean of scored dimensions (ASB: volume 5, trend 3, concern 1)
    w = {"volume": 0.20, "trend": 0.15, "public_concern": 0.15}
    expected = (5 * w["volume"] + 3 * w["trend"] + 1 * w["public_concern"]) / sum(w.values())
    assert asb["score"] == pytest.approx(expected)
    assert t["rank"].tolist() == list(range(1, len(t) + 1))


def test_weights_are_editable() -> None:
    only_concern = PriorityMatrix(
        _borough(),
        consultation=["substance-misuse", "youth"],
        weights={"harm": 0, "volume": 0, "trend": 0, "vulnerability": 0, "public_concern": 1},
    )
    assert only_concern.table.index[0] == "substance-misuse"
    assert only_concern.weights["public_concern"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="unknown dimensions"):
        PriorityMatrix(_borough(), weights={"fear": 1})


def test_theme_without_its_data_is_not_scored() -> None:
    # police.uk-like data: no wards, no people fields -> NTE, youth and VAWG cannot be assessed
    f = _borough().drop(columns=["ward_name", "victim_id", "occurred_from", "occurred_to"])
    pm = PriorityMatrix(f)
    t = pm.table
    for name in ("night-time-economy", "youth", "violence-against-women-and-girls"):
        assert pd.isna(t.loc[name, "score"])
        assert t.loc[name, "reasons"].startswith("cannot assess: the data has no")
    assert "ward_name" in t.loc["night-time-economy", "reasons"]
    assert t["rank"].iloc[-3:].tolist() == [len(t) - 2, len(t) - 1, len(t)]
    assert t.loc["anti-social-behaviour", "score"] > 0


def test_a_month_with_no_data_is_missing_not_zero() -> None:
    """ASB in Abbey Road is 40 a month throughout; drop every incident of one month of the
    earlier year (as police.uk once skipped 2016-03): the trend compares rates per month of
    data, so it stays "no change" (40 a month both years), not a rise of 12/11 - 1 = 9%."""
    f = _borough()
    months = pd.to_datetime(f["month"]).dt.to_period("M")
    gap = months.min() + 3  # a month in the previous 12
    pm = PriorityMatrix(f[months != gap])
    asb = pm.table.loc["anti-social-behaviour"]
    assert asb["trend_value"] == pytest.approx(0.0)
    assert asb["trend_score"] == 3
