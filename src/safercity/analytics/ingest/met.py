"""Metropolitan Police recorded-crime tables: one row per (major, minor category, area),
one column per month (``YYYYMM``) — the borough series (``BoroughName``) and the ward series
(``WardName``, ``WardCode``). Stored long in ``recorded_crime``.

A row with more or fewer fields than the header, or one listing an area and categories already
listed, is set aside whole (its counts would be misplaced or counted twice); a count that is not
a whole number ≥ 0 is set aside alone."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd

from safercity.analytics.ingest.errors import FileProblem
from safercity.analytics.ingest.files import InputFile

MONTH_COLUMN = re.compile(r"^(19|20)\d\d(0[1-9]|1[0-2])$")

Record = tuple[int, list[str]]


def _read_records(f: InputFile) -> tuple[list[str], list[Record]]:
    """The header and each data record with the line it starts on (blank lines skipped)."""
    data = f.path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileProblem(
            f.display,
            f"line {line}: the file is not UTF-8 text (save it as UTF-8 CSV and try again)",
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[Record] = []
    start = 1
    try:
        for fields in reader:
            line, start = start, reader.line_num + 1
            if fields:
                records.append((line, fields))
    except csv.Error as exc:
        raise FileProblem(f.display, f"line {start}: cannot be read as CSV ({exc})") from exc
    if not records:
        raise FileProblem(f.display, "the file is empty")
    (_, header), body = records[0], records[1:]
    header = [h.strip() for h in header]
    twice = sorted({h for h in header if header.count(h) > 1})
    if twice:
        raise FileProblem(f.display, f'line 1: column "{twice[0]}" appears more than once')
    return header, body


def _set_aside(
    body: list[Record], header: list[str], key_cols: list[str]
) -> tuple[list[Record], list[tuple[int, str, str]]]:
    """Split records into those to use and (line, reason, raw) for the rest: a wrong field count,
    or an area and categories listed before (the first listing is used)."""
    width = len(header)
    key_at = [header.index(c) for c in key_cols]
    seen: dict[tuple[str, ...], tuple[int, list[str]]] = {}
    keep: list[Record] = []
    bad: list[tuple[int, str, str]] = []
    for line, fields in body:
        raw = ",".join(fields)[:2000]
        if len(fields) != width:
            more = "too many" if len(fields) > width else "too few"
            bad.append(
                (
                    line,
                    f"wrong column count: {more} fields ({len(fields)}, the header has {width})",
                    raw,
                )
            )
            continue
        values = [v.strip() for v in fields]
        key = tuple(values[i] for i in key_at)
        if key in seen:
            first, first_values = seen[key]
            why = (
                f"listed twice (same as line {first})"
                if values == first_values
                else f"listed twice with different counts (line {first} is used)"
            )
            bad.append((line, f"{' / '.join(key)}: {why}", raw))
            continue
        seen[key] = (line, values)
        keep.append((line, fields))
    return keep, bad


_KNOWN = {c.lower(): c for c in ("MajorText", "MinorText", "BoroughName", "WardName", "WardCode")}


def parse_met(f: InputFile) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (long rows for ``recorded_crime``, bad rows and cells with line/field/reason/raw)."""
    header, body = _read_records(f)
    # the columns are known by name in any case ("majortext" as well as "MajorText")
    header = [_KNOWN.get(c.strip().lower(), c) for c in header]
    months = [c for c in header if MONTH_COLUMN.match(c)]
    if not months:
        raise FileProblem(f.display, "line 1: no month columns (YYYYMM) in this table")
    for column in ("MajorText", "MinorText"):
        if column not in header:
            raise FileProblem(f.display, f"line 1: no {column} column")
    if "WardName" in header:
        area_type, name_col = "ward", "WardName"
        code_col: str | None = "WardCode" if "WardCode" in header else None
    elif "BoroughName" in header:
        area_type, name_col, code_col = "borough", "BoroughName", None
    else:
        raise FileProblem(f.display, "line 1: no BoroughName or WardName column")
    ids = ["MajorText", "MinorText", name_col] + ([code_col] if code_col else [])
    keep, set_aside = _set_aside(body, header, ids)
    wide = pd.DataFrame([fields for _, fields in keep], columns=header, dtype=str)
    wide["line"] = [line for line, _ in keep]
    long = wide.melt(
        id_vars=["line", *ids], value_vars=months, var_name="field", value_name="value"
    )
    value = pd.to_numeric(long["value"].str.replace(",", "").str.strip(), errors="coerce")
    ok = value.notna() & (value >= 0) & (value == value.round())
    bad = long[~ok]
    bad_rows = pd.DataFrame(
        {
            "line": bad["line"],
            "field": bad["field"],
            "reason": "count is not a whole number ≥ 0: " + bad["value"].map(repr),
            "raw": bad["MajorText"] + "," + bad["MinorText"] + "," + bad[name_col],
        }
    )
    whole_rows = pd.DataFrame(set_aside, columns=["line", "reason", "raw"]).assign(field="")
    good = long[ok]
    rows = pd.DataFrame(
        {
            "area_type": area_type,
            "area_code": good[code_col] if code_col else None,
            "area_name": good[name_col].str.strip(),
            "major_category": good["MajorText"].str.strip(),
            "minor_category": good["MinorText"].str.strip(),
            "month": pd.to_datetime(good["field"], format="%Y%m").dt.date,
            "count": value[ok].astype("int64"),
        }
    )
    bad_all = pd.concat([bad_rows, whole_rows[list(bad_rows.columns)]], ignore_index=True)
    return rows, bad_all.sort_values(["line", "field"], ignore_index=True)
