"""``safercity trends``: JSON series from incidents and from the Met borough table."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from safercity.analytics.store import Workspace
from safercity.cli import main


def _insert_incidents(ws: Workspace, rows: list[dict[str, object]]) -> None:
    cols = [r[0] for r in ws.con.execute("DESCRIBE incidents").fetchall()]
    frame = pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)
    ws.con.register("new_rows", frame)
    ws.con.execute("INSERT INTO incidents SELECT * FROM new_rows")
    ws.con.unregister("new_rows")


def _row(i: int, month: str, category: str = "Burglary", la: str = "Leeds") -> dict[str, object]:
    return {
        "incident_key": f"crime:{i}",
        "source_id": "t",
        "source_kind": "test",
        "month": pd.Timestamp(month + "-01").date(),
        "category": category,
        "local_authority": la,
    }


def test_trends_json_from_incidents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws_path = tmp_path / "ws"
    rows = [_row(i, "2019-01") for i in range(3)] + [_row(10 + i, "2019-03") for i in range(2)]
    rows.append(_row(99, "2019-02", category="Drugs"))
    with Workspace(ws_path) as ws:
        _insert_incidents(ws, rows)
    code = main(["trends", "--workspace", str(ws_path), "--category", "burglary", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["source"] == "incidents"
    assert out["series"] == {"2019-01": 3, "2019-02": 0, "2019-03": 2}
    assert out["comparison"] is None  # under 24 months: no year-on-year
    assert out["spc"]["mean"] == pytest.approx(5 / 3)
    code = main(["trends", "--workspace", str(ws_path), "--split", "category", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert out["split"] == {
        "2019-01": {"Burglary": 3},
        "2019-02": {"Drugs": 1},
        "2019-03": {"Burglary": 2},
    }


@pytest.mark.shared_data
def test_trends_westminster_by_year_from_met_table(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wide = pd.read_csv(shared_data / "mps" / "borough-level-crime-historical.csv")
    wide = wide[wide["BoroughName"] == "Westminster"]
    long = wide.melt(id_vars=["MajorText", "MinorText", "BoroughName"], var_name="m")
    frame = pd.DataFrame(
        {
            "source_id": "met",
            "area_type": "borough",
            "area_code": None,
            "area_name": long["BoroughName"],
            "major_category": long["MajorText"],
            "minor_category": long["MinorText"],
            "month": pd.to_datetime(long["m"], format="%Y%m").dt.date,
            "count": long["value"].astype("int64"),
        }
    )
    ws_path = tmp_path / "ws"
    with Workspace(ws_path) as ws:
        ws.con.register("f", frame)
        ws.con.execute("INSERT INTO recorded_crime SELECT * FROM f")
    code = main(
        ["trends", "--workspace", str(ws_path), "--area", "Westminster", "--by", "year", "--json"]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["source"] == "recorded_crime"
    months = [c for c in wide.columns if c.isdigit()]
    totals = wide[months].sum()
    expected = {y: int(v) for y, v in totals.groupby(totals.index.str[:4]).sum().items()}
    assert out["series"] == expected
    assert list(out["series"])[:2] == ["2010", "2011"]
    assert out["months_covered"]["2010"] == 9
    # latest 12 months (2022-10..2023-09) against the 12 before, both tests reported
    cmp = out["comparison"]
    assert cmp["this_period_months"] == "2022-10 to 2023-09"
    assert 0 <= cmp["p_etest"] <= 1 and 0 <= cmp["p_exact_conditional"] <= 1
    assert out["stl"]["seasonal_by_month"].keys() == {f"{m:02d}" for m in range(1, 13)}


def test_trends_months_without_data_are_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws_path = tmp_path / "ws"
    rows = [_row(i, "2019-01") for i in range(3)] + [_row(10 + i, "2019-03") for i in range(2)]
    with Workspace(ws_path) as ws:
        _insert_incidents(ws, rows)  # nothing at all in 2019-02: no data for that month
    assert main(["trends", "--workspace", str(ws_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["series"] == {"2019-01": 3, "2019-02": None, "2019-03": 2}
    assert out["missing_months"] == ["2019-02"]


def test_trends_clear_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trends", "--workspace", str(tmp_path / "none"), "--json"]) == 2
    assert "no SaferCity workspace" in capsys.readouterr().err
    with Workspace(tmp_path / "ws"):
        pass
    assert main(["trends", "--workspace", str(tmp_path / "ws"), "--theme", "nope"]) == 2
    assert "no theme 'nope'" in capsys.readouterr().err
    with Workspace(tmp_path / "ws") as ws:
        _insert_incidents(ws, [_row(1, "2019-01")])  # police.uk-like: no wards, no people
    assert main(["trends", "--workspace", str(tmp_path / "ws"), "--theme", "youth"]) == 2
    err = capsys.readouterr().err
    assert "cannot answer for theme 'youth': the data has no victim_age or suspect_age" in err
