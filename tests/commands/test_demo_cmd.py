"""``safercity demo --no-serve`` (what ``make demo`` runs before serving) works from the
embedded data alone: no ../shared, no network."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest


def run_demo(ws: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFERCITY_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "-m", "safercity", "demo", "--workspace", str(ws), "--no-serve"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ws.parent,
        env=env,
    )


@pytest.mark.slow
def test_demo_sets_up_everything_from_embedded_data(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    proc = run_demo(ws)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "username analyst" in proc.stdout
    status = subprocess.run(
        [sys.executable, "-m", "safercity", "status", "--workspace", str(ws), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(status.stdout)["incidents"] == 27176 + 28537 + 31635
    assert (ws / "reports" / "leeds-2018-07.html").is_file()
    assert (ws / "reports" / "leeds-2018-07.pdf").stat().st_size > 10_000
    # idempotent: a second run imports nothing new and still succeeds
    again = run_demo(ws)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "already imported" in again.stdout
    # and the logins printed the first time still work (issue 12: they used to change)
    first = re.search(r"username analyst\s+password (\S+)", proc.stdout)
    second = re.search(r"username analyst\s+password (\S+)", again.stdout)
    assert first and second and first.group(1) == second.group(1)
    assert "the same as before" in again.stdout
    assert (ws / "demo-password").stat().st_mode & 0o777 == 0o600
