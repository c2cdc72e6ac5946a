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
    crs: EPSG:27700
    datetime_format: "%d/%m/%Y %H:%M"     # optional; default ISO 8601 or day-first
    offences:                              # local offence -> police.uk category (optional;
      "Assault with injury": Violence and sexual offences   # police.uk names/slugs map themselves)
    resident_area: Westminster             # victim_resident = home area in this local authority

A victim is a resident when ``victim_home_area`` is an LSOA of ``resident_area`` or names it.
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


def _parse_times(values: pd.Series, fmt: str | None) -> pd.Series:
    v = values.str.strip().replace("", None)
    if fmt:
        return pd.to_datetime(v, format=fmt, errors="coerce")
    out = pd.to_datetime(v, format="ISO8601", errors="coerce")
    rest = out.isna() & v.notna()
    if rest.any():
        out[rest] = pd.to_datetime(v[rest], dayfirst=True, errors="coerce", format="mixed")
    return out


def stage_extract(con: DuckDBPyConnection, f: InputFile, mapping: dict[str, Any]) -> None:
    cols: dict[str, str] = mapping["columns"]
    try:
        text = f.path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileProblem(f.display, "the file is not UTF-8 text") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
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
    frame = pd.DataFrame(rows, columns=header, dtype=str)
    frame["line"] = lines
    good = np.ones(len(frame), dtype=bool)
    reason = np.full(len(frame), None, dtype=object)
    field = np.full(len(frame), None, dtype=object)

    def fail(mask: np.ndarray, fld: str, why: str | pd.Series) -> None:
        m = mask & good
        field[m] = cols.get(fld, fld)
        reason[m] = why[m] if isinstance(why, pd.Series) else why
        good[m] = False

    out = pd.DataFrame({"line": frame["line"]})
    ids = frame[cols["id"]].str.strip()
    fail((ids == "").to_numpy(), "id", "empty id")
    dup = ids.duplicated(keep="first").to_numpy() & (ids != "").to_numpy()
    fail(dup, "id", "duplicate id")
    out["crime_id"] = ids
    out["incident_key"] = "local:" + str(mapping.get("name") or f.path.name) + ":" + ids
    fmt = mapping.get("datetime_format")
    if "occurred" in cols:
        t = _parse_times(frame[cols["occurred"]], fmt)
        fail(t.isna().to_numpy(), "occurred", "unparseable date-time")
        out["occurred_from"], out["occurred_to"] = t, t
    else:
        t0 = _parse_times(frame[cols["occurred_from"]], fmt)
        t1 = _parse_times(frame[cols["occurred_to"]], fmt)
        t1 = t1.fillna(t0)
        fail(t0.isna().to_numpy(), "occurred_from", "unparseable date-time")
        fail((t1 < t0).to_numpy(), "occurred_to", "window ends before it starts")
        out["occurred_from"], out["occurred_to"] = t0, t1
    out["month"] = out["occurred_from"].dt.to_period("M").dt.start_time.dt.date
    offmap = {str(k).strip().lower(): v for k, v in (mapping.get("offences") or {}).items()}
    offence = frame[cols["offence"]].str.strip()

    def category_of(text: str) -> str | None:
        return normalise_category(str(offmap.get(text.lower(), text)))

    cat = offence.map(category_of)
    fail(cat.isna().to_numpy(), "offence", "unknown offence " + offence.map(repr))
    out["offence"], out["category"] = offence, cat
    if "x" in cols and "y" in cols:
        x = pd.to_numeric(frame[cols["x"]].str.strip().replace("", None), errors="coerce")
        y = pd.to_numeric(frame[cols["y"]].str.strip().replace("", None), errors="coerce")
        given = frame[cols["x"]].str.strip().ne("") | frame[cols["y"]].str.strip().ne("")
        fail((given & (x.isna() | y.isna())).to_numpy(), "x", "unparseable coordinates")
        e, n = geography.project(
            x.to_numpy(dtype=float), y.to_numpy(dtype=float), str(mapping.get("crs", "EPSG:27700"))
        )
        lon, lat = geography.from_bng(e, n)
        out["easting"], out["northing"] = e, n
        out["longitude"], out["latitude"] = lon, lat
    elif "longitude" in cols and "latitude" in cols:
        lon_s = pd.to_numeric(
            frame[cols["longitude"]].str.strip().replace("", None), errors="coerce"
        )
        lat_s = pd.to_numeric(
            frame[cols["latitude"]].str.strip().replace("", None), errors="coerce"
        )
        given = frame[cols["longitude"]].str.strip().ne("")
        fail(
            (given & (lon_s.isna() | lat_s.isna())).to_numpy(),
            "longitude",
            "unparseable coordinates",
        )
        out["longitude"], out["latitude"] = lon_s.to_numpy(float), lat_s.to_numpy(float)
    if "longitude" in out:
        lon_a, lat_a = out["longitude"].to_numpy(float), out["latitude"].to_numpy(float)
        outside = np.isfinite(lon_a) & ~geography.in_uk(lon_a, lat_a)
        fail(outside, "longitude" if "longitude" in cols else "x", "coordinates outside the UK")
    for name in ("location", "victim_id", "victim_sex", "victim_home_area"):
        if name in cols:
            out[name] = frame[cols[name]].str.strip().replace("", None)
    for name in ("victim_age", "suspect_age"):
        if name in cols:
            raw = frame[cols[name]].str.strip()
            age = pd.to_numeric(raw.replace("", None), errors="coerce")
            fail(
                ((raw != "") & (age.isna() | (age < 0) | (age > 120))).to_numpy(),
                name,
                "age is not a number from 0 to 120",
            )
            out[name] = age.astype("Int64")
    for name in ("domestic", "alcohol", "hate"):
        if name in cols:
            raw = frame[cols[name]].str.strip().str.lower()
            fail((~raw.isin(TRUE | FALSE)).to_numpy(), name, "flag is not yes/no")
            out[f"flag_{name}"] = raw.isin(TRUE)
    if mapping.get("resident_area") and "victim_home_area" in out:
        la = str(mapping["resident_area"])  # resolved by read_mapping
        lsoas = set(geography.lsoas_of_local_authority(la)["lsoa_code"])
        home = out["victim_home_area"]
        out["victim_resident"] = home.map(
            lambda h: None if not isinstance(h, str) else (h in lsoas or h.lower() == la.lower())
        )
    out["force"] = mapping.get("force")
    out["source_kind"] = "local_extract"
    badf = pd.DataFrame(
        {
            "line": frame["line"][~good],
            "field": field[~good],
            "reason": reason[~good],
            "raw": [",".join(rows[i])[:2000] for i in np.flatnonzero(~good)],
        }
    )
    create_empty(con)
    stage_frame(con, out[good])
    stage_bad(con, pd.concat([pd.DataFrame(bad), badf]) if bad["line"] else badf)
    project_staged(con, locate_lsoa=True)
