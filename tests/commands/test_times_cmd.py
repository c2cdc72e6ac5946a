"""``safercity times``: window share with aoristic windows; month-only data cannot answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _assessment_workspace import build

from safercity.cli import main


def test_times_window_share(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = build(tmp_path / "ws")
    code = main(["times", "--workspace", str(ws), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    # 48 robberies at 22:00 (inside 20:00-04:00), 24 burglaries 08:00-12:00 (outside);
    # 24 ASB without times are left out and counted
    assert out["n_timed"] == 72 and out["n_untimed"] == 24
    assert out["window_share"] == pytest.approx(48 / 72)
    # each burglary spreads 1/4 over 08, 09, 10, 11 h
    assert out["by_hour"]["9"] == pytest.approx(24 / 4)
    assert out["by_hour"]["22"] == pytest.approx(48)


def test_times_month_only_cannot_answer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = build(tmp_path / "ws")
    code = main(["times", "--workspace", str(ws), "--category", "anti-social-behaviour"])
    assert code == 2
    assert "cannot answer: source has no times" in capsys.readouterr().err
