"""police.uk API JSON (Westminster 2016-18) and the Met borough series, from ../shared."""

from __future__ import annotations

import json
import tarfile
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from safercity import cli
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
    bad.write_text(json.dumps(records))  # one line, as police.uk sends it
    (f,) = ingest_paths(tmp_path / "ws", [bad]).files
    assert f.rows_quarantined == 3 and f.rows_stored == len(records) - 3
    q = _quarantine(tmp_path / "ws")
    assert [(line, field) for line, field, _ in q] == [
        (1, "category"),
        (1, "month"),
        (1, "latitude"),
    ]
    assert [reason.split(":")[0] for _, _, reason in q] == ["record 3", "record 5", "record 7"]


def test_invalid_json_fails_cleanly(tmp_path: Path) -> None:
    f = tmp_path / "cut.json"
    f.write_text('[{"category": "burglary", "location": ')
    (r,) = ingest_paths(tmp_path / "ws", [f]).files
    assert (
        r.status == "failed" and "not valid JSON" in (r.error or "") and str(f) in (r.error or "")
    )


def _record(n: int, **change: Any) -> dict[str, Any]:
    """A police.uk API record (as the API sends it: coordinates as text)."""
    rec: dict[str, Any] = {
        "category": "burglary",
        "location_type": "Force",
        "location": {
            "latitude": "51.5",
            "street": {"id": 1, "name": "On or near High Street"},
            "longitude": "-0.1",
        },
        "context": "",
        "outcome_status": {"category": "Under investigation", "date": "2017-09"},
        "persistent_id": f"{n:064x}",
        "id": n,
        "location_subtype": "",
        "month": "2017-09",
    }
    rec.update(change)
    return rec


def _api_file(tmp_path: Path, records: list[Any], text: str | None = None) -> Path:
    f = tmp_path / "api.json"
    f.write_text(json.dumps(records) if text is None else text)
    return f


def _quarantine(ws_path: Path) -> list[tuple[int, str, str]]:
    with Workspace(ws_path, read_only=True) as ws:
        rows = ws.con.execute("SELECT line, field, reason FROM quarantine ORDER BY line, reason")
        return [(int(a), str(b), str(c)) for a, b, c in rows.fetchall()]


def _only_record_2_quarantined(tmp_path: Path, f: Path) -> tuple[str, str]:
    """Import ``f`` (three records, the second bad): the other two are stored; return the
    second's (field, reason)."""
    (r,) = ingest_paths(tmp_path / "ws", [f]).files
    assert (r.status, r.rows_read, r.rows_stored, r.rows_quarantined) == ("imported", 3, 2, 1)
    ((_, field, reason),) = _quarantine(tmp_path / "ws")
    assert reason.startswith("record 2: ")
    return field, reason


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"location": "nowhere"}, "location"),
        ({"location": [1, 2]}, "location"),
        ({"location": {"latitude": "51.5", "longitude": "-0.1", "street": "x"}}, "location.street"),
        (
            {"location": {"latitude": "51.5", "longitude": "-0.1", "street": {"name": 7}}},
            "location.street.name",
        ),
        ({"outcome_status": "weird"}, "outcome_status"),
        ({"category": 5}, "category"),
        ({"category": {"a": 1}}, "category"),
        ({"month": 201709}, "month"),
        ({"month": "2017/09"}, "month"),
        ({"month": "1899-01"}, "month"),  # before police.uk's record
        ({"month": "2999-01"}, "month"),  # in the future
        ({"id": [1, 2]}, "id"),
        ({"persistent_id": 5}, "persistent_id"),
        ({"location_type": {"a": 1}}, "location_type"),
        ({"context": ["x"]}, "context"),
    ],
)
def test_api_record_of_the_wrong_shape_is_quarantined(
    tmp_path: Path, change: dict[str, Any], field: str
) -> None:
    f = _api_file(tmp_path, [_record(1), _record(2, **change), _record(3)])
    got, reason = _only_record_2_quarantined(tmp_path, f)
    assert got == field and field in reason


@pytest.mark.parametrize("item", ["[1, 2]", '"x"', "null", "3"])
def test_api_record_that_is_not_an_object_is_quarantined(tmp_path: Path, item: str) -> None:
    one, three = json.dumps(_record(1)), json.dumps(_record(3))
    f = _api_file(tmp_path, [], text=f"[{one}, {item}, {three}]")
    field, reason = _only_record_2_quarantined(tmp_path, f)
    assert field == "" and "not a JSON object" in reason


@pytest.mark.parametrize(
    ("latitude", "longitude", "field", "shown"),
    [
        ('"abc"', '"-0.1"', "latitude", "abc"),
        ('"51.5"', '"1e400"', "longitude", "1e400"),
        ("1e400", "-0.1", "latitude", "inf"),  # a JSON number too large for a float
        ('"51.5"', "true", "longitude", "true"),
        ('"51.5"', "null", "longitude", "latitude 51.5"),  # half a point
        ('"48.85"', '"2.35"', "latitude", "(2.35, 48.85)"),  # Paris: outside the UK
    ],
)
def test_api_coordinates_that_are_not_a_uk_point_are_quarantined(
    tmp_path: Path, latitude: str, longitude: str, field: str, shown: str
) -> None:
    bad = json.dumps(_record(2)).replace('"51.5"', latitude).replace('"-0.1"', longitude)
    one, three = json.dumps(_record(1)), json.dumps(_record(3))
    f = _api_file(tmp_path, [], text=f"[{one}, {bad}, {three}]")
    got, reason = _only_record_2_quarantined(tmp_path, f)
    assert got == field and shown in reason


def test_api_record_without_a_location_is_stored_without_a_point(tmp_path: Path) -> None:
    records = [_record(1, location=None), _record(2), _record(3)]
    del records[2]["location"]
    (r,) = ingest_paths(tmp_path / "ws", [_api_file(tmp_path, records)]).files
    assert (r.rows_stored, r.rows_quarantined) == (3, 0)
    with Workspace(tmp_path / "ws", read_only=True) as ws:
        no_point = ws.con.execute("SELECT count(*) FROM incidents WHERE latitude IS NULL")
        assert no_point.fetchall() == [(2,)]


def test_api_quarantine_line_is_where_the_record_starts(tmp_path: Path) -> None:
    records = [_record(1), _record(2), _record(3, category="pickpocketing"), _record(4)]
    text = json.dumps(records, indent=2)
    f = _api_file(tmp_path, [], text=text)
    (r,) = ingest_paths(tmp_path / "ws", [f]).files
    assert (r.rows_stored, r.rows_quarantined) == (3, 1)
    start = text.index('"pickpocketing"')
    start = text.rindex("{", 0, start)  # the record's own opening brace
    ((line, field, reason),) = _quarantine(tmp_path / "ws")
    assert line == text.count("\n", 0, start) + 1 > 3
    assert (field, reason) == ("category", 'record 3: unknown category "pickpocketing"')


def test_deeply_nested_json_is_one_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = _api_file(tmp_path, [], text="[" * 100_000 + "]" * 100_000)
    assert cli.main(["ingest", str(f), "--workspace", str(tmp_path / "ws")]) != 0
    out = capsys.readouterr()
    assert f"{f}: the JSON is nested too deeply" in out.out + out.err
    assert "Traceback" not in out.out + out.err


def test_api_json_with_a_utf8_bom_is_read(tmp_path: Path) -> None:
    f = tmp_path / "bom.json"
    f.write_bytes(b"\xef\xbb\xbf" + json.dumps([_record(1), _record(2)]).encode())
    (r,) = ingest_paths(tmp_path / "ws", [f]).files
    assert (r.status, r.rows_stored) == ("imported", 2)


def test_utf16_api_json_is_asked_for_as_utf8_json(tmp_path: Path) -> None:
    f = tmp_path / "api.json"
    f.write_bytes(json.dumps([_record(1)]).encode("utf-16"))
    (r,) = ingest_paths(tmp_path / "ws", [f]).files
    assert r.status == "failed" and "UTF-16" in (r.error or "")
    assert "save it as UTF-8 JSON" in (r.error or "")


MET_HEADER = "MajorText,MinorText,BoroughName,201004,201005,201006\n"


def _met(tmp_path: Path, body: str) -> Path:
    f = tmp_path / "met.csv"
    f.write_text(MET_HEADER + body)
    return f


def test_met_ragged_rows_are_quarantined_and_the_others_kept(tmp_path: Path) -> None:
    f = _met(
        tmp_path,
        "BURGLARY,DOMESTIC,Camden,1,2,3\n"
        "BURGLARY,DOMESTIC,Barnet,1,2,3,4\n"  # line 3: a field too many
        '"THEFT, OTHER",BICYCLE,Camden,4,5,6\n'
        "THEFT,BICYCLE,Barnet,4,5\n"  # line 5: a field too few
        "THEFT,BICYCLE,Brent,7,8,9\n",
    )
    (r,) = ingest_paths(tmp_path / "ws", [f]).files
    assert (r.status, r.rows_stored, r.rows_quarantined) == ("imported", 9, 2)
    assert r.rows_read == r.rows_stored + r.rows_quarantined
    q = _quarantine(tmp_path / "ws")
    assert [(line, field) for line, field, _ in q] == [(3, ""), (5, "")]
    assert "too many" in q[0][2] and "too few" in q[1][2]
    with Workspace(tmp_path / "ws", read_only=True) as ws:
        total = ws.con.execute("SELECT sum(count) FROM recorded_crime").fetchall()
    assert total == [(6 + 15 + 24,)]


def test_met_row_listed_twice_is_counted_once(tmp_path: Path) -> None:
    f = _met(
        tmp_path,
        "BURGLARY,DOMESTIC,Camden,1,2,3\n"
        "THEFT,BICYCLE,Camden,4,5,6\n"
        "BURGLARY,DOMESTIC,Camden,1,2,3\n"  # line 4: line 2 again
        "THEFT,BICYCLE,Camden,4,5,60\n",  # line 5: line 3 with another count
    )
    (r,) = ingest_paths(tmp_path / "ws", [f]).files
    assert (r.rows_stored, r.rows_quarantined, r.rows_read) == (6, 2, 8)
    q = _quarantine(tmp_path / "ws")
    assert [line for line, _, _ in q] == [4, 5]
    assert "listed twice (same as line 2)" in q[0][2]
    assert "listed twice with different counts (line 3 is used)" in q[1][2]
    with Workspace(tmp_path / "ws", read_only=True) as ws:
        total = ws.con.execute("SELECT sum(count) FROM recorded_crime").fetchall()
    assert total == [(21,)]


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


def test_met_columns_are_known_in_any_case(tmp_path: Path) -> None:
    f = tmp_path / "met.csv"
    f.write_text(
        "majortext,minortext,boroughname,201004\nBurglary,Burglary in a Dwelling,Westminster,7\n"
    )
    (r,) = ingest_paths(tmp_path / "ws", [f]).files
    assert (r.status, r.rows_stored) == ("imported", 1)
