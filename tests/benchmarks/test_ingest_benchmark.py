"""The ingest benchmark runs end to end on a small file set, and every route it times handles the
same rows (a benchmark whose routes read different data compares nothing). No time is asserted:
speed is measured by running the script, not by tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]


def test_every_route_reads_the_same_rows(shared_data: Path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "ingest.py"),
            *("--rows", "30000", "--small-files", "20", "--per-file-sample", "10", "--json"),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    table = json.loads(out.stdout)
    rows = table["input"]["rows"]
    assert rows >= 30_000
    routes = ("safercity", "pandas", "duckdb_floor", "duckdb_checked", "duckdb_read", "pandas_read")
    # every real row is good: each route, checked or not, stores or reads every one
    assert {name: table[name]["rows"] for name in routes} == dict.fromkeys(routes, rows)
    for name in routes:
        assert table[name]["seconds"] > 0 and table[name]["peak_mb"] > 0
    assert table["target_seconds_500k_rows_per_s"] == round(rows / 500_000, 2)
    assert table["target_seconds_5x_pandas"] == round(table["pandas"]["seconds"] / 5, 2)
    # many small files: every route reads the 20 one-row files' rows, in both layouts; the
    # one-file-a-transaction route is timed on 10 files and scaled to 20
    for layout in ("releases", "parts"):
        case = table["small_files"][layout]
        assert case["files"] == 20
        for name in ("safercity", "safercity_per_file", "pandas", "duckdb_floor"):
            assert case[name]["rows"] == 20 and case[name]["seconds"] > 0
        assert case["safercity"]["ratio_to_safercity"] == 1.0
        assert case["safercity_per_file"]["sampled_files"] == 10
