"""The workspace store: one DuckDB file per workspace (``<workspace>/store.duckdb``).

Tables (the contract every analysis reads):

``incidents``
    One row per recorded crime or ASB incident, whatever its source.
    ``incident_key`` is unique in the store (``<kind>:<id>``); ``crime_id`` is the source's own id
    (police.uk Crime ID, API ``persistent_id``/``id``, or the extract's id).
    ``month`` (DATE, first of month) is always set; ``occurred_from``/``occurred_to`` (TIMESTAMP)
    only where the source has times (a local extract); equal when the time is exact.
    ``category`` is the police.uk category name (:mod:`safercity.analytics.categories`),
    ``offence`` the source's own wording. ``longitude``/``latitude`` (WGS84) and
    ``easting``/``northing`` (British National Grid, EPSG:27700, metres) are NULL without a location.
    ``lsoa_code``/``lsoa_name``/``local_authority``/``force`` come from the file or the built-in
    geography; ``ward_code``/``ward_name`` from loaded ward boundaries.
    People fields (local extracts only): ``victim_id``, ``victim_age``, ``victim_sex``,
    ``victim_home_area``, ``victim_resident``, ``suspect_age``; flags ``flag_domestic``,
    ``flag_alcohol``, ``flag_hate``.
``recorded_crime``
    Aggregate counts (Met borough/ward tables): ``area_type`` ('borough'/'ward'), ``area_code``,
    ``area_name``, ``major_category``, ``minor_category``, ``month``, ``count``.
``sources``
    One row per imported file: ``source_id`` (sha256 of the bytes), ``path``, ``kind``,
    ``force``, ``months``, ``rows_stored``, ``rows_quarantined``, ``imported_at``, ``note``.
``quarantine``
    Rows set aside: ``source_id``, ``file``, ``line``, ``field``, ``reason``, ``raw``.
``outcomes``, ``stop_search``
    police.uk outcomes and stop-and-search files, as published.
``areas`` / ``incident_areas``
    Loaded boundaries (wards, LSOAs, custom areas such as a night-time-economy zone) with their
    population and WKB geometry in British National Grid, and which incidents fall in which.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

STORE_FILE = "store.duckdb"

SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    source_id VARCHAR PRIMARY KEY,
    path VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    force VARCHAR,
    months VARCHAR[],
    rows_read BIGINT NOT NULL,
    rows_stored BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    note VARCHAR
);
CREATE TABLE IF NOT EXISTS incidents (
    incident_key VARCHAR NOT NULL,
    crime_id VARCHAR,
    source_id VARCHAR NOT NULL,
    source_kind VARCHAR NOT NULL,
    force VARCHAR,
    month DATE NOT NULL,
    occurred_from TIMESTAMP,
    occurred_to TIMESTAMP,
    category VARCHAR NOT NULL,
    offence VARCHAR,
    longitude DOUBLE,
    latitude DOUBLE,
    easting DOUBLE,
    northing DOUBLE,
    location VARCHAR,
    location_type VARCHAR,
    lsoa_code VARCHAR,
    lsoa_name VARCHAR,
    local_authority VARCHAR,
    ward_code VARCHAR,
    ward_name VARCHAR,
    outcome VARCHAR,
    context VARCHAR,
    victim_id VARCHAR,
    victim_age INTEGER,
    victim_sex VARCHAR,
    victim_home_area VARCHAR,
    victim_resident BOOLEAN,
    suspect_age INTEGER,
    flag_domestic BOOLEAN,
    flag_alcohol BOOLEAN,
    flag_hate BOOLEAN
);
CREATE TABLE IF NOT EXISTS recorded_crime (
    source_id VARCHAR NOT NULL,
    area_type VARCHAR NOT NULL,
    area_code VARCHAR,
    area_name VARCHAR NOT NULL,
    major_category VARCHAR NOT NULL,
    minor_category VARCHAR NOT NULL,
    month DATE NOT NULL,
    count BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS quarantine (
    source_id VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    line BIGINT,
    field VARCHAR,
    reason VARCHAR NOT NULL,
    raw VARCHAR
);
CREATE TABLE IF NOT EXISTS outcomes (
    source_id VARCHAR NOT NULL,
    crime_id VARCHAR,
    month DATE,
    force VARCHAR,
    longitude DOUBLE,
    latitude DOUBLE,
    location VARCHAR,
    lsoa_code VARCHAR,
    lsoa_name VARCHAR,
    outcome_type VARCHAR
);
CREATE TABLE IF NOT EXISTS stop_search (
    source_id VARCHAR NOT NULL,
    force VARCHAR,
    type VARCHAR,
    occurred_at TIMESTAMP,
    latitude DOUBLE,
    longitude DOUBLE,
    gender VARCHAR,
    age_range VARCHAR,
    self_defined_ethnicity VARCHAR,
    officer_defined_ethnicity VARCHAR,
    legislation VARCHAR,
    object_of_search VARCHAR,
    outcome VARCHAR
);
CREATE TABLE IF NOT EXISTS areas (
    area_id VARCHAR PRIMARY KEY,
    area_type VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    population DOUBLE,
    geometry_wkb BLOB,
    source VARCHAR
);
CREATE TABLE IF NOT EXISTS incident_areas (
    incident_key VARCHAR NOT NULL,
    area_id VARCHAR NOT NULL
);
"""


class Workspace:
    """A SaferCity workspace folder and its DuckDB store.

    Parameters
    ----------
    path : str or Path
        The workspace folder; created (with an empty store) on first use.
    read_only : bool, default False
        Open the store read-only (analyses), which lets several readers share it.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        if not read_only:
            self.path.mkdir(parents=True, exist_ok=True)
        self.db_path = self.path / STORE_FILE
        if read_only and not self.db_path.exists():
            raise FileNotFoundError(f"no SaferCity workspace at {self.path} (no {STORE_FILE})")
        self.con = duckdb.connect(str(self.db_path), read_only=read_only)
        if not read_only:
            self.con.execute(SCHEMA)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All-or-nothing: a failure (or a kill) inside leaves the store as it was."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")


def first_row(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None
) -> tuple[Any, ...] | None:
    """The first row of a query, or None; reads the result to its end, as DuckDB requires."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None
