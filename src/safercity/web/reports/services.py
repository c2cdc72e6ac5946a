"""Strategic Assessments: generated as background jobs and kept in the workspace.

A report requested in the browser is the same document as ``safercity assess`` writes
(:class:`safercity.analytics.assessment.Assessment` and
:func:`safercity.analytics.report.write_report`), stored under
``<workspace>/reports/<report id>/report.*``. The job worker (:mod:`safercity.web.jobs`) runs
each in a process of its own, reading the store as last committed (imports never block it).
Reports that ``safercity assess`` writes under ``<workspace>/reports/`` are found there and
listed beside them (:func:`discover_command_line_reports`).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from safercity.web.jobs import queue

from .models import AssessmentReport

log = logging.getLogger("safercity.reports")

#: steps reported by Assessment (see safercity.commands.assess.STEPS), then writing the files
ASSESSMENT_STEPS = 14
TOTAL_STEPS = ASSESSMENT_STEPS + 1
#: files a report folder may serve, by suffix
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".pdf": "application/pdf",
    ".svg": "image/svg+xml",
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
}


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
    """Queue the report for the job worker (at once, here, when settings.JOBS_INLINE)."""
    queue.enqueue(report)


def run(pk: Any) -> None:
    """Generate one report now, recording progress on it step by step."""
    from safercity import settings as safercity_settings
    from safercity.analytics.assessment import Assessment
    from safercity.analytics.report import write_report
    from safercity.analytics.store import Workspace
    from safercity.commands._assessment import jsonable

    report = AssessmentReport.objects.get(pk=pk)
    _set(
        report,
        status=AssessmentReport.Status.RUNNING,
        progress=1,
        message="Reading the workspace",
        error="",
    )
    done = 0

    def step(name: str) -> None:
        nonlocal done
        done += 1
        pct = max(1, min(99, round(100 * done / TOTAL_STEPS)))
        _set(report, progress=pct, message=f"Step {done} of {TOTAL_STEPS}: {name}"[:300])

    try:
        folder = report.folder
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        inputs = partnership_inputs(report.area, folder)
        ws = Workspace(settings.WORKSPACE, read_only=True)
        try:
            a = Assessment(
                ws,
                area=report.area,
                period=report.period,
                seed=int(safercity_settings.get("seed")),
                permutations=int(safercity_settings.get("permutations")),
                progress=step,
                **inputs,
            )
            step("writing the report, its figures and tables, and the PDF")
            written = write_report(a, folder / report.stem, pdf=True)
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
        log.exception("report %s failed", report.pk)
        reason = str(exc).strip(chr(39) + chr(34))
        _set(
            report,
            status=AssessmentReport.Status.FAILED,
            progress=100,
            message="Failed",
            error=queue.public_text(f"The report could not be generated: {reason}"),
            finished_at=timezone.now(),
        )


def _set(report: AssessmentReport, **fields: Any) -> None:
    for k, v in fields.items():
        setattr(report, k, v)
    report.save(update_fields=[*fields, "updated_at"])


def partnership_inputs(area: str, folder: Path) -> dict[str, Any]:
    """What the web application holds for the assessment of ``area`` beside the crime data:
    the partnership's strategy with its monitoring (reviewed as last year's priorities) and the
    latest consultation of the area whose results are counted (used in the priority
    assessment), each only when it is for this area. Both are written into the report's folder as
    the files the assessment reads, so the report can be reproduced from its folder."""
    from django.apps import apps

    from safercity.analytics.assessment.consultation import load_consultation
    from safercity.analytics.themes import load_themes

    out: dict[str, Any] = {}
    here = area.strip().lower()
    if apps.is_installed("safercity.web.strategy"):
        from safercity.strategy.io import dumps
        from safercity.web.strategy.loading import export
        from safercity.web.strategy.services import current_strategy

        strategy = current_strategy()
        names = f"{strategy.title} {strategy.partnership.name}".lower() if strategy else ""
        if strategy is not None and here and here in names:
            path = folder / "previous-strategy.yaml"
            path.write_text(dumps(export(strategy)), encoding="utf-8")
            out["previous_strategy"] = path
    if apps.is_installed("safercity.web.consult"):
        from safercity.web.consult.models import Consultation as ConsultationRecord
        from safercity.web.consult.services import for_assessment

        for c in ConsultationRecord.objects.filter(area__iexact=area).order_by("-closes_on"):
            ranking = for_assessment(c.slug)
            if ranking:
                import yaml

                path = folder / "consultation.yaml"
                path.write_text(yaml.safe_dump({"consultation": ranking}), encoding="utf-8")
                out["consultation"] = load_consultation(path, load_themes())
                break
    return out


def discover_command_line_reports() -> int:
    """List the reports ``safercity assess`` wrote under ``<workspace>/reports/`` (each found by
    its manifest) beside those generated here; returns how many were new."""
    root = reports_root()
    if not root.is_dir():
        return 0
    known = {
        (str(Path(d)), stem)
        for d, stem in AssessmentReport.objects.values_list("output_dir", "stem")
    }
    found = 0
    for manifest in sorted([*root.glob("*-manifest.json"), *root.glob("*/*-manifest.json")]):
        stem = manifest.name.removesuffix("-manifest.json")
        folder = str(manifest.parent)
        if (folder, stem) in known:
            continue
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        params = data.get("parameters", {}) or {}
        outputs = data.get("outputs", {}) or {}
        html = outputs.get("html")
        if not isinstance(html, str) or not (manifest.parent / html).is_file():
            continue
        written = dt.datetime.fromtimestamp(manifest.stat().st_mtime, tz=dt.UTC)
        try:
            AssessmentReport.objects.create(
                area=str(params.get("area") or "Whole workspace")[:200],
                period=str(params.get("period") or "")[:20],
                source=AssessmentReport.Source.COMMAND_LINE,
                status=AssessmentReport.Status.DONE,
                progress=100,
                message="Written by safercity assess",
                output_dir=folder,
                stem=stem,
                summary={
                    "outputs": {
                        "html": html,
                        "pdf": outputs.get("pdf"),
                        "figures": len(outputs.get("figures") or []),
                        "tables": len(outputs.get("tables") or {}),
                        "manifest": manifest.name,
                    },
                    "software": data.get("software", {}),
                    "seeds": data.get("seeds", {}),
                },
                started_at=written,
                finished_at=written,
            )
        except IntegrityError:  # another request found it at the same moment
            continue
        found += 1
    return found


def report_file(report: AssessmentReport, name: str) -> Path | None:
    """The file ``name`` (relative, e.g. ``report-figures/figure-1.svg``) of a finished report,
    or None when it is not one of the report's files (no way out of the report's folder)."""
    if report.status != AssessmentReport.Status.DONE or not report.output_dir:
        return None
    folder = report.folder.resolve()
    if not name or name.startswith("/") or "\\" in name:
        return None
    # only this report's files (a folder may hold several reports written by safercity assess)
    if not (name.startswith(f"{report.stem}.") or name.startswith(f"{report.stem}-")):
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
        files = sorted((folder / f"{report.stem}-tables").glob("*.csv"))
        manifest = folder / report.manifest_name
        if manifest.is_file():
            files.append(manifest)
        for p in files:
            info = zipfile.ZipInfo(str(p.relative_to(folder)), date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, p.read_bytes())
    return buffer.getvalue()
