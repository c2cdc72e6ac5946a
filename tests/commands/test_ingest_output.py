"""``safercity ingest`` prints file names from disk escaped, as ``safercity quarantine`` does:
a name carrying a terminal escape sequence cannot retitle or clear the user's terminal."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from safercity.cli import main

CSV = Path(__file__).parents[1] / "web" / "data" / "synthetic-street.csv"


def test_file_names_are_printed_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hostile = tmp_path / "2016-03-metropolitan-street\x1b]0;owned\x07.csv"
    shutil.copyfile(CSV, hostile)
    assert main(["ingest", str(hostile), "--workspace", str(tmp_path / "ws")]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b]0;owned\\x07" in out
