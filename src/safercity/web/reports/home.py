"""Home panel: the latest Strategic Assessments (board members, analysts, administrators)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from safercity.web.accounts.permissions import allowed
from safercity.web.core.home import Item, Panel
from safercity.web.core.templatetags.govuk import format_date

from . import services
from .models import AssessmentReport
from .permissions import GENERATE_ROLES, READ_ROLES

SHOWN = 3


def panels(user: Any) -> list[Panel]:
    if not allowed(user, READ_ROLES):
        return []
    services.discover_command_line_reports()
    done = AssessmentReport.objects.filter(status=AssessmentReport.Status.DONE)[:SHOWN]
    items = [
        Item(
            text=f"{r.area}, {r.period_words}",
            url=reverse("reports:file", kwargs={"pk": r.pk, "name": r.html_name}),
            detail=f"Written {format_date(r.finished_at or r.created_at)}",
        )
        for r in done
    ]
    if allowed(user, GENERATE_ROLES):
        for r in AssessmentReport.objects.exclude(status=AssessmentReport.Status.DONE)[:SHOWN]:
            items.append(
                Item(
                    text=f"{r.area}, {r.period_words}",
                    url=reverse("reports:report", kwargs={"pk": r.pk}),
                    tag=r.get_status_display(),
                    tag_colour="red" if r.status == AssessmentReport.Status.FAILED else "blue",
                )
            )
    return [
        Panel(
            title="Strategic Assessments",
            summary="The evidence the partnership sets its priorities from.",
            items=items,
            empty="No assessment has been written yet.",
            link_text="All Strategic Assessments",
            link_url=reverse("reports:list"),
            order=30,
        )
    ]
