"""``safercity consult demo|results|import`` end to end in a throw-away workspace (separate
processes: each command sets Django up for its own workspace). The demo's responses are
SYNTHETIC."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from safercity.analytics.assessment import load_consultation
from safercity.analytics.themes import load_themes

pytestmark = pytest.mark.slow

SAFERCITY = [str(Path(sys.executable).parent / "safercity")]  # the console script


def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(
        [*SAFERCITY, *args], capture_output=True, text=True, timeout=300, check=False
    )
    if ok:
        assert out.returncode == 0, out.stderr
    return out


def test_demo_results_export_and_paper_import(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    loaded = json.loads(run("consult", "demo", "--workspace", ws, "--json").stdout)
    assert loaded == {
        "consultation": "westminster-priorities-2010",
        "responses": 120,
        "synthetic": True,
        "public": "/consult/westminster-priorities-2010/results/",
    }
    export = tmp_path / "ranking.yaml"
    out = run(
        "consult",
        "results",
        "westminster-priorities-2010",
        "--workspace",
        ws,
        "--bootstrap",
        "200",
        "--export",
        str(export),
        "--json",
    )
    result = json.loads(out.stdout)
    assert result["synthetic"] is True and result["responses"] == 120
    assert result["weighted"]["dimensions"] == ["age_band"]
    assert result["unweighted"]["bootstrap"] == 200
    # the Strategic Assessment reads the export as its consultation ranking
    cons = load_consultation(export, load_themes())
    assert cons.theme_ranking == result["order"]
    assert cons.responses == "120" and cons.when == "October 2010"

    paper = tmp_path / "paper.csv"
    paper.write_text("Q1,Where\nYoung people > Night time economy,West End\nBurglary,West End\n")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("ranking: Q1\nward: Where\n")
    out = run(
        "consult",
        "import",
        str(paper),
        "--consultation",
        "westminster-priorities-2010",
        "--mapping",
        str(mapping),
        "--workspace",
        ws,
        "--json",
    )
    summary = json.loads(out.stdout)
    assert (summary["rows_read"], summary["rows_stored"]) == (2, 1)
    assert summary["problems"] == [
        {"line": 3, "field": "Q1", "reason": "unknown priority 'Burglary'"}
    ]
    bad = run("consult", "results", "no-such-thing", "--workspace", ws, ok=False)
    assert bad.returncode == 2
    assert "no consultation 'no-such-thing'" in bad.stderr and "Traceback" not in bad.stderr
