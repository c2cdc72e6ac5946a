"""``safercity harm`` with the shipped and a custom weight table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _assessment_workspace import build

from safercity.analytics.store import Workspace
from safercity.cli import main


def test_harm_default_and_custom_weights(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = build(tmp_path / "ws")
    assert main(["harm", "--workspace", str(ws), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["weights_version"] == "safercity-cchi-2026.1"
    assert out["unweighted_categories"] == ["Anti-social behaviour"]
    by = {r["category"]: r for r in out["by_category"]}
    assert by["Robbery"]["harm"] == pytest.approx(48 * 365)
    assert out["comparison"]["pct_change_harm"] == pytest.approx(0.0)
    custom = tmp_path / "w.csv"
    custom.write_text(
        "# version: test-1\ncategory,weight,source\nRobbery,2,t\nBurglary,1,t\n", encoding="utf-8"
    )
    assert main(["harm", "--workspace", str(ws), "--weights", str(custom), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["weights_version"] == "test-1"
    assert out["total_harm"] == pytest.approx(48 * 2 + 24 * 1)


def test_harm_month_with_no_data_is_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = build(tmp_path / "ws")
    with Workspace(ws) as store:  # the source skipped 2020-06: no incident of any kind
        store.con.execute("DELETE FROM incidents WHERE month = DATE '2020-06-01'")
    assert main(["harm", "--workspace", str(ws), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["missing_months"] == ["2020-06"]
    assert out["monthly"]["2020-06"] is None
    c = out["comparison"]
    assert (c["this_months_of_data"], c["last_months_of_data"]) == (11, 12)
    # the same harm each month: no change per month of data (zero-filled it was -8.3%)
    assert c["pct_change_harm"] == pytest.approx(0.0, abs=1e-9)
    assert main(["harm", "--workspace", str(ws)]) == 0
    text = capsys.readouterr().out
    assert "months with no data (left out, not counted as zero): 2020-06" in text
    assert "(11 months of data)" in text and "+0.0% per month of data" in text


def test_harm_bad_weight_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = build(tmp_path / "ws")
    bad = tmp_path / "bad.csv"
    bad.write_text("category,weight,source\n", encoding="utf-8")
    assert main(["harm", "--workspace", str(ws), "--weights", str(bad)]) == 2
    assert "# version:" in capsys.readouterr().err
