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

import contextlib
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import filelock

STORE_FILE = "store.duckdb"
#: the copy an update writes to, renamed over STORE_FILE when the update succeeds
NEXT_FILE = "store.next.duckdb"
#: held (an OS file lock, released by the kernel when its holder dies) by the one writer
WRITE_LOCK_FILE = "store.write.lock"

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
        The workspace folder; created (with an empty store, private to its owner) on first use.
    read_only : bool, default False
        Open the store read-only (analyses), which lets several readers share it.

    Notes
    -----
    Opened read-write, the store is DuckDB's single writer and no other process can read it
    meanwhile. Imports and other updates made while the service runs use
    :meth:`Workspace.for_update` instead: they write a copy and replace the store in one rename,
    so readers keep answering from the last committed store (ADR 0002).
    """

    def __init__(
        self, path: str | Path, *, read_only: bool = False, _db_file: str = STORE_FILE
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        if not read_only:
            _make_private_folder(self.path)
        self.db_path = self.path / _db_file
        if read_only and not self.db_path.exists():
            raise FileNotFoundError(f"no SaferCity workspace at {self.path} (no {STORE_FILE})")
        if read_only:
            # Attached to an in-memory database rather than opened by path: DuckDB shares one
            # database per path within a process, so a reader opened by path after an update
            # renamed a new store into place would still read the old one while any older
            # connection lived. ATTACH reads the file that is there now.
            self.con = duckdb.connect(":memory:")
            self.con.execute(f"ATTACH {_sql_string(str(self.db_path))} AS store (READ_ONLY)")
            self.con.execute("USE store")
        else:
            self.con = duckdb.connect(str(self.db_path))
            self.con.execute(SCHEMA)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for another thread, reading the same store (DuckDB cursors start in the
        in-memory database, so the store is made the default again)."""
        cur = self.con.cursor()
        if self.read_only:
            cur.execute("USE store")
        return cur

    @classmethod
    @contextmanager
    def for_update(
        cls,
        path: str | Path,
        *,
        on_wait: Callable[[], None] | None = None,
        timeout: float = -1,
    ) -> Iterator[Workspace]:
        """Open the store for an update that readers never wait for, all or nothing.

        One writer at a time (an OS lock on ``store.write.lock``, which the kernel releases when
        its holder dies, however it dies). The update writes a copy of the store
        (``store.next.duckdb``); when the ``with`` block ends normally the copy is checkpointed
        and renamed over ``store.duckdb`` in one step, so a reader sees the store either as it
        was or as the update left it. An exception, or the process being killed, leaves the
        store as it was (a copy left by a killed writer is removed by the next one).

        Parameters
        ----------
        path : str or Path
            The workspace folder (created if new).
        on_wait : callable, optional
            Called once if another writer holds the lock (to say "waiting for ...").
        timeout : float, default -1
            Seconds to wait for the other writer; -1 waits as long as it takes. On timeout,
            :class:`filelock.Timeout` is raised.
        """
        folder = Path(path)
        _make_private_folder(folder)
        lock = filelock.FileLock(str(folder / WRITE_LOCK_FILE), mode=0o600)
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            if on_wait is not None:
                on_wait()
            lock.acquire(timeout=timeout)
        try:
            current = folder / STORE_FILE
            nxt = folder / NEXT_FILE
            _remove_store_files(nxt)  # left by a writer that was killed
            if current.exists():
                _merge_wal(current)
                shutil.copyfile(current, nxt)
            ws = cls(folder, _db_file=NEXT_FILE)
            try:
                yield ws
            except BaseException:
                ws.close()
                _remove_store_files(nxt)
                raise
            ws.con.execute("CHECKPOINT")
            ws.close()
            if _same_bytes(nxt, current):  # nothing changed: readers keep what they have
                _remove_store_files(nxt)
                return
            _fsync(nxt)
            nxt.replace(current)
            _remove_store_files(nxt)  # a WAL DuckDB may have left beside the copy
            _fsync(folder)
        finally:
            lock.release()

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


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def write_in_progress(path: str | Path) -> bool:
    """True while a writer holds the workspace's write lock (a live process, whatever its PID
    says: the kernel drops the lock when the holder dies)."""
    lock = filelock.FileLock(str(Path(path) / WRITE_LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        return True
    except OSError:  # no workspace folder (yet), or not ours to lock
        return False
    lock.release()
    return False


def _make_private_folder(folder: Path) -> None:
    """The workspace holds crime records and (beside the store) the web database: its folder is
    its owner's alone (0700)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # a folder someone else owns: leave its mode alone
        if folder.stat().st_mode & 0o077:
            folder.chmod(0o700)


def _remove_store_files(db: Path) -> None:
    for p in (db, db.with_name(db.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def _merge_wal(current: Path, wait_seconds: float = 60.0) -> None:
    """Fold a write-ahead log left beside the store (by a direct read-write open that did not
    checkpoint) into it, so that the copy is complete and no stale log outlives the rename."""
    wal = current.with_name(current.name + ".wal")
    deadline = time.monotonic() + wait_seconds
    while wal.exists():
        try:
            con = duckdb.connect(str(current))
        except duckdb.IOException:  # readers hold it; they let go within seconds
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)
            continue
        try:
            con.execute("CHECKPOINT")
        finally:
            con.close()
        return


def _same_bytes(a: Path, b: Path) -> bool:
    """True when the two files hold the same bytes (an update that changed nothing)."""
    import filecmp

    try:
        if a.stat().st_size != b.stat().st_size:
            return False
    except FileNotFoundError:
        return False
    return filecmp.cmp(a, b, shallow=False)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def first_row(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None
) -> tuple[Any, ...] | None:
    """The first row of a query, or None; reads the result to its end, as DuckDB requires."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None
