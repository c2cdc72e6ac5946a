"""A local incident extract (a CSV from a force's or council's records system), described by a
small YAML mapping file.

Mapping file format (``format: safercity-extract/1``)::

    format: safercity-extract/1
    name: Westminster CAD extract          # optional, for the summary
    force: Metropolitan Police             # optional
    columns:                               # extract column for each field; only id, offence,
      id: URN                              # and a date are required
      occurred: Committed                  # exact date-time; or a window:
      occurred_from: From                  #   occurred_from + occurred_to
      occurred_to: To
      offence: Offence
      x: Easting                           # with crs (default EPSG:27700), or
      y: Northing
      longitude: Lon                       # longitude + latitude (WGS84)
      latitude: Lat
      location: Street
      victim_id: VictimRef
      victim_age: VictimAge
      victim_sex: VictimSex
      victim_home_area: VictimHomeLSOA     # an LSOA code or a local authority name
      suspect_age: SuspectAge
      domestic: DA                         # flags: Y/N, yes/no, true/false, 1/0
      alcohol: Alcohol
      hate: Hate
    crs: EPSG:27700                        # any flat CRS pyproj knows (EPSG:4326: x = lon)
    datetime_format: "%d/%m/%Y %H:%M"     # optional (strptime; %z for a UTC offset); default
                                           #   ISO 8601 or day first (see below)
    offences:                              # local offence -> police.uk category (optional;
      "Assault with injury": Violence and sexual offences   # police.uk names/slugs map themselves)
    resident_area: Westminster             # victim_resident = home area in this local authority

A victim is a resident when ``victim_home_area`` is an LSOA of ``resident_area`` or names it.
A mapping file with an unknown ``crs``, a bad ``datetime_format``, a ``resident_area`` that is
not a local authority in England and Wales, or an ``offences`` entry that is not a police.uk
category is refused whole, with a message naming the key.

Dates and times. Without ``datetime_format`` a date-time is read as ISO 8601
(``2017-07-13``, ``2017-07-13T23:30``, ``2017-07-13T23:30:00+01:00``) or else **day first**,
as an English force or council writes it: ``13/07/2017``, ``13-07-17``, ``13.07.2017``, with
an optional ``23:30`` or ``23:30:00``. ``07/13/2017`` is not a day-first date, so its row is set
aside rather than read month first; give ``datetime_format: "%m/%d/%Y"`` for a month-first
extract. The store holds UK local clock times without a zone: a time with a UTC offset is
converted to UK local time (GMT or BST). An empty ``occurred_to`` means the time is exact.

Rows set aside (quarantined with line, column and reason), the rest are kept: an empty or
repeated id; a missing, unreadable or implausible date-time (before 1990-01-01, or more than
31 days after today); a window that ends before it starts; an offence that is no police.uk
category; coordinates that are not numbers or lie outside the UK; an age that is not a whole
number from 0 to 120; a flag that is not yes/no; a row with the wrong number of columns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from duckdb import DuckDBPyConnection
from pyproj import CRS
from pyproj.exceptions import CRSError

from safercity.analytics import geography
from safercity.analytics.categories import normalise_category
from safercity.analytics.ingest.errors import FileProblem
from safercity.analytics.ingest.files import InputFile
from safercity.analytics.ingest.staging import create_empty, project_staged, stage_bad, stage_frame

FORMAT = "safercity-extract/1"
FIELDS = (
    "id",
    "occurred",
    "occurred_from",
    "occurred_to",
    "offence",
    "x",
    "y",
    "longitude",
    "latitude",
    "location",
    "victim_id",
    "victim_age",
    "victim_sex",
    "victim_home_area",
    "suspect_age",
    "domestic",
    "alcohol",
    "hate",
)
TRUE = {"y", "yes", "true", "1", "t"}
FALSE = {"n", "no", "false", "0", "f", ""}


def read_mapping(path: Path) -> dict[str, Any]:
    """Read and check a mapping file; errors name the file and the key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise FileProblem(str(path), f"cannot read the mapping file ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FileProblem(str(path), f"not a SaferCity extract mapping (format: {FORMAT})")
    cols = data.get("columns")
    if not isinstance(cols, dict):
        raise FileProblem(str(path), "columns: must map fields to extract columns")
    unknown = sorted(set(cols) - set(FIELDS))
    if unknown:
        raise FileProblem(str(path), f"columns: unknown field(s) {', '.join(unknown)}")
    for need in ("id", "offence"):
        if need not in cols:
            raise FileProblem(str(path), f"columns.{need}: required")
    if "occurred" not in cols and not {"occurred_from", "occurred_to"} <= set(cols):
        raise FileProblem(str(path), "columns: give occurred, or occurred_from and occurred_to")
    for key, check in _KEY_CHECKS.items():
        if data.get(key) is not None:
            try:
                data[key] = check(data[key])
            except ValueError as exc:
                raise FileProblem(str(path), f"{key}: {exc}") from exc
    return data


def _check_crs(value: Any) -> str:
    """The ``crs`` value, if pyproj knows it as a flat (two-coordinate) reference system."""
    try:
        crs = CRS.from_user_input(str(value))
    except CRSError as exc:
        raise ValueError(
            f"{value!r} is not a coordinate reference system (e.g. EPSG:27700)"
        ) from exc
    if crs.is_geocentric:
        raise ValueError(f"{value!r} is geocentric (x, y, z); give a projected or geographic one")
    return str(value)


def _check_datetime_format(value: Any) -> str:
    """The ``datetime_format`` value, if it is a strptime format pandas can use."""
    if not isinstance(value, str) or "%" not in value:
        raise ValueError(f'{value!r} is not a date-time format (e.g. "%d/%m/%Y %H:%M")')
    try:
        pd.to_datetime(pd.Series(["0"]), format=value, errors="coerce")
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a date-time format ({exc})") from exc
    return value


def _check_resident_area(value: Any) -> str:
    """The built-in local authority that ``resident_area`` names."""
    try:
        return geography.resolve_local_authority(str(value))
    except KeyError as exc:
        raise ValueError(exc.args[0]) from exc


def _check_offences(value: Any) -> dict[str, str]:
    """The ``offences`` map, if every local offence maps to a police.uk category."""
    if not isinstance(value, dict):
        raise ValueError("must map local offences to police.uk categories")
    for local, category in value.items():
        if normalise_category(str(category)) is None:
            raise ValueError(f"{local!r} maps to {category!r}, which is not a police.uk category")
    return value


_KEY_CHECKS: dict[str, Callable[[Any], Any]] = {
    "crs": _check_crs,
    "datetime_format": _check_datetime_format,
    "resident_area": _check_resident_area,
    "offences": _check_offences,
}


#: layouts tried, in turn, for a date-time that is not ISO 8601 when the mapping gives no
#: ``datetime_format``: day first, as an English force or council writes dates
DAY_FIRST = tuple(
    f"%d{sep}%m{sep}{year}{time}"
    for sep in "/-."
    for year in ("%Y", "%y")
    for time in ("", " %H:%M", " %H:%M:%S")
)
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}"
_UTC_OFFSET = r"\d:\d\d(?::\d\d(?:\.\d+)?)?\s*(?:Z|[+-]\d\d(?::?\d\d)?)$"
#: the store holds naive UK local times; a time with a UTC offset is converted to this zone
UK_ZONE = "Europe/London"
#: dates before this, or more than FUTURE_DAYS after today, are taken to be mistakes
EARLIEST = pd.Timestamp("1990-01-01")
FUTURE_DAYS = 31


class _Rows:
    """An extract's rows (as text) and, for each, the first problem found (field and reason)."""

    def __init__(self, frame: pd.DataFrame, cols: dict[str, str]) -> None:
        self.frame, self.cols = frame, cols
        self.good = np.ones(len(frame), dtype=bool)
        self.field = np.full(len(frame), None, dtype=object)
        self.reason = np.full(len(frame), None, dtype=object)

    def text(self, name: str) -> pd.Series:
        """The stripped text of the column mapped to field ``name``."""
        return self.frame[self.cols[name]].str.strip()

    def fail(self, mask: Any, name: str, why: Any) -> None:
        """Set aside the rows in ``mask`` not already set aside: field ``name``, reason ``why``
        (one text, or one per row)."""
        m = np.asarray(mask, dtype=bool) & self.good
        self.field[m] = self.cols.get(name, name)
        self.reason[m] = why if isinstance(why, str) else np.asarray(why, dtype=object)[m]
        self.good[m] = False


def _read_times(values: pd.Series, layout: str, aware: bool) -> pd.Series:
    t = pd.to_datetime(values, format=layout, errors="coerce", utc=aware)
    if aware:
        t = t.dt.tz_convert(UK_ZONE).dt.tz_localize(None)
    return t.astype("datetime64[us]")


def _parse_times(values: pd.Series, fmt: str | None) -> pd.Series:
    """Date-times as naive UK local times; NaT where a value is empty or does not parse.

    With ``fmt`` (the mapping's ``datetime_format``) only that layout is read; without it ISO 8601
    or a day-first layout (:data:`DAY_FIRST`), so ``07/13/2017`` does not parse. A time with a UTC
    offset is converted to UK local time."""
    v = values.str.strip()
    out = pd.Series(pd.NaT, index=v.index, dtype="datetime64[us]")
    if fmt:
        tries = [(v.ne(""), fmt, "%z" in fmt.lower())]
    else:
        iso, offset = v.str.match(_ISO_DATE), v.str.contains(_UTC_OFFSET)
        tries = [(iso & offset, "ISO8601", True), (iso & ~offset, "ISO8601", False)]
        tries += [(v.ne("") & ~iso, layout, False) for layout in DAY_FIRST]
    for mask, layout, aware in tries:
        todo = mask & out.isna()
        if todo.any():
            out.loc[todo] = _read_times(v[todo], layout, aware)
    return out


def _checked_times(rows: _Rows, name: str, fmt: str | None, *, required: bool) -> pd.Series:
    """Field ``name`` as times; rows with a missing (where ``required``), unparseable or
    implausible one are set aside."""
    raw = rows.text(name)
    t = _parse_times(raw, fmt)
    if required:
        rows.fail(raw.eq(""), name, "no date-time")
    expected = f"expected {fmt}" if fmt else "expected ISO 8601 or day first, e.g. 13/07/2017"
    rows.fail(
        raw.ne("") & t.isna(), name, "unparseable date-time " + raw.map(repr) + f" ({expected})"
    )
    latest = pd.Timestamp.now().normalize() + pd.Timedelta(days=FUTURE_DAYS + 1)
    day = "implausible date " + t.dt.strftime("%Y-%m-%d")
    rows.fail(t < EARLIEST, name, day + f" (before {EARLIEST:%Y-%m-%d})")
    rows.fail(t >= latest, name, day + f" (more than {FUTURE_DAYS} days after today)")
    return t


def _stage_times(rows: _Rows, out: pd.DataFrame, fmt: str | None) -> None:
    if "occurred" in rows.cols:
        t0 = t1 = _checked_times(rows, "occurred", fmt, required=True)
    else:
        t0 = _checked_times(rows, "occurred_from", fmt, required=True)
        t1 = _checked_times(rows, "occurred_to", fmt, required=False).fillna(t0)
        rows.fail(t1 < t0, "occurred_to", "window ends before it starts")
    out["occurred_from"], out["occurred_to"] = t0, t1
    out["month"] = t0.dt.to_period("M").dt.start_time.dt.date


def _stage_offences(rows: _Rows, out: pd.DataFrame, offences: dict[str, str] | None) -> None:
    offmap = {str(k).strip().lower(): v for k, v in (offences or {}).items()}
    offence = rows.text("offence")

    def category_of(text: str) -> str | None:
        return normalise_category(str(offmap.get(text.lower(), text)))

    cat = offence.map(category_of)
    rows.fail(cat.isna(), "offence", "unknown offence " + offence.map(repr))
    out["offence"], out["category"] = offence, cat


def _coordinates(rows: _Rows, a: str, b: str) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Fields ``a`` and ``b`` as numbers (NaN where empty), and the text shown for the pair
    (empty where neither is given); rows with only one, or one not a number, are set aside."""
    ta, tb = rows.text(a), rows.text(b)
    va = pd.to_numeric(ta.where(ta.ne("")), errors="coerce").to_numpy(dtype=float)
    vb = pd.to_numeric(tb.where(tb.ne("")), errors="coerce").to_numpy(dtype=float)
    given = ta.ne("") | tb.ne("")
    rows.fail(given & (np.isnan(va) | np.isnan(vb)), a, "unparseable coordinates")
    return va, vb, ("(" + ta + ", " + tb + ")").where(given, "")


def _in_bng_box(e: np.ndarray, n: np.ndarray) -> np.ndarray:
    x0, y0, x1, y1 = geography.UK_BNG_BOUNDS
    return (e >= x0) & (e <= x1) & (n >= y0) & (n <= y1)


def _stage_place(rows: _Rows, out: pd.DataFrame, crs: str) -> None:
    """Coordinates: x/y in ``crs`` or longitude/latitude; rows outside the UK are set aside."""
    if "x" in rows.cols and "y" in rows.cols:
        name = "x"
        x, y, shown = _coordinates(rows, "x", "y")
        with np.errstate(invalid="ignore", over="ignore"):
            e, n = geography.project(x, y, crs)
            lon, lat = geography.from_bng(e, n)
        inside = _in_bng_box(e, n) & geography.in_uk(lon, lat)
        out["easting"], out["northing"] = e, n
    elif "longitude" in rows.cols and "latitude" in rows.cols:
        name = "longitude"
        lon, lat, shown = _coordinates(rows, "longitude", "latitude")
        inside = geography.in_uk(lon, lat)
    else:
        return
    out["longitude"], out["latitude"] = lon, lat
    rows.fail(shown.ne("") & ~inside, name, "coordinates outside the UK " + shown)


def _stage_people(rows: _Rows, out: pd.DataFrame, resident_area: str | None) -> None:
    """People fields, ages and flags; ``victim_resident`` where the mapping gives the area."""
    for name in ("location", "victim_id", "victim_sex", "victim_home_area"):
        if name in rows.cols:
            raw = rows.text(name)
            out[name] = raw.where(raw.ne(""), None)
    for name in ("victim_age", "suspect_age"):
        if name in rows.cols:
            raw = rows.text(name)
            age = pd.to_numeric(raw.where(raw.ne("")), errors="coerce")
            whole = age.between(0, 120) & age.mod(1).eq(0)
            rows.fail(raw.ne("") & ~whole, name, "age must be a whole number from 0 to 120")
            out[name] = age.where(whole).astype("Int64")
    for name in ("domestic", "alcohol", "hate"):
        if name in rows.cols:
            raw = rows.text(name).str.lower()
            rows.fail(~raw.isin(TRUE | FALSE), name, "flag is not yes/no")
            out[f"flag_{name}"] = raw.isin(TRUE)
    if resident_area and "victim_home_area" in out:
        lsoas = set(geography.lsoas_of_local_authority(resident_area)["lsoa_code"])
        home = out["victim_home_area"]
        out["victim_resident"] = home.map(
            lambda h: (
                None
                if not isinstance(h, str)
                else (h in lsoas or h.lower() == resident_area.lower())
            )
        )


def _read_rows(f: InputFile, cols: dict[str, str]) -> tuple[pd.DataFrame, list[int], pd.DataFrame]:
    """The extract's rows as text, their lines, and the rows with the wrong number of columns."""
    try:
        text = f.path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileProblem(f.display, "the file is not UTF-8 text") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header:
            raise FileProblem(f.display, "the file is empty")
        missing = [f"{k} ({v})" for k, v in cols.items() if v not in header]
        if missing:
            raise FileProblem(f.display, f"line 1: missing column(s) {', '.join(missing)}")
        rows: list[list[str]] = []
        lines: list[int] = []
        bad: dict[str, list[Any]] = {"line": [], "field": [], "reason": [], "raw": []}
        start = reader.line_num + 1
        for row in reader:
            if row and len(row) != len(header):
                bad["line"].append(start)
                bad["field"].append("")
                bad["reason"].append(f"wrong column count: {len(row)} for {len(header)}")
                bad["raw"].append(",".join(row)[:2000])
            elif row:
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FileProblem(
            f.display, f"line {reader.line_num}: not readable as CSV ({exc})"
        ) from exc
    return pd.DataFrame(rows, columns=header, dtype=str), lines, pd.DataFrame(bad)


def stage_extract(con: DuckDBPyConnection, f: InputFile, mapping: dict[str, Any]) -> None:
    """Stage an extract (see :mod:`safercity.analytics.ingest.staging`): good rows in
    ``staged``, the rest in ``bad`` with the column and reason of their first problem."""
    cols: dict[str, str] = mapping["columns"]
    frame, lines, ragged = _read_rows(f, cols)
    rows = _Rows(frame, cols)
    out = pd.DataFrame({"line": lines})
    ids = rows.text("id")
    rows.fail(ids.eq(""), "id", "empty id")
    rows.fail(ids.duplicated(keep="first") & ids.ne(""), "id", "duplicate id")
    out["crime_id"] = ids
    out["incident_key"] = "local:" + str(mapping.get("name") or f.path.name) + ":" + ids
    _stage_times(rows, out, mapping.get("datetime_format"))
    _stage_offences(rows, out, mapping.get("offences"))
    _stage_place(rows, out, str(mapping.get("crs") or "EPSG:27700"))
    _stage_people(rows, out, mapping.get("resident_area"))
    out["force"] = mapping.get("force")
    out["source_kind"] = "local_extract"
    bad = ~rows.good
    badf = pd.DataFrame(
        {
            "line": out["line"][bad],
            "field": rows.field[bad],
            "reason": rows.reason[bad],
            "raw": [",".join(frame.iloc[i])[:2000] for i in np.flatnonzero(bad)],
        }
    )
    create_empty(con)
    stage_frame(con, out[rows.good])
    stage_bad(con, pd.concat([ragged, badf]) if len(ragged) else badf)
    project_staged(con, locate_lsoa=True)
