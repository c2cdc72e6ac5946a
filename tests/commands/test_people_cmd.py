"""``safercity people`` on a hand-made workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _assessment_workspace import build

from safercity.cli import main


def test_people_victims_and_suspects(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = build(tmp_path / "ws")
    assert main(["people", "--workspace", str(ws), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    # 48 robbery victims male + 24 burglary victims female; ASB rows have no people fields
    assert out["n_sex_known"] == 72
    assert out["sex"]["male"] == pytest.approx(100 * 48 / 72)
    assert out["age_groups"]["18-35"] == pytest.approx(100 * 48 / 72)
    assert out["resident_share"] == pytest.approx(100 * 24 / 72)
    assert main(["people", "--workspace", str(ws), "--who", "suspect", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["age_groups"]["under 18"] == pytest.approx(100 * 24 / 72)


def test_people_police_uk_cannot_answer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = build(tmp_path / "ws")
    assert main(["people", "--workspace", str(ws), "--category", "asb"]) == 2
    assert "cannot answer" in capsys.readouterr().err
