"""Loading ward and custom boundaries places every incident (Westminster, real data)."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import numpy as np
import pytest
import shapely

from safercity.analytics import geography
from safercity.analytics.areas import load_boundaries
from safercity.analytics.ingest import ingest_paths
from safercity.analytics.store import Workspace

pytestmark = pytest.mark.shared_data


def test_wards_and_a_custom_area(shared_data: Path, tmp_path: Path) -> None:
    rows: list[object] = []
    archive = shared_data / "police-uk-api/westminster-wards-2016-2018/crime-street-json.tar.gz"
    with tarfile.open(archive, mode="r|*") as tf:
        for info in tf:
            if info.isfile() and "london_month_2018_06/" in info.name and len(rows) < 300:
                member = tf.extractfile(info)
                assert member is not None
                rows += json.load(member)
    src = tmp_path / "sample.json"
    src.write_text(json.dumps(rows))
    ingest_paths(tmp_path / "ws", [src])
    with Workspace(tmp_path / "ws") as ws:
        loaded = load_boundaries(
            ws, shared_data / "boundaries/westminster-wards-2014.geojson", area_type="ward"
        )
        assert loaded.areas == 20
        got = dict(ws.con.execute("SELECT incident_key, ward_name FROM incidents").fetchall())
        # a custom 600 m square around the middle of the incidents, as a night-time-economy zone
        e0, n0 = ws.con.execute(
            "SELECT median(easting), median(northing) FROM incidents"
        ).fetchall()[0]
        zone = shapely.box(e0 - 300, n0 - 300, e0 + 300, n0 + 300)
        (tmp_path / "zone.geojson").write_text(
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
                    "features": [
                        {
                            "type": "Feature",
                            "properties": {"code": "NTE1", "name": "West End NTE zone"},
                            "geometry": json.loads(shapely.to_geojson(zone)),
                        }
                    ],
                }
            )
        )
        load_boundaries(ws, tmp_path / "zone.geojson", area_type="custom")
        inside = {
            r[0]
            for r in ws.con.execute(
                "SELECT incident_key FROM incident_areas WHERE area_id = 'custom:NTE1'"
            ).fetchall()
        }
        pts = ws.con.execute("SELECT incident_key, easting, northing FROM incidents").fetchall()
    wards = geography.read_boundaries(shared_data / "boundaries/westminster-wards-2014.geojson")
    for key, e, n in pts:
        hits = [
            nm
            for nm, poly in zip(wards.names, wards.polygons, strict=True)
            if poly.covers(shapely.Point(e, n))
        ]
        assert got[key] in (hits or [None])
        assert (key in inside) == bool(zone.covers(shapely.Point(e, n)))
    assert inside and len(inside) < len(pts)
    assert np.mean([v is not None for v in got.values()]) > 0.9


def test_incidents_imported_after_the_boundaries_get_their_ward(
    shared_data: Path, tmp_path: Path
) -> None:
    """A ward file loaded first: police.uk rows imported later are placed as they arrive."""
    src = shared_data / "police-uk/west-yorkshire/2018-07-west-yorkshire-street.csv"
    leeds_centre = shapely.box(429000, 433000, 431000, 434500)  # a 2 km x 1.5 km test "ward"
    (tmp_path / "ward.geojson").write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": "W1", "name": "Leeds centre (test)"},
                        "geometry": json.loads(shapely.to_geojson(leeds_centre)),
                    }
                ],
            }
        )
    )
    with Workspace(tmp_path / "ws") as ws:
        load_boundaries(ws, tmp_path / "ward.geojson", area_type="ward")
    ingest_paths(tmp_path / "ws", [src])
    with Workspace(tmp_path / "ws", read_only=True) as ws:
        pts = ws.con.execute("SELECT easting, northing, ward_name FROM incidents").fetchall()
        members = ws.con.execute("SELECT count(*) FROM incident_areas").fetchall()[0][0]
    inside = [w for e, n, w in pts if e is not None and leeds_centre.covers(shapely.Point(e, n))]
    assert len(inside) > 100 and all(w == "Leeds centre (test)" for w in inside)
    assert sum(w is not None for _, _, w in pts) == len(inside) == members
