"""The hotspot map: the page's numbers are the command line's (`safercity hotspots`) for the same
choices; boundaries and names are drawn with no tile server; hot squares are named by place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import analysis_data
import numpy as np
import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from safercity import cli
from safercity.analytics.hotspots import Grid
from safercity.analytics.store import Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return analysis_data.demo(tmp_path_factory)


@pytest.fixture
def analyst(client: Any, make_user: Any) -> Any:
    client.force_login(make_user("analyst"))
    return client


def _cli(capsys: pytest.CaptureFixture[str], ws: Path, *options: str) -> dict[str, Any]:
    capsys.readouterr()
    assert cli.main(["hotspots", "--workspace", str(ws), "--json", "--top", "20", *options]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("query", "options"),
    [
        (
            {"area_type": "borough", "area": "Westminster", "category": "Burglary"},
            ["--area", "Westminster", "--category", "Burglary"],
        ),
        (
            {"theme": "reoffending", "month_from": "2016-07", "month_to": "2017-06"},
            ["--theme", "reoffending", "--period", "2016-07:2017-06"],
        ),
    ],
)
def test_the_map_gives_the_command_lines_numbers(
    analyst: Any,
    synthetic_workspace: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    query: dict[str, str],
    options: list[str],
) -> None:
    geojson = tmp_path / "cells.geojson"
    expected = _cli(
        capsys, synthetic_workspace, "--cell-size", "250", "--geojson", str(geojson), *options
    )
    got = analyst.get(reverse("api:hotspots"), {**query, "cell_size": "250", "layer": "gi"}).json()
    assert got["incidents"] == expected["incidents"] > 50
    assert got["grid"] == expected["grid"]
    for key in ("kernel", "bandwidth_m", "bandwidth_from"):
        assert got["kernel_density"][key] == expected["kernel_density"][key]
    assert got["kernel_density"]["peak_per_km2"] == pytest.approx(
        expected["kernel_density"]["peak_per_km2"], rel=1e-9
    )
    assert got["gi_star"] == {k: v for k, v in expected["gi_star"].items()}
    # the hottest squares: the same squares, counts, densities, z-scores, p-values and classes
    fields = ("row", "col", "easting", "northing", "incidents", "z", "p", "class")
    hot = [t for t in expected["top_cells"] if t["z"] is not None and t["z"] > 0]
    assert len(hot) == 20 and len(got["cells"]) >= 20  # not vacuous: hot spots were found
    assert [{k: t[k] for k in fields} for t in got["top_cells"]] == [
        {k: t[k] for k in fields} for t in hot
    ]
    for a, b in zip(got["top_cells"], hot, strict=True):
        assert a["density_per_km2"] == pytest.approx(b["density_per_km2"], rel=1e-9)
    # every square drawn (the significant ones) has the command's class, count and density
    cells = {
        (f["properties"]["row"], f["properties"]["col"]): f["properties"]
        for f in json.loads(geojson.read_text())["features"]
    }
    assert len(got["cells"]) == sum(1 for p in cells.values() if p["gi_class"] != 0)
    for c in got["cells"]:
        p = cells[(c["row"], c["col"])]
        assert (c["gi_class"], c["incidents"]) == (p["gi_class"], p["incidents"])
        assert c["density_per_km2"] == pytest.approx(p["density_per_km2"], abs=1e-4)


def test_count_and_density_layers_match_the_command_line(
    analyst: Any, synthetic_workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    geojson = tmp_path / "cells.geojson"
    _cli(capsys, synthetic_workspace, "--cell-size", "100", "--geojson", str(geojson))
    cells = {
        (f["properties"]["row"], f["properties"]["col"]): f["properties"]
        for f in json.loads(geojson.read_text())["features"]
    }
    counts = analyst.get(reverse("api:hotspots"), {"cell_size": "100"}).json()
    with Workspace(synthetic_workspace, read_only=True) as ws:
        (total,) = ws.con.execute("SELECT count(*) FROM incidents").fetchone()
    assert sum(c["incidents"] for c in counts["cells"]) == total
    for c in counts["cells"]:
        assert c["incidents"] == cells[(c["row"], c["col"])]["incidents"] > 0
    density = analyst.get(reverse("api:hotspots"), {"cell_size": "100", "layer": "density"}).json()
    peak = density["kernel_density"]["peak_per_km2"]
    assert density["cells"], "some squares are dense"
    for c in density["cells"]:
        assert c["density_per_km2"] >= 0.01 * peak
        assert c["density_per_km2"] == pytest.approx(
            cells[(c["row"], c["col"])]["density_per_km2"], abs=1e-4
        )
    # the key's classes cover the squares drawn, in order
    bands = density["classes"]
    assert sum(b["squares"] for b in bands) == len(density["cells"])
    assert [b["high"] for b in bands] == sorted(b["high"] for b in bands)


def test_boundaries_and_names_without_a_tile_server(
    analyst: Any, settings: Any, synthetic_workspace: Path
) -> None:
    settings.MAP_TILES = ""
    data = analyst.get(
        reverse("api:hotspots"), {"area_type": "borough", "area": "Westminster"}
    ).json()
    kinds: dict[str, list[str]] = {}
    for f in data["boundaries"]["features"]:
        kinds.setdefault(f["properties"]["area_type"], []).append(f["properties"]["name"])
        lon, lat = f["properties"]["label"]
        assert -0.25 < lon < -0.1 and 51.45 < lat < 51.55  # in Westminster
    assert kinds["local_authority"] == ["Westminster"]
    assert len(kinds["lsoa"]) == 128  # the built-in 2011 LSOAs of Westminster
    assert all(name.startswith("Westminster ") for name in kinds["lsoa"])
    assert kinds["ward"] == ["St James's"]  # the loaded ward that lies in Westminster
    # without JavaScript: the same boundaries and names in the page's SVG
    page = BeautifulSoup(
        analyst.get(reverse("analysis:map"), {"area": "borough:Westminster"}).content,
        "html.parser",
    )
    svg = page.select_one("svg.app-map__fallback")
    assert svg is not None
    assert len(svg.select("path.app-map__lsoa")) == 128
    assert len(svg.select("path.app-map__local_authority")) == 1
    assert [t.get_text() for t in svg.select("text.app-map__label")] == [
        "St James's",
        "Westminster",
    ]
    assert svg.select(".app-map__squares path")
    assert "style=" not in str(svg)


def test_hot_squares_are_named_by_place(analyst: Any, settings: Any, demo: Path) -> None:
    settings.WORKSPACE = demo
    data = analyst.get(
        reverse("api:hotspots"), {"area_type": "borough", "area": "Leeds", "cell_size": "250"}
    ).json()
    top = data["top_cells"][0]
    grid = Grid(**{k: data["grid"][k] for k in ("x0", "y0", "cell_size", "nrows", "ncols")})
    with Workspace(demo, read_only=True) as ws:
        rows = ws.con.execute(
            "SELECT easting, northing, location, lsoa_name, local_authority FROM incidents "
            "WHERE local_authority = 'Leeds' AND easting IS NOT NULL"
        ).df()
    r, c, _ = grid.cell_of(rows["easting"], rows["northing"])
    here = rows[(r == top["row"]) & (c == top["col"])]
    assert len(here) == top["incidents"] == max(x["incidents"] for x in data["cells"])
    places = here["location"].value_counts()
    assert top["place"] == places.index[0] and top["place"].startswith("On or near ")
    assert top["place_incidents"] == places.iloc[0]
    assert top["lsoa_name"] == here["lsoa_name"].mode()[0]
    assert top["borough"] == "Leeds"
    page = analyst.get(
        reverse("analysis:map"), {"area": "borough:Leeds", "cell_size": "250"}
    ).content.decode()
    assert top["place"] in page and top["lsoa_name"] in page


def test_a_square_with_no_incident_is_named_by_its_neighbours(
    analyst: Any, settings: Any, demo: Path
) -> None:
    # kernel density can peak in a square that holds no incident itself
    settings.WORKSPACE = demo
    data = analyst.get(
        reverse("api:hotspots"),
        {"area_type": "borough", "area": "Leeds", "cell_size": "100", "layer": "density"},
    ).json()
    empty = [c for c in data["top_cells"] if c["incidents"] == 0]
    for c in empty:
        assert c["nearby"] is True and c["place"] and c["lsoa_name"].startswith("Leeds ")
    assert all(not c["nearby"] for c in data["top_cells"] if c["incidents"])
    assert np.all(np.diff([c["density_per_km2"] for c in data["top_cells"]]) <= 0)


def test_place_names_cannot_break_out_of_the_page(
    analyst: Any, settings: Any, synthetic_workspace: Path, tmp_path: Path
) -> None:
    # a boundary file's names are data: a name holding markup stays text in the map's data
    import shutil

    ws = tmp_path / "ws"
    shutil.copytree(synthetic_workspace, ws)
    name = '</template><script>alert(1)</script> & "St James\'s"'
    with Workspace(ws) as w:
        w.con.execute("UPDATE areas SET name = ?", [name])
        w.con.execute("UPDATE incidents SET ward_name = ? WHERE ward_name = 'St James''s'", [name])
    settings.WORKSPACE = ws
    html = analyst.get(reverse("analysis:map"), {"area": "borough:Westminster"}).content.decode()
    assert "<script>alert(1)" not in html
    page = BeautifulSoup(html, "html.parser")
    data = json.loads(page.select_one("template[data-hotspot-map-data]").get_text())  # type: ignore[union-attr]
    wards = [f for f in data["boundaries"]["features"] if f["properties"]["area_type"] == "ward"]
    assert [f["properties"]["name"] for f in wards] == [name]
