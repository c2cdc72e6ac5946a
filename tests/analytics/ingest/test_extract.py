"""Local incident extracts with a mapping file.

SYNTHETIC DATA: no real victim-level extract can be published, so these rows are made up (the
places are real Westminster LSOAs and streets; the people are not)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from safercity.analytics.ingest import FileProblem, FileResult, ingest_paths
from safercity.analytics.store import Workspace

MAPPING = """
format: safercity-extract/1
name: synthetic-cad
force: Metropolitan Police
columns:
  id: URN
  occurred_from: From
  occurred_to: To
  offence: Offence
  x: Easting
  y: Northing
  victim_id: VictimRef
  victim_age: VAge
  victim_sex: VSex
  victim_home_area: VHome
  suspect_age: SAge
  domestic: DA
  alcohol: Alc
datetime_format: "%d/%m/%Y %H:%M"
offences:
  "Assault with injury": Violence and sexual offences
  "Theft of pedal cycle": Bicycle theft
resident_area: Westminster
"""

EXTRACT = """URN,From,To,Offence,Easting,Northing,VictimRef,VAge,VSex,VHome,SAge,DA,Alc
S1,01/07/2017 23:30,01/07/2017 23:30,Assault with injury,529650,181050,V1,24,M,E01004736,17,N,Y
S2,02/07/2017 22:00,03/07/2017 06:00,Theft of pedal cycle,529100,180900,V2,31,F,Camden,,N,N
S3,03/07/2017 01:15,03/07/2017 01:15,Assault with injury,529700,181100,V1,24,M,E01004736,19,Y,Y
S4,32/07/2017 01:15,03/07/2017 01:15,Assault with injury,529700,181100,V3,30,F,,,N,N
S5,04/07/2017 01:15,04/07/2017 01:15,Juggling,529700,181100,V4,30,F,,,N,N
S6,05/07/2017 01:15,05/07/2017 01:15,burglary,529700,181100,V5,230,F,,,N,N
"""


def write(tmp_path: Path, extract: str = EXTRACT, mapping: str = MAPPING) -> tuple[Path, Path]:
    m = tmp_path / "cad.mapping.yaml"
    m.write_text(mapping)
    e = tmp_path / "cad.csv"
    e.write_text(extract)
    return e, m


HEADER = EXTRACT.splitlines()[0]
GOOD = EXTRACT.splitlines()[1]  # synthetic victim-level row, as EXTRACT


def row(**change: str) -> str:
    """GOOD with some columns changed, e.g. ``row(URN="S2", VAge="24.5")``."""
    values = dict(zip(HEADER.split(","), GOOD.split(","), strict=True)) | change
    return ",".join(values.values())


def ingest_rows(
    tmp_path: Path, rows: list[str], mapping: str = MAPPING
) -> tuple[FileResult, list[tuple[int, str, str]]]:
    """Import HEADER + ``rows``; the result and the quarantine (line, field, reason). Checks
    that nothing is lost: every row read is stored or quarantined."""
    e, m = write(tmp_path, HEADER + "\n" + "\n".join(rows) + "\n", mapping)
    (f,) = ingest_paths(tmp_path / "ws", [e], mapping=m).files
    assert f.rows_read == len(rows) == f.rows_stored + f.rows_quarantined
    return f, query(tmp_path, "SELECT line, field, reason FROM quarantine ORDER BY line")


def query(tmp_path: Path, sql: str) -> list[tuple]:
    with Workspace(tmp_path / "ws", read_only=True) as ws:
        return ws.con.execute(sql).fetchall()


def test_extract_rows_people_and_flags(tmp_path: Path) -> None:
    e, m = write(tmp_path)
    (f,) = ingest_paths(tmp_path / "ws", [e], mapping=m).files
    assert (f.rows_stored, f.rows_quarantined) == (3, 3)
    with Workspace(tmp_path / "ws", read_only=True) as ws:
        rows = ws.con.execute(
            "SELECT crime_id, category, occurred_from, occurred_to, victim_age, victim_resident, "
            "suspect_age, flag_domestic, flag_alcohol, local_authority FROM incidents ORDER BY crime_id"
        ).fetchall()
        q = ws.con.execute("SELECT line, field, reason FROM quarantine ORDER BY line").fetchall()
    s1, s2, s3 = rows
    assert s1[1] == "Violence and sexual offences" and s1[4] == 24 and s1[5] is True
    assert s1[6] == 17 and s1[7] is False and s1[8] is True and s1[9] == "Westminster"
    assert s2[1] == "Bicycle theft" and s2[5] is False  # lives in Camden
    assert (s2[3] - s2[2]).total_seconds() == 8 * 3600
    assert s3[7] is True
    assert [(line, field) for line, field, _ in q] == [(5, "From"), (6, "Offence"), (7, "VAge")]


def test_mapping_errors_name_the_key(tmp_path: Path) -> None:
    e, m = write(tmp_path, mapping=MAPPING.replace("  offence: Offence\n", ""))
    with pytest.raises(FileProblem, match=r"columns\.offence: required"):
        ingest_paths(tmp_path / "ws", [e], mapping=m)


def test_missing_extract_column_is_named(tmp_path: Path) -> None:
    e, m = write(tmp_path, extract=EXTRACT.replace("VAge", "VictimAge"))
    (f,) = ingest_paths(tmp_path / "ws", [e], mapping=m).files
    assert f.status == "failed" and "victim_age (VAge)" in (f.error or "")


def test_all_good_extract_is_imported(tmp_path: Path) -> None:
    # no bad row at all (every other test extract has one)
    good = "\n".join(EXTRACT.splitlines()[:4]) + "\n"
    e, m = write(tmp_path, extract=good)
    (f,) = ingest_paths(tmp_path / "ws", [e], mapping=m).files
    assert f.status == "imported" and (f.rows_read, f.rows_stored, f.rows_quarantined) == (3, 3, 0)


RA = "resident_area: Westminster"
FMT = 'datetime_format: "%d/%m/%Y %H:%M"'


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (RA, RA + "\ncrs: EPSG:99999", r"crs: 'EPSG:99999' is not a coordinate reference system"),
        (RA, RA + "\ncrs: banana", r"crs: 'banana' is not a coordinate reference system"),
        (RA, RA + "\ncrs: EPSG:4978", r"crs: 'EPSG:4978' is geocentric"),
        (FMT, 'datetime_format: "%Q %Z"', r"datetime_format: '%Q %Z' is not a date-time format"),
        (FMT, "datetime_format: 12", r"datetime_format: 12 is not a date-time format"),
        (RA, "resident_area: Atlantis", r"resident_area: no local authority called 'Atlantis'"),
        ("Bicycle theft", "Cheese", r"offences: 'Theft of pedal cycle' maps to 'Cheese', which"),
    ],
    ids=[
        "crs-unknown",
        "crs-junk",
        "crs-3d",
        "format-directive",
        "format-number",
        "area",
        "offence",
    ],
)
def test_bad_mapping_values_name_the_file_and_key(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    e, m = write(tmp_path, mapping=MAPPING.replace(old, new))
    with pytest.raises(FileProblem, match=r"cad\.mapping\.yaml: " + message):
        ingest_paths(tmp_path / "ws", [e], mapping=m)


def test_age_must_be_a_whole_number(tmp_path: Path) -> None:
    f, q = ingest_rows(tmp_path, [row(), row(URN="S2", VAge="24.5"), row(URN="S3", SAge="24.0")])
    assert f.rows_stored == 2
    assert q == [(3, "VAge", "age must be a whole number from 0 to 120")]


def test_coordinates_outside_the_uk_are_quarantined(tmp_path: Path) -> None:
    far = [row(URN=f"S{i}", Easting=v, Northing=v) for i, v in enumerate(["1e12", "inf"], 2)]
    f, q = ingest_rows(tmp_path, [row(), *far])
    assert f.rows_stored == 1
    assert q == [
        (3, "Easting", "coordinates outside the UK (1e12, 1e12)"),
        (4, "Easting", "coordinates outside the UK (inf, inf)"),
    ]


def test_unparseable_window_end_is_quarantined(tmp_path: Path) -> None:
    f, q = ingest_rows(tmp_path, [row(To=""), row(URN="S2", To="nonsense")])
    assert f.rows_stored == 1  # an empty To is an exact time
    assert [(line, field) for line, field, _ in q] == [(3, "To")]
    assert "unparseable date-time 'nonsense'" in q[0][2]


def test_without_a_format_dates_are_day_first(tmp_path: Path) -> None:
    mapping = MAPPING.replace(FMT, "")
    dates = ["07/12/2017 23:30", "07/13/2017 23:30", "12.07.2017", "2017-07-12T10:00"]
    rows = [row(URN=f"S{i}", From=d, To="") for i, d in enumerate(dates)]
    _, q = ingest_rows(tmp_path, rows, mapping)
    assert [(line, field) for line, field, _ in q] == [(3, "From")]  # not 13 July
    got = query(
        tmp_path, "SELECT strftime(occurred_from, '%Y-%m-%d %H:%M') FROM incidents ORDER BY 1"
    )
    assert [t for (t,) in got] == ["2017-07-12 00:00", "2017-07-12 10:00", "2017-12-07 23:30"]


@pytest.mark.parametrize(
    ("fmt", "times"),
    [
        (None, ["2017-07-01T23:30:00+01:00", "2017-01-01T10:00:00Z", "junk"]),
        ("%d/%m/%Y %H:%M%z", ["01/07/2017 23:30+0100", "01/01/2017 10:00+0000", "01/07/2017"]),
    ],
)
def test_times_with_an_offset_become_uk_local_times(
    tmp_path: Path, fmt: str | None, times: list[str]
) -> None:
    mapping = MAPPING.replace(FMT, f'datetime_format: "{fmt}"' if fmt else "")
    rows = [row(URN=f"S{i}", From=t, To="") for i, t in enumerate(times)]
    _, q = ingest_rows(tmp_path, rows, mapping)
    assert [(line, field) for line, field, _ in q] == [(4, "From")]
    got = query(tmp_path, "SELECT occurred_from FROM incidents ORDER BY 1")
    # the store holds naive UK local times: BST (+01:00) in July, GMT in January
    assert [str(t) for (t,) in got] == ["2017-01-01 10:00:00", "2017-07-01 23:30:00"]


def test_implausible_dates_are_quarantined(tmp_path: Path) -> None:
    soon = (date.today() + timedelta(days=30)).strftime("%d/%m/%Y 00:00")
    rows = [row(From=soon, To=soon), row(URN="S2", From="01/01/1900 00:00")]
    rows.append(row(URN="S3", To="01/01/2999 00:00"))
    f, q = ingest_rows(tmp_path, rows)
    assert f.rows_stored == 1
    assert q == [
        (3, "From", "implausible date 1900-01-01 (before 1990-01-01)"),
        (4, "To", "implausible date 2999-01-01 (more than 31 days after today)"),
    ]
