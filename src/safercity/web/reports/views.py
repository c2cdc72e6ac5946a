"""Strategic Assessment reports: the list of past reports, the form, progress and the files."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from safercity.web.accounts.permissions import allowed
from safercity.web.jobs import queue

from . import services
from .forms import ReportForm
from .models import AssessmentReport
from .permissions import GENERATE_ROLES, can_generate, can_read

#: the report is a self-contained document: inline SVG and styles, no scripts at all
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
LIST_SIZE = 100


def _crumbs(*more: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("Home", "/"), ("Strategic Assessments", reverse("reports:list")), *more]


@can_read
def report_list(request: HttpRequest) -> HttpResponse:
    services.discover_command_line_reports()
    reports = AssessmentReport.objects.select_related("requested_by")[:LIST_SIZE]
    return render(
        request,
        "reports/list.html",
        {
            "reports": reports,
            "can_generate": allowed(request.user, GENERATE_ROLES),
            "breadcrumbs": [("Home", "/"), ("Strategic Assessments", None)],
        },
    )


def _suggested_period() -> str:
    last = services.latest_month()
    if last is None:
        return ""
    first_year, first_month = (
        (last.year, last.month - 11)
        if last.month == 12
        else (
            last.year - 1,
            last.month + 1,
        )
    )
    return f"{first_year:04d}-{first_month:02d}:{last:%Y-%m}"


@can_generate
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    areas = services.areas_in_store()
    if request.method == "POST":
        form = ReportForm(request.POST, areas=areas)
        if form.is_valid():
            report = services.create(
                request.user, form.cleaned_data["area"], form.cleaned_data["period"]
            )
            services.start(report)
            return redirect("reports:report", pk=report.pk)
    else:
        initial = {"period": _suggested_period()}
        if len(areas) == 1:
            initial["area"] = areas[0]
        form = ReportForm(initial=initial, areas=areas)
    return render(
        request,
        "reports/new.html",
        {"form": form, "breadcrumbs": _crumbs(("Generate a report", None))},
    )


@can_read
def report_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    report = get_object_or_404(AssessmentReport.objects.select_related("requested_by"), pk=pk)
    template = (
        "reports/_status.html" if request.headers.get("HX-Request") else "reports/report.html"
    )
    return render(
        request,
        template,
        {
            "report": report,
            "can_generate": allowed(request.user, GENERATE_ROLES),
            "worker_running": report.finished or queue.worker_running(),
            "breadcrumbs": _crumbs((str(report), None)),
        },
    )


@can_generate
@require_POST
def report_retry(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Generate a failed report again."""
    report = get_object_or_404(AssessmentReport, pk=pk)
    if queue.retry(report):
        messages.success(request, f"The {report} will be generated again.")
    return redirect("reports:report", pk=report.pk)


@can_read
def report_file(request: HttpRequest, pk: UUID, name: str) -> HttpResponse:
    report = get_object_or_404(AssessmentReport, pk=pk)
    path = services.report_file(report, name)
    if path is None:
        raise Http404("No such file in this report")
    suffix = path.suffix.lower()
    download = suffix in {".pdf", ".csv", ".json"}
    filename = path.name
    if suffix in {".pdf", ".html"}:
        filename = f"strategic-assessment-{_slug(report.area)}-{report.period.replace(':', '-to-')}"
        filename += suffix
    # read whole (reports are a few MB at most): no file handle left open after the response
    response = HttpResponse(path.read_bytes(), content_type=services.CONTENT_TYPES[suffix])
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    if suffix in {".html", ".svg"}:
        response["Content-Security-Policy"] = REPORT_CSP
    return response


@can_read
def report_tables(request: HttpRequest, pk: UUID) -> HttpResponse:
    report = get_object_or_404(AssessmentReport, pk=pk)
    if report.status != AssessmentReport.Status.DONE:
        raise Http404("This report has no tables yet")
    response = HttpResponse(services.tables_zip(report), content_type="application/zip")
    name = f"strategic-assessment-{_slug(report.area)}-{report.period.replace(':', '-to-')}"
    response["Content-Disposition"] = f'attachment; filename="{name}-tables.zip"'
    return response


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-") or "area"
