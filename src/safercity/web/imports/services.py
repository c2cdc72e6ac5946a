"""Uploads and background imports into the workspace store.

Uploads are saved to ``<workspace>/uploads/<job id>/<file name>`` and imported by
:func:`safercity.analytics.ingest.ingest_paths` on a background thread of the web process (one
import at a time: DuckDB has one writer). While an import writes, the analysis pages answer 503.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import close_old_connections
from django.utils import timezone

from .models import ImportJob

_LOCK = threading.Lock()
QUARANTINE_ROWS_SHOWN = 200
OPEN_TIMEOUT_SECONDS = 60.0
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
    folder.mkdir(parents=True, exist_ok=True)
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
    """Run the import in the background (or at once when settings.IMPORTS_INLINE is set)."""
    if getattr(settings, "IMPORTS_INLINE", False):
        run(job.pk)
        return
    threading.Thread(
        target=_thread_main, args=(job.pk,), name=f"import-{job.pk}", daemon=True
    ).start()


def _thread_main(pk: Any) -> None:
    try:
        run(pk)
    except Exception as exc:  # the job must never be left "running" by a crashed thread
        ImportJob.objects.filter(pk=pk).update(
            status=ImportJob.Status.FAILED,
            progress=100,
            finished_at=timezone.now(),
            message=f"The import failed: {exc}",
        )
    finally:
        close_old_connections()


def ingest(workspace: Path, paths: Sequence[Path], progress: Progress) -> dict[str, Any]:
    """The one call into the analytics library's importer (police.uk CSV/JSON, archives)."""
    import duckdb

    from safercity.analytics.ingest import ingest_paths
    from safercity.analytics.store import Workspace
    from safercity.web.analysis.services import writing

    with writing():
        # Other server processes let go of the store within a second or two (see
        # analysis.services.import_running); wait for them, then import.
        deadline = time.monotonic() + OPEN_TIMEOUT_SECONDS
        while True:
            try:
                ws = Workspace(workspace)
                break
            except duckdb.IOException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.25)
        try:
            summary = ingest_paths(ws, list(paths), progress=progress)
        finally:
            ws.close()
    result: dict[str, Any] = summary.as_dict()
    return result


def _quarantine_rows(workspace: Path, job: ImportJob) -> list[dict[str, Any]]:
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
    with _LOCK:
        _set(
            job,
            status=ImportJob.Status.RUNNING,
            progress=1,
            message="Reading the file",
            started_at=timezone.now(),
        )

        def progress(done: int, total: int, name: str) -> None:
            pct = max(1, min(99, round(100 * done / total))) if total else 50
            _set(job, progress=pct, message=f"Imported {done} of {total} files ({name})")

        try:
            summary = ingest(Path(settings.WORKSPACE), [Path(job.stored_path)], progress)
            totals = summary.get("totals", {})
            failed = [f for f in summary.get("files", []) if f.get("status") == "failed"]
            quarantine = _quarantine_rows(Path(settings.WORKSPACE), job)
            status = (
                ImportJob.Status.FAILED
                if failed and len(failed) == totals.get("files")
                else ImportJob.Status.DONE
            )
            message = "; ".join(f"{f['file']}: {f.get('error')}" for f in failed) or (
                f"Stored {totals.get('rows_stored', 0)} rows, set aside "
                f"{totals.get('rows_quarantined', 0)}, "
                f"{totals.get('rows_already_stored', 0)} already in the workspace"
            )
            _set(
                job,
                status=status,
                progress=100,
                message=message,
                summary=summary,
                quarantine=[
                    {k: (str(v) if v is not None else "") for k, v in r.items()}
                    | {"file": Path(str(r.get("file") or "")).name}
                    for r in quarantine
                ],
                rows_stored=int(totals.get("rows_stored", 0)),
                rows_quarantined=int(totals.get("rows_quarantined", 0)),
                finished_at=timezone.now(),
            )
        except Exception as exc:
            _set(
                job,
                status=ImportJob.Status.FAILED,
                progress=100,
                message=f"The import failed: {exc}",
                finished_at=timezone.now(),
                summary={"traceback": traceback.format_exc(limit=5)},
            )


def _set(job: ImportJob, **fields: Any) -> None:
    for k, v in fields.items():
        setattr(job, k, v)
    job.save(update_fields=[*fields, "updated_at"])


def recover_interrupted() -> int:
    """Mark imports left running by a stopped server as failed (call at start-up)."""
    return ImportJob.objects.filter(
        status__in=[ImportJob.Status.RUNNING, ImportJob.Status.QUEUED]
    ).update(
        status=ImportJob.Status.FAILED,
        progress=100,
        message="The server stopped before this import finished. Upload the file again.",
        finished_at=timezone.now(),
    )
