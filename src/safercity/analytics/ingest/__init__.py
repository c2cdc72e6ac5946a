"""Import crime data into a workspace, losing nothing.

Each file is imported whole or not at all: a failure or a kill part-way leaves the store as it
was. Small files of one kind (police.uk monthly CSVs, police.uk API answers) are committed
together, many files to a transaction (ADR 0001), with exactly the result of importing them one
by one. Re-importing a file (same bytes) adds nothing. A different police.uk file for a force and
month already held is a newer release (police.uk republishes history): it replaces the older
rows for that force and month, and the summary says so. Rows that cannot be read are set aside
in ``quarantine`` with file, line, field and reason; the good rows are kept (``strict=True``
refuses the whole file instead).

>>> summary = ingest_paths("safercity-data", ["2018-07-west-yorkshire-street.csv"])  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from duckdb import DuckDBPyConnection

from safercity.analytics.areas import place_local_authorities
from safercity.analytics.ingest import extract, met, police_uk, police_uk_api
from safercity.analytics.ingest.errors import FileProblem, StrictRefusal
from safercity.analytics.ingest.files import InputFile, expand, sniff_kind
from safercity.analytics.ingest.staging import (
    INCIDENT_NAMES,
    create_empty,
    drop_staging,
    ensure_reference_tables,
    project_staged,
    stage_bad,
    stage_frame,
)
from safercity.analytics.store import Workspace, first_row

__all__ = ["FileProblem", "FileResult", "IngestSummary", "ingest_paths"]

Progress = Callable[[int, int, str], None]


@dataclass
class FileResult:
    """What happened to one file."""

    file: str
    kind: str | None = None
    status: str = "imported"  # imported | already imported | failed
    rows_read: int = 0
    rows_stored: int = 0
    rows_already_stored: int = 0
    rows_quarantined: int = 0
    months: list[str] = field(default_factory=list)
    force: str | None = None
    replaced: list[str] = field(default_factory=list)
    #: rows of earlier releases this file replaced (gone from the store)
    rows_replaced: int = 0
    #: for a file listed twice in one command (same bytes): the first listing
    same_as: str | None = None
    error: str | None = None


@dataclass
class IngestSummary:
    files: list[FileResult]

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    def totals(self) -> dict[str, int]:
        keys = (
            "rows_read",
            "rows_stored",
            "rows_already_stored",
            "rows_quarantined",
            "rows_replaced",
        )
        out = {k: sum(getattr(f, k) for f in self.files) for k in keys}
        out["files"] = len(self.files)
        out["files_failed"] = len(self.failed)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"totals": self.totals(), "files": [asdict(f) for f in self.files]}


def ingest_paths(
    workspace: str | Path | Workspace,
    paths: Sequence[str | Path],
    *,
    strict: bool = False,
    mapping: str | Path | None = None,
    progress: Progress | None = None,
) -> IngestSummary:
    """Import files, folders and archives into a workspace.

    Parameters
    ----------
    workspace : path or Workspace
        The workspace folder (created if new) or an open :class:`Workspace`.
    paths : sequence of paths
        police.uk CSVs (street, outcomes, stop and search), police.uk API JSON, Met
        recorded-crime tables, folders of them, zip/tar archives; or local extracts with
        ``mapping``.
    strict : bool, default False
        Refuse a whole file that has any bad row, instead of setting bad rows aside.
    mapping : path, optional
        A local extract mapping file (see :mod:`safercity.analytics.ingest.extract`); every CSV
        in ``paths`` is then read as that extract.
    progress : callable, optional
        Called as ``progress(done, total, file)`` after each file.

    Notes
    -----
    police.uk street CSVs and API JSON files are committed in batches of up to
    :data:`BATCH_BYTES` of input and :data:`BATCH_FILES` files, each batch in one transaction
    holding whole files only; releases of the same force and month may share a batch, the
    later replacing the earlier (ADR 0001).
    """
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    try:
        mapping_data = extract.read_mapping(Path(mapping)) if mapping else None
        problems: list[FileProblem] = []  # a path that cannot be opened fails on its own
        with expand([Path(p) for p in paths], problems) as files:
            results = [FileResult(file=p.file, status="failed", error=str(p)) for p in problems]
            if not files:
                if problems:
                    return IngestSummary(results)
                raise FileProblem(", ".join(map(str, paths)), "no CSV or JSON files found")
            ensure_reference_tables(ws.con)
            done = 0
            batch = _Batch()

            def flush() -> None:
                nonlocal done
                if batch.files:
                    _ingest_batch(ws, batch, strict=strict)
                    done += len(batch.files)
                    if progress:
                        progress(done, len(files), batch.files[-1][0].display)
                    batch.clear()

            held = {  # files imported before this command (one query, not one per file)
                r[0]
                for r in ws.con.execute(
                    "SELECT source_id FROM sources WHERE list_contains(?, source_id)",
                    [sorted({f.sha256 for f in files})],
                ).fetchall()
            }
            first_listed: dict[str, FileResult] = {}  # sha256 -> the file's first listing
            listed_again: list[tuple[FileResult, FileResult]] = []  # (again, first)
            for f in files:
                result = FileResult(file=f.display)
                results.append(result)
                if f.sha256 in first_listed:  # the same bytes twice in one command
                    result.status = "already imported"
                    result.same_as = first_listed[f.sha256].file
                    listed_again.append((result, first_listed[f.sha256]))
                    done += 1
                    continue
                first_listed[f.sha256] = result
                if f.sha256 in held:
                    result.status = "already imported"
                    done += 1
                    continue
                try:
                    kind = "local_extract" if mapping_data is not None else sniff_kind(f)
                except FileProblem as exc:
                    result.status, result.error = "failed", str(exc)
                    done += 1
                    continue
                result.kind = kind
                if kind in BATCHED:
                    if not batch.fits(f, kind):
                        flush()
                    batch.add(f, result, kind)
                    continue
                flush()
                _ingest_one(ws, f, result, strict=strict, mapping=mapping_data)
                done += 1
                if progress:
                    progress(done, len(files), f.display)
            flush()
        for again, first in listed_again:  # a second listing of a file that failed fails too
            if first.status == "failed":
                again.status, again.error = "failed", f"the same file as {first.file}: failed"
        return IngestSummary(results)
    finally:
        if not isinstance(workspace, Workspace):
            ws.close()


#: kinds whose files are staged and committed together, up to :data:`BATCH_BYTES` a batch
BATCHED = ("police_uk_api", "police_uk_street")
#: how much input (bytes) to commit in one transaction: large enough that DuckDB writes whole
#: row groups straight to the file, small enough to keep memory bounded whatever the input size
BATCH_BYTES = 96 * 2**20
#: most files in one batch (DuckDB reads a batch's files with one ``read_csv`` over the list)
BATCH_FILES = 5_000


class _Batch:
    """Files of one kind to stage and commit in one transaction (each file whole).

    Several releases of the same police.uk force and month may share a batch: the later one
    replaces the earlier as it would have on its own (:func:`_replace_older_releases`). A file
    not named as a monthly release replaces nothing, so it never comes before a named one in a
    batch (a named file after it would have to replace its rows): the batch is committed first.
    """

    def __init__(self) -> None:
        self.files: list[tuple[InputFile, FileResult]] = []
        self.kind: str | None = None
        self.size = 0
        self.unnamed = False

    def fits(self, f: InputFile, kind: str) -> bool:
        if not self.files:
            return True
        return (
            kind == self.kind
            and self.size + f.path.stat().st_size <= BATCH_BYTES
            and len(self.files) < BATCH_FILES
            and not (self.unnamed and police_uk.file_month(f) is not None)
        )

    def add(self, f: InputFile, result: FileResult, kind: str) -> None:
        self.files.append((f, result))
        self.kind = kind
        self.size += f.path.stat().st_size
        self.unnamed = self.unnamed or police_uk.file_month(f) is None

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]


def _ingest_batch(ws: Workspace, batch: _Batch, *, strict: bool) -> None:
    """Stage every file of the batch (a file with a whole-file problem, or any bad row under
    ``strict``, is left out and marked failed), then commit the rest in one transaction."""
    con = ws.con
    ok: list[tuple[InputFile, FileResult]] = []
    create_empty(con, staged=batch.kind == "police_uk_api")
    if batch.kind == "police_uk_api":
        goods: list[pd.DataFrame] = []
        bads: list[pd.DataFrame] = []
        for f, result in batch.files:
            try:
                good, bad = police_uk_api.read_api_file(f, file_no=len(ok))
                _check_strict(f, bad, strict)
            except FileProblem as exc:
                result.status, result.error = "failed", str(exc)
                continue
            ok.append((f, result))
            goods.append(good)
            bads.append(bad)
        if ok:
            stage_frame(con, pd.concat(goods, ignore_index=True))
            stage_bad(con, pd.concat(bads, ignore_index=True))
            project_staged(con, locate_lsoa=True)
    else:
        if police_uk.stage_street_many(
            con, [(f, n) for n, (f, _) in enumerate(batch.files)], strict=strict
        ):
            ok = list(batch.files)
        else:
            for f, result in batch.files:
                n = len(ok)
                try:
                    police_uk.stage_street(con, f, file_no=n)
                    bad = con.execute("SELECT * FROM bad WHERE file_no = ? ORDER BY line", [n]).df()
                    _check_strict(f, bad, strict)
                except FileProblem as exc:
                    if first_row(con, "SELECT 1 FROM duckdb_tables() WHERE table_name = 'staged'"):
                        con.execute("DELETE FROM staged WHERE file_no = ?", [n])
                    con.execute("DELETE FROM bad WHERE file_no = ?", [n])
                    result.status, result.error = "failed", str(exc)
                    continue
                ok.append((f, result))
    if ok:
        _commit_incidents(ws, ok, str(batch.kind))


def _ingest_one(
    ws: Workspace, f: InputFile, result: FileResult, *, strict: bool, mapping: dict[str, Any] | None
) -> None:
    con = ws.con
    kind = result.kind
    try:
        if kind == "met_recorded_crime":
            rows, bad = met.parse_met(f)
            _check_strict(f, bad, strict)
            _commit_met(ws, f, result, rows, bad)
        elif kind in ("police_uk_outcomes", "police_uk_stop_search"):
            stage = (
                police_uk.stage_outcomes
                if kind == "police_uk_outcomes"
                else police_uk.stage_stop_search
            )
            frame = stage(con, f)
            bad = con.execute("SELECT * FROM bad ORDER BY line").df()
            _check_strict(f, bad, strict)
            table = "outcomes" if kind == "police_uk_outcomes" else "stop_search"
            _commit_table(ws, f, result, table, frame, bad)
        else:
            assert mapping is not None
            extract.stage_extract(con, f, mapping)
            bad = con.execute("SELECT * FROM bad ORDER BY line").df()
            _check_strict(f, bad, strict)
            _commit_incidents(ws, [(f, result)], str(kind))
    except FileProblem as exc:
        result.status = "failed"
        result.error = str(exc)


def _check_strict(f: InputFile, bad: pd.DataFrame, strict: bool) -> None:
    if strict and len(bad):
        first = bad.iloc[0]
        raise StrictRefusal(
            f.display,
            f"--strict: {len(bad)} bad row(s), the first at line {first['line']}, field "
            f"{first['field'] or '(row)'}: {first['reason']}; nothing imported",
        )


def _record_source(
    con: DuckDBPyConnection, entries: list[tuple[InputFile, str, FileResult, str | None]]
) -> None:
    """Record imported files (file, kind, result, note) in ``sources``, in one statement."""
    now = datetime.now()
    frame = pd.DataFrame(
        [
            (
                f.sha256,
                f.display,
                kind,
                result.force,
                result.months,
                result.rows_read,
                result.rows_stored + result.rows_already_stored,
                result.rows_quarantined,
                now,
                note,
            )
            for f, kind, result, note in entries
        ],
        columns=[
            "source_id",
            "path",
            "kind",
            "force",
            "months",
            "rows_read",
            "rows_stored",
            "rows_quarantined",
            "imported_at",
            "note",
        ],
    )
    con.register("_sources_df", frame)
    con.execute(
        "INSERT INTO sources SELECT source_id, path, kind, force, months::VARCHAR[], rows_read, "
        "rows_stored, rows_quarantined, imported_at, note FROM _sources_df"
    )
    con.unregister("_sources_df")


def _quarantine(con: DuckDBPyConnection, f: InputFile, source_table: str = "bad") -> int:
    con.execute(
        f"INSERT INTO quarantine SELECT ?, ?, line, field, reason, raw FROM {source_table}",
        [f.sha256, f.display],
    )
    n = first_row(con, f"SELECT count(*) FROM {source_table}")
    return int(n[0]) if n else 0


def _commit_incidents(ws: Workspace, files: list[tuple[InputFile, FileResult]], kind: str) -> None:
    """Commit ``staged``/``bad`` (rows tagged with ``file_no``, the index in ``files``) in one
    transaction: replace older releases, store new rows once, quarantine bad rows, record sources."""
    con = ws.con
    ids = pd.DataFrame(
        {
            "file_no": range(len(files)),
            "source_id": [f.sha256 for f, _ in files],
            "display": [f.display for f, _ in files],
        }
    )
    con.register("_files", ids)
    meta = {
        int(r[0]): r[1:]
        for r in con.execute(
            "SELECT file_no, count(*), list(DISTINCT strftime(month, '%Y-%m') "
            "ORDER BY strftime(month, '%Y-%m')), any_value(force), "
            "list(DISTINCT force) FILTER (WHERE force IS NOT NULL) FROM staged GROUP BY file_no"
        ).fetchall()
    }
    n_bad = dict(con.execute("SELECT file_no, count(*) FROM bad GROUP BY file_no").fetchall())
    for i, (_, result) in enumerate(files):
        n, months, force, _ = meta.get(i, (0, [], None, []))
        result.months, result.force = list(months or []), force
        result.rows_read = int(n) + int(n_bad.get(i, 0))
        result.rows_quarantined = int(n_bad.get(i, 0))
    later = _Superseded()
    with ws.transaction():
        if kind == "police_uk_street":
            later = _replace_older_releases(con, files, {i: (m[1], m[3]) for i, m in meta.items()})
        months = [m for i in range(len(files)) for m in meta.get(i, (0, [], None))[1] or []]
        if kind != "police_uk_street" or _may_hold_already(con, months) or _areas_loaded(con):
            # rows a later release of the batch replaces are left out (as if stored, then
            # replaced: the counts say so), before the first of duplicates is chosen
            not_replaced = (
                "ANTI JOIN _releases r ON r.force = s.force AND r.month = s.month "
                "AND r.file_no > s.file_no"
                if later.rows
                else ""
            )
            con.execute(
                f"""
                CREATE OR REPLACE TEMP TABLE new_rows AS
                SELECT s.* FROM staged s
                ANTI JOIN (SELECT month, incident_key FROM incidents
                           WHERE month IN (SELECT DISTINCT month FROM staged)) i
                  ON i.month = s.month AND i.incident_key = s.incident_key
                {not_replaced}
                QUALIFY row_number() OVER (
                    PARTITION BY s.month, s.incident_key ORDER BY s.file_no, s.line) = 1
                """
            )
            stored = dict(
                con.execute("SELECT file_no, count(*) FROM new_rows GROUP BY 1").fetchall()
            )
            _assign_loaded_areas(con)
            rows = "new_rows"
        else:  # police.uk keys are unique within a file, no two files share a month: every
            stored = {i: m[0] for i, m in meta.items()}  # row is new, and none is replaced
            rows = "staged"
        have = {r[0] for r in con.execute(f"DESCRIBE {rows}").fetchall()}
        names = [c for c in INCIDENT_NAMES if c in have]  # a source's own columns only
        cols = ", ".join(names)
        con.execute(
            f"INSERT INTO incidents (source_id, {cols}) "
            f"SELECT f.source_id, {', '.join('n.' + c for c in names)} "
            f"FROM {rows} n JOIN _files f USING (file_no)"
        )
        # a release wholly replaced by a later one of the batch takes its set-aside rows with it
        gone = [i for i, n in later.rows.items() if n and n == meta.get(i, (0,))[0]]
        con.execute(
            "INSERT INTO quarantine SELECT f.source_id, f.display, b.line, b.field, b.reason, "
            "b.raw FROM bad b JOIN _files f USING (file_no) WHERE NOT list_contains(?, b.file_no)",
            [gone],
        )
        # placement (issue 18): a row whose LSOA the built-in 2011 lookup lacks (2021 LSOAs)
        # gets its local authority from its LSOA name and point
        place_local_authorities(con, source_ids=[f.sha256 for f, _ in files])
        for i, (_, result) in enumerate(files):
            result.rows_stored = int(stored.get(i, 0)) + later.rows.get(i, 0)
            result.rows_already_stored = int(meta.get(i, (0,))[0]) - result.rows_stored
        _record_source(
            con,
            [
                (f, kind, result, "; ".join(result.replaced + later.notes.get(i, [])) or None)
                for i, (f, result) in enumerate(files)
            ],
        )
    con.unregister("_files")
    drop_staging(con)
    con.execute(
        "DROP TABLE IF EXISTS new_rows; DROP TABLE IF EXISTS bad; DROP TABLE IF EXISTS _releases"
    )


@dataclass
class _Superseded:
    """Rows of a batch's files that a later release of the same batch replaces: how many per
    file (stored, then replaced, as if the files had been imported one by one) and the note
    each such file's source record gets."""

    rows: dict[int, int] = field(default_factory=dict)
    notes: dict[int, list[str]] = field(default_factory=dict)


def _may_hold_already(con: DuckDBPyConnection, months: list[str]) -> bool:
    """Whether a staged police.uk row may be stored already: two files of the batch share a
    month (the same record in two files) or the store holds rows of one of the batch's months.
    Its keys are unique within a file (ADR 0001), so otherwise every row is new."""
    if len(months) != len(set(months)):
        return True
    if not months:
        return False
    found = first_row(
        con,
        f"SELECT 1 FROM incidents WHERE month IN ({', '.join('?' for _ in months)}) LIMIT 1",
        [f"{m}-01" for m in months],
    )
    return found is not None


def _areas_loaded(con: DuckDBPyConnection) -> bool:
    return first_row(con, "SELECT 1 FROM areas LIMIT 1") is not None


def _replace_older_releases(
    con: DuckDBPyConnection,
    files: list[tuple[InputFile, FileResult]],
    held: dict[int, tuple[list[str], list[str]]],
) -> _Superseded:
    """A police.uk monthly file (named ``YYYY-MM-<force>-street.csv``) for a force and month
    already held from another file is a newer release: the older rows for that force and month
    go, with the quarantined rows of a release left with no row, and the file's result says so.
    ``held`` gives each staged file's months and forces.

    Only the month in the file's name is replaced (its rows of another month are quarantined
    when staged), and a file not named as a monthly release replaces nothing: its rows are
    added to what is held, each record once.

    Several releases of one force and month in the batch replace one another in file order, as
    one by one: the store's rows go to the first, each one's rows to the next. Leaves the temp
    table ``_releases`` (file_no, force, month) for the caller, and returns the staged rows a
    later file replaces (the caller leaves them out)."""
    releases = [
        (n, force, f"{month}-01")
        for n, (f, _) in enumerate(files)
        if (month := police_uk.file_month(f)) and month in (held.get(n, ([], []))[0] or [])
        for force in held[n][1] or []
    ]
    con.register(
        "_release_df",
        pd.DataFrame(releases, columns=["file_no", "force", "month"]).astype(
            {"file_no": "int64", "force": "string", "month": "datetime64[s]"}
        ),
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _releases AS "
        "SELECT file_no, force, month::DATE AS month FROM _release_df"
    )
    con.unregister("_release_df")
    where = (
        "i.source_kind = 'police_uk_street' AND i.source_id NOT IN (SELECT source_id FROM _files) "
        "AND (i.force, i.month) IN (SELECT force, month FROM _releases)"
    )
    old = con.execute(
        f"""
        SELECT k.file_no, i.source_id, strftime(i.month, '%Y-%m') AS m, count(*), any_value(s.path)
        FROM incidents i
        JOIN (SELECT force, month, min(file_no) AS file_no FROM _releases GROUP BY ALL) k
          ON k.force = i.force AND k.month = i.month
        LEFT JOIN sources s ON s.source_id = i.source_id
        WHERE {where}
        GROUP BY ALL ORDER BY 1, 3
        """
    ).fetchall()
    if old:
        for file_no, source_id, month, count, path in old:
            result = files[int(file_no)][1]
            result.rows_replaced += int(count)
            result.replaced.append(
                f"{result.force} {month}: {count} rows from an earlier release "
                f"({path or source_id}) replaced"
            )
        con.execute(
            "DELETE FROM incident_areas WHERE incident_key IN "
            f"(SELECT i.incident_key FROM incidents i WHERE {where})"
        )
        con.execute(f"DELETE FROM incidents i WHERE {where}")
        for file_no, source_id, *_ in old:
            con.execute(
                "UPDATE sources SET note = coalesce(note || '; ', '') || ? WHERE source_id = ?",
                [f"replaced by a newer release: {files[int(file_no)][0].display}", source_id],
            )
        # a release with no row left is wholly replaced: its set-aside rows go with it
        con.execute(
            "DELETE FROM quarantine q WHERE list_contains(?, q.source_id) AND NOT EXISTS "
            "(SELECT 1 FROM incidents i WHERE i.source_id = q.source_id)",
            [sorted({r[1] for r in old})],
        )
    return _superseded_in_batch(con, files, releases)


def _superseded_in_batch(
    con: DuckDBPyConnection,
    files: list[tuple[InputFile, FileResult]],
    releases: list[tuple[int, str, str]],
) -> _Superseded:
    """The staged rows of a force and month that a later release of the same batch replaces,
    counted per file; the later file's result says what it replaced, as it would one by one."""
    later = _Superseded()
    by_key: dict[tuple[str, str], list[int]] = {}
    for n, force, month in releases:
        by_key.setdefault((force, month[:7]), []).append(n)
    if all(len(ns) == 1 for ns in by_key.values()):
        return later
    counts = con.execute(
        "SELECT file_no, force, strftime(month, '%Y-%m'), count(*) FROM staged "
        "WHERE (force, month) IN (SELECT force, month FROM _releases GROUP BY ALL "
        "HAVING count(*) > 1) GROUP BY ALL ORDER BY 1, 3"
    ).fetchall()
    for file_no, force, month, count in counts:
        newer = [n for n in by_key[(force, month)] if n > file_no]
        if not newer:
            continue
        result = files[newer[0]][1]
        result.rows_replaced += int(count)
        result.replaced.append(
            f"{result.force} {month}: {count} rows from an earlier release "
            f"({files[file_no][0].display}) replaced"
        )
        later.rows[file_no] = later.rows.get(file_no, 0) + int(count)
        later.notes.setdefault(file_no, []).append(
            f"replaced by a newer release: {files[newer[0]][0].display}"
        )
    return later


def _assign_loaded_areas(con: DuckDBPyConnection) -> None:
    """Give the new rows (temp table ``new_rows``) their ward and custom areas, when loaded."""
    from safercity.analytics.areas import assign_rows

    assign_rows(con, "new_rows")


def _commit_table(
    ws: Workspace,
    f: InputFile,
    result: FileResult,
    table: str,
    frame: pd.DataFrame,
    bad: pd.DataFrame,
) -> None:
    con = ws.con
    result.rows_read = len(frame) + len(bad)
    if table == "outcomes" and len(frame):
        result.months = sorted({m.strftime("%Y-%m") for m in frame["month"]})
        result.force = frame["force"].dropna().iloc[0] if frame["force"].notna().any() else None
    with ws.transaction():
        if table == "outcomes" and len(frame):
            con.register("_keys", frame[["force", "month"]].drop_duplicates())
            replaced = first_row(
                con,
                "SELECT count(*) FROM outcomes WHERE (force, month) IN (SELECT force, month FROM _keys)",
            )
            if replaced and replaced[0]:
                result.replaced.append(
                    f"{replaced[0]} outcome rows from an earlier release replaced"
                )
                con.execute(
                    "DELETE FROM outcomes WHERE (force, month) IN (SELECT force, month FROM _keys)"
                )
            con.unregister("_keys")
        con.register("_rows", frame)
        names = ", ".join(frame.columns)
        con.execute(
            f"INSERT INTO {table} (source_id, {names}) SELECT ?, {names} FROM _rows", [f.sha256]
        )
        con.unregister("_rows")
        result.rows_stored = len(frame)
        result.rows_quarantined = _quarantine(con, f)
        _record_source(con, [(f, f"police_uk_{table}", result, "; ".join(result.replaced) or None)])
    drop_staging(con)
    con.execute("DROP TABLE IF EXISTS bad")


def _commit_met(
    ws: Workspace, f: InputFile, result: FileResult, rows: pd.DataFrame, bad: pd.DataFrame
) -> None:
    con = ws.con
    result.rows_read = len(rows) + len(bad)
    result.months = sorted({m.strftime("%Y-%m") for m in rows["month"]}) if len(rows) else []
    result.force = "Metropolitan Police"
    with ws.transaction():
        con.register("_met", rows)
        old = first_row(
            con,
            "SELECT count(*) FROM recorded_crime r WHERE source_id <> ? AND EXISTS (SELECT 1 FROM _met m "
            "WHERE m.area_type = r.area_type AND m.area_name = r.area_name AND m.month = r.month "
            "AND m.major_category = r.major_category AND m.minor_category = r.minor_category)",
            [f.sha256],
        )
        if old and old[0]:
            result.replaced.append(f"{old[0]} monthly counts from an earlier release replaced")
            con.execute(
                "DELETE FROM recorded_crime r WHERE EXISTS (SELECT 1 FROM _met m WHERE m.area_type = r.area_type "
                "AND m.area_name = r.area_name AND m.month = r.month AND m.major_category = r.major_category "
                "AND m.minor_category = r.minor_category)"
            )
        con.execute(
            "INSERT INTO recorded_crime SELECT ?, area_type, area_code, area_name, major_category, "
            "minor_category, month, count FROM _met",
            [f.sha256],
        )
        con.unregister("_met")
        result.rows_stored = len(rows)
        con.register("_bad", bad)
        result.rows_quarantined = _quarantine(con, f, "_bad")
        con.unregister("_bad")
        _record_source(con, [(f, "met_recorded_crime", result, "; ".join(result.replaced) or None)])
