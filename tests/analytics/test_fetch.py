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

from safercity.analytics import geography
from safercity.analytics.fetch import (
    FetchError,
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
    """The records police.uk returned for Westminster's wards, answered by polygon."""

    def __init__(self, records: list[dict[str, object]], cap: int) -> None:
        self.records = records
        lon = np.array([float(r["location"]["longitude"]) for r in records])  # type: ignore[index]
        lat = np.array([float(r["location"]["latitude"]) for r in records])  # type: ignore[index]
        self.points = shapely.points(lon, lat)
        self.cap = cap
        self.fail_next = 0
        self.requests = 0
        self.rejected = 0

    def answer(self, poly: str, date: str) -> tuple[int, bytes]:
        self.requests += 1
        if self.fail_next:
            self.fail_next -= 1
            return 429, b"Too Many Requests"
        ring = [(float(p.split(",")[1]), float(p.split(",")[0])) for p in poly.split(":")]
        polygon = shapely.Polygon(ring)
        inside = [
            r
            for r, pt in zip(self.records, self.points, strict=True)
            if r["month"] == date and polygon.covers(pt)
        ]
        if len(inside) > self.cap:
            self.rejected += 1
            return 503, b""
        return 200, json.dumps(inside).encode()


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


@pytest.fixture
def server(month_records: list[dict[str, object]]) -> Iterator[tuple[str, Replay]]:
    replay = Replay(month_records, cap=2_000)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            form = urllib.parse.parse_qs(
                self.rfile.read(int(self.headers["Content-Length"])).decode()
            )
            code, body = replay.answer(form["poly"][0], form["date"][0])
            self.send_response(code)
            if code == 429:
                self.send_header("Retry-After", "0")
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
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
    with pytest.raises(FetchError, match="still failing"):
        fetch_police_uk(
            tmp_path / "ws",
            [MONTH],
            area_polygons(lsoa=["E01004736"]),
            label="x",
            base_url=url,
            sleep=lambda s: None,
        )
