"""``safercity ingest`` and ``safercity status --json`` end to end on real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.shared_data


def safercity(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safercity", *args], capture_output=True, text=True, check=False
    )


def test_ingest_then_status_json(shared_data: Path, tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    src = shared_data / "police-uk/city-of-london-2016-2017"
    files = [str(src / f"2016-0{m}-city-of-london-street.csv") for m in (1, 2)]
    proc = safercity("ingest", *files, "--workspace", ws, "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["totals"]["files"] == 2
    proc = safercity("status", "--workspace", ws, "--json")
    status = json.loads(proc.stdout)
    for key in ("incidents", "quarantined", "without_location", "months", "by_category", "sources"):
        assert key in status
    assert status["months"] == ["2016-01", "2016-02"]
    assert (
        status["incidents"]
        == summary["totals"]["rows_stored"]
        == sum(status["by_category"].values())
    )
    assert len(status["sources"]) == 2
    text = safercity("status", "--workspace", ws)
    assert f"{status['incidents']:,}" in text.stdout


def test_status_of_a_missing_workspace_is_a_clear_error(tmp_path: Path) -> None:
    proc = safercity("status", "--workspace", str(tmp_path / "nowhere"))
    assert proc.returncode == 2
    assert "no SaferCity workspace" in proc.stderr and "Traceback" not in proc.stderr
