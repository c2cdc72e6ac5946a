"""Template context every page needs: the service name and the navigation for this user."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import reverse

from safercity.web.accounts.permissions import ANALYSIS_ROLES, can

SERVICE_NAME = "SaferCity"


def service(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    items: list[tuple[str, str]] = [("Home", reverse("core:home"))]
    if user is not None and user.is_authenticated:
        if can(user, ANALYSIS_ROLES):
            items.append(("Crime analysis", reverse("analysis:overview")))
        if apps.is_installed("safercity.web.reports"):
            from safercity.web.reports.permissions import READ_ROLES, allowed

            if allowed(user, READ_ROLES):
                items.append(("Strategic Assessments", reverse("reports:list")))
        if apps.is_installed("safercity.web.strategy"):
            items.append(("Strategy", reverse("strategy:overview")))
        if can(user, "import"):
            items.append(("Imports", reverse("imports:list")))
        if can(user, "administer"):
            items.append(("Users", reverse("accounts:users")))
            items.append(("Audit log", reverse("audit:search")))
        items.append(("Your account", reverse("accounts:security")))
    path = request.path
    nav = []
    for label, url in items:
        active = path == url if url == "/" else path.startswith(url)
        nav.append({"label": label, "url": url, "active": active})
    return {"service_name": SERVICE_NAME, "service_nav": nav}
