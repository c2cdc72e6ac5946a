"""police.uk API JSON (Westminster 2016-18) and the Met borough series, from ../shared."""

from __future__ import annotations

import json
import tarfile
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from safercity.analytics.categories import normalise_category
from safercity.analytics.ingest import ingest_paths
from safercity.analytics.store import Workspace

pytestmark = pytest.mark.shared_data

API = "police-uk-api/westminster-wards-2016-2018"


@pytest.fixture(scope="module")
def one_month(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 20 ward responses for 2017-09, unpacked from the real archive."""
    out = tmp_path_factory.mktemp("api") / "2017-09"
    out.mkdir()
    with tarfile.open(shared_data / API / "crime-street-json.tar.gz", mode="r|*") as tf:
        for info in tf:
            if info.isfile() and "london_month_2017_09/" in info.name:
                src = tf.extractfile(info)
                assert src is not None
                (out / Path(info.name).name).write_bytes(src.read())
    assert len(list(out.glob("*.json"))) == 20
    return out


def test_records_in_several_ward_files_are_stored_once(one_month: Path, tmp_path: Path) -> None:
    records = [r for f in sorted(one_month.glob("*.json")) for r in json.loads(f.read_text())]
    unique = {r["id"]: r for r in records}
    assert len(records) > len(unique)  # the real files overlap at ward edges
    summary = ingest_paths(tmp_path / "ws", [one_month])
    t = summary.totals()
    assert t["rows_stored"] == len(unique)
    assert t["rows_already_stored"] == len(records) - len(unique)
    with Workspace(tmp_path / "ws", read_only=True) as ws:
        by_cat = dict(
            ws.con.execute("SELECT category, count(*) FROM incidents GROUP BY 1").fetchall()
        )
        no_lsoa = ws.con.execute(
            "SELECT count(*) FROM incidents WHERE lsoa_code IS NULL"
        ).fetchall()
        westminster = ws.con.execute(
            "SELECT count(*) FROM incidents WHERE local_authority = 'Westminster'"
        ).fetchall()
    expected = Counter(normalise_category(r["category"]) for r in unique.values())
    assert by_cat == dict(expected)
    assert no_lsoa[0][0] == 0  # every point got its LSOA from the built-in boundaries
    assert westminster[0][0] / len(unique) > 0.95  # ward polygons reach a little over the border


def test_a_record_twice_in_one_api_file_is_stored_once(one_month: Path, tmp_path: Path) -> None:
    src = sorted(one_month.glob("*.json"))[0]
    records = json.loads(src.read_text())
    twice = tmp_path / "twice.json"
    twice.write_text(json.dumps([*records, records[0]]))
    (f,) = ingest_paths(tmp_path / "ws", [twice]).files
    assert (f.rows_stored, f.rows_already_stored) == (len(records), 1)
    with Workspace(tmp_path / "ws", read_only=True) as ws:
        keys = ws.con.execute("SELECT count(*), count(DISTINCT incident_key) FROM incidents")
        assert keys.fetchall() == [(len(records), len(records))]


def test_api_bad_records_are_quarantined(one_month: Path, tmp_path: Path) -> None:
    src = sorted(one_month.glob("*.json"))[0]
    records = json.loads(src.read_text())
    records[2]["category"] = "pickpocketing"
    records[4]["month"] = "2017-9"
    records[6]["location"]["latitude"] = "40.7"  # New York
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(records))
    (f,) = ingest_paths(tmp_path / "ws", [bad]).files
    assert f.rows_quarantined == 3 and f.rows_stored == len(records) - 3
    with Workspace(tmp_path / "ws", read_only=True) as ws:
        q = ws.con.execute("SELECT line, field FROM quarantine ORDER BY line").fetchall()
    assert q == [(3, "category"), (5, "month"), (7, "location")]


def test_invalid_json_fails_cleanly(tmp_path: Path) -> None:
    f = tmp_path / "cut.json"
    f.write_text('[{"category": "burglary", "location": ')
    (r,) = ingest_paths(tmp_path / "ws", [f]).files
    assert (
        r.status == "failed" and "not valid JSON" in (r.error or "") and str(f) in (r.error or "")
    )


def test_met_borough_series_for_westminster(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / "mps/borough-level-crime-historical.csv"
    (f,) = ingest_paths(tmp_path / "ws", [src]).files
    wide = pd.read_csv(src)
    months = [c for c in wide.columns if c.isdigit()]
    assert f.rows_stored == len(wide) * len(months)
    west = wide[wide["BoroughName"] == "Westminster"]
    cal_2011 = int(west[[m for m in months if m.startswith("2011")]].to_numpy().sum())
    with Workspace(tmp_path / "ws", read_only=True) as ws:
        got = ws.con.execute(
            "SELECT sum(count) FROM recorded_crime WHERE area_name = 'Westminster' "
            "AND year(month) = 2011"
        ).fetchall()[0][0]
    assert got == cal_2011
    again = ingest_paths(tmp_path / "ws", [src]).files[0]
    assert again.status == "already imported"
