"""Generating Strategic Assessments in the background and keeping them in the workspace.

A report requested in the browser is the same document as ``safercity assess`` writes
(:class:`safercity.analytics.assessment.Assessment` and
:func:`safercity.analytics.report.write_report`), stored under
``<workspace>/reports/<report id>/report.*``. It runs on a background thread of the web
process, like an import (see :mod:`safercity.web.imports.services`), one job at a time: a report
and an import share the imports' lock, so an import never waits for the store while a report
reads it in this process. ``settings.REPORTS_INLINE`` (default: ``IMPORTS_INLINE``) runs the job
at once, in the request (tests).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
import time
import traceback
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from .models import STEM, AssessmentReport

#: steps reported by Assessment (see safercity.commands.assess.STEPS), then writing the files
ASSESSMENT_STEPS = 14
TOTAL_STEPS = ASSESSMENT_STEPS + 1
OPEN_TIMEOUT_SECONDS = 60.0
#: a running report that has not moved for this long was left by a stopped server
STALE_AFTER = timedelta(minutes=15)
#: files a report folder may serve, by suffix
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".pdf": "application/pdf",
    ".svg": "image/svg+xml",
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
}

_OWN_LOCK = threading.Lock()


def _job_lock() -> Any:
    """The imports' one-job-at-a-time lock (shared, so reports and imports take turns)."""
    try:
        from safercity.web.imports import services as imports

        return getattr(imports, "_LOCK", _OWN_LOCK)
    except ImportError:  # pragma: no cover - imports is part of the foundation
        return _OWN_LOCK


def reports_root() -> Path:
    return Path(settings.WORKSPACE) / "reports"


def areas_in_store() -> list[str]:
    """Local authorities (built-in names) that have incidents in the workspace; all of England
    and Wales when the store cannot be read (no workspace yet, or an import is writing)."""
    from safercity.analytics.geography import local_authorities
    from safercity.web.analysis import services as analysis

    names = local_authorities()

    def present() -> list[str]:
        with analysis.store() as con:
            rows = con.execute(
                "SELECT DISTINCT lower(local_authority) FROM incidents "
                "WHERE local_authority IS NOT NULL"
            ).fetchall()
        have = {r[0] for r in rows}
        return [n for n in names if n.lower() in have]

    try:
        found: list[str] = analysis.cached("reports:areas", present)
    except analysis.WorkspaceUnavailable:
        return names
    return found or names


def latest_month() -> dt.date | None:
    """The last month with incidents in the store (for the form's suggested period)."""
    from safercity.web.analysis import services as analysis

    def query() -> dt.date | None:
        with analysis.store() as con:
            row = con.execute("SELECT max(month) FROM incidents").fetchone()
        return row[0] if row else None

    try:
        value: dt.date | None = analysis.cached("reports:latest-month", query)
    except analysis.WorkspaceUnavailable:
        return None
    return value


def create(user: Any, area: str, period: str) -> AssessmentReport:
    """Record the request (audited as a create) with its folder in the workspace."""
    report = AssessmentReport(area=area, period=period, requested_by=user)
    report.output_dir = str(reports_root() / str(report.id))
    report.save()
    return report


def start(report: AssessmentReport) -> None:
    """Generate in the background (at once when REPORTS_INLINE, or IMPORTS_INLINE, is set)."""
    inline = getattr(settings, "REPORTS_INLINE", getattr(settings, "IMPORTS_INLINE", False))
    if inline:
        run(report.pk)
        return
    threading.Thread(
        target=_thread_main, args=(report.pk,), name=f"report-{report.pk}", daemon=True
    ).start()


def _thread_main(pk: Any) -> None:
    try:
        run(pk)
    except Exception as exc:  # never leave a report "running" after a crashed thread
        AssessmentReport.objects.filter(pk=pk).update(
            status=AssessmentReport.Status.FAILED,
            progress=100,
            error=f"The report could not be generated: {exc}",
            finished_at=timezone.now(),
        )
    finally:
        close_old_connections()


def _open_store() -> Any:
    """The workspace store, read-only, waiting while an import writes to it."""
    import duckdb

    from safercity.analytics.store import Workspace
    from safercity.web.analysis import services as analysis

    deadline = time.monotonic() + OPEN_TIMEOUT_SECONDS
    while True:
        if not analysis.import_running():
            try:
                return Workspace(settings.WORKSPACE, read_only=True)
            except duckdb.IOException:
                pass
        if time.monotonic() > deadline:
            raise RuntimeError("the workspace is being updated by an import; try again later")
        time.sleep(0.25)


def run(pk: Any) -> None:
    """Generate one report now, recording progress on it step by step."""
    from safercity import settings as safercity_settings
    from safercity.analytics.assessment import Assessment
    from safercity.analytics.report import write_report
    from safercity.commands._assessment import jsonable

    report = AssessmentReport.objects.get(pk=pk)
    with _job_lock():
        _set(
            report,
            status=AssessmentReport.Status.RUNNING,
            progress=1,
            message="Reading the workspace",
            error="",
            started_at=timezone.now(),
        )
        done = 0

        def step(name: str) -> None:
            nonlocal done
            done += 1
            pct = max(1, min(99, round(100 * done / TOTAL_STEPS)))
            _set(report, progress=pct, message=f"Step {done} of {TOTAL_STEPS}: {name}"[:300])

        try:
            ws = _open_store()
            try:
                a = Assessment(
                    ws,
                    area=report.area,
                    period=report.period,
                    seed=int(safercity_settings.get("seed")),
                    permutations=int(safercity_settings.get("permutations")),
                    progress=step,
                )
                step("writing the report, its figures and tables, and the PDF")
                folder = report.folder
                folder.mkdir(parents=True, exist_ok=True)
                written = write_report(a, folder / STEM, pdf=True)
            finally:
                ws.close()
            manifest = json.loads(written.manifest.read_text(encoding="utf-8"))
            summary = jsonable(a.summary())
            summary["outputs"] = {
                "html": written.html.name,
                "pdf": written.pdf.name if written.pdf else None,
                "figures": len(written.figures),
                "tables": len(written.tables),
                "manifest": written.manifest.name,
            }
            summary["recommended"] = [
                {"title": str(r["title"]), "reasons": str(r["reasons"])}
                for _, r in a.recommended.iterrows()
            ]
            summary["software"] = manifest.get("software", {})
            summary["seeds"] = manifest.get("seeds", {})
            _set(
                report,
                status=AssessmentReport.Status.DONE,
                progress=100,
                message=(
                    f"Written: the report, {len(written.figures)} figures and "
                    f"{len(written.tables)} tables"
                ),
                summary=summary,
                finished_at=timezone.now(),
            )
        except Exception as exc:
            _set(
                report,
                status=AssessmentReport.Status.FAILED,
                progress=100,
                message="Failed",
                error=f"The report could not be generated: {str(exc).strip(chr(39) + chr(34))}",
                summary={"traceback": traceback.format_exc(limit=5)},
                finished_at=timezone.now(),
            )


def _set(report: AssessmentReport, **fields: Any) -> None:
    for k, v in fields.items():
        setattr(report, k, v)
    report.save(update_fields=[*fields, "updated_at"])


def recover_interrupted(now: dt.datetime | None = None) -> int:
    """Mark reports that stopped moving (left by a stopped server) as failed."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    count: int = AssessmentReport.objects.filter(
        status__in=[AssessmentReport.Status.RUNNING, AssessmentReport.Status.QUEUED],
        updated_at__lt=cutoff,
    ).update(
        status=AssessmentReport.Status.FAILED,
        progress=100,
        error="The server stopped before this report finished. Generate it again.",
        finished_at=timezone.now(),
    )
    return count


def report_file(report: AssessmentReport, name: str) -> Path | None:
    """The file ``name`` (relative, e.g. ``report-figures/figure-1.svg``) of a finished report,
    or None when it is not one of the report's files (no way out of the report's folder)."""
    if report.status != AssessmentReport.Status.DONE or not report.output_dir:
        return None
    folder = report.folder.resolve()
    if not name or name.startswith("/") or "\\" in name:
        return None
    path = (folder / name).resolve()
    if not path.is_relative_to(folder) or path.suffix.lower() not in CONTENT_TYPES:
        return None
    return path if path.is_file() else None


def tables_zip(report: AssessmentReport) -> bytes:
    """The report's tables (CSV) and manifest as one zip, with fixed timestamps."""
    folder = report.folder
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        files = sorted((folder / f"{STEM}-tables").glob("*.csv"))
        manifest = folder / f"{STEM}-manifest.json"
        if manifest.is_file():
            files.append(manifest)
        for p in files:
            info = zipfile.ZipInfo(str(p.relative_to(folder)), date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, p.read_bytes())
    return buffer.getvalue()
