"""``safercity quarantine``: the fields of imported files never reach the terminal as control
characters (a title change, a screen clear, a line overwritten); ``--json`` stays exact JSON."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from safercity import cli
from safercity.analytics.ingest import ingest_paths
from safercity.analytics.ingest.police_uk import STREET_COLUMNS

TITLE_AND_CLEAR = "\x1b]0;pwned\x07\x1b[2J"  # set the window title, then clear the screen
FORCE = "West Yorkshire Police"


def _row(crime_id: str, category: str, lon: str = "-1.55") -> list[str]:
    place = "On or near Park Row"
    return [crime_id, "2018-07", FORCE, FORCE, lon, "53.80", place, "E01011365", "Leeds 111B",
            category, "", ""]  # fmt: skip


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    text = io.StringIO()
    w = csv.writer(text)
    w.writerow(STREET_COLUMNS)
    w.writerow(_row("a" * 64, "Burglary" + TITLE_AND_CLEAR))
    w.writerow(_row("b" * 64, "Burglary\r\u202eyralgruB", lon="x\x9b31m"))
    archive = tmp_path / "upload.zip"
    with zipfile.ZipFile(archive, "w") as zf:  # a member name carrying an escape sequence
        zf.writestr("2018-07/\x1b[2Jsneaky-street.csv", text.getvalue())
    summary = ingest_paths(tmp_path / "ws", [archive])
    assert summary.totals()["rows_quarantined"] == 2
    return tmp_path / "ws"


def _controls(text: str) -> list[str]:
    return [c for c in text if c != "\n" and (ord(c) < 32 or 127 <= ord(c) < 160 or c == "\u202e")]


def test_plain_output_shows_control_characters_escaped(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["quarantine", "--workspace", str(workspace)]) == 0
    out = capsys.readouterr().out
    assert _controls(out) == []
    assert "\\x1b[2Jsneaky-street.csv:2" in out
    assert 'unknown category "Burglary\\x1b]0;pwned\\x07\\x1b[2J"' in out
    assert out.count("\n") == 3  # two rows and the total: no line broken or overwritten


def test_json_output_is_exact_and_sends_no_control_character(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["quarantine", "--workspace", str(workspace), "--json"]) == 0
    out = capsys.readouterr().out
    assert _controls(out) == []
    rows = json.loads(out)["rows"]
    assert rows[0]["file"].endswith("!2018-07/\x1b[2Jsneaky-street.csv")
    assert rows[0]["reason"] == f'unknown category "Burglary{TITLE_AND_CLEAR}"'
    assert json.loads(rows[1]["raw"])["Crime type"] == "Burglary\r\u202eyralgruB"
    assert json.loads(rows[1]["raw"])["Longitude"] == "x\x9b31m"


def test_terminal_text_leaves_ordinary_text_alone() -> None:
    assert cli.terminal_text("Théft £5 – Leeds 111B") == "Théft £5 – Leeds 111B"
    assert cli.terminal_text("a\tb\nc\x1bd\u2028") == "a\\tb\\nc\\x1bd\\u2028"
