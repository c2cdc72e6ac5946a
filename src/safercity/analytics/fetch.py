"""Download police.uk street-level crime the way users get it, through the police.uk API, and
import it.

For each month and each polygon of the area, ``POST /api/crimes-street/all-crime`` with
``poly=lat,lng:lat,lng:...`` and ``date=YYYY-MM``. The API answers 503 when a polygon holds more
than 10,000 crimes: the polygon is then split into four and each part asked again. It allows 15
requests a second (burst 30) and answers 429 beyond: requests are paced, and 429 and other
passing failures are retried with exponential back-off (honouring ``Retry-After``). Every
answer is saved under ``<workspace>/fetch/`` before the next request, so a run that stops part
way resumes where it left off. The saved answers are then imported with
:func:`safercity.analytics.ingest.ingest_paths`, which stores a record that two polygons share
once.

See https://data.police.uk/docs/method/crime-street/ and https://data.police.uk/docs/api-call-limits/.
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

from safercity.analytics import geography

#: police.uk's own limit: more crimes than this in a polygon gives 503
API_RECORD_CAP = 10_000
#: polygons are simplified to this tolerance (metres) before sending: fewer vertices, same area
SIMPLIFY_M = 25.0
#: the smallest polygon (square metres) that is still split on 503
MIN_SPLIT_AREA_M2 = 10_000.0
MAX_RETRIES = 6
REQUESTS_PER_SECOND = 15.0


class FetchError(Exception):
    """The API could not be read (after retries); what was saved so far is kept for a resume."""


@dataclass
class FetchResult:
    months: list[str]
    requests: int = 0
    cached: int = 0
    splits: int = 0
    retries: int = 0
    files: list[Path] = field(default_factory=list)


def parse_months(text: str) -> list[str]:
    """``"2017-07:2018-06"`` -> every month from the first to the last, as ``YYYY-MM``."""
    parts = text.split(":")
    if len(parts) not in (1, 2):
        raise ValueError(f"months must be YYYY-MM or YYYY-MM:YYYY-MM, not {text!r}")
    try:
        start = np.datetime64(parts[0], "M")
        end = np.datetime64(parts[-1], "M")
    except ValueError as exc:
        raise ValueError(f"months must be YYYY-MM or YYYY-MM:YYYY-MM, not {text!r}") from exc
    if end < start:
        raise ValueError(f"months {text!r} end before they start")
    return [str(m) for m in np.arange(start, end + 1)]


def area_polygons(
    *, area: str | None = None, lsoa: list[str] | None = None, force: str | None = None
) -> list[shapely.Polygon]:
    """The polygons (British National Grid) to ask for: a boundary file, a local authority by
    name, a list of LSOAs, or every local authority of a force."""
    geo = geography.builtin_lsoas()
    if area and Path(area).exists():
        shape = shapely.union_all(geography.read_boundaries(area).polygons)
    elif area:
        shape = geography.local_authority_polygon(area)
    elif lsoa:
        wanted = set(lsoa)
        unknown = wanted - set(geo.codes.tolist())
        if unknown:
            raise ValueError(f"unknown LSOA code(s): {', '.join(sorted(unknown))}")
        shape = shapely.union_all(geo.polygons[np.isin(geo.codes, list(wanted))])
    elif force:
        lookup = geo.lookup
        from safercity.analytics.ingest.police_uk import normalise_force

        key = (normalise_force(force) or "").lower()
        codes = lookup.index[lookup["force"].str.lower() == key]
        if len(codes) == 0:
            raise ValueError(f"no police force called {force!r} in England and Wales")
        shape = shapely.union_all(geo.polygons[np.isin(geo.codes, codes.to_numpy())])
    else:
        raise ValueError("give --area, --lsoa or --force")
    shape = shapely.make_valid(shapely.simplify(shape, SIMPLIFY_M))
    parts = list(getattr(shape, "geoms", [shape]))
    return [shapely.Polygon(p.exterior) for p in parts if p.geom_type == "Polygon" and p.area > 0]


def poly_param(polygon: shapely.Polygon) -> str:
    """The API's ``poly`` value: ``lat,lng:lat,lng:...`` (WGS84, 6 decimals)."""
    xy = np.asarray(polygon.exterior.coords)[:-1]
    lon, lat = geography.from_bng(xy[:, 0], xy[:, 1])
    return ":".join(f"{a:.6f},{o:.6f}" for a, o in zip(lat, lon, strict=True))


def quarters(polygon: shapely.Polygon) -> Iterator[shapely.Polygon]:
    x0, y0, x1, y1 = polygon.bounds
    xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
    for box in (
        shapely.box(x0, y0, xm, ym),
        shapely.box(xm, y0, x1, ym),
        shapely.box(x0, ym, xm, y1),
        shapely.box(xm, ym, x1, y1),
    ):
        part = shapely.make_valid(polygon.intersection(box))
        for p in getattr(part, "geoms", [part]):
            if p.geom_type == "Polygon" and p.area > 0:
                yield shapely.Polygon(p.exterior)


class PoliceUkApi:
    """A paced, retrying client for ``crimes-street``; ``sleep`` and ``opener`` for tests."""

    def __init__(
        self,
        base_url: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 60.0,
        requests_per_second: float = REQUESTS_PER_SECOND,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.sleep = sleep
        self.timeout = timeout
        self.interval = 1.0 / requests_per_second
        self._last = 0.0
        self.requests = 0
        self.retries = 0

    def crimes_street(self, poly: str, month: str) -> list[object] | None:
        """The crimes in ``poly`` for ``month``; None when the API says there are too many."""
        body = urllib.parse.urlencode({"poly": poly, "date": month}).encode()
        url = f"{self.base_url}/crimes-street/all-crime"
        for attempt in range(MAX_RETRIES + 1):
            wait = self._last + self.interval - time.monotonic()
            if wait > 0:
                self.sleep(wait)
            self._last = time.monotonic()
            self.requests += 1
            try:
                with urllib.request.urlopen(
                    urllib.request.Request(url, data=body, method="POST"), timeout=self.timeout
                ) as resp:
                    data = json.loads(resp.read().decode("utf-8"))
                if not isinstance(data, list):
                    raise FetchError(f"{url}: unexpected answer (not a list) for {month}")
                return data
            except urllib.error.HTTPError as exc:
                if exc.code == 503:
                    return None  # police.uk: more than 10,000 crimes in the polygon
                if exc.code != 429 and exc.code < 500:
                    raise FetchError(f"{url}: HTTP {exc.code} for {month}") from exc
                retry_after = exc.headers.get("Retry-After") if exc.headers else None
                delay = float(retry_after) if retry_after else min(60.0, 2.0**attempt)
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                if attempt == MAX_RETRIES:
                    raise FetchError(f"{url}: {exc} (after {MAX_RETRIES} retries)") from exc
                delay = min(60.0, 2.0**attempt)
            except json.JSONDecodeError as exc:
                raise FetchError(f"{url}: the answer for {month} is not JSON") from exc
            self.retries += 1
            self.sleep(delay)
        raise FetchError(f"{url}: still failing after {MAX_RETRIES} retries for {month}")


def fetch_police_uk(
    workspace: str | Path,
    months: list[str],
    polygons: list[shapely.Polygon],
    *,
    label: str,
    base_url: str,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int, int, str], None] | None = None,
) -> FetchResult:
    """Download (or reuse saved) API answers for every month and polygon; return the files."""
    api = PoliceUkApi(base_url, sleep=sleep)
    root = Path(workspace) / "fetch" / _slug(label)
    result = FetchResult(months=months)
    jobs = [(m, p) for m in months for p in polygons]
    for i, (month, polygon) in enumerate(jobs, start=1):
        stack = [polygon]
        while stack:
            poly = stack.pop()
            param = poly_param(poly)
            target = root / month / f"{hashlib.sha256(param.encode()).hexdigest()[:16]}.json"
            too_many = target.with_suffix(".split")  # remembers a 503, so a resume splits at once
            if target.exists():
                result.cached += 1
                result.files.append(target)
                continue
            data = None if too_many.exists() else api.crimes_street(param, month)
            if data is None:
                if poly.area < MIN_SPLIT_AREA_M2:
                    raise FetchError(
                        f"{month}: more than {API_RECORD_CAP} crimes in a tiny polygon"
                    )
                result.splits += 1
                too_many.parent.mkdir(parents=True, exist_ok=True)
                too_many.touch()
                stack.extend(quarters(poly))
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".part")
            tmp.write_text(json.dumps(data), encoding="utf-8")
            tmp.replace(target)  # saved whole or not at all: a resume never reads half a file
            result.files.append(target)
        if progress:
            progress(i, len(jobs), month)
    result.requests, result.retries = api.requests, api.retries
    return result


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-") or "area"
