"""Loaded boundaries: wards, LSOAs and custom areas (a night-time-economy zone, a town centre).

``safercity geography load FILE --type ward|lsoa|custom`` stores the polygons (British National
Grid, WKB) and their population in ``areas``, then places every incident: wards fill
``incidents.ward_code``/``ward_name``; every area type is recorded in ``incident_areas``, so an
incident can be in a ward and in any number of custom areas. Incidents imported later are placed
as they arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from duckdb import DuckDBPyConnection

from safercity.analytics import geography
from safercity.analytics.store import Workspace, first_row

AREA_TYPES = ("ward", "lsoa", "custom")


@dataclass
class LoadedAreas:
    area_type: str
    areas: int
    incidents_placed: int
    replaced: int


def load_boundaries(
    workspace: Workspace,
    path: str | Path,
    *,
    area_type: str,
    code_field: str | None = None,
    name_field: str | None = None,
    population_field: str | None = None,
) -> LoadedAreas:
    """Load a boundary file into the workspace and place every incident (one transaction)."""
    if area_type not in AREA_TYPES:
        raise ValueError(f"area type must be one of {', '.join(AREA_TYPES)}, not {area_type!r}")
    b = geography.read_boundaries(
        path, code_field=code_field, name_field=name_field, population_field=population_field
    )
    frame = pd.DataFrame(
        {
            "area_id": [f"{area_type}:{c}" for c in b.codes],
            "area_type": area_type,
            "code": b.codes,
            "name": b.names,
            "population": pd.array(b.populations, dtype="Float64"),
            "geometry_wkb": list(shapely.to_wkb(b.polygons)),
            "source": str(path),
        }
    )
    con = workspace.con
    with workspace.transaction():
        con.register("_areas", frame)
        replaced_row = first_row(
            con, "SELECT count(*) FROM areas WHERE area_id IN (SELECT area_id FROM _areas)"
        )
        replaced = int(replaced_row[0]) if replaced_row else 0
        con.execute("DELETE FROM areas WHERE area_id IN (SELECT area_id FROM _areas)")
        con.execute("INSERT INTO areas SELECT * FROM _areas")
        con.unregister("_areas")
        con.execute(
            "DELETE FROM incident_areas WHERE area_id IN (SELECT area_id FROM areas WHERE area_type = ?)",
            [area_type],
        )
        if area_type == "ward":
            con.execute("UPDATE incidents SET ward_code = NULL, ward_name = NULL")
        placed = assign_rows(con, "incidents", area_types=(area_type,))
    return LoadedAreas(area_type, len(frame), placed, replaced)


def assign_rows(
    con: DuckDBPyConnection, table: str, *, area_types: tuple[str, ...] = AREA_TYPES
) -> int:
    """Place the rows of ``table`` (``incidents`` or a staging table) in the loaded areas.

    Returns the number of (incident, area) memberships recorded.
    """
    areas = con.execute(
        "SELECT area_id, area_type, code, name, geometry_wkb FROM areas "
        f"WHERE area_type IN ({', '.join('?' for _ in area_types)})",
        list(area_types),
    ).df()
    if areas.empty:
        return 0
    pts = con.execute(
        f"SELECT incident_key, easting, northing FROM {table} WHERE easting IS NOT NULL"
    ).fetchnumpy()
    polygons = shapely.from_wkb(np.asarray([bytes(b) for b in areas["geometry_wkb"]], dtype=object))
    pt_i, poly_i = geography.assign_areas(
        np.asarray(pts["easting"], dtype=np.float64),
        np.asarray(pts["northing"], dtype=np.float64),
        np.asarray(polygons, dtype=object),
    )
    members = pd.DataFrame(
        {
            "incident_key": np.asarray(pts["incident_key"], dtype=object)[pt_i],
            "area_id": areas["area_id"].to_numpy()[poly_i],
            "area_type": areas["area_type"].to_numpy()[poly_i],
            "code": areas["code"].to_numpy()[poly_i],
            "name": areas["name"].to_numpy()[poly_i],
        }
    )
    con.register("_members", members)
    con.execute("INSERT INTO incident_areas SELECT incident_key, area_id FROM _members")
    wards = con.execute(
        "SELECT incident_key, any_value(code) AS code, any_value(name) AS name FROM _members "
        "WHERE area_type = 'ward' GROUP BY incident_key"
    ).df()
    if len(wards):
        have = {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}
        for column in ("ward_code", "ward_name"):
            if column not in have:  # a staging table holds only its source's columns
                con.execute(f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR")
        con.register("_wards", wards)
        con.execute(
            f"UPDATE {table} SET ward_code = w.code, ward_name = w.name FROM _wards w "
            f"WHERE {table}.incident_key = w.incident_key"
        )
        con.unregister("_wards")
    con.unregister("_members")
    return len(members)
