"""``safercity fetch police-uk`` against a local server that replays the real Westminster API
answers from ../shared: polygon queries, the 10,000 cap (lowered here), 429 back-off, resume."""

from __future__ import annotations

import json
import tarfile
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
import shapely

from safercity import cli
from safercity.analytics import geography
from safercity.analytics.fetch import (
    FetchError,
    FetchResult,
    area_polygons,
    fetch_police_uk,
    parse_months,
    poly_param,
)
from safercity.analytics.ingest import ingest_paths
from safercity.analytics.store import Workspace

pytestmark = pytest.mark.shared_data
MONTH = "2018-02"


class Replay:
    """The records police.uk returned for Westminster's wards, answered by polygon; and, on
    request, what a misbehaving API does (rate limits, outages, redirects)."""

    def __init__(self, records: list[dict[str, object]], cap: int) -> None:
        self.records = records
        lon = np.array([float(r["location"]["longitude"]) for r in records])  # type: ignore[index]
        lat = np.array([float(r["location"]["latitude"]) for r in records])  # type: ignore[index]
        self.points = shapely.points(lon, lat)
        self.cap = cap
        self.fail_next = 0
        self.fail_status = 429
        self.retry_after: str | None = "0"
        self.outage: int | None = None  # every request answers this status
        self.redirect: str | None = None  # POSTs answer 307 to this URL
        self.requests = 0
        self.rejected = 0
        self.connections: set[int] = set()

    def answer(self, poly: str, date: str) -> tuple[int, bytes, dict[str, str]]:
        self.requests += 1
        if self.outage:
            return self.outage, b"<html>Service Unavailable</html>", {}
        if self.redirect:
            return 307, b"", {"Location": self.redirect}
        if self.fail_next:
            self.fail_next -= 1
            retry = {"Retry-After": self.retry_after} if self.retry_after is not None else {}
            return self.fail_status, b"Too Many Requests", retry
        ring = [(float(p.split(",")[1]), float(p.split(",")[0])) for p in poly.split(":")]
        polygon = shapely.Polygon(ring)
        inside = [
            r
            for r, pt in zip(self.records, self.points, strict=True)
            if r["month"] == date and polygon.covers(pt)
        ]
        if len(inside) > self.cap:
            self.rejected += 1
            return 503, b"", {}
        return 200, json.dumps(inside).encode(), {}


@pytest.fixture(scope="module")
def month_records(shared_data: Path) -> list[dict[str, object]]:
    unique: dict[int, dict[str, object]] = {}
    archive = shared_data / "police-uk-api/westminster-wards-2016-2018/crime-street-json.tar.gz"
    with tarfile.open(archive, mode="r|*") as tf:
        for info in tf:
            if info.isfile() and f"london_month_{MONTH.replace('-', '_')}/" in info.name:
                member = tf.extractfile(info)
                assert member is not None
                for r in json.load(member):
                    unique[r["id"]] = r
    return list(unique.values())


def _serve(replay: Replay, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as police.uk's servers

        def _send(self, code: int, body: bytes, headers: dict[str, str]) -> None:
            replay.connections.add(self.client_address[1])
            self.send_response(code)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            form = urllib.parse.parse_qs(
                self.rfile.read(int(self.headers["Content-Length"])).decode()
            )
            self._send(*replay.answer(form["poly"][0], form["date"][0]))

        def do_GET(self) -> None:  # the small request that tells the 10,000 cap from an outage
            if self.path.endswith("/crime-last-updated") and not replay.outage:
                self._send(200, b'{"date": "2018-03-01"}', {})
            else:
                self._send(replay.outage or 404, b"", {})

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer((host, 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


@pytest.fixture
def server(month_records: list[dict[str, object]]) -> Iterator[tuple[str, Replay]]:
    replay = Replay(month_records, cap=2_000)
    httpd = _serve(replay)
    yield f"http://127.0.0.1:{httpd.server_address[1]}/api", replay
    httpd.shutdown()
    httpd.server_close()


def test_parse_months() -> None:
    assert parse_months("2017-11:2018-02") == ["2017-11", "2017-12", "2018-01", "2018-02"]
    assert parse_months("2018-02") == ["2018-02"]
    with pytest.raises(ValueError, match="end before"):
        parse_months("2018-02:2017-01")


def test_force_names_as_police_uk_writes_them() -> None:
    city = area_polygons(force="City of London Police")
    assert area_polygons(force="City of London") and len(city) >= 1
    # the City of London is about 2.9 square km
    assert 2.0e6 < sum(p.area for p in city) < 3.6e6
    with pytest.raises(ValueError, match="no police force"):
        area_polygons(force="Gotham City Police")


def test_poly_param_is_lat_lng_pairs() -> None:
    square = shapely.box(529000, 180000, 530000, 181000)
    pairs = poly_param(square).split(":")
    assert len(pairs) == 4
    lat, lng = map(float, pairs[0].split(","))
    assert 51.4 < lat < 51.6 and -0.2 < lng < -0.1


def test_fetch_splits_at_the_cap_retries_and_imports_everything_once(
    server: tuple[str, Replay], month_records: list[dict[str, object]], tmp_path: Path
) -> None:
    url, replay = server
    replay.fail_next = 2  # the API's rate limit answers 429 twice
    polygons = area_polygons(area="Westminster")
    sleeps: list[float] = []
    got = fetch_police_uk(
        tmp_path / "ws", [MONTH], polygons, label="Westminster", base_url=url, sleep=sleeps.append
    )
    assert replay.rejected >= 1 and got.splits >= 1  # more than 2,000 crimes: split in four
    assert got.retries == 2
    summary = ingest_paths(tmp_path / "ws", got.files)
    # expected: every real record whose point lies in the (simplified) Westminster polygons
    area = shapely.union_all(
        [
            shapely.Polygon(np.column_stack(geography.from_bng(*np.asarray(p.exterior.coords).T)))
            for p in polygons
        ]
    )
    expected = {
        r["id"] for r, pt in zip(month_records, replay.points, strict=True) if area.covers(pt)
    }
    with Workspace(tmp_path / "ws", read_only=True) as ws:
        stored = {
            int(k[0].split(":")[1])
            for k in ws.con.execute("SELECT incident_key FROM incidents").fetchall()
        }
    assert stored == expected
    assert summary.totals()["rows_quarantined"] == 0
    # resume: a second run reuses every saved answer and asks nothing
    before = replay.requests
    again = fetch_police_uk(
        tmp_path / "ws", [MONTH], polygons, label="Westminster", base_url=url, sleep=sleeps.append
    )
    assert replay.requests == before and again.cached == len(got.files)


def test_a_server_that_keeps_failing_gives_a_clear_error(
    server: tuple[str, Replay], tmp_path: Path
) -> None:
    url, replay = server
    replay.fail_next = 100
    with pytest.raises(FetchError, match=r"police\.uk is unavailable \(HTTP 429"):
        fetch_police_uk(
            tmp_path / "ws",
            [MONTH],
            area_polygons(lsoa=["E01004736"]),
            label="x",
            base_url=url,
            sleep=lambda s: None,
        )


ONE_LSOA = ["E01004736"]  # one Westminster LSOA: a few hundred crimes a month, one request


def _fetch_one(url: str, tmp_path: Path, sleeps: list[float] | None = None) -> FetchResult:
    return fetch_police_uk(
        tmp_path / "ws",
        [MONTH],
        area_polygons(lsoa=ONE_LSOA),
        label="x",
        base_url=url,
        sleep=(sleeps if sleeps is not None else []).append,
    )


def _fetch_westminster(url: str, tmp_path: Path) -> FetchResult:
    return fetch_police_uk(
        tmp_path / "ws",
        [MONTH],
        area_polygons(area="Westminster"),
        label="Westminster",
        base_url=url,
        sleep=lambda s: None,
    )


@pytest.mark.parametrize("status", [503, 502, 500])
def test_an_outage_is_an_error_never_a_split(
    server: tuple[str, Replay], tmp_path: Path, status: int
) -> None:
    """police.uk down (5xx on every request, the 503 without Retry-After as the 10,000 cap
    answers) is "unavailable": the area is not split, no .split marker is left, nothing saved."""
    url, replay = server
    replay.outage = status
    with pytest.raises(FetchError, match=rf"police\.uk is unavailable \(HTTP {status}"):
        _fetch_westminster(url, tmp_path)
    assert replay.rejected == 0
    assert not list((tmp_path / "ws").rglob("*.split")) and not list(tmp_path.rglob("*.json"))
    # when police.uk is back, the same command fetches everything
    replay.outage = None
    got = _fetch_one(url, tmp_path)
    assert got.splits == 0 and len(got.files) == 1


def test_a_503_that_asks_to_retry_later_is_retried_not_split(
    server: tuple[str, Replay], tmp_path: Path
) -> None:
    url, replay = server
    replay.fail_next, replay.fail_status, replay.retry_after = 2, 503, "3"
    sleeps: list[float] = []
    got = _fetch_one(url, tmp_path, sleeps)
    assert got.splits == 0 and got.retries == 2 and len(got.files) == 1
    assert sleeps.count(3.0) == 2


@pytest.mark.parametrize(
    ("retry_after", "longest"),
    [
        ("100000", 120.0),  # 28 hours asked: the cap (setting fetch_max_wait_s)
        ("Fri, 31 Dec 2100 23:59:59 GMT", 120.0),  # an HTTP date far ahead: the cap
        ("Wed, 21 Oct 2015 07:28:00 GMT", 3.0),  # an HTTP date past: the back-off
        ("-5", 3.0),  # negative: the back-off (2 s and up to 1 s of jitter), no traceback
        ("soon", 3.0),  # unreadable: the back-off, no traceback
    ],
)
def test_retry_after_is_respected_capped_and_never_a_traceback(
    server: tuple[str, Replay], tmp_path: Path, retry_after: str, longest: float
) -> None:
    url, replay = server
    replay.fail_next, replay.retry_after = 2, retry_after
    sleeps: list[float] = []
    got = _fetch_one(url, tmp_path, sleeps)
    assert got.retries == 2 and len(got.files) == 1
    waits = [s for s in sleeps if s > 0.1]  # the pacing between requests is under 0.07 s
    assert waits and max(waits) <= longest
    if longest == 120.0:
        assert waits == [120.0, 120.0]


def test_the_longest_wait_is_a_setting(
    server: tuple[str, Replay], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, replay = server
    monkeypatch.setenv("SAFERCITY_FETCH_MAX_WAIT_S", "7")
    replay.fail_next, replay.retry_after = 1, "100000"
    sleeps: list[float] = []
    _fetch_one(url, tmp_path, sleeps)
    assert [s for s in sleeps if s > 0.1] == [7.0]


def test_a_redirect_to_another_host_is_refused_and_nothing_imported(
    server: tuple[str, Replay], month_records: list[dict[str, object]], tmp_path: Path
) -> None:
    url, replay = server
    elsewhere = Replay(month_records, cap=10**6)
    other = _serve(elsewhere, host="127.0.0.2")
    try:
        replay.redirect = f"http://127.0.0.2:{other.server_address[1]}/api/crimes-street/all-crime"
        with pytest.raises(FetchError, match=r"redirected to another host \(127.0.0.2\)"):
            _fetch_one(url, tmp_path)
    finally:
        other.shutdown()
        other.server_close()
    assert elsewhere.requests == 0  # never asked, so nothing of its answer read
    assert not list(tmp_path.rglob("*.json"))


def test_one_connection_is_kept_alive_for_every_request(
    server: tuple[str, Replay], tmp_path: Path
) -> None:
    url, replay = server
    got = _fetch_westminster(url, tmp_path)
    assert got.requests >= 5 and got.splits >= 1
    assert len(replay.connections) == 1


def test_the_command_says_police_uk_is_unavailable_without_a_traceback(
    server: tuple[str, Replay], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, replay = server
    replay.outage = 503
    args = ["fetch", "police-uk", "--lsoa", ONE_LSOA[0], "--months", MONTH, "--api", url]
    assert cli.main([*args, "--workspace", str(tmp_path / "ws")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("safercity fetch: error: police.uk is unavailable (HTTP 503")
    assert "run the same command to resume" in err and "Traceback" not in err
