"""Places: rates, ranks, concentration and area-vs-rest on hand-checked inputs and real data."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from safercity.analytics.places import (
    AreaComparison,
    PlaceProfile,
    gini,
    gini_generalised,
    top_share,
)

EXACT_TOL = 1e-9


def test_gini_by_hand() -> None:
    assert gini([5, 5, 5, 5]) == pytest.approx(0.0, abs=EXACT_TOL)
    # all in one of four places: mean abs difference form: 6 pairs... G = (n-1)/n = 0.75
    assert gini([0, 0, 0, 8]) == pytest.approx(0.75, abs=EXACT_TOL)
    # [1, 2, 3]: sum |xi-xj| over ordered pairs = 8, 2 n^2 mean = 2*9*2 = 36 -> 2/9
    assert gini([3, 1, 2]) == pytest.approx(8 / 36, abs=EXACT_TOL)
    assert np.isnan(gini([0, 0]))


def test_generalised_gini_sparse() -> None:
    # 2 crimes in 10 places, one each: G = 0.8 = the floor 1 - 2/10 -> generalised 0
    x = [1, 1] + [0] * 8
    assert gini(x) == pytest.approx(0.8)
    assert gini_generalised(x) == pytest.approx(0.0, abs=EXACT_TOL)
    # both in one place: G = 0.9 -> (0.9 - 0.8) / 0.2 = 0.5
    assert gini_generalised([2] + [0] * 9) == pytest.approx(0.5)
    assert gini_generalised([3, 1, 2]) == gini([3, 1, 2])  # N >= n: unchanged


def test_top_share_rounds_up() -> None:
    counts = list(range(1, 21))  # 20 places, total 210
    assert top_share(counts, 0.05) == (1, pytest.approx(20 / 210))
    assert top_share(counts, 0.10) == (2, pytest.approx(39 / 210))
    assert top_share([4, 1, 1], 0.05) == (1, pytest.approx(4 / 6))  # ceil(0.15) = 1


def test_place_profile_rates_ranks_and_zeros() -> None:
    inc = pd.DataFrame(
        {
            "lsoa_code": ["A", "A", "A", "B", None],
            "lsoa_name": ["Alpha", "Alpha", "Alpha", "Beta", None],
        }
    )
    pop = pd.Series({"A": 1500.0, "B": 500.0, "C": 1000.0})
    pp = PlaceProfile(inc, population=pop)
    t = pp.table
    assert pp.n_unplaced == 1 and pp.n_places == 3 and pp.zeros_known
    assert t.loc["A", "rate"] == pytest.approx(2.0)  # 3 per 1,500 -> 2 per 1,000
    assert t.loc["B", "rate"] == pytest.approx(2.0)
    assert t.loc["C", "count"] == 0 and t.loc["C", "rate"] == 0
    assert t.index.tolist() == ["A", "B", "C"]
    assert t["rank_count"].tolist() == [1, 2, 3]
    assert t.loc["A", "rank_rate"] == t.loc["B", "rank_rate"] == 1
    assert t.loc["A", "name"] == "Alpha"
    assert pp.gini == pytest.approx(gini([3, 1, 0]))
    assert pp.top10 == {"places": 1, "share": pytest.approx(0.75)}
    # without a population frame, C (no crime) is unknown
    pp2 = PlaceProfile(inc)
    assert pp2.n_places == 2 and not pp2.zeros_known
    assert np.isnan(pp2.table["rate"]).all()


def test_area_vs_rest_by_hand() -> None:
    inc = pd.DataFrame({"ward_name": ["West End"] * 30 + ["Other"] * 20})
    cmp = AreaComparison(
        inc, inc["ward_name"] == "West End", population_area=10_000, population_rest=40_000
    )
    assert cmp.count_area == 30 and cmp.count_rest == 20
    assert cmp.share_in_area == pytest.approx(60.0)
    assert cmp.rate_area == pytest.approx(3.0) and cmp.rate_rest == pytest.approx(0.5)
    assert cmp.rate_ratio == pytest.approx(6.0)
    assert cmp.p_exact < 1e-6 and cmp.p_etest < 1e-6


@pytest.mark.shared_data
def test_westminster_wards_concentration_real_data(shared_data: Path) -> None:
    """police.uk API records for Westminster's 20 wards, 2016-01: counts per ward file."""
    folder = shared_data / "police-uk-api" / "westminster-wards-2016-2018"
    rows = []
    with tarfile.open(folder / "crime-street-json.tar.gz") as tar:
        for member in tar.getmembers():
            if "crime_month_2016_01_" not in member.name or not member.isfile():
                continue
            ward = member.name.split("_area_")[1].split("_")[0]
            handle = tar.extractfile(member)
            assert handle is not None
            for rec in json.load(handle):
                rows.append({"id": rec["id"], "ward_code": ward, "category": rec["category"]})
    inc = pd.DataFrame(rows).drop_duplicates("id")  # a record can be in two adjacent wards
    wards = pd.read_csv(folder / "wards.csv", header=None, names=["code", "name", "la"])
    pop = pd.Series(1.0, index=wards["code"])  # frame of all 20 wards (unit population)
    pp = PlaceProfile(inc, place="ward_code", population=pop)
    assert pp.n_places == 20
    assert pp.n_incidents == len(inc)
    # West End ward (E05000649) is Westminster's busiest ward by far
    assert pp.table.index[0] == "E05000649"
    assert pp.top5["places"] == 1
    assert pp.top5["share"] == pytest.approx(pp.table["count"].iloc[0] / len(inc))
    assert 0.3 < pp.gini < 0.8


def test_lsoa_population_falls_back_to_the_2011_census(tmp_path: Path) -> None:
    from safercity.analytics.places import population_from_areas
    from safercity.analytics.store import Workspace

    with Workspace(tmp_path / "ws") as ws:
        pop = population_from_areas(ws, "lsoa")
    # ONS 2011 Census usual residents: City of London 001A had 1,465 (published KS101EW)
    assert pop["E01000001"] == 1465
    assert len(pop) == 34753  # every LSOA of England and Wales
