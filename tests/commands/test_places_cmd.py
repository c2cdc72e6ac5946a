"""``safercity places`` on a hand-made workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _assessment_workspace import build

from safercity.cli import main


def test_places_by_ward_with_rates_and_comparison(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = build(tmp_path / "ws")
    code = main(
        ["places", "--workspace", str(ws), "--by", "ward", "--compare", "West End", "--json"]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["n_places"] == 2 and out["n_incidents"] == 96 and out["zeros_known"]
    # a tie at 48 each is broken by code: Abbey Road (E05000630) first
    assert [p["place"] for p in out["places"]] == ["E05000630", "E05000649"]
    by = {p["place"]: p for p in out["places"]}
    # West End: 48 robberies per 10,000 residents = 4.8 per 1,000, rank 1 by rate
    assert by["E05000649"]["count"] == 48 and by["E05000649"]["name"] == "West End"
    assert by["E05000649"]["rate"] == pytest.approx(4.8)
    assert by["E05000649"]["rank_rate"] == 1
    assert by["E05000649"]["rank_count"] == by["E05000630"]["rank_count"] == 1  # a tie
    assert by["E05000630"]["rate"] == pytest.approx(48 / 30)
    cmp = out["comparison"]
    assert cmp["count_area"] == 48 and cmp["count_rest"] == 48
    assert cmp["rate_ratio"] == pytest.approx(3.0)
    assert cmp["p_etest"] < 1e-6


def test_places_by_lsoa_theme(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = build(tmp_path / "ws")
    code = main(["places", "--workspace", str(ws), "--theme", "night-time-economy", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    # NTE: West End robberies at 22:00 only; LSOA A1 is in the frame with zero
    assert out["n_incidents"] == 48
    assert [p["count"] for p in out["places"]] == [48, 0]
    assert out["top5pct"] == {"places": 1, "share": 1.0}


def test_places_by_custom_area(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from safercity.analytics.store import Workspace

    ws = build(tmp_path / "ws")
    with Workspace(ws) as w:
        w.con.execute(
            "INSERT INTO areas VALUES ('nte:soho', 'custom', 'soho', 'Soho NTE zone', 5000, "
            "NULL, 'test')"
        )
        # the first 10 robberies fall in the custom zone
        w.con.execute(
            "INSERT INTO incident_areas SELECT incident_key, 'nte:soho' FROM incidents "
            "WHERE category = 'Robbery' ORDER BY month, incident_key LIMIT 10"
        )
    assert main(["places", "--workspace", str(ws), "--by", "area", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n_incidents"] == 10
    assert out["n_places"] == 1  # wards and LSOAs in the areas table are not custom areas
    assert out["places"][0]["name"] == "Soho NTE zone"
    assert out["places"][0]["rate"] == pytest.approx(2.0)  # 10 per 5,000 residents
