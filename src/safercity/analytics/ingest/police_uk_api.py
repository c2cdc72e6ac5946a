"""police.uk API JSON (``crimes-street`` responses).

Each record: ``category`` (a slug), ``location`` {latitude, longitude, street {id, name}},
``month``, ``outcome_status`` {category, date} or null, ``persistent_id`` (the same hash as the
CSVs' Crime ID; empty for anti-social behaviour), ``id`` (the API's own number),
``location_type`` (``Force`` or ``BTP``), ``context``.

The same record arrives in several files when polygons overlap (adjacent wards): its key is
``api:<id>``, so it is stored once. (One ``persistent_id`` can carry several API records in a
month, as one Crime ID can carry several CSV rows; police.uk counts each, and so do we.)
API records carry no LSOA: each gets one from its point and the built-in boundaries.

A record of the wrong shape (a field of the wrong JSON type, coordinates that are not numbers
or lie outside the UK) is set aside with the line it starts on and "record N" in its reason:
police.uk responses are one long line, so the record number is what finds it. A null or
missing ``location`` is a record without a place, as police.uk sends some.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pandas as pd

from safercity.analytics import geography
from safercity.analytics.categories import normalise_category
from safercity.analytics.ingest.errors import FileProblem
from safercity.analytics.ingest.files import InputFile
from safercity.analytics.ingest.police_uk import OUTSIDE_RECORD, outside_record

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_SPACE = re.compile(r"[ \t\n\r]*")


class _Bad(Exception):
    """A record field that cannot be used: ``field`` and why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def _what(value: Any) -> str:
    """A JSON value's kind, for messages: 'text "x"', 'a number (5)', 'a list'..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"true/false ({json.dumps(value)})"
    if isinstance(value, int | float):
        return f"a number ({str(value)[:40]})"
    if isinstance(value, str):
        return f"text {json.dumps(value[:60])}"
    return "a list" if isinstance(value, list) else "an object"


def _text(obj: dict[str, Any], key: str, field: str | None = None) -> str | None:
    """``obj[key]`` if it is text (empty text is None), None if null or missing."""
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value or None
    field = field or key
    raise _Bad(field, f"{field} should be text, not {_what(value)}")


def _object(obj: dict[str, Any], key: str, field: str | None = None) -> dict[str, Any]:
    """``obj[key]`` if it is an object, {} if null or missing."""
    value = obj.get(key)
    if value is None or isinstance(value, dict):
        return value or {}
    field = field or key
    raise _Bad(field, f"{field} should be an object or null, not {_what(value)}")


def _coordinate(location: dict[str, Any], key: str) -> float | None:
    """A latitude or longitude (a JSON number or numeric text); None if null, missing or empty."""
    value = location.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Bad(key, f"{key} is not a number: {_what(value)}")
    try:
        out = float(value)
    except ValueError:
        raise _Bad(key, f"{key} is not a number: {_what(value)}") from None
    except OverflowError:  # an integer too large for a float
        out = math.inf
    if not math.isfinite(out):
        raise _Bad(key, f"{key} is not a finite number: {_what(value)}")
    return out


def _check_point(lon: float | None, lat: float | None) -> None:
    if lat is None and lon is None:
        return
    if lat is None or lon is None:
        missing, other = ("latitude", "longitude") if lat is None else ("longitude", "latitude")
        given = lon if lat is None else lat
        raise _Bad(missing, f"{missing} is missing ({other} {given} given): incomplete coordinates")
    x0, y0, x1, y1 = geography.UK_LONLAT_BOUNDS
    if not (x0 <= lon <= x1 and y0 <= lat <= y1):
        field = "longitude" if not x0 <= lon <= x1 else "latitude"
        raise _Bad(field, f"coordinates outside the UK ({lon}, {lat})")


def _fields(rec: Any) -> dict[str, Any]:
    """One record's incident columns; raises :class:`_Bad` for the first field that is wrong."""
    if not isinstance(rec, dict):
        raise _Bad("", f"the record is not a JSON object (it is {_what(rec)})")
    offence = _text(rec, "category")
    category = normalise_category(offence or "")
    if category is None:
        raise _Bad("category", f'unknown category "{offence or ""}"')
    month_text = rec.get("month")
    if not isinstance(month_text, str) or not _MONTH.match(month_text):
        raise _Bad("month", f"unparseable month: {_what(month_text)} (expected YYYY-MM)")
    if outside_record(month_text):
        raise _Bad("month", f"month {month_text} {OUTSIDE_RECORD}")
    loc = _object(rec, "location")
    lat, lon = _coordinate(loc, "latitude"), _coordinate(loc, "longitude")
    _check_point(lon, lat)
    street = _object(loc, "street", "location.street")
    name = _text(street, "name", "location.street.name")
    outcome = _text(_object(rec, "outcome_status"), "category", "outcome_status.category")
    pid = (_text(rec, "persistent_id") or "").strip() or None
    api_id = rec.get("id")
    if api_id is not None and (isinstance(api_id, bool) or not isinstance(api_id, int | str)):
        raise _Bad("id", f"id should be a number or text, not {_what(api_id)}")
    if pid is None and api_id in (None, ""):
        raise _Bad("id", "record has neither persistent_id nor id")
    ltype = _text(rec, "location_type")
    return {
        "incident_key": f"api:{api_id}" if api_id not in (None, "") else f"crime:{pid}",
        "crime_id": pid or str(api_id),
        "month": pd.Timestamp(month_text + "-01"),
        "category": category,
        "offence": offence,
        "longitude": lon,
        "latitude": lat,
        "location": name,
        "location_type": ltype,
        "outcome": outcome,
        "context": _text(rec, "context"),
        "force": "British Transport Police" if ltype == "BTP" else None,
    }


_COLUMNS = (
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


def parse_records(records: list[Any], text: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split API records (parsed from ``text``) into good rows (incident columns) and bad rows.

    A bad row's ``line`` is the line its record starts on and its reason starts "record N"; a
    good row's ``line`` is its record number (rows are staged by file and line, and a one-line
    response has only line 1).
    """
    good: dict[str, list[Any]] = {k: [] for k in _COLUMNS}
    bad: dict[str, list[Any]] = {"line": [], "field": [], "reason": [], "raw": []}
    spans: list[tuple[int, int]] = []  # found only once a record is bad
    line, counted = 1, 0  # lines counted only as far as the last bad record
    for i, rec in enumerate(records, start=1):
        try:
            row = _fields(rec)
        except _Bad as exc:
            spans = spans or record_spans(text)
            start, end = spans[i - 1]
            line += text.count("\n", counted, start)
            counted = start
            bad["line"].append(line)
            bad["field"].append(exc.field)
            bad["reason"].append(f"record {i}: {exc.reason}")
            bad["raw"].append(text[start : min(end, start + 2000)])
            continue
        good["line"].append(i)
        for k, v in row.items():
            good[k].append(v)
    g = pd.DataFrame(good)
    g["month"] = pd.to_datetime(g["month"]).dt.date
    g["longitude"] = g["longitude"].astype("float64")
    g["latitude"] = g["latitude"].astype("float64")
    g["source_kind"] = "police_uk_api"
    return g, pd.DataFrame(bad)


def _skip_space(text: str, pos: int) -> int:
    m = _SPACE.match(text, pos)
    return m.end() if m else pos


def record_spans(text: str) -> list[tuple[int, int]]:
    """Where each item of the valid JSON list ``text`` starts and ends (for a single object,
    where it does)."""
    decoder = json.JSONDecoder()
    pos = _skip_space(text, 0)
    if not text.startswith("[", pos):
        return [(pos, decoder.raw_decode(text, pos)[1])]
    spans: list[tuple[int, int]] = []
    pos = _skip_space(text, pos + 1)
    while not text.startswith("]", pos):
        end = decoder.raw_decode(text, pos)[1]
        spans.append((pos, end))
        pos = _skip_space(text, end)
        pos = _skip_space(text, pos + 1) if text.startswith(",", pos) else pos
    return spans


def read_api_file(f: InputFile, file_no: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One API JSON file's (good rows, bad rows), tagged with ``file_no``."""
    raw = f.path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
        data = json.loads(text)
        if isinstance(data, dict) and "category" in data:
            data = [data]
        if not isinstance(data, list):
            raise FileProblem(f.display, "not a police.uk crimes-street response (expected a list)")
        good, bad = parse_records(data, text)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FileProblem(
            f.display, f"line {line}: the file is not UTF-8 text (save it as UTF-8 and try again)"
        ) from exc
    except json.JSONDecodeError as exc:
        raise FileProblem(
            f.display, f"line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"
        ) from exc
    except ValueError as exc:  # e.g. a number of more digits than Python will read
        raise FileProblem(f.display, f"cannot be read as JSON ({exc})") from exc
    except RecursionError as exc:
        raise FileProblem(
            f.display,
            "the JSON is nested too deeply to read (not a police.uk crimes-street response)",
        ) from exc
    good["file_no"] = file_no
    bad["file_no"] = file_no
    return good, bad
