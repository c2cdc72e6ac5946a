"""benchmarks/cases.py runs end to end on a small synthetic partnership and reports every
measure against its target (the full-size run is for `make bench`, not the test suite)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_benchmark_runs_small() -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "cases.py"),
            "--people",
            "400",
            "--cases",
            "800",
            "--repeats",
            "6",
            "--agendas",
            "2",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout)
    assert set(out["measures"]) == {"person search", "case list", "duplicate search", "agenda"}
    assert all(m["n"] > 0 and m["p95_ms"] > 0 for m in out["measures"].values())
    # the duplicate search finds the person it was given (under a nickname, a typo, itself)
    assert out["first_duplicate_found"]
