"""Many small police.uk files are committed together (ADR 0001), and a batch gives exactly what
importing its files one by one gives: whole files in or out, a newer release of a force and
month replacing the older one (also within one batch), each record once, the same counts."""

from __future__ import annotations

import csv
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from safercity.analytics.ingest import ingest_paths, police_uk
from safercity.analytics.ingest.police_uk import STREET_COLUMNS
from safercity.analytics.store import Workspace

FORCE = "West Yorkshire Police"


def _row(crime_id: str, month: str = "2018-07", category: str = "Burglary") -> list[str]:
    return [crime_id, month, FORCE, FORCE, "-1.55", "53.80", "On or near Park Row", "E01011365",
            "Leeds 111B", category, "", ""]  # fmt: skip


def _write(path: Path, rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(STREET_COLUMNS)
        w.writerows(rows)
    return path


def _cid(n: int) -> str:
    return f"{n:064x}"


@pytest.fixture
def transactions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the store's transactions."""
    calls: list[int] = []
    original = Workspace.transaction

    def counted(self: Workspace) -> Any:
        calls.append(1)
        return original(self)

    monkeypatch.setattr(Workspace, "transaction", counted)
    return calls


@pytest.mark.parametrize("named", [True, False])
def test_many_one_row_files_are_one_transaction(
    tmp_path: Path, transactions: list[int], named: bool
) -> None:
    """The issue's case: one-row files of one force and month (named as police.uk names a
    month, each in its own folder: successive releases; or named otherwise: parts of it)."""
    files = [
        _write(
            tmp_path / "in" / f"{i:03d}" / ("2018-07-west-yorkshire-street.csv" if named
                                            else f"part-{i:03d}.csv"),
            [_row(_cid(i))],
        )
        for i in range(60)
    ]  # fmt: skip
    summary = ingest_paths(tmp_path / "ws", files)
    assert len(transactions) == 1
    assert all(f.status == "imported" for f in summary.files)
    with Workspace(tmp_path / "ws", read_only=True) as ws:
        held = ws.con.execute("SELECT crime_id FROM incidents").fetchall()
    # successive releases of one month: the last replaces the others; parts: all are kept
    assert held == [(_cid(59),)] if named else len(held) == 60
    assert summary.totals()["rows_replaced"] == (59 if named else 0)


def _files(root: Path) -> list[Path]:
    """Releases and parts of a force's months, in the order an analyst might list them."""
    m = "2018-07-west-yorkshire-street.csv"
    return [
        _write(root / "r1" / m, [_row(_cid(1)), _row(_cid(2)), _row(_cid(3), category="?")]),
        _write(root / "r1" / "2018-08-west-yorkshire-street.csv", [_row(_cid(9), "2018-08")]),
        _write(root / "r2" / m, [_row(_cid(1)), _row(_cid(4)), _row(_cid(5), "2018-08")]),
        _write(root / "r3" / m, [_row(_cid(1)), _row(_cid(6))]),
        _write(root / "leeds-part.csv", [_row(_cid(6)), _row(_cid(7)), _row(_cid(9), "2018-08")]),
        _write(root / "r4" / m, [_row(_cid(8), category="?")]),  # no good row: replaces nothing
        _write(root / "other-part.csv", [_row(_cid(7)), _row(_cid(10))]),
    ]


def _state(ws_path: Path) -> dict[str, list[tuple[object, ...]]]:
    with Workspace(ws_path, read_only=True) as ws:
        q = ws.con.execute
        return {
            "incidents": q(
                "SELECT s.path, i.* EXCLUDE (source_id) FROM incidents i "
                "JOIN sources s USING (source_id) ORDER BY incident_key"
            ).fetchall(),
            "quarantine": q(
                "SELECT file, line, field, reason FROM quarantine ORDER BY file, line"
            ).fetchall(),
            "sources": q(
                "SELECT path, kind, force, months, rows_read, rows_stored, rows_quarantined, note "
                "FROM sources ORDER BY path"
            ).fetchall(),
        }


@pytest.mark.parametrize("staging", ["batch", "file by file"])
def test_a_batch_gives_what_one_by_one_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, transactions: list[int], staging: str
) -> None:
    """Releases of one month replacing one another within a batch, an older release held
    before, files not named as releases before and after them, a release with no good row, a
    record listed in two files: the store, quarantine, sources and every file's result are
    the same as importing the files one command at a time."""
    if staging == "file by file":
        monkeypatch.setattr(police_uk, "stage_street_many", lambda *a, **k: False)
    held = _write(tmp_path / "r0" / "2018-07-west-yorkshire-street.csv", [_row(_cid(0))])
    files = _files(tmp_path / "in")
    results = {}
    for ws, lists in (("together", [files]), ("apart", [[f] for f in files])):
        ingest_paths(tmp_path / ws, [held])
        transactions.clear()
        results[ws] = [
            asdict(r) for listed in lists for r in ingest_paths(tmp_path / ws, listed).files
        ]
        if ws == "together":  # r1 to leeds-part in one; a release after a part starts another
            assert len(transactions) == 2
    assert results["together"] == results["apart"]
    assert _state(tmp_path / "together") == _state(tmp_path / "apart")
    # and what that is, by hand: r3 is the last release of 2018-07 with a good row
    by_file = {Path(r["file"]).parent.name + "/" + Path(r["file"]).name[:7]: r
               for r in results["together"]}  # fmt: skip
    assert by_file["r2/2018-07"]["rows_replaced"] == 2  # r1's two good rows
    assert by_file["r3/2018-07"]["rows_replaced"] == 2  # r2's two good 2018-07 rows
    with Workspace(tmp_path / "together", read_only=True) as ws:
        july = ws.con.execute(
            "SELECT crime_id FROM incidents WHERE month = DATE '2018-07-01' ORDER BY 1"
        ).fetchall()
        quarantined = ws.con.execute("SELECT file FROM quarantine ORDER BY 1").fetchall()
    # r3's own rows (1, 6), then the parts' rows not held (7, 10); r0's and r1's rows are gone
    assert [c for (c,) in july] == [_cid(1), _cid(6), _cid(7), _cid(10)]
    # r1 and r2 are wholly replaced: their set-aside rows went with them; r4 has no good row
    assert [Path(f).parent.name for (f,) in quarantined] == ["r4"]
