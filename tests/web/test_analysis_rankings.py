"""Area rankings rank the chosen area's own places, with residents from the built-in census,
and say what is missing when wards cannot be ranked (real police.uk data: the demo's)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import analysis_data
import pytest
from django.urls import reverse

from safercity.analytics.geography import builtin_lsoas
from safercity.analytics.store import Workspace

pytestmark = pytest.mark.django_db

#: 2011 Census usual residents of Leeds (ONS table KS101EW): the built-in LSOAs must add up to it
LEEDS_RESIDENTS_2011 = 751_485


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return analysis_data.demo(tmp_path_factory)


@pytest.fixture
def analyst(client: Any, make_user: Any, settings: Any, demo: Path) -> Any:
    settings.WORKSPACE = demo
    client.force_login(make_user("analyst"))
    return client


def _counts(demo: Path, sql: str) -> list[tuple[Any, ...]]:
    with Workspace(demo, read_only=True) as ws:
        return ws.con.execute(sql).fetchall()


def test_an_area_ranks_its_own_lsoas(analyst: Any, demo: Path) -> None:
    data = analyst.get(
        reverse("api:rankings"),
        {"area_type": "borough", "area": "Leeds", "by": "lsoa", "limit": "1000"},
    ).json()
    lookup = builtin_lsoas().lookup
    leeds = set(lookup.index[lookup["local_authority"] == "Leeds"])
    assert data["n_places"] == len(leeds) == 482  # not the 34,753 of England and Wales
    assert {a["area"] for a in data["areas"]} <= leeds
    counts = dict(
        _counts(
            demo,
            "SELECT lsoa_code, count(*) FROM incidents WHERE local_authority = 'Leeds' GROUP BY 1",
        )
    )
    assert {a["area"]: a["incidents"] for a in data["areas"] if a["incidents"]} == counts
    # the busiest 10% of Leeds's LSOAs: ceil(48.2) = 49, and their share of Leeds's incidents
    top = sorted(counts.values(), reverse=True)[:49]
    assert data["top10pct"]["places"] == 49
    assert data["top10pct"]["share_pct"] == round(100 * sum(top) / sum(counts.values()), 1)
    assert data["top10pct"]["share_pct"] < 50  # was "100.0%" over every LSOA of the country
    page = analyst.get(
        reverse("analysis:rankings"), {"area": "borough:Leeds", "by": "lsoa"}
    ).content.decode()
    assert "Leeds has 482 LSOAs" in page


def test_boroughs_have_their_census_residents(analyst: Any, demo: Path) -> None:
    data = analyst.get(reverse("api:rankings"), {"by": "borough"}).json()
    leeds = next(a for a in data["areas"] if a["area"] == "Leeds")
    assert leeds["population"] == LEEDS_RESIDENTS_2011
    (incidents,) = _counts(demo, "SELECT count(*) FROM incidents WHERE local_authority = 'Leeds'")[
        0
    ]
    assert leeds["incidents"] == incidents
    assert leeds["rate_per_1000"] == round(1000 * incidents / LEEDS_RESIDENTS_2011, 1)
    # the force area's five boroughs, and the few places beyond it where incidents were recorded
    names = {a["area"] for a in data["areas"]}
    assert {"Leeds", "Bradford", "Kirklees", "Wakefield", "Calderdale"} <= names
    assert all(a["population"] for a in data["areas"])
    residents = builtin_lsoas().lookup.groupby("local_authority")["population"].sum()
    for a in data["areas"]:
        assert a["population"] == residents[a["area"]]
        assert math.isclose(
            a["rate_per_1000"], 1000 * a["incidents"] / a["population"], abs_tol=0.05
        )


def test_without_ward_boundaries_it_says_so_and_offers_what_works(analyst: Any) -> None:
    data = analyst.get(reverse("api:rankings"), {"by": "ward"}).json()
    assert data["areas"] == [] and "ward boundaries" in data["unavailable"]
    page = analyst.get(
        reverse("analysis:rankings"), {"by": "ward", "area": "borough:Leeds"}
    ).content.decode()
    assert "No ward boundaries are loaded" in page
    assert "No incidents match" not in page
    assert 'href="/analysis/rankings/?by=lsoa&amp;area=borough%3ALeeds"' in page
    assert 'href="/analysis/rankings/?by=borough&amp;area=borough%3ALeeds"' in page
    # as it first opens, the page ranks what it can: LSOAs, and the box says so
    first = analyst.get(reverse("analysis:rankings"))
    assert first.context["form"]["by"].value() == "lsoa"
    assert "LSOAs ranked" in first.content.decode()


def test_with_wards_loaded_wards_are_ranked_first(
    client: Any, make_user: Any, settings: Any, synthetic_workspace: Path
) -> None:
    # the synthetic workspace has one ward boundary loaded (St James's)
    client.force_login(make_user("analyst"))
    page = client.get(reverse("analysis:rankings"))
    assert page.context["form"]["by"].value() == "ward"
    assert "Wards ranked" in page.content.decode()
