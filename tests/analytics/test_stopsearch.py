"""Stop and search (issue 18 section 4): real City of London files, hand-checked statistics."""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from safercity.analytics import geography
from safercity.analytics.ingest import ingest_paths
from safercity.analytics.population import broad_group, load_population, read_census_table
from safercity.analytics.stopsearch import (
    StopSearchProfile,
    force_of_file,
    is_no_further_action,
    lsoa_map_svg,
    rate_ratio,
    stop_search_profile,
    wilson,
)
from safercity.analytics.store import Workspace

CITY = "police-uk/city-of-london-2016-2017"
ATLAS = "population/london-lsoa-atlas.csv"


def test_rate_ratio_and_wilson_hand_checked() -> None:
    # 20 searches of 1,000 residents against 10 of 2,000: rates 20 and 5 per 1,000, ratio 4;
    # se(log RR) = sqrt(1/20 + 1/10) = 0.387298; 95%: 4 exp(-+1.959964 x 0.387298)
    rr, lo, hi = rate_ratio(20, 1000, 10, 2000)
    assert rr == pytest.approx(4.0)
    assert lo == pytest.approx(4 * math.exp(-1.959964 * 0.387298), rel=1e-5)
    assert hi == pytest.approx(4 * math.exp(1.959964 * 0.387298), rel=1e-5)
    assert math.isnan(rate_ratio(0, 100, 0, 100)[0])
    # Wilson, 5 of 10: centre 0.5, half-width z sqrt(pq/n + z^2/4n^2) / (1 + z^2/n)
    z = 1.959964
    half = z * math.sqrt(0.25 / 10 + z * z / 400) / (1 + z * z / 10)
    lo, hi = wilson(5, 10)
    assert (lo, hi) == (pytest.approx(0.5 - half, abs=1e-6), pytest.approx(0.5 + half, abs=1e-6))


def test_outcomes_and_ethnic_groups() -> None:
    assert is_no_further_action("Nothing found - no further action")
    assert is_no_further_action("A no further action disposal")
    assert not is_no_further_action("Suspect arrested") and not is_no_further_action(None)
    assert broad_group("Black or Black British - African (B2)") == "Black"
    assert broad_group("Chinese or other ethnic group - Chinese (O1)") == "Asian"
    assert broad_group("Chinese or other ethnic group - Any other ethnic group (O9)") == "Other"
    assert broad_group("Not Stated (NS)") is None
    assert force_of_file("/x/2016-01-city-of-london-stop-and-search.csv") == "City of London"
    assert force_of_file("2019-05-metropolitan-stop-and-search.csv") == "Metropolitan Police"
    assert force_of_file("notes.csv") is None


def test_census_table_formats(tmp_path: Path) -> None:
    # an ONS-style wide table (TS021 headers, sub-group and total columns to be left out) and
    # a long one; the numbers are made up for the format check
    wide = tmp_path / "ts021.csv"
    with wide.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "date",
                "geography",
                "geography code",
                "Ethnic group: Total: All usual residents",
                "Ethnic group: Asian, Asian British or Asian Welsh",
                "Ethnic group: Asian, Asian British or Asian Welsh: Indian",
                "Ethnic group: Black, Black British, Black Welsh, Caribbean or African",
                "Ethnic group: Mixed or Multiple ethnic groups",
                "Ethnic group: White",
                "Ethnic group: Other ethnic group",
            ]
        )
        w.writerow(
            [
                "2021",
                "Westminster 013G",
                "E01035716",
                "1500",
                "300",
                "100",
                "1,000",
                "50",
                "100",
                "50",
            ]
        )
    frame, year = read_census_table(wide)
    assert year == 2021
    got = frame.set_index("ethnic_group")["persons"].to_dict()
    assert got == {"Asian": 300, "Black": 1000, "Mixed": 50, "White": 100, "Other": 50}
    long = tmp_path / "long.csv"
    long.write_text(
        "Lower layer Super Output Areas Code,Lower layer Super Output Areas,"
        "Ethnic group (6 categories) Code,Ethnic group (6 categories),Observation\n"
        "E01004651,Westminster 003A,1,Asian,10\nE01004651,Westminster 003A,2,Black,20\n"
        "E01004651,Westminster 003A,5,White,30\nE01004651,Westminster 003A,-8,Does not apply,0\n",
        encoding="utf-8",
    )
    frame, year = read_census_table(long, census_year=2021)
    assert frame.set_index("ethnic_group")["persons"].to_dict() == {
        "Asian": 10,
        "Black": 20,
        "White": 30,
    }
    with pytest.raises(ValueError, match="census year"):
        read_census_table(long)


def test_searches_by_lsoa_and_the_map() -> None:
    # synthetic searches (no person in them; labelled): 3 at one Westminster LSOA's centre,
    # 1 at another's, 1 with no location
    geo = geography.builtin_lsoas()
    codes = list(geography.lsoas_of_local_authority("Westminster")["lsoa_code"][:2])
    idx = [int(np.flatnonzero(geo.codes == c)[0]) for c in codes]
    pts = [geo.polygons[i].representative_point() for i in idx]
    e = [pts[0].x] * 3 + [pts[1].x, np.nan]
    n = [pts[0].y] * 3 + [pts[1].y, np.nan]
    frame = pd.DataFrame(
        {
            "occurred_at": pd.to_datetime(["2023-01-05"] * 5),
            "outcome": ["Arrest", "A no further action disposal", "", "Arrest", None],
            "lsoa_code": list(geo.locate(np.array(e), np.array(n))),
            **{c: [None] * 5 for c in ("object_of_search", "legislation", "age_range")},
            **{c: [None] * 5 for c in ("gender", "officer_defined_ethnicity")},
            "self_defined_ethnicity": [None] * 5,
        }
    )
    p = StopSearchProfile(frame)
    assert p.by_lsoa.set_index("lsoa_code")["searches"].to_dict() == {codes[0]: 3, codes[1]: 1}
    assert p.unlocated == 1
    assert p.action == {
        "with_outcome": 3,
        "action": 2,
        "rate": pytest.approx(200 / 3),
        "low": pytest.approx(100 * wilson(2, 3)[0]),
        "high": pytest.approx(100 * wilson(2, 3)[1]),
    }
    assert "No population by ethnic group is loaded" in p.population_statement
    svg = lsoa_map_svg(p, "Westminster")
    assert svg.startswith("<svg") and svg.count("<path") == len(
        geography.lsoas_of_local_authority("Westminster")
    )
    assert "3 searches" in svg and "4 searches with a location" in svg


def _raw_rows(folder: Path) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted(folder.glob("*-stop-and-search.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            rows.extend(csv.DictReader(fh))
    return rows


@pytest.mark.shared_data
def test_city_of_london_stop_and_search_end_to_end(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / CITY
    ws = Workspace(tmp_path / "ws")
    ingest_paths(ws, sorted(folder.glob("*-stop-and-search.csv")))
    raw = _raw_rows(folder)
    # the files carry no coordinates and no force column: the searches are the City of London
    # force's, which polices the City alone, so all are in --area "City of London"
    profile, left_out = stop_search_profile(ws, area="City of London")
    assert left_out == 0 and profile.searches == len(raw) == 1638
    months = pd.Series([r["Date"][:7] for r in raw]).value_counts().sort_index()
    assert profile.per_month.set_index("month")["searches"].to_dict() == months.to_dict()
    outcomes = pd.Series([r["Outcome"] for r in raw]).value_counts()
    got = profile.breakdowns["by_outcome"].set_index("group")["searches"]
    assert got.to_dict() == outcomes.to_dict()
    nfa = int(outcomes.get("Nothing found - no further action", 0))
    assert profile.action["action"] == len(raw) - nfa
    assert profile.action["rate"] == pytest.approx(100 * (len(raw) - nfa) / len(raw))
    assert profile.rates is None and "No population" in profile.population_statement

    loaded = load_population(ws.con, shared_data / ATLAS)
    assert loaded.census_year == 2011 and loaded.areas == 4835
    profile, _ = stop_search_profile(ws, area="City of London")
    assert profile.rates is not None
    rates = profile.rates.set_index("group")
    # the City of London's 2011 Census usual residents: 7,375 in its 6 LSOAs
    assert rates["residents"].sum() == 7375
    groups = pd.Series([broad_group(r["Self-defined ethnicity"]) for r in raw]).value_counts()
    for g in ("Asian", "Black", "Mixed"):
        a, b = int(groups[g]), int(groups["White"])
        expected = (a / rates.loc[g, "residents"]) / (b / rates.loc["White", "residents"])
        assert rates.loc[g, "searches"] == a
        assert rates.loc[g, "ratio"] == pytest.approx(expected)
        assert rates.loc[g, "ratio_low"] < expected < rates.loc[g, "ratio_high"]
    assert rates.loc["Black", "ratio"] > 5  # the City's searches of Black people per resident
    ws.close()

    proc = subprocess.run(
        [sys.executable, "-m", "safercity", "stopsearch", "--workspace", str(tmp_path / "ws"),
         "--area", "City of London", "--period", "2016-01:2016-06", "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    first_half = sum(1 for r in raw if r["Date"][:7] <= "2016-06")
    assert out["searches"] == first_half
    assert set(out["by_outcome"]) <= set(outcomes.index)
    assert out["rates_per_1000_residents"][0]["group"] == "White"
