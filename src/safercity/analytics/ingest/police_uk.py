"""police.uk street-level, outcomes and stop-and-search CSVs, read by DuckDB.

Rows DuckDB cannot split (too many or too few columns, bad encoding) are caught by its rejects
table with their line; the rest are checked in SQL (month, category, coordinates) and the bad
ones set aside with line, field and reason.

Keys: a crime is ``crime:<Crime ID>:<n>`` (police.uk lists some crimes more than once under one
Crime ID, and counts each row, so the n-th row of an ID in the file is kept as its own record);
anti-social behaviour has no Crime ID, so its key hashes force, month, place and category, with
the same occurrence number for identical rows.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from duckdb import DuckDBPyConnection

from safercity.analytics import geography
from safercity.analytics.categories import category_lookup_table
from safercity.analytics.ingest.errors import FileProblem
from safercity.analytics.ingest.files import InputFile
from safercity.analytics.ingest.staging import create_empty
from safercity.analytics.store import first_row

#: the columns every police.uk crime file (street and outcomes) starts with
_CRIME_FILE_COLUMNS = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
)
STREET_COLUMNS = (*_CRIME_FILE_COLUMNS, "Crime type", "Last outcome category", "Context")
OUTCOME_COLUMNS = (*_CRIME_FILE_COLUMNS, "Outcome type")
STOP_SEARCH_COLUMNS = (
    "Type",
    "Date",
    "Part of a policing operation",
    "Policing operation",
    "Latitude",
    "Longitude",
    "Gender",
    "Age range",
    "Self-defined ethnicity",
    "Officer-defined ethnicity",
    "Legislation",
    "Object of search",
    "Outcome",
)

#: police.uk force names ("West Yorkshire Police") -> the short names of the LSOA lookup
FORCE_SQL = (
    "nullif(trim(regexp_replace(regexp_replace(replace({col}, '&', 'and'), "
    "'\\s+(Police Service|Police|Constabulary|Service)$', ''), '^Metropolitan$', "
    "'Metropolitan Police')), '')"
)


def normalise_force(name: str | None) -> str | None:
    """``"West Yorkshire Police"`` -> ``"West Yorkshire"``, as in the LSOA lookup."""
    if name is None:
        return None
    import re

    out = re.sub(r"\s+(Police Service|Police|Constabulary|Service)$", "", name.replace("&", "and"))
    out = "Metropolitan Police" if out == "Metropolitan" else out.strip()
    return out or None


def read_raw(
    con: DuckDBPyConnection, f: InputFile, expected: tuple[str, ...], file_no: int = 0
) -> None:
    """Read ``f`` into temp table ``raw`` (all text, with ``line`` and ``pos``) and its rejects
    into ``bad``.

    DuckDB reads it; if DuckDB cannot, or its records do not add up to the file's (it drops the
    rest of a file after a quote that is never closed, without a word), the csv module reads it
    instead, record by record, so that nothing is lost and every line is exact."""
    con.execute("DROP TABLE IF EXISTS rej; DROP TABLE IF EXISTS rej_scan")
    lines: np.ndarray | None = None
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE raw0 AS SELECT * FROM read_csv(?, header=true, "
            "all_varchar=true, store_rejects=true, rejects_table='rej', rejects_scan='rej_scan', "
            "parallel=false, auto_detect=true, delim=',', quote='\"', escape='\"')",
            [str(f.path)],
        )
    except (duckdb.InvalidInputException, duckdb.ConversionException):
        pass  # DuckDB cannot read it as CSV: the csv module reads it and says where
    else:
        _check_header(f, [r[0] for r in con.execute("DESCRIBE raw0").fetchall()], expected)
        data = np.fromfile(f.path, dtype=np.uint8)  # read once for both line checks below
        rejects = _on_physical_lines(
            data,
            con.execute(
                "SELECT line, min(error_type), min(column_name), min(csv_line), "
                "min(error_message), min(line_byte_position) FROM rej GROUP BY line ORDER BY line"
            ).fetchall(),
        )
        enc = [r for r in rejects if r[1] == "INVALID ENCODING"]
        if enc and len(enc) * 2 >= len(rejects):
            raise FileProblem(
                f.display,
                f"line {enc[0][0]}: the file is not UTF-8 text (save it as UTF-8 CSV and try again)",
            )
        n_good = first_row(con, "SELECT count(*) FROM raw0")[0]  # type: ignore[index]
        rejected = np.array([r[0] for r in rejects], dtype=np.int64)
        lines = _good_lines(f.path, data, n_good, rejected)
    if lines is None:
        rejects, lines = _read_records(con, f, expected)
    # ``pos``: the record's place in the file
    con.register(
        "_lines_df", pd.DataFrame({"line": lines, "pos": np.arange(len(lines), dtype=np.int64)})
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE raw AS "
        f"SELECT *, {int(file_no)}::INTEGER AS file_no FROM raw0 POSITIONAL JOIN _lines_df"
    )
    con.unregister("_lines_df")
    con.execute("DROP TABLE raw0")
    _quarantine_rejects(con, [(file_no, *r) for r in rejects])


def _read_records(
    con: DuckDBPyConnection, f: InputFile, expected: tuple[str, ...]
) -> tuple[list[tuple[Any, ...]], np.ndarray]:
    """Read ``f`` with the csv module into temp table ``raw0`` (the records with the header's
    number of fields); return the others as rejects ``(line, kind, None, text, message)`` and
    the good records' lines."""
    _lift_field_limit(f.path)
    try:
        text = f.path.read_bytes().decode("utf-8-sig")  # as it is: no newline translation
    except UnicodeDecodeError as exc:
        line = f.path.read_bytes()[: exc.start].count(b"\n") + 1
        raise FileProblem(
            f.display,
            f"line {line}: the file is not UTF-8 text (save it as UTF-8 CSV and try again)",
        ) from exc
    # physical lines end at a line feed, or at a carriage return in a file with no line feed
    # at all (old Mac line endings)
    end_of_line = "\n" if "\n" in text or "\r" not in text else "\r"
    parts = text.split(end_of_line)
    physical = [p + end_of_line for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    stray: list[tuple[Any, ...]] = []
    if end_of_line == "\n":
        reader = csv.reader(_without_stray_returns(physical, stray), strict=True)
    else:
        reader = csv.reader(physical, strict=True)
    try:
        header = next(reader, [])
    except csv.Error as exc:
        raise FileProblem(f.display, f"line 1: the header cannot be read ({exc})") from exc
    _check_header(f, header, expected)
    good: list[list[str]] = []
    lines: list[int] = []
    rejects: list[tuple[Any, ...]] = []
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # bad quoting: the record is set aside, reading goes on
            end = reader.line_num
            record = "".join(physical[start - 1 : end]).rstrip("\r\n")
            if end >= len(physical):  # the end of the file inside a quoted field
                message = (
                    f"a quoted field on line {start} is never closed: lines {start} to {end} "
                    "are read as one broken record"
                )
                rejects.append((start, "UNCLOSED QUOTE", None, record, message))
            elif "new-line character" in str(exc):
                rejects.append((start, "STRAY RETURN", None, record, str(exc)))
            else:
                rejects.append((start, "BAD QUOTES", None, record, str(exc)))
            start = reader.line_num + 1
            continue
        end = reader.line_num
        if len(row) == len(header):
            good.append(row)
            lines.append(start)
        elif row:
            record = "".join(physical[start - 1 : end]).rstrip("\r\n")
            kind = "TOO MANY COLUMNS" if len(row) > len(header) else "MISSING COLUMNS"
            rejects.append((start, kind, None, record, f"{len(row)} fields, not {len(header)}"))
        start = reader.line_num + 1
    rejects = sorted(rejects + stray, key=lambda r: int(r[0]))
    frame = (
        pd.DataFrame(good, columns=header, dtype="string")
        if good
        else pd.DataFrame({c: pd.Series([], dtype="string") for c in header})
    )
    con.register("_records_df", frame)
    con.execute("CREATE OR REPLACE TEMP TABLE raw0 AS SELECT * FROM _records_df")
    con.unregister("_records_df")
    return rejects, np.array(lines, dtype=np.int64)


def _without_stray_returns(physical: list[str], stray: list[tuple[Any, ...]]) -> Iterator[str]:
    """The physical lines, each line with a carriage return inside an unquoted field (which the
    csv module cannot read, and which splits a row in two for other tools) given as a blank
    line and added to ``stray`` as a rejected record."""
    in_quotes = False
    for number, line in enumerate(physical, start=1):
        body = line.rstrip("\r\n")
        cr = body.find("\r")
        if cr >= 0 and not in_quotes and body.count('"', 0, cr) % 2 == 0:
            stray.append(
                (number, "STRAY RETURN", None, body, "a carriage return inside an unquoted field")
            )
            yield "\n"
            continue
        in_quotes ^= line.count('"') % 2 == 1
        yield line


def _check_header(f: InputFile, columns: list[str], expected: tuple[str, ...]) -> None:
    """Every expected column is there, in any order and any case (SQL names match either way)."""
    have = {c.lower() for c in columns}
    missing = [c for c in expected if c.lower() not in have]
    if missing:
        raise FileProblem(f.display, f"line 1: missing column(s) {', '.join(missing)}")


def _lift_field_limit(path: Path) -> None:
    """A field may be as long as the file: lift the csv module's 128 KB limit to that."""
    csv.field_size_limit(max(csv.field_size_limit(), path.stat().st_size + 1))


def _on_physical_lines(data: np.ndarray, rejects: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """DuckDB's rejected records ``(line, ..., line_byte_position)`` with ``line`` made the
    physical line of the file whose bytes are ``data``, and the byte position dropped.

    DuckDB numbers a record after a quoted newline as if each record were one line. Its
    ``line_byte_position`` is one past the record's first byte, or (CRLF, blank lines before the
    record) a line ending before it: the record starts at the first byte from there on that
    ends no line, and its line is one more than the newlines before that byte."""
    if not rejects:
        return []
    newlines = np.flatnonzero(data == 10)
    out = []
    for line, *rest, at in rejects:
        if at is not None:
            pos = max(int(at) - 1, 0)
            while pos < len(data) and data[pos] in (10, 13):
                pos += 1
            line = int(np.searchsorted(newlines, pos, side="left")) + 1
        out.append((line, *rest))
    return out


def _quarantine_rejects(con: DuckDBPyConnection, rejects: list[tuple[Any, ...]]) -> None:
    """DuckDB's rejected records -> ``bad``; each is (file_no, line, error type, column, the
    record's text, DuckDB's message). A column-count error belongs to the row, not a field."""
    if not rejects:
        return
    con.register(
        "_rej_df",
        pd.DataFrame(
            {
                "file_no": [r[0] for r in rejects],
                "line": [r[1] for r in rejects],
                "field": [
                    None if r[2] in ("TOO MANY COLUMNS", "MISSING COLUMNS") else r[3]
                    for r in rejects
                ],
                "reason": [_reject_reason(r[2], r[5]) for r in rejects],
                "raw": [r[4] for r in rejects],
            }
        ),
    )
    con.execute("INSERT INTO bad BY NAME SELECT * FROM _rej_df")
    con.unregister("_rej_df")


def _reject_reason(kind: str, message: str) -> str:
    return {
        "TOO MANY COLUMNS": "wrong column count: too many columns",
        "MISSING COLUMNS": "wrong column count: too few columns",
        "INVALID ENCODING": "not UTF-8 text",
        "UNQUOTED VALUE": "badly quoted value",
        "UNCLOSED QUOTE": f"unclosed quote: {message}",
        "STRAY RETURN": "a carriage return inside an unquoted field splits this row",
        "BAD QUOTES": f"badly quoted value ({message})",
    }.get(kind, f"{kind.lower()}: {message}")


def _good_lines(
    path: Path, data: np.ndarray, n_good: int, rejected: np.ndarray
) -> np.ndarray | None:
    """Line numbers of the good records, in order; None if DuckDB's records (``n_good`` and
    the ``rejected`` lines) are not the file's.

    Fast path: one record per physical line (police.uk files are), so the good records are the
    data lines less the rejected ones. If the counts disagree (quoted newlines, blank lines),
    count records with the csv module, which tracks physical lines exactly.
    ``data`` is the file's bytes.
    """
    returns = np.flatnonzero(data == 13)
    after = np.append(data, np.uint8(0))[returns + 1]  # the byte after each (none at the end)
    if np.any(after != 10):
        return None  # a carriage return alone ends a record for DuckDB, not a line
    n_lines = int(np.count_nonzero(data == 10))
    if len(data) and data[-1] != 10:
        n_lines += 1
    all_lines = np.arange(2, n_lines + 1, dtype=np.int64)
    good = np.setdiff1d(all_lines, rejected, assume_unique=False)
    if len(good) == n_good:
        return good
    starts: list[int] = []
    _lift_field_limit(path)
    with path.open(newline="", encoding="utf-8", errors="replace") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        start = reader.line_num + 1
        for row in reader:
            if row:
                starts.append(start)
            start = reader.line_num + 1
    arr = np.setdiff1d(np.array(starts, dtype=np.int64), rejected)
    return arr if len(arr) == n_good else None


def _raw_json(columns: tuple[str, ...], alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    fields = ", ".join(f'"{c}" := {prefix}"{c}"' for c in columns)
    return f"to_json(struct_pack({fields}))::VARCHAR"


def _force_table(con: DuckDBPyConnection, table: str, column: str) -> None:
    """``ref_force``: each distinct force spelling in ``table`` -> the lookup's short name."""
    names = [r[0] for r in con.execute(f'SELECT DISTINCT "{column}" FROM {table}').fetchall()]
    con.register(
        "_force_df",
        pd.DataFrame({"spelling": names, "force": [normalise_force(n) for n in names]}),
    )
    con.execute(  # typed, so an empty file (no spelling at all) still gives text columns
        "CREATE OR REPLACE TEMP TABLE ref_force AS "
        "SELECT spelling::VARCHAR AS spelling, force::VARCHAR AS force FROM _force_df"
    )
    con.unregister("_force_df")


#: police.uk street-level data begins with this month; an earlier month is a bad row
FIRST_MONTH = "2010-12"
#: why a month is a bad row though it parses (the SQL of :func:`_checked_sql` says the same)
OUTSIDE_RECORD = (
    "is outside police.uk's street-level record (FIRST_MONTH onwards, not in the future)"
)
OUTSIDE_RECORD = OUTSIDE_RECORD.replace("FIRST_MONTH", FIRST_MONTH)


def outside_record(month: str) -> bool:
    """Whether ``"YYYY-MM"`` is before police.uk's first month or more than a month ahead."""
    latest = (date.today() + timedelta(days=31)).strftime("%Y-%m")  # cheap: once per API record
    return month < FIRST_MONTH or month > latest


#: a police.uk monthly file's name: ``2016-01-city-of-london-street.csv`` (month, force)
MONTH_FILE = re.compile(r"^(\d{4}-\d{2})-(.+)-street\.csv$")


def file_month(f: InputFile) -> str | None:
    """``"YYYY-MM"`` from a police.uk monthly file's name, or None."""
    m = MONTH_FILE.match(Path(f.display.rsplit("!", 1)[-1]).name)
    if not m or not 1 <= int(m.group(1)[5:]) <= 12:  # "2018-13-...": not a monthly release
        return None
    return m.group(1)


def expected_month_sql(months: list[str | None], *, per_file: bool) -> str:
    """The month each row of a police.uk file must have (from the file's name, ``YYYY-MM``, or
    None: unchecked) as SQL: one literal, or a list indexed by ``file_index`` for a batch."""
    literals = [f"DATE '{m}-01'" if m else "NULL::DATE" for m in months]
    if not per_file:
        return literals[0]
    return "[" + ", ".join(literals) + "][file_index::BIGINT + 1]"


def _checked_sql(source: str, keep: tuple[str, ...], expected_month: str = "NULL::DATE") -> str:
    """A street CSV's rows (``source``: text columns) parsed and checked, in the source's order.

    ``expected_month`` is SQL for the month every row must have (a police.uk file holds one
    month: see :func:`expected_month_sql`), or NULL for no such check.

    Every row keeps the ``keep`` columns, its parsed fields, the raw ``falls_within`` spelling
    and ``bad_field`` (NULL when the row is good); bad rows also carry the ``reason`` and
    ``raw``, their fields as JSON. ``repeat_hash`` is equal for rows that may be the same crime
    listed again (see :data:`_REPEAT_SQL`; the force is left out, so it can only group more).
    No joins, so a plain scan keeps the file's row order.
    """
    x0, y0, x1, y1 = geography.UK_LONLAT_BOUNDS
    kept = "".join(f"{c}, " for c in keep)
    text = ", ".join(f'"{c}"' for c in STREET_COLUMNS)
    return f"""
        SELECT {kept}p_crime_id AS crime_id, p_month AS month,
               "Falls within" AS falls_within, p_longitude AS longitude,
               p_latitude AS latitude, p_location AS location, p_lsoa_code AS lsoa_code,
               p_lsoa_name AS lsoa_name, p_category AS category, "Crime type" AS offence,
               p_outcome AS outcome, p_context AS context, bad_field,
               CASE WHEN bad_field IS NOT NULL THEN {_REASON_SQL} END AS reason,
               CASE WHEN p_crime_id IS NOT NULL THEN hash(p_crime_id)
                    ELSE hash(p_month, p_longitude, p_latitude, p_location, p_lsoa_code,
                              p_category) END AS repeat_hash,
               CASE WHEN bad_field IS NOT NULL THEN {_raw_json(STREET_COLUMNS)} END AS raw
        FROM (
            SELECT *,
                   CASE
                     WHEN p_month IS NULL OR p_month < DATE '{FIRST_MONTH}-01'
                          OR p_month > current_date + INTERVAL 31 DAY
                          OR p_month <> p_expected THEN 'Month'
                     WHEN p_category IS NULL THEN 'Crime type'
                     WHEN has_lon AND p_longitude IS NULL THEN 'Longitude'
                     WHEN has_lat AND p_latitude IS NULL THEN 'Latitude'
                     WHEN has_lon <> has_lat THEN CASE WHEN has_lon THEN 'Latitude' ELSE 'Longitude' END
                     WHEN p_longitude IS NOT NULL AND NOT (p_longitude BETWEEN {x0} AND {x1}
                          AND p_latitude BETWEEN {y0} AND {y1}) THEN 'Longitude'
                   END AS bad_field
            FROM (
                SELECT {kept}{text},
                       nullif(trim("Crime ID"), '') AS p_crime_id,
                       TRY_STRPTIME(trim("Month"), '%Y-%m')::DATE AS p_month,
                       {expected_month} AS p_expected,
                       TRY_CAST(nullif(trim("Longitude"), '') AS DOUBLE) AS p_longitude,
                       TRY_CAST(nullif(trim("Latitude"), '') AS DOUBLE) AS p_latitude,
                       nullif(trim("Longitude"), '') IS NOT NULL AS has_lon,
                       nullif(trim("Latitude"), '') IS NOT NULL AS has_lat,
                       nullif("Location", '') AS p_location,
                       nullif(trim("LSOA code"), '') AS p_lsoa_code,
                       nullif(trim("LSOA name"), '') AS p_lsoa_name,
                       {_category_map_sql()}[lower(trim("Crime type"))] AS p_category,
                       nullif("Last outcome category", '') AS p_outcome,
                       nullif("Context", '') AS p_context
                FROM {source}
            )
        )
    """


#: why a row was set aside (inside :func:`_checked_sql`)
_REASON_SQL = """
    CASE bad_field
      WHEN 'Month' THEN CASE
           WHEN p_month IS NULL THEN 'unparseable month '
                || coalesce('"' || "Month" || '"', '(empty)') || ' (expected YYYY-MM)'
           WHEN p_month <> p_expected AND p_month >= DATE 'FIRST_MONTH-01'
                AND p_month <= current_date + INTERVAL 31 DAY
           THEN 'month ' || strftime(p_month, '%Y-%m') || ' is not this file''s month ('
                || strftime(p_expected, '%Y-%m') || ', from its name)'
           ELSE 'month ' || strftime(p_month, '%Y-%m') || ' OUTSIDE_RECORD' END
      WHEN 'Crime type' THEN 'unknown category "' || coalesce("Crime type", '') || '"'
      ELSE CASE WHEN p_longitude IS NOT NULL AND p_latitude IS NOT NULL
           THEN 'coordinates outside the UK (' || p_longitude::VARCHAR || ', '
                || p_latitude::VARCHAR || ')'
           ELSE 'unparseable or incomplete coordinates' END
    END
""".replace("FIRST_MONTH", FIRST_MONTH).replace("OUTSIDE_RECORD", OUTSIDE_RECORD.replace("'", "''"))

#: rows of one file sharing this are the same crime listed again (numbered 1, 2, ... in file
#: order); ``k`` is a checked row, ``force`` its force's short name
_REPEAT_SQL = (
    "coalesce(k.crime_id, chr(0) || concat_ws('|', {force}, k.month, k.longitude, k.latitude, "
    "k.location, k.lsoa_code, k.category))"
)
#: the incident key (ADR 0001) of checked row ``k``, ``dup`` its number among its repeats
_KEY_SQL = """
    CASE WHEN k.crime_id IS NOT NULL
         THEN 'crime:' || k.crime_id || CASE WHEN {dup} > 1 THEN ':' || {dup}::VARCHAR ELSE '' END
         ELSE 'asb:' || md5(concat_ws('|', {force}, k.month, k.longitude, k.latitude,
              k.location, k.lsoa_code, k.category)) || ':' || {dup}::VARCHAR
    END
"""


def _staged_columns(dup: str, force: str, easting: str, northing: str, placed: str) -> str:
    """The columns of ``staged`` for checked row ``k`` (only those police.uk files have; the
    commit inserts what ``staged`` holds): ``dup`` is its number among its repeats, ``force``
    its force's short name, ``easting``/``northing`` its grid reference and ``placed`` the alias
    holding its ``line`` and ``file_no``; ``r`` is its row of the built-in LSOA lookup."""
    return f"""
        {_KEY_SQL.format(dup=dup, force=force)} AS incident_key, k.crime_id,
        'police_uk_street' AS source_kind, coalesce({force}, r.force) AS force, k.month,
        k.category, k.offence, k.longitude, k.latitude, {easting} AS easting,
        {northing} AS northing, k.location, 'Force' AS location_type, k.lsoa_code,
        coalesce(k.lsoa_name, r.lsoa_name) AS lsoa_name, r.local_authority, k.outcome, k.context,
        {placed}.line, {placed}.file_no
    """


def _category_map_sql() -> str:
    """The category lookup as a DuckDB MAP literal (a scalar, so row order is kept)."""

    def q(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    return "MAP {" + ", ".join(f"{q(k)}: {q(v)}" for k, v in category_lookup_table()) + "}"


def stage_street(con: DuckDBPyConnection, f: InputFile, file_no: int = 0) -> None:
    """Append a police.uk street-level crime CSV to ``staged`` (created by the first file of a
    batch, with only the columns police.uk files have) and ``bad`` (call
    :func:`~safercity.analytics.ingest.staging.create_empty` with ``staged=False`` first).

    This is the file-by-file path, for files :func:`stage_street_many` will not take."""
    read_raw(con, f, STREET_COLUMNS, file_no)
    month = expected_month_sql([file_month(f)], per_file=False)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE checked AS {_checked_sql('raw', ('line', 'file_no', 'pos'), month)}"
    )
    con.execute("DROP TABLE raw")
    _force_table(con, "checked", "falls_within")
    con.execute(
        "INSERT INTO bad (line, field, reason, raw, file_no) SELECT line, bad_field, reason, raw, "
        "file_no FROM checked WHERE bad_field IS NOT NULL"
    )
    good = con.execute(
        "SELECT file_no, pos, longitude, latitude FROM checked WHERE bad_field IS NULL "
        "AND longitude IS NOT NULL"
    ).fetchnumpy()
    e, n = geography.to_bng(
        np.asarray(good["longitude"], dtype=np.float64),
        np.asarray(good["latitude"], dtype=np.float64),
    )
    con.register(
        "_bng_df",
        pd.DataFrame({"file_no": good["file_no"], "pos": good["pos"], "e": e, "n": n}),
    )
    select = f"""
        SELECT {_staged_columns("k.dup", "k.force", "b.e", "b.n", "k")}
        FROM (
            SELECT k.*, fo.force, row_number() OVER (
                PARTITION BY k.file_no, {_REPEAT_SQL.format(force="fo.force")} ORDER BY k.pos
            ) AS dup
            FROM checked k LEFT JOIN ref_force fo ON fo.spelling IS NOT DISTINCT FROM k.falls_within
            WHERE k.bad_field IS NULL
        ) k
        LEFT JOIN _bng_df b ON b.pos = k.pos AND b.file_no = k.file_no
        LEFT JOIN ref_lsoa r ON r.lsoa_code = k.lsoa_code
    """
    exists = first_row(
        con, "SELECT 1 FROM duckdb_tables() WHERE temporary AND table_name = 'staged'"
    )
    if exists:
        con.execute(f"INSERT INTO staged BY NAME {select}")
    else:
        con.execute(f"CREATE TEMP TABLE staged AS {select}")
    con.unregister("_bng_df")
    con.execute("DROP TABLE checked; DROP TABLE ref_force")


def stage_outcomes(con: DuckDBPyConnection, f: InputFile) -> pd.DataFrame:
    """police.uk outcomes CSV -> a frame for the ``outcomes`` table (bad rows into ``bad``)."""
    create_empty(con)
    read_raw(con, f, OUTCOME_COLUMNS)
    frame = con.execute(
        f"""
        SELECT line, nullif(trim("Crime ID"), '') AS crime_id,
               TRY_STRPTIME(trim("Month"), '%Y-%m')::DATE AS month,
               {FORCE_SQL.format(col='"Falls within"')} AS force,
               TRY_CAST(nullif(trim("Longitude"), '') AS DOUBLE) AS longitude,
               TRY_CAST(nullif(trim("Latitude"), '') AS DOUBLE) AS latitude,
               nullif("Location", '') AS location, nullif(trim("LSOA code"), '') AS lsoa_code,
               nullif(trim("LSOA name"), '') AS lsoa_name, "Outcome type" AS outcome_type,
               "Month" AS month_text, {_COORDINATE_TEXT}, {_raw_json(OUTCOME_COLUMNS)} AS raw
        FROM raw ORDER BY line
        """
    ).df()
    bad = frame["month"].isna()
    _bad_rows(con, frame[bad], "Month", "unparseable month (expected YYYY-MM)")
    month = pd.to_datetime(frame["month"]).dt.strftime("%Y-%m")
    outside = ~bad & month.map(lambda m: isinstance(m, str) and outside_record(m)).astype(bool)
    far = frame[outside]
    _bad_rows(con, far, "Month", "month " + month[outside] + " " + OUTSIDE_RECORD)
    con.execute("DROP TABLE raw")
    frame = _set_aside_bad_coordinates(con, frame[~bad & ~outside])
    return _without(frame, "month_text", "raw", "line", "lon_text", "lat_text")


def stage_stop_search(con: DuckDBPyConnection, f: InputFile) -> pd.DataFrame:
    """police.uk stop-and-search CSV -> a frame for the ``stop_search`` table."""
    create_empty(con)
    read_raw(con, f, STOP_SEARCH_COLUMNS)
    frame = con.execute(
        f"""
        SELECT line, "Type" AS type, timezone('UTC', TRY_CAST("Date" AS TIMESTAMPTZ)) AS occurred_at,
               TRY_CAST(nullif(trim("Latitude"), '') AS DOUBLE) AS latitude,
               TRY_CAST(nullif(trim("Longitude"), '') AS DOUBLE) AS longitude,
               "Gender" AS gender, "Age range" AS age_range,
               "Self-defined ethnicity" AS self_defined_ethnicity,
               "Officer-defined ethnicity" AS officer_defined_ethnicity,
               "Legislation" AS legislation, "Object of search" AS object_of_search,
               "Outcome" AS outcome, {_COORDINATE_TEXT}, {_raw_json(STOP_SEARCH_COLUMNS)} AS raw
        FROM raw ORDER BY line
        """
    ).df()
    bad = frame["occurred_at"].isna()
    _bad_rows(con, frame[bad], "Date", "unparseable date-time")
    con.execute("DROP TABLE raw")
    frame = _set_aside_bad_coordinates(con, frame[~bad])
    return _without(frame, "raw", "line", "lon_text", "lat_text")


#: the coordinates as given (NULL when empty), for :func:`_set_aside_bad_coordinates`
_COORDINATE_TEXT = (
    "nullif(trim(\"Longitude\"), '') AS lon_text, nullif(trim(\"Latitude\"), '') AS lat_text"
)


def _set_aside_bad_coordinates(con: DuckDBPyConnection, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows whose coordinates are half given, not numbers, or outside the UK go to ``bad`` (as
    on the street path); the rest are returned. No coordinates at all is a row without a
    location, not a bad row."""
    lon_given, lat_given = frame["lon_text"].notna(), frame["lat_text"].notna()
    lon = frame["longitude"].to_numpy(dtype=float, na_value=np.nan)
    lat = frame["latitude"].to_numpy(dtype=float, na_value=np.nan)
    half = lon_given != lat_given
    unreadable = ~half & ((lon_given & np.isnan(lon)) | (lat_given & np.isnan(lat)))
    both = ~np.isnan(lon) & ~np.isnan(lat)
    outside = both & ~geography.in_uk(lon, lat)
    reason = "unparseable or incomplete coordinates"
    _bad_rows(con, frame[half & lon_given], "Latitude", reason)
    _bad_rows(con, frame[half & lat_given], "Longitude", reason)
    _bad_rows(con, frame[unreadable & (~lon_given | ~np.isnan(lon))], "Latitude", reason)
    _bad_rows(con, frame[unreadable & lon_given & np.isnan(lon)], "Longitude", reason)
    far = frame[outside]
    _bad_rows(
        con,
        far,
        "Longitude",
        "coordinates outside the UK ("
        + far["longitude"].astype(str)
        + ", "
        + far["latitude"].astype(str)
        + ")",
    )
    kept: pd.DataFrame = frame[~(half | unreadable | outside)]
    return kept


def _without(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    # column selection, not DataFrame.drop, which warns inside pandas 3.1
    return frame[[c for c in frame.columns if c not in columns]].copy()


def _bad_rows(
    con: DuckDBPyConnection, rows: pd.DataFrame, field: str, reason: str | pd.Series
) -> None:
    if rows.empty:
        return
    con.register(
        "_bad_df",
        pd.DataFrame({"line": rows["line"], "field": field, "reason": reason, "raw": rows["raw"]}),
    )
    con.execute(
        "INSERT INTO bad (line, field, reason, raw) SELECT line, field, reason, raw FROM _bad_df"
    )
    con.unregister("_bad_df")


def stage_street_many(
    con: DuckDBPyConnection, items: list[tuple[InputFile, int]], *, strict: bool = False
) -> bool:
    """Stage street CSVs (each with its ``file_no``) with one set of statements.

    DuckDB's fixed cost per statement (tens of milliseconds) dominates monthly files of a few tens
    of thousands of rows, and every copy of the rows costs about as much as reading them, so the
    files are read and checked in one statement into ``checked`` (file order), and ``staged`` is
    a view over it: the rows are copied once more only, into ``incidents``. Returns False,
    having staged nothing, when any file is unusual (a header other than police.uk's, text that
    is not UTF-8, records that do not line up with the file's lines) or, under ``strict``, has a
    bad row: the caller then stages the files one by one, which reports each file's own problem.
    """
    header = ",".join(STREET_COLUMNS).encode()
    for f, _ in items:
        with f.path.open("rb") as fh:
            first = fh.readline().rstrip(b"\r\n").removeprefix(b"\xef\xbb\xbf")
        if first != header:
            return False
    con.execute("DROP TABLE IF EXISTS rej; DROP TABLE IF EXISTS rej_scan")
    paths = [str(f.path) for f, _ in items]
    source = (
        "read_csv(?, header=true, all_varchar=true, store_rejects=true, rejects_table='rej', "
        "rejects_scan='rej_scan', parallel=true, auto_detect=true, delim=',', quote='\"', "
        "escape='\"')"
    )
    months = expected_month_sql([file_month(f) for f, _ in items], per_file=True)
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE checked AS "
            f"{_checked_sql(source, ('file_index',), months)}",
            [paths],
        )
    except (duckdb.InvalidInputException, duckdb.ConversionException):
        return False  # a file DuckDB cannot read as CSV: the per-file path says which and why
    data_of: dict[str, np.ndarray] = {}  # the bytes of the files with a row to report

    def data(path: str) -> np.ndarray:
        if path not in data_of:
            data_of[path] = np.fromfile(path, dtype=np.uint8)
        return data_of[path]

    by_file: dict[str, list[tuple[Any, ...]]] = {}
    for path, *reject in con.execute(
        "SELECT s.file_path, e.line, min(e.error_type), min(e.column_name), min(e.csv_line), "
        "min(e.error_message), min(e.line_byte_position) FROM rej e JOIN rej_scan s "
        "ON e.scan_id = s.scan_id AND e.file_id = s.file_id GROUP BY ALL ORDER BY 1, 2"
    ).fetchall():
        by_file.setdefault(path, []).append(tuple(reject))
    rejects = [
        (path, *r)
        for path, file_rejects in by_file.items()
        for r in _on_physical_lines(data(path), file_rejects)
    ]
    spans = {  # file_index: the file's place in ``paths``
        int(r[0]): (int(r[1]), int(r[2]), int(r[3]))
        for r in con.execute(
            "SELECT file_index, count(*), min(rowid), max(rowid) FROM checked GROUP BY file_index"
        ).fetchall()
    }
    if any(r[2] == "INVALID ENCODING" for r in rejects):
        return _give_up(con)
    with_bad_rows = {
        int(r[0])
        for r in con.execute(
            "SELECT DISTINCT file_index FROM checked WHERE bad_field IS NOT NULL"
        ).fetchall()
    }
    lines: list[np.ndarray] = []
    file_nos: list[np.ndarray] = []
    expected_start = 0
    for i, (path, (f, file_no)) in enumerate(zip(paths, items, strict=True)):
        n, lo, hi = spans.get(i, (0, expected_start, expected_start - 1))
        # the rows of each file, in file order, one block after another
        if lo != expected_start or hi - lo + 1 != n:
            return _give_up(con)
        rejected = np.array([r[1] for r in rejects if r[0] == path], dtype=np.int64)
        if i in with_bad_rows or len(rejected):
            # a bad row is reported with its line: number the good records by the file's lines
            found = _good_lines(f.path, data(path), n, rejected)
            if found is None:  # the file-by-file path reads it another way
                return _give_up(con)
            good = found
        else:  # no row of this file is reported: its records' order is all that is needed
            good = np.arange(2, n + 2, dtype=np.int64)
        expected_start = hi + 1
        lines.append(good)
        file_nos.append(np.full(n, file_no, dtype=np.int32))
    number = dict(zip(paths, (n for _, n in items), strict=True))
    _quarantine_rejects(con, [(number[r[0]], *r[1:]) for r in rejects])
    # each row's line, file and grid reference; row ``pos`` of ``checked_pos`` belongs to row
    # ``rowid`` of ``checked`` (a hash join on it runs on every core; a POSITIONAL JOIN on one)
    pts = con.execute("SELECT longitude, latitude FROM checked").fetchnumpy()
    lon = np.ma.filled(np.ma.asarray(pts["longitude"], dtype=np.float64), np.nan)
    lat = np.ma.filled(np.ma.asarray(pts["latitude"], dtype=np.float64), np.nan)
    easting, northing = geography.to_bng(lon, lat)
    con.register(
        "_pos_df",
        pd.DataFrame(
            {
                "pos": np.arange(len(easting), dtype=np.int64),
                "line": np.concatenate(lines),
                "file_no": np.concatenate(file_nos),
                "easting": easting,
                "northing": northing,
            }
        ),
    )
    con.execute("CREATE OR REPLACE TEMP TABLE checked_pos AS SELECT * FROM _pos_df")
    con.unregister("_pos_df")
    con.execute(
        """
        INSERT INTO bad (line, field, reason, raw, file_no)
        SELECT p.line, k.bad_field, k.reason, k.raw, p.file_no
        FROM checked k JOIN checked_pos p ON p.pos = k.rowid WHERE k.bad_field IS NOT NULL
        """
    )
    if strict and first_row(con, "SELECT 1 FROM bad LIMIT 1"):
        con.execute("DELETE FROM bad")
        return _give_up(con)
    _force_table(con, "checked", "falls_within")
    # A crime listed more than once in a file is numbered in file order. Find those few first:
    # rows whose key's hash repeats (a superset: a hash may collide), numbered by the key itself.
    repeat = _REPEAT_SQL.format(force="fo.force")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE checked_repeats AS
        WITH keyed AS (
            SELECT rowid AS row_id, file_index, repeat_hash FROM checked WHERE bad_field IS NULL
        ),
        repeated AS (
            SELECT file_index, repeat_hash FROM keyed GROUP BY ALL HAVING count(*) > 1
        ),
        candidates AS (SELECT row_id FROM keyed SEMI JOIN repeated USING (file_index, repeat_hash))
        SELECT p.pos, row_number() OVER (PARTITION BY p.file_no, {repeat} ORDER BY p.line) AS dup
        FROM checked k JOIN candidates c ON c.row_id = k.rowid
        JOIN checked_pos p ON p.pos = k.rowid
        LEFT JOIN ref_force fo ON fo.spelling IS NOT DISTINCT FROM k.falls_within
        """
    )
    columns = _staged_columns(
        "coalesce(d.dup, 1)",
        "fo.force",
        "CASE WHEN k.longitude IS NOT NULL THEN p.easting END",
        "CASE WHEN k.longitude IS NOT NULL THEN p.northing END",
        "p",
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP VIEW staged AS
        SELECT {columns}
        FROM checked k JOIN checked_pos p ON p.pos = k.rowid
        LEFT JOIN ref_force fo ON fo.spelling IS NOT DISTINCT FROM k.falls_within
        LEFT JOIN checked_repeats d ON d.pos = k.rowid
        LEFT JOIN ref_lsoa r ON r.lsoa_code = k.lsoa_code
        WHERE k.bad_field IS NULL
        """
    )
    return True


def _give_up(con: DuckDBPyConnection) -> bool:
    """Drop what :func:`stage_street_many` made; the files go one by one instead."""
    con.execute("DROP TABLE IF EXISTS checked; DROP TABLE IF EXISTS checked_pos")
    return False
