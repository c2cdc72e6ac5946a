"""``safercity priorities`` on a hand-made workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _assessment_workspace import build

from safercity.cli import main


def test_priorities_ranked_with_reasons(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = build(tmp_path / "ws")
    code = main(
        [
            "priorities",
            "--workspace",
            str(ws),
            "--consultation",
            "night-time-economy,reoffending",
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    ranked = [p["candidate"] for p in out["priorities"]]
    assert ranked[0] == "night-time-economy"
    # every category competes with the themes
    assert {"robbery", "burglary", "anti-social-behaviour"} <= set(ranked)
    top = out["priorities"][0]
    assert top["harm_individual_score"] == 5 and top["public_concern_score"] == 5
    assert "ranked 1 in the consultation" in top["reasons"]
    assert out["intelligence_gaps"] == []
    assert sum(out["weights"].values()) == pytest.approx(1.0)


def test_priorities_bad_weights(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = build(tmp_path / "ws")
    assert main(["priorities", "--workspace", str(ws), "--weights", "fear=1"]) == 2
    assert "--weights" in capsys.readouterr().err
