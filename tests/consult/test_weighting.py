"""Raking against a hand-worked table; Kish's design effect by hand; thin-group warnings."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from safercity.consult import Raking
from safercity.consult.weighting import kish


def _sample(cells: dict[tuple[str, str], int]) -> pd.DataFrame:
    rows = [{"age_band": a, "sex": s} for (a, s), n in cells.items() for _ in range(n)]
    return pd.DataFrame(rows)


def test_two_by_two_raking_matches_the_hand_worked_table() -> None:
    # sample: young men 10, young women 20, old men 30, old women 40 (n = 100)
    # population: young 50, old 50; men 40, women 60.
    # Raking keeps the sample's odds ratio (10*40)/(20*30) = 2/3 and meets both margins, so the
    # fitted young-men cell x solves x(10 + x) / ((50 - x)(40 - x)) = 2/3, i.e.
    # x^2 + 210x - 4000 = 0, x = (-210 + sqrt(60100)) / 2 = 17.5765...; the other cells are
    # young women 50 - x, old men 40 - x and old women 10 + x.
    sample = _sample({("young", "m"): 10, ("young", "f"): 20, ("old", "m"): 30, ("old", "f"): 40})
    r = Raking(sample, {"age_band": {"young": 50, "old": 50}, "sex": {"m": 40, "f": 60}})
    x = (-210 + math.sqrt(60100)) / 2
    expected = {("young", "m"): x / 10, ("young", "f"): (50 - x) / 20}
    expected |= {("old", "m"): (40 - x) / 30, ("old", "f"): (10 + x) / 40}
    got = sample.assign(w=r.weights).groupby(["age_band", "sex"])["w"].agg(["min", "max"])
    for cell, w in expected.items():
        assert got.loc[cell, "min"] == pytest.approx(w, rel=1e-6)
        assert got.loc[cell, "max"] == pytest.approx(w, rel=1e-6)
    assert r.converged and r.n == 100 and r.excluded == 0 and not r.warnings
    weighted = r.margins.set_index(["dimension", "category"])["weighted_share"]
    assert weighted[("sex", "m")] == pytest.approx(0.4)
    assert weighted[("age_band", "old")] == pytest.approx(0.5)
    # Kish: deff = n * sum(w^2) / (sum w)^2 with these four weights
    cells = [(10, x / 10), (20, (50 - x) / 20), (30, (40 - x) / 30), (40, (10 + x) / 40)]
    s1 = sum(n * w for n, w in cells)
    s2 = sum(n * w * w for n, w in cells)
    assert r.design_effect == pytest.approx(100 * s2 / s1**2, rel=1e-6)
    assert r.effective_n == pytest.approx(s1**2 / s2, rel=1e-6)


def test_kish_by_hand() -> None:
    # weights 1, 1, 2, 2: sum 6, sum of squares 10, n 4 -> deff 40/36, ESS 36/10
    deff, ess = kish([1, 1, 2, 2])
    assert deff == pytest.approx(40 / 36) and ess == pytest.approx(3.6)
    assert kish([3, 3, 3]) == pytest.approx((1.0, 3.0))


def test_thin_and_empty_groups_and_respondents_not_weighted() -> None:
    rng = np.random.default_rng(1)
    n = 200
    sample = pd.DataFrame(
        {
            "age_band": rng.choice(["16-29", "30-44", "65+"], n, p=[0.45, 0.5, 0.05]),
            "ward": rng.choice(["Abbey Road", "West End"], n),
        }
    )
    sample.loc[:4, "age_band"] = "prefer not to say"
    sample.loc[5, "ward"] = None
    targets = {
        "age_band": {"16-29": 300, "30-44": 300, "45-64": 250, "65+": 150},
        "ward": {"Abbey Road": 11500, "West End": 11250},
    }
    r = Raking(sample, targets, min_group=20)
    assert r.excluded == 6 and r.n == n - 6
    assert r.weights.iloc[:6].isna().all() and r.weights.iloc[6:].notna().all()
    text = " ".join(r.warnings)
    assert "age_band 45-64: no respondents" in text
    assert "age_band 65+: only" in text and "too thin" in text
    assert r.weights.mean() == pytest.approx(1.0)
    # the 65+ share is met although few answered: their weights are large
    share = r.margins.set_index(["dimension", "category"])["weighted_share"]
    assert share[("age_band", "65+")] == pytest.approx(150 / 750)
    assert r.design_effect > 1


def test_unknown_dimension_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="the responses have no sex"):
        Raking(pd.DataFrame({"ward": ["a"]}), {"sex": {"m": 1}})
