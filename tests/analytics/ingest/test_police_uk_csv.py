"""police.uk CSV import on real West Yorkshire and City of London files: nothing lost."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from safercity.analytics.ingest import ingest_paths, police_uk
from safercity.analytics.ingest.police_uk import STREET_COLUMNS
from safercity.analytics.store import Workspace

pytestmark = pytest.mark.shared_data

WY = "police-uk/west-yorkshire"
STREET_HEADER = STREET_COLUMNS


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def count(ws_path: Path, sql: str) -> object:
    with Workspace(ws_path, read_only=True) as ws:
        return ws.con.execute(sql).fetchall()[0][0]


def test_every_row_of_a_real_month_is_stored(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / WY / "2018-07-west-yorkshire-street.csv"
    expected = rows_of(src)
    summary = ingest_paths(tmp_path / "ws", [src])
    (f,) = summary.files
    assert (f.status, f.kind, f.months, f.force) == (
        "imported",
        "police_uk_street",
        ["2018-07"],
        "West Yorkshire",
    )
    assert f.rows_stored == len(expected) == 31635
    assert f.rows_quarantined == 0
    no_loc = sum(1 for r in expected if not r["Longitude"])
    assert count(tmp_path / "ws", "SELECT count(*) FROM incidents WHERE easting IS NULL") == no_loc
    violence = sum(1 for r in expected if r["Crime type"] == "Violence and sexual offences")
    assert (
        count(
            tmp_path / "ws",
            "SELECT count(*) FROM incidents WHERE category = 'Violence and sexual offences'",
        )
        == violence
    )
    # every row with an LSOA in the file gets its local authority from the built-in lookup
    assert (
        count(
            tmp_path / "ws",
            "SELECT count(*) FROM incidents WHERE lsoa_code IS NOT NULL AND local_authority IS NULL",
        )
        == 0
    )
    assert count(tmp_path / "ws", "SELECT count(DISTINCT local_authority) FROM incidents") >= 5


def test_british_national_grid_projection(shared_data: Path, tmp_path: Path) -> None:
    from safercity.analytics.geography import project, to_bng

    # Ordnance Survey's worked example of the projection (A guide to coordinate systems in Great
    # Britain, annex C.1): OSGB36 52°39'27.2531"N 1°43'4.5177"E -> E 651409.903, N 313177.270.
    lat = 52 + 39 / 60 + 27.2531 / 3600
    lon = 1 + 43 / 60 + 4.5177 / 3600
    e, n = project(np.array([lon]), np.array([lat]), "EPSG:4277")
    assert abs(e[0] - 651409.903) < 0.01 and abs(n[0] - 313177.270) < 0.01
    # WGS84 -> OSGB36 by pyproj's Helmert fallback moves a point about 100 m here (Airy vs GRS80)
    e84, n84 = to_bng(np.array([lon]), np.array([lat]))
    assert 50 < np.hypot(e84[0] - e[0], n84[0] - n[0]) < 200
    ingest_paths(tmp_path / "ws", [shared_data / WY / "2018-07-west-yorkshire-street.csv"])
    with Workspace(tmp_path / "ws", read_only=True) as ws:
        lon_s, lat_s, e_s, n_s = (
            ws.con.execute(
                "SELECT longitude, latitude, easting, northing FROM incidents "
                "WHERE easting IS NOT NULL ORDER BY incident_key"
            )
            .fetchnumpy()
            .values()
        )
    e2, n2 = to_bng(lon_s, lat_s)
    assert np.allclose(e_s, e2) and np.allclose(n_s, n2)
    # West Yorkshire lies between E 380-450 km and N 400-460 km (a few crimes lie outside it)
    assert 380_000 < np.median(e_s) < 450_000 and 400_000 < np.median(n_s) < 460_000


def test_reimport_adds_nothing(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / WY / "2016-07-west-yorkshire-street.csv"
    ingest_paths(tmp_path / "ws", [src])
    again = ingest_paths(tmp_path / "ws", [src])
    assert again.files[0].status == "already imported"
    assert count(tmp_path / "ws", "SELECT count(*) FROM incidents") == 27176


def corrupt_copy(src: Path, dest: Path) -> dict[int, str]:
    """A copy with known bad lines; returns {line number: field expected in quarantine}."""
    lines = src.read_text(encoding="utf-8").splitlines()
    lines[5] += ",surplus"  # line 6: too many columns
    lines[10] = lines[10].split(",", 3)[0]  # line 11: too few
    lines[12] = re.sub(r",(\d{4})-\d{2},", r",\1-13,", lines[12], count=1)  # line 13: bad month
    parts = lines[20].split(",")
    parts[9] = "Pickpocketing"  # line 21: unknown category
    lines[20] = ",".join(parts)
    parts = lines[30].split(",")
    parts[4], parts[5] = "2.35", "48.85"  # line 31: Paris
    lines[30] = ",".join(parts)
    dest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {6: None, 11: "Month", 13: "Month", 21: "Crime type", 31: "Longitude"}  # type: ignore[dict-item]


def test_bad_rows_are_quarantined_with_line_and_field(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / WY / "2018-07-west-yorkshire-street.csv"
    bad = tmp_path / "2018-07-west-yorkshire-street.csv"
    expected = corrupt_copy(src, bad)
    summary = ingest_paths(tmp_path / "ws", [bad])
    (f,) = summary.files
    assert f.rows_quarantined == 5
    assert f.rows_stored == 31635 - 5
    assert f.rows_read == 31635
    with Workspace(tmp_path / "ws", read_only=True) as ws:
        q = ws.con.execute(
            "SELECT line, field, reason, file, raw FROM quarantine ORDER BY line"
        ).fetchall()
    assert [r[0] for r in q] == sorted(expected)
    by_line = {r[0]: r for r in q}
    assert by_line[13][1] == "Month" and "2018-13" in by_line[13][2]
    assert by_line[21][1] == "Crime type" and "Pickpocketing" in by_line[21][2]
    assert by_line[31][1] == "Longitude" and "outside the UK" in by_line[31][2]
    assert "too many" in by_line[6][2] and "too few" in by_line[11][2]
    assert all(r[3] == str(bad) for r in q)
    # the line numbers point at the right text in the file
    text = bad.read_text().splitlines()
    assert (
        "surplus" in text[6 - 1] and "2018-13" in text[13 - 1] and "Pickpocketing" in text[21 - 1]
    )


def test_strict_refuses_the_whole_file(shared_data: Path, tmp_path: Path) -> None:
    bad = tmp_path / "x-street.csv"
    corrupt_copy(shared_data / WY / "2018-07-west-yorkshire-street.csv", bad)
    summary = ingest_paths(tmp_path / "ws", [bad], strict=True)
    assert summary.files[0].status == "failed"
    assert "--strict" in (summary.files[0].error or "") and "line 6" in (
        summary.files[0].error or ""
    )
    assert count(tmp_path / "ws", "SELECT count(*) FROM incidents") == 0
    assert count(tmp_path / "ws", "SELECT count(*) FROM quarantine") == 0


def test_newer_release_replaces_the_month_and_says_so(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / WY / "2017-07-west-yorkshire-street.csv"
    ingest_paths(tmp_path / "ws", [src])
    lines = src.read_text(encoding="utf-8").splitlines()
    newer = tmp_path / "republished" / src.name
    newer.parent.mkdir()
    newer.write_text("\n".join(lines[:-100]) + "\n", encoding="utf-8")  # 100 crimes withdrawn
    summary = ingest_paths(tmp_path / "ws", [newer])
    (f,) = summary.files
    assert f.replaced and "2017-07" in f.replaced[0] and "28537 rows" in f.replaced[0]
    assert count(tmp_path / "ws", "SELECT count(*) FROM incidents") == 28537 - 100


def test_zip_of_monthly_folders_as_police_uk_downloads_it(
    shared_data: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for month in ("2016-01", "2016-02"):
            for kind in ("street", "outcomes", "stop-and-search"):
                name = f"{month}-city-of-london-{kind}.csv"
                zf.write(
                    shared_data / "police-uk/city-of-london-2016-2017" / name, f"{month}/{name}"
                )
    summary = ingest_paths(tmp_path / "ws", [archive])
    kinds = sorted({f.kind for f in summary.files if f.kind})
    assert kinds == ["police_uk_outcomes", "police_uk_stop_search", "police_uk_street"]
    assert all(f.status == "imported" for f in summary.files)
    street = sum(
        len(
            rows_of(
                shared_data
                / "police-uk/city-of-london-2016-2017"
                / f"{m}-city-of-london-street.csv"
            )
        )
        for m in ("2016-01", "2016-02")
    )
    assert count(tmp_path / "ws", "SELECT count(*) FROM incidents") == street
    assert count(tmp_path / "ws", "SELECT count(*) FROM outcomes") > 0
    assert count(tmp_path / "ws", "SELECT count(*) FROM stop_search") > 0
    assert summary.files[0].file.startswith(f"{archive}!2016-01/")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"name,age\nbob,4\n", "unknown file type"),
        (
            (",".join(STREET_HEADER) + "\n" + "x,2018-07,Caf\xe9,F,,,,,,Burglary,,\n" * 3).encode(
                "latin-1"
            ),
            "not UTF-8",
        ),
    ],
)
def test_file_level_problems_give_one_clear_message(
    tmp_path: Path, content: bytes, message: str
) -> None:
    f = tmp_path / "input.csv"
    f.write_bytes(content)
    summary = ingest_paths(tmp_path / "ws", [f])
    assert summary.files[0].status == "failed"
    assert message in (summary.files[0].error or "")
    assert str(f) in (summary.files[0].error or "")


def test_truncated_zip_gives_a_clear_error_and_no_traceback(
    shared_data: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(shared_data / WY / "2016-07-west-yorkshire-street.csv", "2016-07/a-street.csv")
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "safercity",
            "ingest",
            str(archive),
            str(shared_data / WY / "2017-07-west-yorkshire-street.csv"),
            "--workspace",
            str(tmp_path / "ws"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr, proc.stderr
    said = proc.stdout + proc.stderr
    assert f"FAILED  {archive}" in said and "damaged or truncated" in said
    # the archive fails on its own: the file named beside it is still imported
    assert "28537 stored" in said
    assert count(tmp_path / "ws", "SELECT count(*) FROM incidents") == 28537


def test_columns_in_another_order_or_case_are_read_by_name(tmp_path: Path) -> None:
    row = _street_row("a" * 64, "Burglary")
    order = [1, 0, *range(2, len(STREET_HEADER))]
    f = tmp_path / "2018-07-west-yorkshire-street.csv"
    with f.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(
            [[STREET_HEADER[i].upper() for i in order], [row[i] for i in order]]
        )
    (result,) = ingest_paths(tmp_path / "ws", [f]).files
    assert (result.status, result.rows_stored) == ("imported", 1)
    assert count(tmp_path / "ws", "SELECT crime_id FROM incidents") == "a" * 64


def test_a_failed_import_leaves_the_store_as_it_was(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_paths(tmp_path / "ws", [shared_data / WY / "2016-07-west-yorkshire-street.csv"])
    import safercity.analytics.ingest as ingest_mod

    def boom(*args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ingest_mod, "_record_source", boom)
    with pytest.raises(RuntimeError):
        ingest_paths(tmp_path / "ws", [shared_data / WY / "2017-07-west-yorkshire-street.csv"])
    assert count(tmp_path / "ws", "SELECT count(*) FROM incidents") == 27176
    assert count(tmp_path / "ws", "SELECT count(*) FROM sources") == 1


KILL_SCRIPT = """
import os, sys
import safercity.analytics.ingest as m
def die(*a, **k):
    os._exit(9)  # the process is killed after rows were inserted, before the commit
m._record_source = die
m.ingest_paths(sys.argv[1], [sys.argv[2]])
"""


def test_a_kill_mid_import_leaves_the_store_as_it_was(shared_data: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ingest_paths(ws, [shared_data / WY / "2016-07-west-yorkshire-street.csv"])
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            KILL_SCRIPT,
            str(ws),
            str(shared_data / WY / "2017-07-west-yorkshire-street.csv"),
        ],
        check=False,
    )
    assert proc.returncode == 9
    assert count(ws, "SELECT count(*) FROM incidents") == 27176
    again = ingest_paths(ws, [shared_data / WY / "2017-07-west-yorkshire-street.csv"])
    assert again.files[0].rows_stored == 28537


def test_folder_import_and_status(shared_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(shared_data / WY, folder)
    summary = ingest_paths(tmp_path / "ws", [folder])
    assert summary.totals()["rows_stored"] == 27176 + 28537 + 31635


def test_a_batch_of_files_stores_and_quarantines_as_one_by_one(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several monthly files staged together (one set of statements, ``staged`` a view) give
    exactly what the file-by-file path (for unusual files) gives: rows, keys, lines, reasons."""
    files = []
    for month in ("2016-07", "2017-07", "2018-07"):
        dest = tmp_path / "in" / f"{month}-west-yorkshire-street.csv"
        dest.parent.mkdir(exist_ok=True)
        corrupt_copy(shared_data / WY / f"{month}-west-yorkshire-street.csv", dest)
        files.append(dest)
    with monkeypatch.context() as m:
        _batch_only(m)
        together = ingest_paths(tmp_path / "together", files)
    assert all(f.status == "imported" and f.rows_quarantined == 5 for f in together.files)
    with monkeypatch.context() as m:
        m.setattr(police_uk, "stage_street_many", lambda *a, **k: False)
        for f in files:
            ingest_paths(tmp_path / "apart", [f])

    def contents(ws: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        with Workspace(ws, read_only=True) as w:
            rows = w.con.execute(
                "SELECT * EXCLUDE (source_id) FROM incidents ORDER BY incident_key"
            ).fetchall()
            q = w.con.execute(
                "SELECT file, line, field, reason, raw FROM quarantine ORDER BY file, line"
            ).fetchall()
        return rows, q

    assert contents(tmp_path / "together") == contents(tmp_path / "apart")


def _take_path(monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    """Stage police.uk files only by the ``"batch"`` or only by the ``"file by file"`` path."""
    if path == "file by file":
        monkeypatch.setattr(police_uk, "stage_street_many", lambda *a, **k: False)
    else:
        _batch_only(monkeypatch)


def _batch_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make a fall-back from the batch path to the file-by-file path fail the test (the batch
    path gives up silently by design, which once hid a batch that always gave up)."""

    def not_called(*args: object, **kwargs: object) -> None:
        raise AssertionError("the batch path gave up: stage_street was called")

    monkeypatch.setattr(police_uk, "stage_street", not_called)


def _write_street(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(STREET_HEADER)
        w.writerows(rows)
    return path


def _street_row(
    crime_id: str, category: str, outcome: str = "", lon: str = "-1.55", month: str = "2018-07"
) -> list[str]:
    force = "West Yorkshire Police"
    place = "On or near Park Row"
    return [crime_id, month, force, force, lon, "53.80", place, "E01011365", "Leeds 111B",
            category, outcome, ""]  # fmt: skip


@pytest.mark.parametrize("path", ["batch", "file by file"])
def test_a_crime_listed_again_in_a_file_is_numbered_in_file_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """police.uk counts every row: the second row of a Crime ID is ``crime:<id>:2`` and
    identical anti-social behaviour rows are ``asb:<hash>:1`` and ``:2``, by line (ADR 0001)."""
    _take_path(monkeypatch, path)
    src = _write_street(
        tmp_path / "2018-07-west-yorkshire-street.csv",
        [
            _street_row("a" * 64, "Burglary", "Under investigation"),
            _street_row("", "Anti-social behaviour"),
            _street_row("b" * 64, "Robbery"),
            _street_row("a" * 64, "Burglary", "Unable to prosecute suspect"),
            _street_row("", "Anti-social behaviour"),
            _street_row("", "Anti-social behaviour", lon="-1.56"),
        ],
    )
    summary = ingest_paths(tmp_path / "ws", [src])
    assert summary.files[0].rows_stored == 6
    with Workspace(tmp_path / "ws", read_only=True) as ws:
        rows = ws.con.execute(
            "SELECT incident_key, outcome, longitude FROM incidents ORDER BY incident_key"
        ).fetchall()
    keys = [r[0] for r in rows]
    assert ("crime:" + "a" * 64, "Under investigation", -1.55) in rows
    assert ("crime:" + "a" * 64 + ":2", "Unable to prosecute suspect", -1.55) in rows
    assert "crime:" + "b" * 64 in keys
    asb = [k.rsplit(":", 1) for k in keys if k.startswith("asb:")]
    numbers: dict[str, list[str]] = {}
    for place, n in asb:
        numbers.setdefault(place, []).append(n)
    assert sorted(sorted(v) for v in numbers.values()) == [["1"], ["1", "2"]]
    # importing it again adds nothing
    again = ingest_paths(tmp_path / "ws", [src])
    assert again.files[0].status == "already imported"


def test_strict_refuses_only_the_file_with_a_bad_row_in_a_batch(tmp_path: Path) -> None:
    good = _write_street(
        tmp_path / "2018-07-west-yorkshire-street.csv", [_street_row("c" * 64, "Burglary")]
    )
    bad = _write_street(
        tmp_path / "2018-08-west-yorkshire-street.csv",
        [
            _street_row("d" * 64, "Burglary", month="2018-08"),
            _street_row("e" * 64, "Not a category", month="2018-08"),
        ],
    )
    summary = ingest_paths(tmp_path / "ws", [good, bad], strict=True)
    by_file = {Path(f.file).name: f for f in summary.files}
    assert by_file[good.name].status == "imported" and by_file[good.name].rows_stored == 1
    assert by_file[bad.name].status == "failed"
    assert "line 3" in (by_file[bad.name].error or "")
    assert count(tmp_path / "ws", "SELECT count(*) FROM incidents") == 1
    assert count(tmp_path / "ws", "SELECT count(*) FROM quarantine") == 0


def test_the_same_file_twice_in_one_command_is_stored_once(tmp_path: Path) -> None:
    f = _write_street(
        tmp_path / "2018-07-west-yorkshire-street.csv", [_street_row("a" * 64, "Burglary")]
    )
    copy = tmp_path / "copy" / f.name
    copy.parent.mkdir()
    shutil.copy(f, copy)
    summary = ingest_paths(tmp_path / "ws", [f, copy, f])
    assert [(x.status, x.same_as) for x in summary.files] == [
        ("imported", None),
        ("already imported", str(f)),
        ("already imported", str(f)),
    ]
    assert count(tmp_path / "ws", "SELECT count(*) FROM incidents") == 1
    assert count(tmp_path / "ws", "SELECT count(*) FROM sources") == 1
    # a file that fails fails again when listed again (not "already imported")
    broken = tmp_path / "2018-08-west-yorkshire-street.csv"
    broken.write_text("", encoding="utf-8")
    summary = ingest_paths(tmp_path / "ws", [broken, broken])
    assert [x.status for x in summary.files] == ["failed", "failed"]


@pytest.mark.parametrize("path", ["batch", "file by file"])
def test_a_row_of_another_month_is_set_aside_not_a_newer_release(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """A police.uk file holds one month (its name's): a row of another month is a bad row, and
    importing January never touches February."""
    _take_path(monkeypatch, path)
    feb = _write_street(
        tmp_path / "2018-08-west-yorkshire-street.csv",
        [_street_row(c * 64, "Burglary", month="2018-08") for c in "abc"],
    )
    ingest_paths(tmp_path / "ws", [feb])
    jan = _write_street(
        tmp_path / "2018-07-west-yorkshire-street.csv",
        [
            _street_row("d" * 64, "Burglary"),
            _street_row("e" * 64, "Burglary", month="2018-08"),  # a stray February row
            _street_row("f" * 64, "Burglary", month="1899-01"),
            _street_row("0" * 64, "Burglary", month="2999-01"),
        ],
    )
    (result,) = ingest_paths(tmp_path / "ws", [jan]).files
    assert (result.rows_stored, result.rows_quarantined, result.replaced) == (1, 3, [])
    ws = tmp_path / "ws"
    assert count(ws, "SELECT count(*) FROM incidents WHERE month = DATE '2018-08-01'") == 3
    with Workspace(ws, read_only=True) as store:
        reasons = store.con.execute(
            "SELECT line, field, reason FROM quarantine ORDER BY line"
        ).fetchall()
    assert reasons == [
        (3, "Month", "month 2018-08 is not this file's month (2018-07, from its name)"),
        (4, "Month", "month 1899-01 is outside police.uk's street-level record "
                     "(2010-12 onwards, not in the future)"),
        (5, "Month", "month 2999-01 is outside police.uk's street-level record "
                     "(2010-12 onwards, not in the future)"),
    ]  # fmt: skip


def test_a_file_not_named_as_a_monthly_release_replaces_nothing(tmp_path: Path) -> None:
    month = _write_street(
        tmp_path / "2018-07-west-yorkshire-street.csv",
        [_street_row(c * 64, "Burglary") for c in "abc"],
    )
    ingest_paths(tmp_path / "ws", [month])
    subset = _write_street(
        tmp_path / "leeds-extract.csv",
        [_street_row("a" * 64, "Burglary"), _street_row("d" * 64, "Burglary")],
    )
    (result,) = ingest_paths(tmp_path / "ws", [subset]).files
    assert (result.rows_stored, result.rows_already_stored, result.replaced) == (1, 1, [])
    assert count(tmp_path / "ws", "SELECT count(*) FROM incidents") == 4


def test_a_wholly_replaced_release_takes_its_set_aside_rows_with_it(tmp_path: Path) -> None:
    name = "2018-07-west-yorkshire-street.csv"
    for folder in ("old", "new"):
        (tmp_path / folder).mkdir()
    old = _write_street(
        tmp_path / "old" / name,
        [_street_row("a" * 64, "Burglary"), _street_row("b" * 64, "Not a category")],
    )
    ingest_paths(tmp_path / "ws", [old])
    assert count(tmp_path / "ws", "SELECT count(*) FROM quarantine") == 1
    new = _write_street(
        tmp_path / "new" / name,
        [_street_row("a" * 64, "Burglary"), _street_row("b" * 64, "Burglary")],
    )
    summary = ingest_paths(tmp_path / "ws", [new])
    assert summary.totals()["rows_replaced"] == 1
    assert count(tmp_path / "ws", "SELECT count(*) FROM incidents") == 2
    assert count(tmp_path / "ws", "SELECT count(*) FROM quarantine") == 0


def _street_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([list(STREET_HEADER), *rows])
    return out.getvalue()


def _quarantined(ws: Path) -> list[tuple[object, ...]]:
    with Workspace(ws, read_only=True) as store:
        return store.con.execute(
            "SELECT line, field, reason FROM quarantine ORDER BY line"
        ).fetchall()


def test_a_header_only_file_imports_nothing_and_says_so(tmp_path: Path) -> None:
    f = tmp_path / "2018-07-west-yorkshire-street.csv"
    f.write_text(",".join(STREET_HEADER) + "\n", encoding="utf-8")
    (result,) = ingest_paths(tmp_path / "ws", [f]).files
    assert (result.status, result.rows_read, result.rows_stored) == ("imported", 0, 0)


def test_lines_stay_exact_after_quoted_newlines_blank_lines_and_long_fields(
    tmp_path: Path,
) -> None:
    good = _street_row("a" * 64, "Burglary")
    multi = _street_row("b" * 64, "Burglary")
    multi[6] = "On or near\nPark\nRow"  # lines 3-5
    long = _street_row("c" * 64, "Burglary")
    long[6] = "x" * 300_000 + "\ny"  # longer than the csv module's default field limit
    text = _street_text([good, multi])  # lines 2, 3-5
    text += "\n"  # a blank line: 6
    text += _street_text([long])[text.index("\n") + 1 :]  # lines 7-8
    text += ",".join([*good, "extra"]) + "\n"  # line 9: too many columns
    text += ",".join(_street_row("d" * 64, "Burglary", month="2018-13")) + "\n"  # line 10
    f = tmp_path / "2018-07-west-yorkshire-street.csv"
    f.write_text(text, encoding="utf-8")
    (result,) = ingest_paths(tmp_path / "ws", [f]).files
    assert (result.rows_stored, result.rows_quarantined) == (3, 2)
    assert [(line, field) for line, field, _ in _quarantined(tmp_path / "ws")] == [
        (9, None),
        (10, "Month"),
    ]


def test_a_quote_never_closed_sets_the_rest_of_the_file_aside_not_loses_it(
    tmp_path: Path,
) -> None:
    rows = [_street_row(c * 64, "Burglary") for c in "abcdef"]
    text = _street_text(rows).splitlines(keepends=True)
    text[3] = text[3].replace("On or near Park Row", '"On or near Park Row')  # line 4
    f = tmp_path / "2018-07-west-yorkshire-street.csv"
    f.write_text("".join(text), encoding="utf-8")
    (result,) = ingest_paths(tmp_path / "ws", [f]).files
    # DuckDB alone drops lines 4-7 without a word; every row is stored or set aside here
    assert (result.rows_read, result.rows_stored, result.rows_quarantined) == (3, 2, 1)
    ((line, field, reason),) = _quarantined(tmp_path / "ws")
    assert (line, field) == (4, None)
    assert "never closed: lines 4 to 7 are read as one broken record" in str(reason)


def test_a_carriage_return_in_a_field_sets_its_row_aside_and_lines_stay_exact(
    tmp_path: Path,
) -> None:
    rows = [_street_row(c * 64, "Burglary") for c in "abc"]
    rows[0][6] = "On or near\rPark Row"  # a stray return (unquoted by the writer below)
    rows.append(_street_row("d" * 64, "Burglary", month="2018-13"))
    f = tmp_path / "2018-07-west-yorkshire-street.csv"
    f.write_text("\n".join(",".join(r) for r in [list(STREET_HEADER), *rows]) + "\n")
    (result,) = ingest_paths(tmp_path / "ws", [f]).files
    assert (result.rows_stored, result.rows_quarantined) == (2, 2)
    assert [(line, field) for line, field, _ in _quarantined(tmp_path / "ws")] == [
        (2, None),
        (5, "Month"),
    ]


def test_an_outcome_month_outside_the_record_is_set_aside(tmp_path: Path) -> None:
    rows = [
        [c * 64, month, "City of London Police", "City of London Police", "-0.0977", "51.5202",
         "On or near Moor Lane", "E01000001", "City of London 001A", "Offender fined"]
        for c, month in zip("abc", ["2016-01", "1899-01", "2999-01"], strict=True)
    ]  # fmt: skip
    f = tmp_path / "2016-01-city-of-london-outcomes.csv"
    with f.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([list(police_uk.OUTCOME_COLUMNS), *rows])
    (result,) = ingest_paths(tmp_path / "ws", [f]).files
    assert (result.rows_stored, result.rows_quarantined) == (1, 2)
    assert [(line, field) for line, field, _ in _quarantined(tmp_path / "ws")] == [
        (3, "Month"),
        (4, "Month"),
    ]
    assert "month 2999-01 is outside police.uk's" in str(_quarantined(tmp_path / "ws")[1][2])


@pytest.mark.parametrize("kind", ["outcomes", "stop-and-search"])
def test_outcome_and_stop_search_coordinates_are_checked(tmp_path: Path, kind: str) -> None:
    """As on the street path: a coordinate that is not a number, one given without the other,
    or a point outside the UK sets the row aside; none at all is a row without a location."""
    coordinates = [("-0.0977", "51.5202"), ("abc", "51.5"), ("-0.09", ""), ("2.35", "48.85"),
                   ("", "")]  # fmt: skip
    if kind == "outcomes":
        header = police_uk.OUTCOME_COLUMNS
        rows = [
            [c * 64, "2016-01", "City of London Police", "City of London Police", lon, lat,
             "On or near Moor Lane", "E01000001", "City of London 001A", "Offender fined"]
            for c, (lon, lat) in zip("abcde", coordinates, strict=True)
        ]  # fmt: skip
    else:
        header = police_uk.STOP_SEARCH_COLUMNS
        rows = [
            ["Person search", "2016-01-05T10:00:00+00:00", "False", "", lat, lon, "Male",
             "18-24", "", "White", "Misuse of Drugs Act 1971 (section 23)", "Controlled drugs",
             "A no further action disposal"]
            for lon, lat in coordinates
        ]  # fmt: skip
    f = tmp_path / f"2016-01-city-of-london-{kind}.csv"
    with f.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([list(header), *rows])
    (result,) = ingest_paths(tmp_path / "ws", [f]).files
    assert (result.rows_stored, result.rows_quarantined) == (2, 3)
    assert [(line, field) for line, field, _ in _quarantined(tmp_path / "ws")] == [
        (3, "Longitude"),
        (4, "Latitude"),
        (5, "Longitude"),
    ]
    assert "outside the UK (2.35, 48.85)" in str(_quarantined(tmp_path / "ws")[2][2])


def test_a_quote_never_closed_in_the_last_column_loses_nothing(tmp_path: Path) -> None:
    rows = [_street_row(c * 64, "Burglary") for c in "abcdef"]
    text = _street_text(rows).splitlines(keepends=True)
    text[3] = text[3].rstrip("\n") + '"never closed\n'  # the Context of line 4
    f = tmp_path / "2018-07-west-yorkshire-street.csv"
    f.write_text("".join(text), encoding="utf-8")
    (result,) = ingest_paths(tmp_path / "ws", [f]).files
    assert (result.rows_stored, result.rows_quarantined) == (2, 1)
    ((line, _, reason),) = _quarantined(tmp_path / "ws")
    assert line == 4 and "lines 4 to 7 are read as one broken record" in str(reason)


def test_old_mac_line_endings_and_a_return_in_a_quoted_record(tmp_path: Path) -> None:
    rows = [_street_row(c * 64, "Burglary") for c in "abc"]
    mac = tmp_path / "2018-07-west-yorkshire-street.csv"
    mac.write_bytes(_street_text(rows).replace("\n", "\r").encode())
    (result,) = ingest_paths(tmp_path / "mac", [mac]).files
    assert (result.rows_stored, result.rows_quarantined) == (3, 0)
    # a stray return on the second line of a record whose quoted field spans two lines
    text = _street_text(rows).splitlines(keepends=True)
    text[2] = text[2].replace("On or near Park Row", '"On or near\nPark Row"')
    text[2] = text[2].replace("Burglary", "Burg\rlary")
    mixed = tmp_path / "mixed" / "2018-07-west-yorkshire-street.csv"
    mixed.parent.mkdir()
    mixed.write_bytes("".join(text).encode())
    (result,) = ingest_paths(tmp_path / "ws", [mixed]).files
    assert (result.rows_stored, result.rows_quarantined) == (2, 1)
    assert [line for line, _, _ in _quarantined(tmp_path / "ws")] == [3]


def test_a_file_named_with_no_such_month_is_not_a_monthly_release(tmp_path: Path) -> None:
    f = _write_street(
        tmp_path / "2018-13-west-yorkshire-street.csv", [_street_row("a" * 64, "Burglary")]
    )
    (result,) = ingest_paths(tmp_path / "ws", [f]).files
    assert (result.status, result.rows_stored) == ("imported", 1)
