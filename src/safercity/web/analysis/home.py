"""Home panel: the latest data in the workspace (everyone who reads the analysis pages)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from safercity.web.accounts.permissions import ANALYSIS_ROLES, ANALYST, can
from safercity.web.core.home import Item, Panel
from safercity.web.core.templatetags.govuk import format_date

from . import services


def _latest() -> dict[str, Any]:
    with services.store() as con:
        last = con.execute("SELECT max(month) FROM incidents").fetchone()[0]  # type: ignore[index]
        if last is None:
            return {}
        rows = con.execute(
            "SELECT count(*) FILTER (WHERE category <> 'Anti-social behaviour'), "
            "count(*) FILTER (WHERE category = 'Anti-social behaviour'), "
            "string_agg(DISTINCT force, ', ' ORDER BY force) FROM incidents WHERE month = ?",
            [last],
        ).fetchone()
        imported = con.execute("SELECT max(imported_at), count(*) FROM sources").fetchone()
    return {
        "month": last,
        "crimes": rows[0] if rows else 0,
        "asb": rows[1] if rows else 0,
        "forces": (rows[2] if rows else "") or "",
        "imported_at": imported[0] if imported else None,
        "files": imported[1] if imported else 0,
    }


def panels(user: Any) -> list[Panel]:
    if not can(user, ANALYSIS_ROLES):
        return []
    try:
        latest = services.cached("home:latest", _latest)
    except services.WorkspaceUnavailable as exc:
        return [Panel(title="The latest data", summary=str(exc), order=20)]
    if not latest:
        return [Panel(title="The latest data", summary="No crime data yet.", order=20)]
    month = f"{latest['month']:%B %Y}"
    items = [
        Item(
            text=f"{latest['crimes']:,} crimes and {latest['asb']:,} anti-social behaviour "
            f"incidents recorded in {month}",
            detail=latest["forces"],
            url=reverse("analysis:overview"),
        )
    ]
    if getattr(user, "role", None) == ANALYST and latest["imported_at"] is not None:
        items.append(
            Item(
                text=f"{latest['files']:,} files in the workspace, the last imported "
                f"{format_date(latest['imported_at'])}",
                url=reverse("imports:list"),
            )
        )
    return [
        Panel(
            title="The latest data",
            summary=f"Police-recorded crime and anti-social behaviour to {month}.",
            items=items,
            link_text="See the crime analysis",
            link_url=reverse("analysis:overview"),
            order=20,
        )
    ]
