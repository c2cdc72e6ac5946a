"""Queries over the workspace store for the analysis pages and the JSON API.

The store is opened read-only for each request (DuckDB allows many readers). Each function
returns plain Python data (lists and dicts) that the pages render and the API serialises.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from django.conf import settings

from safercity.analytics.store import STORE_FILE, Workspace

AREA_TYPES = {"all": None, "borough": "local_authority", "ward": "ward_name", "lsoa": "lsoa_code"}
AREA_TYPE_LABELS = {
    "all": "Whole workspace",
    "borough": "Borough (local authority)",
    "ward": "Ward",
    "lsoa": "LSOA",
}
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MAX_CELLS = 5000
SOURCES_SHOWN = 20


class WorkspaceUnavailable(Exception):
    """The store cannot be read: nothing has been imported yet, or it cannot be opened."""


@dataclass(frozen=True)
class Filters:
    area_type: str = "all"
    area: str = ""
    category: str = ""
    month_from: dt.date | None = None
    month_to: dt.date | None = None
    theme: str = ""

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        column = AREA_TYPES.get(self.area_type)
        if column and self.area:
            clauses.append(f"{column} = ?")
            params.append(self.area)
        if self.category:
            clauses.append("category = ?")
            params.append(self.category)
        if self.month_from:
            clauses.append("month >= ?")
            params.append(self.month_from)
        if self.month_to:
            clauses.append("month <= ?")
            params.append(self.month_to)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def describe(self) -> str:
        parts = []
        if self.category:
            parts.append(self.category)
        else:
            parts.append("All crime and anti-social behaviour")
        if self.theme:
            parts.append(f"({theme_titles().get(self.theme, self.theme)})")
        if self.area_type != "all" and self.area:
            parts.append(f"in {self.area}")
        return " ".join(parts)


class _Reader:
    """One read-only DuckDB connection shared by the request threads (cursor per use).

    Imports never make readers wait: they write a copy of the store and rename it over the
    store when they finish (``Workspace.for_update``, ADR 0002), so a reader keeps answering
    from the store as last committed, and the next request opens the new one.
    """

    def __init__(self, key: tuple[Any, ...]) -> None:
        self.key = key
        self.ws = Workspace(settings.WORKSPACE, read_only=True)
        self.users = 0
        self.last_used = time.monotonic()

    def close(self) -> None:
        self.ws.close()


class _Results:
    """Results computed from one version of the store, least recently used first."""

    def __init__(self) -> None:
        self.values: OrderedDict[tuple[Any, ...], tuple[Any, int]] = OrderedDict()
        self.nbytes = 0


_lock = threading.Lock()
_readers: list[_Reader] = []  # the newest is current; older ones close when no longer used
IDLE_CLOSE_SECONDS = 10.0
# Results by version of the store (newest last). They outlive the reader that computed them: an
# idle reader is closed after IDLE_CLOSE_SECONDS, but the store it read has not changed.
_versions: OrderedDict[tuple[Any, ...], _Results] = OrderedDict()
VERSIONS_KEPT = 2
# (store version, result key) -> set when the thread computing that result has finished.
_computing: dict[tuple[Any, ...], threading.Event] = {}


def cache_budget_bytes() -> int:
    """What this process may keep of computed results, in bytes (setting
    ``result_cache_mb``): maps and tables differ a thousandfold in size, so the cache is
    bounded by what it holds, not by how many results."""
    from safercity import settings as safercity_settings

    return int(safercity_settings.get("result_cache_mb")) * 1024 * 1024


def approx_size(value: Any, _seen: set[int] | None = None) -> int:
    """An estimate of the memory a result holds, in bytes (arrays and frames by their buffers,
    containers by their contents)."""
    import sys

    import numpy as np

    seen = _seen if _seen is not None else set()
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        return int(value.nbytes) + 112
    if isinstance(value, pd.DataFrame | pd.Series):
        return int(
            value.memory_usage(deep=True).sum()
            if isinstance(value, pd.DataFrame)
            else value.memory_usage(deep=True)
        )
    size = sys.getsizeof(value)
    if isinstance(value, dict):
        size += sum(approx_size(k, seen) + approx_size(v, seen) for k, v in value.items())
    elif isinstance(value, list | tuple | set | frozenset):
        size += sum(approx_size(v, seen) for v in value)
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        size += approx_size(vars(value), seen)
    return size


def _results_of(key: tuple[Any, ...]) -> _Results:
    """The results computed from this version of the store (call with ``_lock`` held)."""
    if key not in _versions:
        _versions[key] = _Results()
        while len(_versions) > VERSIONS_KEPT:
            _versions.popitem(last=False)
    _versions.move_to_end(key)
    return _versions[key]


def _evict(budget: int) -> None:
    """Drop least recently used results, oldest store version first, until the cache fits."""
    total = sum(r.nbytes for r in _versions.values())
    for results in list(_versions.values()):
        while total > budget and results.values:
            _, (_, size) = results.values.popitem(last=False)
            results.nbytes -= size
            total -= size


def _store_key() -> tuple[Any, ...]:
    db = Path(settings.WORKSPACE) / STORE_FILE
    wal = db.with_name(db.name + ".wal")
    stats = [
        (p.stat().st_ino, p.stat().st_mtime_ns, p.stat().st_size) if p.exists() else None
        for p in (db, wal)
    ]
    if stats[0] is None:
        raise FileNotFoundError(db)
    return (str(db), *stats)


def _release_idle(now: float | None = None) -> None:
    """Close readers nobody uses (old versions at once, the current one when idle)."""
    now = time.monotonic() if now is None else now
    with _lock:
        for r in list(_readers):
            stale = r is not _readers[-1] or now - r.last_used > IDLE_CLOSE_SECONDS
            if r.users == 0 and stale:
                r.close()
                _readers.remove(r)


def _janitor() -> None:
    while True:
        time.sleep(1.0)
        _release_idle()


_janitor_pid = 0


def _ensure_janitor() -> None:
    """One janitor thread per process (also in each worker forked by ``safercity serve``)."""
    global _janitor_pid
    if _janitor_pid != os.getpid():
        _janitor_pid = os.getpid()
        threading.Thread(target=_janitor, name="duckdb-reader-janitor", daemon=True).start()


NO_WORKSPACE = (
    "Nothing has been imported into this workspace yet. An analyst can import police.uk files "
    "on the Imports page."
)


@contextmanager
def _reader() -> Iterator[_Reader]:
    _ensure_janitor()
    with _lock:
        try:
            key = _store_key()
        except OSError as exc:
            raise WorkspaceUnavailable(NO_WORKSPACE) from exc
        if not _readers or _readers[-1].key != key:
            try:
                _readers.append(_Reader(key))
            except FileNotFoundError as exc:
                raise WorkspaceUnavailable(NO_WORKSPACE) from exc
            except duckdb.Error as exc:  # held by a direct read-write open (not the service's)
                raise WorkspaceUnavailable(
                    "The workspace is being changed by a command run outside the service. Try "
                    "again in a minute."
                ) from exc
        reader = _readers[-1]
        reader.users += 1
    try:
        yield reader
    finally:
        with _lock:
            reader.users -= 1
            reader.last_used = time.monotonic()
        if len(_readers) > 1:
            _release_idle()


@contextmanager
def store() -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on the shared read-only connection to the workspace store."""
    with _reader() as reader:
        cur = reader.ws.cursor()
        try:
            yield cur
        finally:
            cur.close()


def cached(name: str, compute: Callable[[], Any], *args: Any) -> Any:
    """``compute()`` once per version of the store (results change only when the store does).

    Requests that need a result another thread is computing wait for it instead of computing it
    again (a cold worker under load would otherwise compute the same page for every client).
    The results a process keeps are bounded in bytes (:func:`cache_budget_bytes`); a result
    larger than a quarter of the budget is returned but not kept.
    """
    key = (name, *args)
    with _reader() as reader:
        with _lock:
            results = _results_of(reader.key)
        while True:
            with _lock:
                if key in results.values:
                    results.values.move_to_end(key)
                    return results.values[key][0]
                running = _computing.get((reader.key, key))
                if running is None:
                    done = _computing[(reader.key, key)] = threading.Event()
            if running is None:
                break
            running.wait()  # then look again (if that computation failed, compute it here)
        try:
            value = compute()
            size = approx_size(value)
            budget = cache_budget_bytes()
            with _lock:
                if size <= budget // 4 and _versions.get(reader.key) is results:
                    results.values[key] = (value, size)
                    results.nbytes += size
                    _evict(budget)
        finally:
            with _lock:
                del _computing[(reader.key, key)]
            done.set()
        return value


def _rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


FRAME_COLUMNS = (
    "month",
    "category",
    "occurred_from",
    "occurred_to",
    "easting",
    "northing",
    "lsoa_code",
    "lsoa_name",
    "ward_code",
    "ward_name",
    "local_authority",
)


def _themes() -> Any:
    """The partnership's cross-cutting themes (safercity.analytics.themes), re-read only when
    the themes file changes."""
    from safercity.analytics.themes import default_themes_path

    path = default_themes_path()
    return _load_themes(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _load_themes(path: str, mtime_ns: int) -> Any:
    from safercity.analytics.themes import load_themes

    return load_themes(path)


def theme_titles() -> dict[str, str]:
    """Theme name -> title."""
    return {name: theme.title for name, theme in _themes().items()}


def incidents(filters: Filters, columns: tuple[str, ...] = FRAME_COLUMNS) -> pd.DataFrame:
    """The incidents matching ``filters`` (SQL for area/category/months, then the theme)."""
    where, params = filters.where()
    cols = list(dict.fromkeys(columns))
    theme = None
    if filters.theme:
        theme = _themes().get(filters.theme)
        cols += [c for c in sorted(theme.columns_needed()) if c not in cols]
    with store() as con:
        frame = con.execute(f"SELECT {', '.join(cols)} FROM incidents{where}", params).df()
    return theme.filter(frame) if theme is not None else frame


def choices() -> dict[str, list[str]]:
    return cached("choices", _choices)  # type: ignore[no-any-return]


def _choices() -> dict[str, list[str]]:
    """Values for the filter drop-downs: boroughs, wards and categories present in the store."""
    with store() as con:

        def distinct(col: str) -> list[str]:
            return [
                r[0]
                for r in con.execute(
                    f"SELECT DISTINCT {col} FROM incidents WHERE {col} IS NOT NULL ORDER BY 1"
                ).fetchall()
            ]

        return {
            "borough": distinct("local_authority"),
            "ward": distinct("ward_name"),
            "category": distinct("category"),
        }


def area_only(filters: Filters) -> Filters:
    """The same area with no other choice (every category, theme and month)."""
    return Filters(area_type=filters.area_type, area=filters.area)


def months_with_data(filters: Filters) -> frozenset[dt.date]:
    """The months in which the store holds any incident in the filters' area (any category):
    a month with none of any kind there is missing data, not zero (as ``safercity trends``)."""
    return cached(  # type: ignore[no-any-return]
        "months-with-data", lambda: _months_with_data(area_only(filters)), area_only(filters)
    )


def _months_with_data(filters: Filters) -> frozenset[dt.date]:
    where, params = filters.where()
    with store() as con:
        rows = con.execute(f"SELECT DISTINCT month FROM incidents{where}", params).fetchall()
    return frozenset(r[0] for r in rows)


def store_months() -> tuple[dt.date, dt.date] | None:
    """The first and last month of the whole store (None when it holds no incident)."""
    return cached("store-months", _store_months)  # type: ignore[no-any-return]


def _store_months() -> tuple[dt.date, dt.date] | None:
    with store() as con:
        row = con.execute("SELECT min(month), max(month) FROM incidents").fetchone()
    return None if row is None or row[0] is None else (row[0], row[1])


def hours_by_day(filters: Filters) -> dict[str, Any]:
    return cached("hours", lambda: _hours_by_day(filters), filters)  # type: ignore[no-any-return]


def _hours_by_day(filters: Filters) -> dict[str, Any]:
    """Hour of day by day of week with aoristic apportioning of time windows
    (safercity.analytics.times.TimeProfile, Ratcliffe 2002)."""
    from safercity.analytics.times import DAYS as SHORT_DAYS
    from safercity.analytics.times import NoTimesError, TimeProfile

    frame = incidents(filters, ("month", "occurred_from", "occurred_to"))
    try:
        profile = TimeProfile(frame)
    except NoTimesError as exc:
        return {"days": [], "timed": 0, "untimed": len(frame), "peak": 0, "statement": str(exc)}
    table = profile.table
    peak = float(table.to_numpy().max()) if table.size else 0.0
    days = []
    for short, day in zip(SHORT_DAYS, DAYS, strict=True):
        counts = [float(v) for v in table[short].to_numpy()]
        days.append(
            {
                "day": day,
                "total": round(sum(counts), 1),
                "counts": [
                    {"hour": h, "count": round(c, 1), "band": _band(c, peak)}
                    for h, c in enumerate(counts)
                ],
            }
        )
    return {
        "days": days,
        "timed": profile.n_timed,
        "untimed": profile.n_untimed,
        "exact": profile.n_exact,
        "peak": round(peak, 1),
        "statement": profile.statement,
    }


def _band(value: float, peak: float) -> int:
    if value <= 0 or peak <= 0:
        return 0
    return min(5, 1 + int(4 * value / peak)) if value < peak else 5
