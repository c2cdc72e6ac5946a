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
    populations = list(b.populations)
    if area_type == "lsoa" and not any(p is not None for p in populations):
        # no residents in the file: the loaded census of the LSOAs' own vintage, if any
        from safercity.analytics.population import census_residents

        year = lsoa_vintage(b.codes)
        found = census_residents(workspace.con, year)
        populations = [found.get(c) for c in b.codes]
    frame = pd.DataFrame(
        {
            "area_id": [f"{area_type}:{c}" for c in b.codes],
            "area_type": area_type,
            "code": b.codes,
            "name": b.names,
            "population": pd.array(populations, dtype="Float64"),
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


def lsoa_vintage(codes: list[str]) -> int:
    """2021 when any LSOA code is one the built-in 2011 LSOAs lack (a 2021 LSOA set), else 2011.

    Most 2021 LSOAs kept their 2011 code, so a set is told by its new codes; a rate for an LSOA
    uses the census of its own vintage (2011 Census for 2011 LSOAs, Census 2021 for 2021)."""
    known = geography.builtin_lsoas().lookup.index
    return 2021 if any(c not in known for c in codes) else 2011


def fill_lsoa_populations(con: DuckDBPyConnection) -> int:
    """Give loaded LSOAs without residents those of the loaded census of their vintage (after a
    ``population load``); returns how many areas gained a population."""
    from safercity.analytics.population import census_residents

    areas = con.execute("SELECT code, population FROM areas WHERE area_type = 'lsoa'").df()
    if areas.empty or areas["population"].notna().any():
        return 0
    found = census_residents(con, lsoa_vintage(list(areas["code"].astype(str))))
    upd = pd.DataFrame({"code": list(found), "population": list(found.values())})
    if upd.empty:
        return 0
    con.register("_pop_upd", upd)
    n = con.execute(
        "SELECT count(*) FROM areas a JOIN _pop_upd u ON a.code = u.code WHERE a.area_type = 'lsoa'"
    ).fetchall()[0][0]
    con.execute(
        "UPDATE areas SET population = u.population FROM _pop_upd u "
        "WHERE areas.area_type = 'lsoa' AND areas.code = u.code"
    )
    con.unregister("_pop_upd")
    return int(n)


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


def place_local_authorities(con: DuckDBPyConnection, *, source_ids: list[str] | None = None) -> int:
    """Give every stored incident without a local authority the one its LSOA code, LSOA name or
    point places it in (:func:`safercity.analytics.geography.place_local_authorities`).

    ``source_ids`` limits it to the rows of those sources (the import just committed); default:
    every row. Returns the number of rows that gained a local authority.
    """
    where = "local_authority IS NULL AND (lsoa_code IS NOT NULL OR easting IS NOT NULL)"
    params: list[object] = []
    if source_ids is not None:
        if not source_ids:
            return 0
        where += f" AND source_id IN ({', '.join('?' for _ in source_ids)})"
        params.extend(source_ids)
    rows = con.execute(
        f"SELECT rowid, lsoa_code, lsoa_name, easting, northing FROM incidents WHERE {where}",
        params,
    ).fetchnumpy()
    if not len(rows["rowid"]):
        return 0
    placed = geography.place_local_authorities(
        rows["lsoa_code"],
        rows["lsoa_name"],
        np.asarray(rows["easting"], dtype=np.float64),
        np.asarray(rows["northing"], dtype=np.float64),
    )
    found = placed != None  # noqa: E711 (element-wise on an object array)
    if not found.any():
        return 0
    upd = pd.DataFrame(
        {"row_id": np.asarray(rows["rowid"])[found], "la": placed[found].astype(str)}
    )
    con.register("_la_upd", upd)
    con.execute(
        "UPDATE incidents SET local_authority = u.la FROM _la_upd u WHERE incidents.rowid = u.row_id"
    )
    con.unregister("_la_upd")
    return int(found.sum())


#: why a stored row has no local authority (``safercity status --json``
#: ``rows_without_local_authority_by_reason``), as SQL conditions on the row
WITHOUT_LOCAL_AUTHORITY_REASONS: tuple[tuple[str, str], ...] = (
    ("no coordinates and no LSOA", "easting IS NULL AND lsoa_code IS NULL"),
    (
        "no coordinates; LSOA unknown to the built-in lookup and its name names no local authority",
        "easting IS NULL AND lsoa_code IS NOT NULL",
    ),
    (
        "point beyond the built-in England and Wales LSOAs (more than 250 m outside) and no "
        "LSOA that names a local authority",
        "easting IS NOT NULL",
    ),
)


#: the reason of a row the placement would now place (a workspace imported before it)
NOT_YET_PLACED = "not placed yet (imported before rows were placed by point and LSOA name): run safercity geography place"


def rows_without_local_authority(
    con: DuckDBPyConnection, first_month: object = None, last_month: object = None
) -> tuple[int, dict[str, int]]:
    """How many stored incidents (of the months from ``first_month`` to ``last_month``, dates,
    where given) have no local authority, in total and by reason (reasons with no row left
    out); such rows are in no ``--area`` analysis."""
    cases = " ".join(f"WHEN {cond} THEN ?" for _, cond in WITHOUT_LOCAL_AUTHORITY_REASONS)
    params: list[object] = [reason for reason, _ in WITHOUT_LOCAL_AUTHORITY_REASONS]
    where = "local_authority IS NULL"
    if first_month is not None:
        where += " AND month >= ?"
        params.append(first_month)
    if last_month is not None:
        where += " AND month <= ?"
        params.append(last_month)
    rows = con.execute(
        f"SELECT CASE {cases} END AS reason, lsoa_code, lsoa_name, easting, northing "
        f"FROM incidents WHERE {where}",
        params,
    ).df()
    if rows.empty:
        return 0, {}
    could = rows["reason"] != WITHOUT_LOCAL_AUTHORITY_REASONS[0][0]
    if could.any():
        sub = rows[could]
        placed = geography.place_local_authorities(
            sub["lsoa_code"].to_numpy(dtype=object),
            sub["lsoa_name"].to_numpy(dtype=object),
            sub["easting"].to_numpy(dtype=np.float64, na_value=np.nan),
            sub["northing"].to_numpy(dtype=np.float64, na_value=np.nan),
        )
        rows.loc[sub.index[placed != None], "reason"] = NOT_YET_PLACED  # noqa: E711
    counts = rows["reason"].value_counts()
    by_reason = {str(k): int(v) for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}
    return len(rows), by_reason
