"""Issue 18 section 1: every row gets its local authority, 2021 LSOAs included."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from _realdata import LSOA_2021, write_street_csv_with_2021_lsoas

from safercity.analytics import geography
from safercity.analytics.areas import (
    NOT_YET_PLACED,
    place_local_authorities,
    rows_without_local_authority,
)
from safercity.analytics.ingest import ingest_paths
from safercity.analytics.store import Workspace

NAN = float("nan")


def _centroid(la: str) -> tuple[float, float]:
    """A point well inside a built-in authority (its largest LSOA's representative point)."""
    geo = geography.builtin_lsoas()
    codes = set(geography.lsoas_of_local_authority(la)["lsoa_code"])
    polys = [p for c, p in zip(geo.codes, geo.polygons, strict=True) if c in codes]
    p = shapely.point_on_surface(max(polys, key=lambda g: g.area))
    return p.x, p.y


def _just_outside(la: str, other: str, metres: float) -> tuple[float, float]:
    """A point ``metres`` outside built-in ``la`` that the built-in LSOAs put in ``other``."""
    ring = shapely.get_exterior_ring(
        shapely.get_geometry(geography.local_authority_polygon(la).buffer(metres), 0)
    )
    for d in np.linspace(0, ring.length, 2000, endpoint=False):
        p = ring.interpolate(d)
        code = geography.builtin_lsoas().locate(np.array([p.x]), np.array([p.y]))[0]
        if code and geography.builtin_lsoas().lookup.loc[code, "local_authority"] == other:
            return p.x, p.y
    raise AssertionError(f"no point {metres} m outside {la} in {other}")


def test_the_lsoa_name_carries_its_local_authority() -> None:
    assert geography.local_authority_of_lsoa_name("Westminster 013G") == "Westminster"
    assert geography.local_authority_of_lsoa_name("Bristol 023D") == "Bristol, City of"
    assert geography.local_authority_of_lsoa_name("city of london 001F") == "City of London"
    # an authority created after 2011, no name, a name without the MSOA number and letter
    assert geography.local_authority_of_lsoa_name("North Northamptonshire 001A") is None
    assert geography.local_authority_of_lsoa_name(None) is None
    assert geography.local_authority_of_lsoa_name("Westminster") is None


def test_local_authority_by_code_then_name_and_point() -> None:
    camden = _centroid("Camden")
    kettering = _centroid("Kettering")
    near = _just_outside("Westminster", "Camden", 60.0)
    far = _just_outside("Westminster", "Camden", 400.0)
    rows = [
        # (code, name, point) -> expected
        (("E01004651", "Westminster 003A", camden), "Westminster"),  # a code the lookup has
        (("E01035716", "Westminster 013G", (NAN, NAN)), "Westminster"),  # name only
        (("E01035716", None, camden), "Camden"),  # point only
        (("E01035716", "Westminster 013G", near), "Westminster"),  # closer than generalisation
        (("E01035716", "Westminster 013G", far), "Camden"),  # the point decides
        (("E01035716", "Westminster 013G", camden), "Camden"),
        (("E01099999", "North Northamptonshire 001A", kettering), "Kettering"),
        (("E01099999", "North Northamptonshire 001A", (NAN, NAN)), None),
        ((None, None, (NAN, NAN)), None),
        ((None, None, (0.0, 0.0)), None),  # far out at sea: beyond every built-in LSOA
    ]
    codes = [r[0][0] for r in rows]
    names = [r[0][1] for r in rows]
    e = np.array([r[0][2][0] for r in rows])
    n = np.array([r[0][2][1] for r in rows])
    got = geography.place_local_authorities(codes, names, e, n)
    assert list(got) == [r[1] for r in rows]


@pytest.mark.shared_data
def test_rows_with_2021_lsoas_keep_their_local_authority(shared_data: Path, tmp_path: Path) -> None:
    """927 of 5,395 real Westminster rows (September 2017) lie in 2021 LSOAs with new codes:
    without placement by name and point they were stored with no local authority and left out
    of ``--area Westminster``."""
    path = write_street_csv_with_2021_lsoas(shared_data, "2017-09", tmp_path)
    ws = Workspace(tmp_path / "ws")
    summary = ingest_paths(ws, [path])
    stored = summary.totals()["rows_stored"]
    known = set(geography.builtin_lsoas().lookup.index)
    codes = [r[0] for r in ws.con.execute("SELECT lsoa_code FROM incidents").fetchall()]
    new_codes = sum(c not in known for c in codes)
    assert stored > 5000 and new_codes > 500  # the case is real: many rows in new 2021 LSOAs
    by_la = dict(
        ws.con.execute(
            "SELECT coalesce(local_authority, '-'), count(*) FROM incidents GROUP BY 1"
        ).fetchall()
    )
    assert by_la == {"Westminster": stored}  # every point lies in Westminster's 2021 LSOAs
    assert rows_without_local_authority(ws.con) == (0, {})
    # a workspace imported before placement: status says so, and `geography place` mends it
    ws.con.execute(
        "UPDATE incidents SET local_authority = NULL WHERE lsoa_code NOT IN "
        "(SELECT lsoa_code FROM incidents WHERE lsoa_code LIKE 'E0100%')"
    )
    left, by_reason = rows_without_local_authority(ws.con)
    assert left > 0 and by_reason == {NOT_YET_PLACED: left}
    assert place_local_authorities(ws.con) == left
    assert rows_without_local_authority(ws.con) == (0, {})
    ws.close()


@pytest.mark.shared_data
def test_status_and_geography_load_of_the_2021_lsoas(shared_data: Path, tmp_path: Path) -> None:
    path = write_street_csv_with_2021_lsoas(shared_data, "2017-09", tmp_path)
    wsdir = tmp_path / "ws"
    ingest_paths(wsdir, [path])

    def cli(*args: str) -> dict[str, object]:
        proc = subprocess.run(
            [sys.executable, "-m", "safercity", *args, "--workspace", str(wsdir), "--json"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        out: dict[str, object] = json.loads(proc.stdout)
        return out

    status = cli("status")
    assert status["rows_without_local_authority"] == 0
    assert status["rows_without_local_authority_by_reason"] == {}
    loaded = cli("geography", "load", str(shared_data / LSOA_2021), "--type", "lsoa")
    assert loaded["areas"] == 123
    # every row is placed in the 2021 LSOA its file names (the file was made from the same
    # boundaries, so this checks loading, projection and placement end to end)
    with Workspace(wsdir, read_only=True) as ws:
        mismatched = ws.con.execute(
            "SELECT count(*) FROM incidents i JOIN incident_areas a USING (incident_key) "
            "WHERE a.area_id <> 'lsoa:' || i.lsoa_code"
        ).fetchall()[0][0]
        placed = ws.con.execute(
            "SELECT count(DISTINCT incident_key) FROM incident_areas"
        ).fetchall()
        total = ws.con.execute("SELECT count(*) FROM incidents").fetchall()
    assert mismatched == 0 and placed == total


def test_rows_without_a_local_authority_by_reason(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.con.execute(
        "INSERT INTO incidents (incident_key, source_id, source_kind, month, category, "
        "lsoa_code, lsoa_name, easting, northing) VALUES "
        "('a', 's', 'k', DATE '2023-01-01', 'Burglary', NULL, NULL, NULL, NULL), "
        "('b', 's', 'k', DATE '2023-01-01', 'Burglary', 'E01099999', 'Nowhere 001A', NULL, NULL), "
        "('c', 's', 'k', DATE '2023-01-01', 'Burglary', NULL, NULL, 0, 0), "
        "('d', 's', 'k', DATE '2023-01-01', 'Burglary', 'E01035716', 'Westminster 013G', NULL, NULL)"
    )
    total, by_reason = rows_without_local_authority(ws.con)
    assert total == 4
    assert sorted(by_reason.values()) == [1, 1, 1, 1]
    assert NOT_YET_PLACED in by_reason  # row d: its name places it
    assert place_local_authorities(ws.con) == 1
    assert rows_without_local_authority(ws.con)[0] == 3
    ws.close()


@pytest.mark.shared_data
def test_2021_lsoas_take_census_2021_residents_only(shared_data: Path, tmp_path: Path) -> None:
    """Rates use the right census: loaded 2021 LSOAs (no residents in the file) take Census
    2021 residents when a 2021 table is loaded, never the 2011 Census's."""
    from safercity.analytics.areas import load_boundaries
    from safercity.analytics.population import load_population

    ws = Workspace(tmp_path / "ws")
    load_boundaries(ws, shared_data / LSOA_2021, area_type="lsoa")

    def pops() -> dict[str, float]:
        rows = ws.con.execute(
            "SELECT code, population FROM areas WHERE population IS NOT NULL"
        ).fetchall()
        return {str(c): float(p) for c, p in rows}

    assert pops() == {}
    # the 2011 Census by LSOA (GLA Atlas): 2011 numbers are not given to 2021 LSOAs, even to
    # those whose code did not change
    load_population(ws.con, shared_data / "population/london-lsoa-atlas.csv")
    assert pops() == {}
    # a Census 2021 table in ONS's wide layout (numbers made up for the check, not census data)
    table = tmp_path / "ts021.csv"
    table.write_text(
        "date,geography,geography code,Ethnic group: White,Ethnic group: Other ethnic group\n"
        "2021,Westminster 013G,E01035716,900,100\n2021,Westminster 003A,E01004651,1200,300\n",
        encoding="utf-8",
    )
    load_population(ws.con, table)
    assert pops() == {"E01035716": 1000.0, "E01004651": 1500.0}
    ws.close()
