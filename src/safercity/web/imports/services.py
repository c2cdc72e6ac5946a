"""Uploads and their imports into the workspace store, run as background jobs.

Uploads are saved to ``<workspace>/uploads/<job id>/<file name>`` and queued; the job worker
(:mod:`safercity.web.jobs`) imports each in a process of its own with
:func:`safercity.analytics.ingest.ingest_paths`, through ``Workspace.for_update``: one import
at a time, readers never wait, and an import that fails or is killed stores nothing.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from safercity.web.jobs import queue

from .models import ImportJob

log = logging.getLogger("safercity.imports")

QUARANTINE_ROWS_SHOWN = 200
Progress = Callable[[int, int, str], None]


def _safe_name(name: str) -> str:
    base = Path(name).name
    return re.sub(r"[^A-Za-z0-9._-]+", "_", base)[:200] or "upload.csv"


def create_job(user: Any, upload: UploadedFile) -> ImportJob:
    """Save the upload and queue its import."""
    job = ImportJob(
        uploaded_by=user,
        original_name=Path(upload.name or "upload").name[:255],
        size_bytes=upload.size or 0,
    )
    folder = Path(settings.MEDIA_ROOT) / str(job.id)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / _safe_name(upload.name or "upload.csv")
    digest = hashlib.sha256()
    with target.open("wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    job.stored_path = str(target)
    job.sha256 = digest.hexdigest()
    job.save()
    return job


def start(job: ImportJob) -> None:
    """Queue the import for the job worker (at once, here, when settings.JOBS_INLINE)."""
    queue.enqueue(job)


def ingest(
    workspace: Path, paths: Sequence[Path], progress: Progress, on_wait: Callable[[], None]
) -> dict[str, Any]:
    """The one call into the analytics library's importer (police.uk CSV/JSON, archives)."""
    from safercity.analytics.ingest import ingest_paths
    from safercity.analytics.store import Workspace

    with Workspace.for_update(workspace, on_wait=on_wait) as ws:
        summary = ingest_paths(ws, list(paths), progress=progress)
    result: dict[str, Any] = summary.as_dict()
    return result


def _quarantine_rows(job: ImportJob) -> list[dict[str, Any]]:
    from safercity.web.analysis.services import store

    with store() as con:
        cur = con.execute(
            "SELECT file, line, field, reason, raw FROM quarantine "
            "WHERE source_id = ? OR file LIKE ? ORDER BY file, line LIMIT ?",
            [job.sha256, f"%{Path(job.stored_path).name}%", QUARANTINE_ROWS_SHOWN],
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def run(pk: Any) -> None:
    """Import one job now, recording progress on the job as each file finishes."""
    job = ImportJob.objects.get(pk=pk)
    _set(job, status=ImportJob.Status.RUNNING, message="Reading the file")

    def progress(done: int, total: int, name: str) -> None:
        pct = max(1, min(99, round(100 * done / total))) if total else 50
        _set(job, progress=pct, message=f"Imported {done} of {total} files ({Path(name).name})")

    def waiting() -> None:
        _set(job, message="Waiting for the import before it to finish")

    try:
        summary = ingest(Path(settings.WORKSPACE), [Path(job.stored_path)], progress, waiting)
    except Exception as exc:
        log.exception("import %s failed", job.pk)
        _set(
            job,
            status=ImportJob.Status.FAILED,
            progress=100,
            message=queue.public_text(
                f"The import failed: {exc}. Nothing was stored: the workspace is as it was."
            ),
            rows_stored=0,
            rows_quarantined=0,
            finished_at=timezone.now(),
        )
        return
    totals = summary.get("totals", {})
    failed = [f for f in summary.get("files", []) if f.get("status") == "failed"]
    status = (
        ImportJob.Status.FAILED
        if failed and len(failed) == totals.get("files")
        else ImportJob.Status.DONE
    )
    message = "; ".join(f"{Path(f['file']).name}: {f.get('error')}" for f in failed) or (
        f"Stored {totals.get('rows_stored', 0):,} rows, set aside "
        f"{totals.get('rows_quarantined', 0):,}, "
        f"{totals.get('rows_already_stored', 0):,} already in the workspace"
    )
    quarantine = _quarantine_rows(job)
    _set(
        job,
        status=status,
        progress=100,
        message=queue.public_text(message),
        summary=_public_summary(summary),
        quarantine=[
            {k: (str(v) if v is not None else "") for k, v in r.items()}
            | {"file": Path(str(r.get("file") or "")).name}
            for r in quarantine
        ],
        rows_stored=int(totals.get("rows_stored", 0)),
        rows_quarantined=int(totals.get("rows_quarantined", 0)),
        finished_at=timezone.now(),
    )


def _public_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """The importer's summary with files named, not located (no server paths)."""
    files = [
        {
            k: (Path(v).name if k in {"file", "same_as"} and isinstance(v, str) and v else v)
            for k, v in f.items()
        }
        for f in summary.get("files", [])
    ]
    for f in files:
        if isinstance(f.get("error"), str):
            f["error"] = queue.public_text(f["error"])
    return {**summary, "files": files}


def _set(job: ImportJob, **fields: Any) -> None:
    for k, v in fields.items():
        setattr(job, k, v)
    job.save(update_fields=[*fields, "updated_at"])


def workspace_files() -> list[dict[str, Any]]:
    """What the workspace holds, file by file, however it came in (an upload here, the
    command line, the demo, a police.uk download), newest first."""
    from safercity.web.analysis import services as analysis

    def query() -> list[dict[str, Any]]:
        with analysis.store() as con:
            cur = con.execute(
                "SELECT source_id, path, kind, force, months, rows_read, rows_stored, "
                "rows_quarantined, imported_at FROM sources ORDER BY imported_at DESC, path"
            )
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    try:
        rows: list[dict[str, Any]] = analysis.cached("imports:files", query)
    except analysis.WorkspaceUnavailable:
        return []
    uploads = {
        j.sha256: j
        for j in ImportJob.objects.filter(sha256__in=[r["source_id"] for r in rows]).select_related(
            "uploaded_by"
        )
    }
    out = []
    for r in rows:
        job = uploads.get(r["source_id"])
        months = sorted(r["months"] or [])
        out.append(
            {
                "name": Path(r["path"]).name,
                "kind": KIND_NAMES.get(r["kind"], r["kind"]),
                "force": r["force"] or "",
                "first_month": months[0] if months else "",
                "last_month": months[-1] if months else "",
                "rows_stored": r["rows_stored"],
                "rows_quarantined": r["rows_quarantined"],
                "imported_at": r["imported_at"],
                "how": f"Uploaded by {job.uploaded_by}" if job else "Command line or demo",
                "job": job,
            }
        )
    return out


#: the store's source kinds in words
KIND_NAMES = {
    "police_uk_street": "police.uk street-level crime",
    "police_uk_outcomes": "police.uk outcomes",
    "police_uk_stop_search": "police.uk stop and search",
    "police_uk_api": "police.uk API answer",
    "met_recorded_crime": "Metropolitan Police recorded crime table",
    "local_extract": "Local extract",
}
