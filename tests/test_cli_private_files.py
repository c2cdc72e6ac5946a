"""What the ``safercity`` command writes is private to its owner (issue 15, item 15)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from safercity.cli import main

CSV = Path(__file__).parent / "web" / "data" / "synthetic-street.csv"


def test_the_workspace_is_0700_and_its_files_0600_whatever_the_umask(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = os.umask(0o022)
    try:
        ws = tmp_path / "ws"
        assert main(["ingest", str(CSV), "--workspace", str(ws), "--json"]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(ws.stat().st_mode) == 0o700
    files = [f for f in ws.rglob("*") if f.is_file()]
    assert files
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
