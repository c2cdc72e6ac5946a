"""police.uk API JSON (``crimes-street`` responses).

Each record: ``category`` (a slug), ``location`` {latitude, longitude, street {id, name}},
``month``, ``outcome_status`` {category, date} or null, ``persistent_id`` (the same hash as the
CSVs' Crime ID; empty for anti-social behaviour), ``id`` (the API's own number),
``location_type`` (``Force`` or ``BTP``), ``context``.

The same record arrives in several files when polygons overlap (adjacent wards): its key is
``api:<id>``, so it is stored once. (One ``persistent_id`` can carry several API records in a
month, as one Crime ID can carry several CSV rows; police.uk counts each, and so do we.)
API records carry no LSOA: each gets one from its point and the built-in boundaries.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from safercity.analytics import geography
from safercity.analytics.categories import normalise_category
from safercity.analytics.ingest.errors import FileProblem
from safercity.analytics.ingest.files import InputFile


def _num(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if np.isfinite(out) else None


def parse_records(records: list[Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split API records into good rows (incident columns) and bad rows; ``line`` = record number."""
    good: dict[str, list[Any]] = {
        k: []
        for k in (
            "line",
            "incident_key",
            "crime_id",
            "month",
            "category",
            "offence",
            "longitude",
            "latitude",
            "location",
            "location_type",
            "outcome",
            "context",
            "force",
        )
    }
    bad: dict[str, list[Any]] = {"line": [], "field": [], "reason": [], "raw": []}

    def reject(i: int, field: str, reason: str, rec: Any) -> None:
        bad["line"].append(i)
        bad["field"].append(field)
        bad["reason"].append(reason)
        bad["raw"].append(json.dumps(rec, sort_keys=True)[:2000])

    x0, y0, x1, y1 = geography.UK_LONLAT_BOUNDS
    for i, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            reject(i, "", "record is not a JSON object", rec)
            continue
        category = normalise_category(str(rec.get("category") or ""))
        if category is None:
            reject(i, "category", f'unknown category "{rec.get("category")}"', rec)
            continue
        month_text = str(rec.get("month") or "")
        try:
            month = pd.Timestamp(month_text + "-01") if len(month_text) == 7 else None
        except ValueError:
            month = None
        if month is None:
            reject(i, "month", f'unparseable month "{month_text}" (expected YYYY-MM)', rec)
            continue
        loc = rec.get("location") or {}
        lat, lon = _num(loc.get("latitude")), _num(loc.get("longitude"))
        if (lat is None) != (lon is None):
            reject(i, "location", "incomplete coordinates", rec)
            continue
        if lat is not None and lon is not None and not (x0 <= lon <= x1 and y0 <= lat <= y1):
            reject(i, "location", f"coordinates outside the UK ({lon}, {lat})", rec)
            continue
        pid = str(rec.get("persistent_id") or "").strip() or None
        api_id = rec.get("id")
        if pid is None and api_id in (None, ""):
            reject(i, "id", "record has neither persistent_id nor id", rec)
            continue
        street = (loc.get("street") or {}) if isinstance(loc, dict) else {}
        outcome = rec.get("outcome_status") or {}
        ltype = rec.get("location_type") or None
        good["line"].append(i)
        good["incident_key"].append(f"api:{api_id}" if api_id not in (None, "") else f"crime:{pid}")
        good["crime_id"].append(pid or str(api_id))
        good["month"].append(month)
        good["category"].append(category)
        good["offence"].append(rec.get("category"))
        good["longitude"].append(lon)
        good["latitude"].append(lat)
        good["location"].append(street.get("name") if isinstance(street, dict) else None)
        good["location_type"].append(ltype)
        good["outcome"].append(outcome.get("category") if isinstance(outcome, dict) else None)
        good["context"].append(rec.get("context") or None)
        good["force"].append("British Transport Police" if ltype == "BTP" else None)
    g = pd.DataFrame(good)
    g["month"] = pd.to_datetime(g["month"]).dt.date
    g["longitude"] = g["longitude"].astype("float64")
    g["latitude"] = g["latitude"].astype("float64")
    g["source_kind"] = "police_uk_api"
    return g, pd.DataFrame(bad)


def read_api_file(f: InputFile, file_no: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One API JSON file's (good rows, bad rows), tagged with ``file_no``."""
    try:
        data = json.loads(f.path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise FileProblem(f.display, "the file is not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise FileProblem(f.display, f"line {exc.lineno}: not valid JSON ({exc.msg})") from exc
    if isinstance(data, dict) and "category" in data:
        data = [data]
    if not isinstance(data, list):
        raise FileProblem(f.display, "not a police.uk crimes-street response (expected a list)")
    good, bad = parse_records(data)
    good["file_no"] = file_no
    bad["file_no"] = file_no
    return good, bad
