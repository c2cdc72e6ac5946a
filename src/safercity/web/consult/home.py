"""The consultation panel of the home page (core/home.py on main asks each app for its panels):
officers see what waits for them (flagged responses, free text to moderate) and a link to the
consultations; board members the results of consultations that have any."""

from __future__ import annotations

from typing import Any

from safercity.web.accounts.permissions import allowed

from .permissions import MANAGE_ROLES, RESULTS_ROLES


def panels(user: Any) -> list[Any]:
    from django.urls import reverse

    from safercity.web.core.home import Item, Panel

    from . import services
    from .models import Consultation

    if not allowed(user, RESULTS_ROLES):
        return []
    officer = allowed(user, MANAGE_ROLES)
    items = []
    for c in Consultation.objects.all()[:5]:
        n = services.counts(c)
        if officer:
            waiting = []
            if n["flagged"]:
                waiting.append(f"{n['flagged']} flagged")
            if n["pending_text"]:
                waiting.append(f"{n['pending_text']} answers to moderate")
            detail = f"{n['accepted']} counted" + (f"; {', '.join(waiting)}" if waiting else "")
            url = reverse("consult:manage_detail", kwargs={"pk": c.pk})
        else:
            if not n["accepted"]:
                continue
            detail = f"{n['accepted']} counted"
            url = reverse("consult:manage_results", kwargs={"pk": c.pk})
        items.append(
            Item(
                text=c.title,
                url=url,
                detail=detail,
                tag="Open" if c.is_open() else ("Closed" if c.is_closed() else "Draft"),
                tag_colour="green" if c.is_open() else "grey",
            )
        )
    return [
        Panel(
            title="Consultations",
            summary="What residents ranked, and what waits for moderation.",
            items=items,
            empty="No consultations yet.",
            link_text="All consultations" if officer else "",
            link_url=reverse("consult:manage") if officer else "",
            order=60,
        )
    ]
