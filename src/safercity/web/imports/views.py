from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from safercity.web.jobs import queue

from . import services
from .forms import UploadForm
from .models import ImportJob
from .permissions import can_import


@can_import
@require_http_methods(["GET", "POST"])
def job_list(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = services.create_job(request.user, form.cleaned_data["file"])
        services.start(job)
        return redirect("imports:job", pk=job.pk)
    jobs = ImportJob.objects.select_related("uploaded_by")[:50]
    return render(
        request,
        "imports/list.html",
        {
            "form": form,
            "jobs": jobs,
            "files": services.workspace_files(),
            "worker_running": queue.worker_running(),
            "breadcrumbs": [("Home", "/"), ("Imports", None)],
        },
    )


@can_import
def job_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("uploaded_by"), pk=pk)
    template = "imports/_status.html" if request.headers.get("HX-Request") else "imports/job.html"
    return render(
        request,
        template,
        {
            "job": job,
            "worker_running": job.finished or queue.worker_running(),
            "breadcrumbs": [
                ("Home", "/"),
                ("Imports", reverse("imports:list")),
                (job.original_name, None),
            ],
        },
    )


@can_import
@require_POST
def job_retry(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Try a failed import again (the upload is kept)."""
    job = get_object_or_404(ImportJob, pk=pk)
    if queue.retry(job):
        messages.success(request, f"The import of {job.original_name} will be tried again.")
    return redirect("imports:job", pk=job.pk)
