"""Staging: every parser fills two temporary DuckDB tables, which the importer then commits.

``staged``
    The good rows, with the columns of ``incidents`` (see :mod:`safercity.analytics.store`)
    less ``source_id``, plus ``line`` (the row's line in its file) and ``file_no`` (the file's
    place in its batch). A table, or for a batch of police.uk CSVs a view (see
    :func:`safercity.analytics.ingest.police_uk.stage_street_many`).
``bad``
    The rows set aside: ``line``, ``field``, ``reason``, ``raw``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from duckdb import DuckDBPyConnection

from safercity.analytics import geography
from safercity.analytics.store import first_row

INCIDENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("incident_key", "VARCHAR"),
    ("crime_id", "VARCHAR"),
    ("source_kind", "VARCHAR"),
    ("force", "VARCHAR"),
    ("month", "DATE"),
    ("occurred_from", "TIMESTAMP"),
    ("occurred_to", "TIMESTAMP"),
    ("category", "VARCHAR"),
    ("offence", "VARCHAR"),
    ("longitude", "DOUBLE"),
    ("latitude", "DOUBLE"),
    ("easting", "DOUBLE"),
    ("northing", "DOUBLE"),
    ("location", "VARCHAR"),
    ("location_type", "VARCHAR"),
    ("lsoa_code", "VARCHAR"),
    ("lsoa_name", "VARCHAR"),
    ("local_authority", "VARCHAR"),
    ("ward_code", "VARCHAR"),
    ("ward_name", "VARCHAR"),
    ("outcome", "VARCHAR"),
    ("context", "VARCHAR"),
    ("victim_id", "VARCHAR"),
    ("victim_age", "INTEGER"),
    ("victim_sex", "VARCHAR"),
    ("victim_home_area", "VARCHAR"),
    ("victim_resident", "BOOLEAN"),
    ("suspect_age", "INTEGER"),
    ("flag_domestic", "BOOLEAN"),
    ("flag_alcohol", "BOOLEAN"),
    ("flag_hate", "BOOLEAN"),
)
INCIDENT_NAMES = tuple(name for name, _ in INCIDENT_COLUMNS)


def ensure_reference_tables(con: DuckDBPyConnection) -> None:
    """Temporary lookup table ``ref_lsoa``: the built-in LSOA lookup (categories are looked up
    through a MAP literal, :func:`safercity.analytics.ingest.police_uk._category_map_sql`)."""
    exists = first_row(
        con, "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = 'ref_lsoa'"
    )
    if exists and exists[0]:
        return
    lookup = geography.builtin_lsoas().lookup.reset_index()[
        ["lsoa_code", "lsoa_name", "local_authority", "force"]
    ]
    con.register("_lsoa_df", lookup)
    con.execute("CREATE TEMP TABLE ref_lsoa AS SELECT * FROM _lsoa_df")
    con.unregister("_lsoa_df")


def create_empty(con: DuckDBPyConnection, *, staged: bool = True) -> None:
    """Fresh ``bad`` and (unless ``staged=False``, for a parser that creates it from its own
    select) a fresh ``staged`` with every incident column."""
    drop_staging(con)
    if staged:
        cols = ", ".join(f"{n} {t}" for n, t in INCIDENT_COLUMNS)
        con.execute(f"CREATE TEMP TABLE staged ({cols}, line BIGINT, file_no INTEGER DEFAULT 0)")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE bad (line BIGINT, field VARCHAR, reason VARCHAR, "
        "raw VARCHAR, file_no INTEGER DEFAULT 0)"
    )


def drop_staging(con: DuckDBPyConnection) -> None:
    """Drop ``staged`` (a table, or the view a batch of police.uk CSVs is staged as) and the
    tables such a view reads."""
    if first_row(con, "SELECT 1 FROM duckdb_views() WHERE temporary AND view_name = 'staged'"):
        con.execute("DROP VIEW staged")
    for table in ("staged", "checked", "checked_pos", "checked_repeats", "ref_force"):
        con.execute(f"DROP TABLE IF EXISTS {table}")


def stage_frame(con: DuckDBPyConnection, frame: pd.DataFrame) -> None:
    """Append a pandas frame (any subset of the incident columns, plus ``line``) to ``staged``."""
    if frame.empty:
        return
    cols = [c for c in (*INCIDENT_NAMES, "line", "file_no") if c in frame.columns]
    con.register("_stage_df", frame[cols])
    con.execute(f"INSERT INTO staged ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _stage_df")
    con.unregister("_stage_df")


def stage_bad(con: DuckDBPyConnection, frame: pd.DataFrame) -> None:
    """Append rows (``line``, ``field``, ``reason``, ``raw``) to ``bad``."""
    if frame.empty:
        return
    cols = [c for c in ("line", "field", "reason", "raw", "file_no") if c in frame.columns]
    con.register("_bad_df", frame[cols])
    con.execute(f"INSERT INTO bad ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _bad_df")
    con.unregister("_bad_df")


def project_staged(con: DuckDBPyConnection, *, locate_lsoa: bool) -> None:
    """Fill easting/northing from longitude/latitude; LSOA from the point where asked; then the
    local authority (and force, LSOA name where missing) from the built-in lookup."""
    pts = con.execute(
        "SELECT file_no, line, longitude, latitude FROM staged "
        "WHERE longitude IS NOT NULL AND latitude IS NOT NULL AND easting IS NULL"
    ).fetchnumpy()
    if len(pts["line"]):
        e, n = geography.to_bng(
            np.asarray(pts["longitude"], dtype=np.float64),
            np.asarray(pts["latitude"], dtype=np.float64),
        )
        upd = pd.DataFrame({"file_no": pts["file_no"], "line": pts["line"], "e": e, "n": n})
        con.register("_bng_df", upd)
        con.execute(
            "UPDATE staged SET easting = b.e, northing = b.n FROM _bng_df b "
            "WHERE staged.line = b.line AND staged.file_no = b.file_no"
        )
        con.unregister("_bng_df")
    if locate_lsoa:
        pts = con.execute(
            "SELECT file_no, line, easting, northing FROM staged "
            "WHERE lsoa_code IS NULL AND easting IS NOT NULL"
        ).fetchnumpy()
        if len(pts["line"]):
            codes = geography.builtin_lsoas().locate(
                np.asarray(pts["easting"], dtype=np.float64),
                np.asarray(pts["northing"], dtype=np.float64),
            )
            upd = pd.DataFrame(
                {"file_no": pts["file_no"], "line": pts["line"], "code": codes.astype(str)}
            )
            upd = upd[codes != None]  # noqa: E711 (element-wise on an object array)
            con.register("_lsoa_upd", upd)
            con.execute(
                "UPDATE staged SET lsoa_code = u.code FROM _lsoa_upd u "
                "WHERE staged.line = u.line AND staged.file_no = u.file_no"
            )
            con.unregister("_lsoa_upd")
    con.execute(
        """
        UPDATE staged SET
            local_authority = coalesce(staged.local_authority, r.local_authority),
            lsoa_name = coalesce(staged.lsoa_name, r.lsoa_name),
            force = coalesce(staged.force, r.force)
        FROM ref_lsoa r WHERE staged.lsoa_code = r.lsoa_code
        """
    )
