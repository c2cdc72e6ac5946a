"""Home panel: imports that need attention (analysts and administrators)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from safercity.web.accounts.permissions import can
from safercity.web.core.home import Item, Panel

from .models import ImportJob


def panels(user: Any) -> list[Panel]:
    if not can(user, "import"):
        return []
    pending = ImportJob.objects.exclude(status=ImportJob.Status.DONE).select_related("uploaded_by")[
        :5
    ]
    if not pending:
        return []
    return [
        Panel(
            title="Imports needing attention",
            items=[
                Item(
                    text=j.original_name,
                    url=reverse("imports:job", kwargs={"pk": j.pk}),
                    detail=j.message[:160],
                    tag=j.get_status_display(),
                    tag_colour="red" if j.status == ImportJob.Status.FAILED else "blue",
                )
                for j in pending
            ],
            link_text="Imports",
            link_url=reverse("imports:list"),
            order=45,
        )
    ]
