"""Metropolitan Police recorded-crime tables: one row per (major, minor category, area),
one column per month (``YYYYMM``) — the borough series (``BoroughName``) and the ward series
(``WardName``, ``WardCode``). Stored long in ``recorded_crime``."""

from __future__ import annotations

import re

import pandas as pd

from safercity.analytics.ingest.errors import FileProblem
from safercity.analytics.ingest.files import InputFile

MONTH_COLUMN = re.compile(r"^(19|20)\d\d(0[1-9]|1[0-2])$")


def parse_met(f: InputFile) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (long rows for ``recorded_crime``, bad cells with line/field/reason/raw)."""
    try:
        wide = pd.read_csv(f.path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise FileProblem(f.display, "the file is not UTF-8 text") from exc
    except pd.errors.ParserError as exc:
        raise FileProblem(f.display, f"cannot be read as CSV ({exc})") from exc
    months = [c for c in wide.columns if MONTH_COLUMN.match(c)]
    if not months:
        raise FileProblem(f.display, "line 1: no month columns (YYYYMM) in this table")
    if "WardName" in wide.columns:
        area_type, name_col = "ward", "WardName"
        code_col: str | None = "WardCode" if "WardCode" in wide.columns else None
    elif "BoroughName" in wide.columns:
        area_type, name_col, code_col = "borough", "BoroughName", None
    else:
        raise FileProblem(f.display, "line 1: no BoroughName or WardName column")
    wide["line"] = range(2, len(wide) + 2)
    ids = ["line", "MajorText", "MinorText", name_col] + ([code_col] if code_col else [])
    long = wide.melt(id_vars=ids, value_vars=months, var_name="field", value_name="value")
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
    return rows, bad_rows.sort_values(["line", "field"])
