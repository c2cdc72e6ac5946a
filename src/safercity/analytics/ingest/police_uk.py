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
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from duckdb import DuckDBPyConnection

from safercity.analytics import geography
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
    """Read ``f`` into temp table ``raw`` (all text, with ``line``) and its rejects into ``bad``."""
    con.execute("DROP TABLE IF EXISTS rej; DROP TABLE IF EXISTS rej_scan")
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE raw0 AS SELECT * FROM read_csv(?, header=true, "
            "all_varchar=true, store_rejects=true, rejects_table='rej', rejects_scan='rej_scan', "
            "parallel=false, auto_detect=true, delim=',', quote='\"', escape='\"')",
            [str(f.path)],
        )
    except Exception as exc:  # duckdb raises its own Error subclasses
        raise FileProblem(f.display, f"cannot be read as CSV ({str(exc).splitlines()[0]})") from exc
    cols = [r[0] for r in con.execute("DESCRIBE raw0").fetchall()]
    missing = [c for c in expected if c not in cols]
    if missing:
        raise FileProblem(f.display, f"line 1: missing column(s) {', '.join(missing)}")
    rejects = con.execute(
        "SELECT line, min(error_type), min(column_name), min(csv_line), min(error_message) "
        "FROM rej GROUP BY line ORDER BY line"
    ).fetchall()
    enc = [r for r in rejects if r[1] == "INVALID ENCODING"]
    if enc and len(enc) * 2 >= len(rejects):
        raise FileProblem(
            f.display,
            f"line {enc[0][0]}: the file is not UTF-8 text (save it as UTF-8 CSV and try again)",
        )
    n_good = first_row(con, "SELECT count(*) FROM raw0")[0]  # type: ignore[index]
    rejected_lines = np.array([r[0] for r in rejects], dtype=np.int64)
    lines = _good_lines(f.path, n_good, rejected_lines)
    con.register("_lines_df", pd.DataFrame({"line": lines}))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE raw AS "
        f"SELECT *, {int(file_no)}::INTEGER AS file_no FROM raw0 POSITIONAL JOIN _lines_df"
    )
    con.unregister("_lines_df")
    con.execute("DROP TABLE raw0")
    _quarantine_rejects(con, [(file_no, *r) for r in rejects])


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
    }.get(kind, f"{kind.lower()}: {message}")


def _good_lines(path: Path, n_good: int, rejected: np.ndarray) -> np.ndarray:
    """Line numbers of the good records, in order.

    Fast path: one record per physical line (police.uk files are), so the good records are the
    data lines less the rejected ones. If the counts disagree (quoted newlines, blank lines),
    count records with the csv module, which tracks physical lines exactly.
    """
    data = np.fromfile(path, dtype=np.uint8)
    n_lines = int(np.count_nonzero(data == 10))
    if len(data) and data[-1] != 10:
        n_lines += 1
    all_lines = np.arange(2, n_lines + 1, dtype=np.int64)
    good = np.setdiff1d(all_lines, rejected, assume_unique=False)
    if len(good) == n_good:
        return good
    starts: list[int] = []
    with path.open(newline="", encoding="utf-8", errors="replace") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        start = reader.line_num + 1
        for row in reader:
            if row:
                starts.append(start)
            start = reader.line_num + 1
    arr = np.setdiff1d(np.array(starts, dtype=np.int64), rejected)
    if len(arr) != n_good:  # pragma: no cover - defensive: never guess a line number
        return np.full(n_good, -1, dtype=np.int64)
    return arr


def _raw_json(columns: tuple[str, ...], alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    fields = ", ".join(f'"{c}" := {prefix}"{c}"' for c in columns)
    return f"to_json(struct_pack({fields}))::VARCHAR"


def _force_table(con: DuckDBPyConnection, column: str) -> None:
    """``ref_force``: each distinct force spelling in ``raw`` -> the lookup's short name."""
    names = [r[0] for r in con.execute(f'SELECT DISTINCT "{column}" FROM raw').fetchall()]
    con.register(
        "_force_df",
        pd.DataFrame({"spelling": names, "force": [normalise_force(n) for n in names]}),
    )
    con.execute("CREATE OR REPLACE TEMP TABLE ref_force AS SELECT * FROM _force_df")
    con.unregister("_force_df")


def _quarantine_checked(con: DuckDBPyConnection, columns: tuple[str, ...]) -> None:
    """Bad rows of ``checked`` into ``bad``, with the row's fields as JSON (bad rows only)."""
    con.execute(
        f"""
        INSERT INTO bad (line, field, reason, raw, file_no)
        SELECT k.line, k.bad_field,
               CASE k.bad_field
                 WHEN 'Month' THEN 'unparseable month '
                      || coalesce('"' || k.month_text || '"', '(empty)') || ' (expected YYYY-MM)'
                 WHEN 'Crime type' THEN 'unknown category "' || coalesce(k.offence, '') || '"'
                 ELSE CASE WHEN k.longitude IS NOT NULL AND k.latitude IS NOT NULL
                      THEN 'coordinates outside the UK (' || k.longitude::VARCHAR || ', '
                           || k.latitude::VARCHAR || ')'
                      ELSE 'unparseable or incomplete coordinates' END
               END,
               {_raw_json(columns, "r")}, k.file_no
        FROM checked k JOIN raw r ON r.line = k.line AND r.file_no = k.file_no
        WHERE k.bad_field IS NOT NULL
        """
    )


def stage_street(con: DuckDBPyConnection, f: InputFile, file_no: int = 0) -> None:
    """Append a police.uk street-level crime CSV to ``staged`` (created by the first file of a
    batch, with only the columns police.uk files have) and ``bad`` (call
    :func:`~safercity.analytics.ingest.staging.create_empty` with ``staged=False`` first)."""
    read_raw(con, f, STREET_COLUMNS, file_no)
    _stage_street_raw(con)


def _stage_street_raw(con: DuckDBPyConnection) -> None:
    """``raw`` (the files' text columns plus ``line`` and ``file_no``) -> ``staged`` and ``bad``."""
    _force_table(con, "Falls within")
    x0, y0, x1, y1 = geography.UK_LONLAT_BOUNDS
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE checked AS
        WITH parsed AS (
            SELECT r.line, r.file_no,
                   nullif(trim(r."Crime ID"), '') AS crime_id,
                   TRY_STRPTIME(trim(r."Month"), '%Y-%m')::DATE AS month,
                   r."Month" AS month_text,
                   fo.force,
                   TRY_CAST(nullif(trim(r."Longitude"), '') AS DOUBLE) AS longitude,
                   TRY_CAST(nullif(trim(r."Latitude"), '') AS DOUBLE) AS latitude,
                   nullif(trim(r."Longitude"), '') IS NOT NULL AS has_lon,
                   nullif(trim(r."Latitude"), '') IS NOT NULL AS has_lat,
                   nullif(r."Location", '') AS location,
                   nullif(trim(r."LSOA code"), '') AS lsoa_code,
                   nullif(trim(r."LSOA name"), '') AS lsoa_name,
                   c.name AS category,
                   r."Crime type" AS offence,
                   nullif(r."Last outcome category", '') AS outcome,
                   nullif(r."Context", '') AS context
            FROM raw r
            LEFT JOIN ref_category c ON c.key = lower(trim(r."Crime type"))
            LEFT JOIN ref_force fo ON fo.spelling IS NOT DISTINCT FROM r."Falls within"
        )
        SELECT *,
               CASE
                 WHEN month IS NULL THEN 'Month'
                 WHEN category IS NULL THEN 'Crime type'
                 WHEN has_lon AND longitude IS NULL THEN 'Longitude'
                 WHEN has_lat AND latitude IS NULL THEN 'Latitude'
                 WHEN has_lon <> has_lat THEN CASE WHEN has_lon THEN 'Latitude' ELSE 'Longitude' END
                 WHEN longitude IS NOT NULL AND NOT (longitude BETWEEN {x0} AND {x1}
                      AND latitude BETWEEN {y0} AND {y1}) THEN 'Longitude'
               END AS bad_field
        FROM parsed
        """
    )
    _quarantine_checked(con, STREET_COLUMNS)
    good = con.execute(
        "SELECT file_no, line, longitude, latitude FROM checked WHERE bad_field IS NULL "
        "AND longitude IS NOT NULL"
    ).fetchnumpy()
    e, n = geography.to_bng(
        np.asarray(good["longitude"], dtype=np.float64),
        np.asarray(good["latitude"], dtype=np.float64),
    )
    con.register(
        "_bng_df",
        pd.DataFrame({"file_no": good["file_no"], "line": good["line"], "e": e, "n": n}),
    )
    # Only the columns a police.uk file has: DuckDB pays dearly for inserting NULL columns.
    select = """
        SELECT
            CASE WHEN k.crime_id IS NOT NULL
                 THEN 'crime:' || k.crime_id || CASE WHEN k.dup > 1 THEN ':' || k.dup::VARCHAR ELSE '' END
                 ELSE 'asb:' || md5(concat_ws('|', k.force, k.month, k.longitude, k.latitude,
                          k.location, k.lsoa_code, k.category)) || ':' || k.dup::VARCHAR
            END AS incident_key,
            k.crime_id, 'police_uk_street' AS source_kind, coalesce(k.force, r.force) AS force,
            k.month, k.category, k.offence, k.longitude, k.latitude, b.e AS easting,
            b.n AS northing, k.location, 'Force' AS location_type, k.lsoa_code,
            coalesce(k.lsoa_name, r.lsoa_name) AS lsoa_name, r.local_authority, k.outcome,
            k.context, k.line, k.file_no
        FROM (
            SELECT *, row_number() OVER (
                PARTITION BY file_no, crime_id,
                    CASE WHEN crime_id IS NULL THEN concat_ws('|', force, month, longitude,
                         latitude, location, lsoa_code, category) END
                ORDER BY line) AS dup
            FROM checked WHERE bad_field IS NULL
        ) k
        LEFT JOIN _bng_df b ON b.line = k.line AND b.file_no = k.file_no
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
    con.execute("DROP TABLE checked; DROP TABLE raw; DROP TABLE ref_force")


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
               "Month" AS month_text, {_raw_json(OUTCOME_COLUMNS)} AS raw
        FROM raw ORDER BY line
        """
    ).df()
    bad = frame["month"].isna()
    _bad_rows(con, frame[bad], "Month", "unparseable month (expected YYYY-MM)")
    con.execute("DROP TABLE raw")
    return _without(frame[~bad], "month_text", "raw", "line")


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
               "Outcome" AS outcome, {_raw_json(STOP_SEARCH_COLUMNS)} AS raw
        FROM raw ORDER BY line
        """
    ).df()
    bad = frame["occurred_at"].isna()
    _bad_rows(con, frame[bad], "Date", "unparseable date-time")
    con.execute("DROP TABLE raw")
    out = _without(frame[~bad], "raw", "line")
    return out


def _without(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    # column selection, not DataFrame.drop, which warns inside pandas 3.1
    return frame[[c for c in frame.columns if c not in columns]].copy()


def _bad_rows(con: DuckDBPyConnection, rows: pd.DataFrame, field: str, reason: str) -> None:
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


def stage_street_many(con: DuckDBPyConnection, items: list[tuple[InputFile, int]]) -> bool:
    """Stage several street CSVs (each with its ``file_no``) with one set of statements.

    DuckDB's fixed cost per statement (tens of milliseconds) dominates for monthly files of a few
    tens of thousands of rows, so a batch is read and checked in one go. Returns False, having
    staged nothing, when any file is unusual (a header other than police.uk's, text that is not
    UTF-8, records that do not line up with the file's lines): the caller then stages the files
    one by one, which reports each file's own problem.
    """
    header = ",".join(STREET_COLUMNS).encode()
    for f, _ in items:
        with f.path.open("rb") as fh:
            first = fh.readline().rstrip(b"\r\n").removeprefix(b"\xef\xbb\xbf")
        if first != header:
            return False
    con.execute("DROP TABLE IF EXISTS rej; DROP TABLE IF EXISTS rej_scan")
    paths = [str(f.path) for f, _ in items]
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE raw0 AS SELECT * FROM read_csv(?, header=true, "
            "all_varchar=true, store_rejects=true, rejects_table='rej', rejects_scan='rej_scan', "
            "parallel=false, auto_detect=true, delim=',', quote='\"', escape='\"', filename=true)",
            [paths],
        )
    except Exception:  # duckdb's own errors: let the per-file path say what is wrong
        return False
    rejects = con.execute(
        "SELECT s.file_path, e.line, min(e.error_type), min(e.column_name), min(e.csv_line), "
        "min(e.error_message) FROM rej e JOIN rej_scan s "
        "ON e.scan_id = s.scan_id AND e.file_id = s.file_id GROUP BY ALL ORDER BY 1, 2"
    ).fetchall()
    spans = {
        r[0]: (int(r[1]), int(r[2]), int(r[3]))
        for r in con.execute(
            "SELECT filename, count(*), min(rowid), max(rowid) FROM raw0 GROUP BY filename"
        ).fetchall()
    }
    if any(r[2] == "INVALID ENCODING" for r in rejects):
        con.execute("DROP TABLE raw0")
        return False
    lines: list[np.ndarray] = []
    file_nos: list[np.ndarray] = []
    expected_start = 0
    for path, (f, file_no) in zip(paths, items, strict=True):
        n, lo, hi = spans.get(path, (0, expected_start, expected_start - 1))
        rejected = np.array([r[1] for r in rejects if r[0] == path], dtype=np.int64)
        good = _good_lines(f.path, n, rejected)
        # the rows of each file, in file order, one block after another
        if lo != expected_start or hi - lo + 1 != n or len(good) != n or (n and good[0] < 0):
            con.execute("DROP TABLE raw0")
            return False
        expected_start = hi + 1
        lines.append(good)
        file_nos.append(np.full(n, file_no, dtype=np.int32))
    con.register(
        "_lines_df",
        pd.DataFrame({"line": np.concatenate(lines), "file_no": np.concatenate(file_nos)}),
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE raw AS SELECT * EXCLUDE (filename) FROM raw0 "
        "POSITIONAL JOIN _lines_df"
    )
    con.unregister("_lines_df")
    con.execute("DROP TABLE raw0")
    number = dict(zip(paths, (n for _, n in items), strict=True))
    _quarantine_rejects(con, [(number[r[0]], *r[1:]) for r in rejects])
    _stage_street_raw(con)
    return True
