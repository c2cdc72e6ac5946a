"""``safercity hotspots`` over a workspace (real West Yorkshire rows) and over a CSV."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from safercity import cli
from safercity.analytics.hotspots import GiStar, Grid, grid_counts
from safercity.analytics.store import Workspace


def _west_yorkshire_workspace(
    shared: Path, tmp_path: Path, months: tuple[str, ...] = ("2018-07",)
) -> tuple[Path, pd.DataFrame]:
    raw = pd.concat(
        [
            pd.read_csv(shared / "police-uk" / "west-yorkshire" / f"{m}-west-yorkshire-street.csv")
            for m in months
        ],
        ignore_index=True,
    ).dropna(subset=["Longitude", "Latitude"])
    tr = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    e, n = tr.transform(raw["Longitude"].to_numpy(), raw["Latitude"].to_numpy())
    la = raw["LSOA name"].str.rsplit(" ", n=1).str[0]
    rows = pd.DataFrame(
        {
            "incident_key": [f"t:{i}" for i in range(len(raw))],
            "source_id": "test",
            "source_kind": "police_uk_street",
            "month": pd.to_datetime(raw["Month"] + "-01").to_numpy(),
            "category": raw["Crime type"].to_numpy(),
            "longitude": raw["Longitude"].to_numpy(),
            "latitude": raw["Latitude"].to_numpy(),
            "easting": e,
            "northing": n,
            "local_authority": la.to_numpy(),
            "lsoa_code": raw["LSOA code"].to_numpy(),
        }
    )
    ws_path = tmp_path / "ws"
    with Workspace(ws_path) as ws:
        ws.con.register("rows", rows)
        cols = ", ".join(rows.columns)
        ws.con.execute(f"INSERT INTO incidents ({cols}) SELECT {cols} FROM rows")
    return ws_path, rows


@pytest.mark.shared_data
def test_workspace_area_and_category(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws_path, rows = _west_yorkshire_workspace(shared_data, tmp_path)
    geo = tmp_path / "h.geojson"
    svg = tmp_path / "h.svg"
    code = cli.main(
        [
            "hotspots",
            "--workspace",
            str(ws_path),
            "--area",
            "Leeds",
            "--category",
            "Burglary",
            "--cell-size",
            "250",
            "--permutations",
            "999",
            "--seed",
            "5",
            "--geojson",
            str(geo),
            "--svg",
            str(svg),
            "--json",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    sel = rows[(rows.local_authority == "Leeds") & (rows.category == "Burglary")]
    assert out["incidents"] == len(sel) > 50
    # the same analysis straight from the library gives the same classes: the grid spans the
    # authority's boundary (and any incident beyond it); the study area is the cells inside
    from safercity.analytics.geography import local_authority_polygon

    poly = local_authority_polygon("Leeds")
    bx0, by0, bx1, by1 = poly.bounds
    grid = Grid.from_extent(
        min(bx0, sel.easting.min()),
        min(by0, sel.northing.min()),
        max(bx1, sel.easting.max()),
        max(by1, sel.northing.max()),
        250,
    )
    assert out["grid"]["x0"] == grid.x0 and out["grid"]["nrows"] == grid.nrows
    counts = grid_counts(sel.easting, sel.northing, grid)
    mask = grid.inside(poly) | (counts > 0)
    gi = GiStar(counts, mask=mask, permutations=999, seed=5)
    assert out["grid"]["cells_in_study_area"] == int(mask.sum())
    assert out["gi_star"]["classes"]["Hot spot, 90% confidence"] == int((gi.classes == 1).sum())
    top = out["top_cells"][0]
    assert top["z"] == pytest.approx(float(np.nanmax(gi.Zs)))
    fc = json.loads(geo.read_text())
    assert fc["type"] == "FeatureCollection"
    assert sum(f["properties"]["incidents"] for f in fc["features"]) == len(sel)
    assert svg.read_text().startswith("<svg")


def test_csv_input_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "pts.csv"
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(430_000, 80, 40), rng.uniform(425_000, 435_000, 200)])
    y = np.concatenate([rng.normal(434_000, 80, 40), rng.uniform(429_000, 439_000, 200)])
    pd.DataFrame({"E": x, "N": y}).to_csv(csv, index=False)  # synthetic: a planted cluster
    code = cli.main(
        [
            "hotspots",
            "--csv",
            str(csv),
            "--x",
            "E",
            "--y",
            "N",
            "--cell-size",
            "500",
            "--kernel",
            "gaussian",
            "--bandwidth",
            "300",
            "--json",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["incidents"] == 240
    top = out["top_cells"][0]
    assert abs(top["easting"] - 430_000) < 600 and abs(top["northing"] - 434_000) < 600
    assert top["class"].startswith("Hot spot")
    assert cli.main(["hotspots", "--csv", str(csv), "--x", "E"]) == 2
    assert cli.main(["hotspots", "--csv", str(csv), "--x", "E", "--y", "Q"]) == 2
    assert "no column 'Q'" in capsys.readouterr().err


@pytest.mark.shared_data
def test_area_mask_and_lsoa_gi_star(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from safercity.analytics.geography import local_authority_polygon

    ws_path, rows = _west_yorkshire_workspace(shared_data, tmp_path)
    code = cli.main(
        [
            "hotspots",
            "--workspace",
            str(ws_path),
            "--area",
            "Wakefield",
            "--cell-size",
            "500",
            "--permutations",
            "199",
            "--json",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["grid"]["study_area"] == "boundary of Wakefield"
    cells = out["grid"]["nrows"] * out["grid"]["ncols"]
    area_km2 = local_authority_polygon("Wakefield").area / 1e6
    # about the authority's area in 0.25 km² cells, far fewer than the bounding box
    assert abs(out["grid"]["cells_in_study_area"] * 0.25 - area_km2) < 0.15 * area_km2
    assert out["grid"]["cells_in_study_area"] < 0.8 * cells

    geo = tmp_path / "lsoa.geojson"
    code = cli.main(
        [
            "hotspots",
            "--workspace",
            str(ws_path),
            "--area",
            "Wakefield",
            "--by",
            "lsoa",
            "--geojson",
            str(geo),
            "--json",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    wake = rows[rows.local_authority == "Wakefield"]
    assert out["lsoas"] > 200
    assert out["incidents"] + out["incidents_outside_these_lsoas"] == len(wake)
    # default permutations: enough for FDR over 209 areas (2 x 209 / 0.1 -> 9,999)
    assert out["note"] is None
    assert out["top_areas"][0]["class"].startswith("Hot spot")
    assert out["gi_star"]["permutations"] == 9999
    fc = json.loads(geo.read_text())
    assert len(fc["features"]) == out["lsoas"]


@pytest.mark.shared_data
def test_evaluate_from_reports_pai_pei_hit_rate(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from safercity.analytics.hotspots import PredictiveAccuracy

    ws_path, rows = _west_yorkshire_workspace(shared_data, tmp_path, ("2017-07", "2018-07"))
    code = cli.main(
        [
            "hotspots",
            "--workspace",
            str(ws_path),
            "--category",
            "Violence and sexual offences",
            "--cell-size",
            "500",
            "--permutations",
            "0",
            "--evaluate-from",
            "2018-07",
            "--coverages",
            "0.01",
            "0.05",
            "--json",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    sel = rows[rows.category == "Violence and sexual offences"]
    early = sel[sel.month < pd.Timestamp("2018-07-01")]
    late = sel[sel.month >= pd.Timestamp("2018-07-01")]
    ev = out["evaluation"]
    assert out["incidents"] == len(early)
    assert ev["later_incidents"] == len(late)
    # counts surface recomputed by hand on the same grid
    g = out["grid"]
    grid = Grid(g["x0"], g["y0"], g["cell_size"], g["nrows"], g["ncols"])
    acc = PredictiveAccuracy(
        grid_counts(early.easting, early.northing, grid),
        grid_counts(late.easting, late.northing, grid),
        coverages=[0.01, 0.05],
    )
    assert [r["pai"] for r in ev["surfaces"]["counts"]] == pytest.approx(list(acc.pai))
    for name in ("kernel density", "Gi* z", "counts"):  # last July's violence predicts this
        assert ev["surfaces"][name][1]["pai"] > 2 and 0 < ev["surfaces"][name][1]["pei"] <= 1
    # the prospective forecast only looks back 56 days: a year-old month gives it nothing
    assert ev["forecast_incidents_used"] == 0
    assert ev["surfaces"]["prospective (BJP)"][1]["pai"] == pytest.approx(1.0)  # flat surface
    code = cli.main(
        [
            "hotspots",
            "--workspace",
            str(ws_path),
            "--category",
            "Violence and sexual offences",
            "--cell-size",
            "500",
            "--permutations",
            "0",
            "--evaluate-from",
            "2018-07",
            "--forecast-window",
            "400",
            "--json",
        ]
    )
    ev = json.loads(capsys.readouterr().out)["evaluation"]
    assert ev["forecast_incidents_used"] == len(early)
    assert ev["surfaces"]["prospective (BJP)"][1]["pai"] > 2
