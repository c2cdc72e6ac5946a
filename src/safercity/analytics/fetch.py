"""Download police.uk street-level crime the way users get it, through the police.uk API, and
import it.

For each month and each polygon of the area, ``POST /api/crimes-street/all-crime`` with
``poly=lat,lng:lat,lng:...`` and ``date=YYYY-MM``. The API answers 503 when a polygon holds more
than 10,000 crimes: the polygon is then split into four and each part asked again. A 503 is
also what an outage answers, so a 503 counts as the cap only when it does not ask to retry
later (``Retry-After``) and the API answers a small request at once; otherwise police.uk is
unavailable, an error, and nothing is split. The API allows 15 requests a second (burst 30)
and answers 429 beyond: requests are paced, and go over one pool of kept-alive connections
(urllib3), whose :class:`~urllib3.util.Retry` retries 429, 5xx and failed connections with
exponential back-off and jitter, honouring ``Retry-After`` up to a cap (``fetch_max_wait_s``).
A redirect to another host is refused. Every
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
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
import urllib3
from urllib3.exceptions import InvalidHeader, MaxRetryError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from safercity import __version__
from safercity.analytics import geography

#: police.uk's own limit: more crimes than this in a polygon gives 503
API_RECORD_CAP = 10_000
#: polygons are simplified to this tolerance (metres) before sending: fewer vertices, same area
SIMPLIFY_M = 25.0
#: the smallest polygon (square metres) that is still split on 503
MIN_SPLIT_AREA_M2 = 10_000.0
REQUESTS_PER_SECOND = 15.0
#: answers that mean "try again later" (a 503 is the 10,000 cap unless it says Retry-After)
RETRY_STATUSES = frozenset({429, 500, 502, 504})
MAX_REDIRECTS = 3
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


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


class _Retry(Retry):
    """urllib3's :class:`Retry` (exponential back-off with jitter, ``Retry-After`` respected)
    with two changes: an unreadable ``Retry-After`` (a negative number, a bad date) falls back
    to the back-off instead of raising, and a wait is never longer than :attr:`max_wait`, so
    ``Retry-After: 100000`` waits :attr:`max_wait` seconds, not 28 hours. ``sleeper`` lets tests
    record the waits instead of sleeping (:meth:`PoliceUkApi.__init__` makes a subclass)."""

    max_wait: float = 120.0
    sleeper: Callable[[float], None] = staticmethod(time.sleep)

    def parse_retry_after(self, retry_after: str) -> float:
        try:
            seconds = super().parse_retry_after(retry_after)
        except InvalidHeader:
            return 0.0  # not a number of seconds or an HTTP date: the back-off decides
        return min(max(seconds, 0.0), self.max_wait)

    def sleep_for_retry(self, response: BaseHTTPResponse) -> bool:
        retry_after = self.get_retry_after(response)
        if retry_after:
            self.sleeper(retry_after)
            return True
        return False

    def _sleep_backoff(self) -> None:
        backoff = min(self.get_backoff_time(), self.max_wait)
        if backoff > 0:
            self.sleeper(backoff)


class PoliceUkApi:
    """A paced, retrying client for ``crimes-street`` over one pool of kept-alive connections.

    Retries (``retries`` of them, setting ``fetch_retries``) cover refused connections, read
    errors and the answers that mean "try again later" (429, 500, 502, 504, and a 503 with
    ``Retry-After``), waiting as ``Retry-After`` asks or with exponential back-off and jitter,
    never longer than ``max_wait`` seconds (setting ``fetch_max_wait_s``). A redirect is
    followed only to the same host (never downgrading https); to another host it is refused and
    nothing it answers is read. ``sleep`` is for tests."""

    def __init__(
        self,
        base_url: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 60.0,
        requests_per_second: float = REQUESTS_PER_SECOND,
        retries: int | None = None,
        max_wait: float | None = None,
    ) -> None:
        from safercity import settings

        self.base_url = base_url.rstrip("/")
        self.sleep = sleep
        self.interval = 1.0 / requests_per_second
        self._last = 0.0
        self.requests = 0
        self.retries = 0
        tries = int(settings.get("fetch_retries")) if retries is None else retries
        wait = float(settings.get("fetch_max_wait_s")) if max_wait is None else max_wait
        retry_class = type(
            "_PacedRetry", (_Retry,), {"max_wait": wait, "sleeper": staticmethod(sleep)}
        )
        self.retry = retry_class(
            total=tries,
            connect=tries,
            read=tries,
            status=tries,
            other=0,
            redirect=False,
            allowed_methods=frozenset({"GET", "POST"}),  # the API's POST only reads
            status_forcelist=RETRY_STATUSES,
            backoff_factor=1.0,
            backoff_jitter=1.0,
            backoff_max=wait,
            raise_on_status=False,  # the last answer is reported, not an exception
            respect_retry_after_header=True,
        )
        self.pool = urllib3.PoolManager(
            num_pools=2,
            maxsize=1,
            timeout=urllib3.Timeout(connect=min(timeout, 30.0), read=timeout),
            retries=self.retry,
            headers={"User-Agent": f"SaferCity/{__version__} (community safety analysis)"},
        )

    def close(self) -> None:
        self.pool.clear()

    def crimes_street(self, poly: str, month: str) -> list[object] | None:
        """The crimes in ``poly`` for ``month``; None when the API says there are too many."""
        url = f"{self.base_url}/crimes-street/all-crime"
        resp = self._request("POST", url, {"poly": poly, "date": month}, month)
        if resp.status == 503 and self._too_many(resp):
            return None  # police.uk: more than 10,000 crimes in the polygon
        if resp.status != 200:
            raise FetchError(_unavailable(url, resp, month))
        try:
            data = json.loads(resp.data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FetchError(f"{url}: the answer for {month} is not JSON") from exc
        if not isinstance(data, list):
            raise FetchError(f"{url}: unexpected answer (not a list) for {month}")
        return data

    def _too_many(self, resp: BaseHTTPResponse) -> bool:
        """Whether a 503 is police.uk's "more than 10,000 crimes" rather than an outage: not
        when it asks to retry later (``Retry-After``), and only when the API answers a small
        request (``crime-last-updated``) at once. An outage is never split into quarters."""
        if resp.headers.get("Retry-After") is not None:
            return False
        probe = self._request("GET", f"{self.base_url}/crime-last-updated", None, "")
        return probe.status == 200

    def _request(
        self, method: str, url: str, form: dict[str, str] | None, month: str
    ) -> BaseHTTPResponse:
        wait = self._last + self.interval - time.monotonic()
        if wait > 0:
            self.sleep(wait)
        self._last = time.monotonic()
        self.requests += 1
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                resp = self.pool.request(
                    method,
                    url,
                    body=urllib.parse.urlencode(form) if form is not None else None,
                    headers={**self.pool.headers, **(FORM_HEADERS if form is not None else {})},
                    redirect=False,
                )
            except MaxRetryError as exc:
                reason = exc.reason or exc
                raise FetchError(
                    f"police.uk is unavailable: {_host(url)} could not be reached "
                    f"({type(reason).__name__}) after {self.retry.total} retries"
                    + (f" for {month}" if month else "")
                ) from exc
            except urllib3.exceptions.HTTPError as exc:
                raise FetchError(f"police.uk is unavailable: {_host(url)}: {exc}") from exc
            history = resp.retries.history if resp.retries else ()
            self.retries += len(history)
            if resp.status not in (301, 302, 303, 307, 308):
                return resp
            url = self._same_host_redirect(url, resp.headers.get("Location") or "")
            if resp.status == 303:
                method, form = "GET", None
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")

    def _same_host_redirect(self, url: str, location: str) -> str:
        target = urllib.parse.urljoin(url, location)
        old, new = urllib.parse.urlsplit(url), urllib.parse.urlsplit(target)
        if new.hostname != old.hostname or new.scheme not in ("http", "https"):
            raise FetchError(
                f"{url}: the API redirected to another host ({new.hostname or repr(location)}); "
                "refused, and nothing from it was read or imported (check --api)"
            )
        if old.scheme == "https" and new.scheme != "https":
            raise FetchError(f"{url}: the API redirected from https to http; refused")
        return target


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc


def _unavailable(url: str, resp: BaseHTTPResponse, month: str) -> str:
    if resp.status >= 500 or resp.status == 429:
        return (
            f"police.uk is unavailable (HTTP {resp.status} from {_host(url)}, still after "
            f"retries) for {month}"
        )
    return f"{url}: HTTP {resp.status} for {month}"


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
    try:
        return _fetch(api, Path(workspace), months, polygons, label=label, progress=progress)
    finally:
        api.close()


def _fetch(
    api: PoliceUkApi,
    workspace: Path,
    months: list[str],
    polygons: list[shapely.Polygon],
    *,
    label: str,
    progress: Callable[[int, int, str], None] | None,
) -> FetchResult:
    root = workspace / "fetch" / _slug(label)
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
