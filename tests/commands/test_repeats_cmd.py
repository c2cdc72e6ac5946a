"""``safercity repeats`` on a hand-made workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _assessment_workspace import build

from safercity.cli import main


def test_repeats_by_victim(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = build(tmp_path / "ws")
    code = main(["repeats", "--workspace", str(ws), "--category", "robbery", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    # v0 and v1 robbed every month for 24 months: 48 incidents, 2 victims, 46 monthly repeats
    assert out["prevalence"] == 2 and out["incidence"] == 48
    assert out["concentration"] == pytest.approx(24.0)
    assert out["share_incidents_repeat_window"] == pytest.approx(100 * 46 / 48)
    assert out["share_victims_4_plus"] == pytest.approx(100.0)
    assert out["frequency"]["5+"] == {"victims": 2, "incidents": 48}


def test_repeats_unknown_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = build(tmp_path / "ws")
    assert main(["repeats", "--workspace", str(ws), "--by", "nope"]) == 2
    assert "cannot answer" in capsys.readouterr().err
