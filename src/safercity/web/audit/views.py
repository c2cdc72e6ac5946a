from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from . import services
from .forms import AuditSearchForm
from .permissions import view_audit


def _filters(form: AuditSearchForm) -> dict[str, Any]:
    if form.is_valid():
        return {k: v for k, v in form.cleaned_data.items() if v}
    return {}


@view_audit
def search(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None)
    filters = _filters(form)
    # the log shows who looked at whose record, and from where: reading it is recorded too
    event = services.record(
        request, "view", model="audit.AuditEvent", summary=f"searched audit log {filters or 'all'}"
    )
    events = services.search(**filters).exclude(pk=event.pk)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/search.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "breadcrumbs": [("Home", "/"), ("Audit log", None)],
        },
    )


@view_audit
def export(request: HttpRequest) -> StreamingHttpResponse:
    form = AuditSearchForm(request.GET or None)
    filters = _filters(form)
    event = services.record(
        request,
        "export",
        model="audit.AuditEvent",
        summary=f"exported audit log {filters or 'all'}",
    )
    events = services.search(**filters).exclude(pk=event.pk).iterator()
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(services.csv_rows(events), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="safercity-audit-{stamp}.csv"'
    return response
