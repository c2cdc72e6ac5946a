"""Template context every page needs: the service name and the navigation for this user."""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

from safercity.web.accounts.permissions import ANALYSIS_ROLES, can

SERVICE_NAME = "SaferCity"


def service(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    active = bool(signed_in and user.is_active)  # type: ignore[union-attr]
    items = _nav_items(
        get_script_prefix(),
        signed_in,
        active,
        getattr(user, "role", None) if signed_in else None,
        active and _in_a_cohort(user),
    )
    path = request.path
    nav = []
    for label, url in items:
        active = path == url if url == "/" else path.startswith(url)
        nav.append({"label": label, "url": url, "active": active})
    return {"service_name": SERVICE_NAME, "service_nav": nav}


def _in_a_cohort(user: Any) -> bool:
    """Case work is by cohort membership, not by role (one indexed query)."""
    if not apps.is_installed("safercity.web.cases"):
        return False
    from safercity.web.cases.models import CohortMembership

    return CohortMembership.objects.filter(user=user).exists()


@functools.lru_cache(maxsize=64)
def _nav_items(
    prefix: str, signed_in: bool, active: bool, role: str | None, in_a_cohort: bool = False
) -> tuple[tuple[str, str], ...]:
    """The navigation for a kind of user: it depends on the role (and whether the user is in a
    case-work cohort) alone, so it is worked out (and its addresses reversed) once per kind."""
    user = SimpleNamespace(is_authenticated=signed_in, is_active=active, role=role)
    items: list[tuple[str, str]] = [("Home", reverse("core:home"))]
    if signed_in:
        if can(user, ANALYSIS_ROLES):
            items.append(("Crime analysis", reverse("analysis:overview")))
        if apps.is_installed("safercity.web.reports"):
            from safercity.web.reports.permissions import READ_ROLES, allowed

            if allowed(user, READ_ROLES):
                items.append(("Strategic Assessments", reverse("reports:list")))
        if apps.is_installed("safercity.web.strategy"):
            items.append(("Strategy", reverse("strategy:overview")))
        if in_a_cohort:
            items.append(("Cases", reverse("cases:home")))
        if can(user, "import"):
            items.append(("Imports", reverse("imports:list")))
        if can(user, "administer"):
            items.append(("Users", reverse("accounts:users")))
            items.append(("Audit log", reverse("audit:search")))
            if apps.is_installed("safercity.web.cases"):
                items.append(("Case work set-up", reverse("cases:config")))
        items.append(("Your account", reverse("accounts:security")))
    return tuple(items)
