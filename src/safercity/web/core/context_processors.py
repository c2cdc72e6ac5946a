"""Template context every page needs: the service name and the navigation for this user."""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

from safercity.web.accounts.permissions import ANALYSIS_ROLES, allowed, can

SERVICE_NAME = "SaferCity"


def service(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    items = _nav_items(
        get_script_prefix(),
        signed_in,
        bool(signed_in and user.is_active),  # type: ignore[union-attr]
        getattr(user, "role", None) if signed_in else None,
    )
    path = request.path
    nav = []
    for label, url, prefixes in items:
        active = path == url if url == "/" else any(path.startswith(p) for p in prefixes)
        nav.append({"label": label, "url": url, "active": active})
    account = reverse("accounts:security") if signed_in else ""
    return {
        "service_name": SERVICE_NAME,
        "service_nav": nav,
        "account_url": account,
        "account_active": bool(account) and path.startswith(account),
        "consult_installed": apps.is_installed("safercity.web.consult"),
    }


@functools.lru_cache(maxsize=64)
def _nav_items(
    prefix: str, signed_in: bool, active: bool, role: str | None
) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """The navigation for a kind of user: it depends on the role alone, so it is worked out (and
    its addresses reversed) once per role rather than on every page. Each item is (label, url,
    the paths it covers); labels are short so that the bar fits one line at desktop widths. The
    account and sign-out links are in the header."""
    user = SimpleNamespace(is_authenticated=signed_in, is_active=active, role=role)
    home = reverse("core:home")
    items: list[tuple[str, str, tuple[str, ...]]] = [("Home", home, (home,))]

    def add(label: str, name: str, *more: str) -> None:
        url = reverse(name)
        items.append((label, url, (url, *more)))

    if signed_in:
        if can(user, ANALYSIS_ROLES):
            add("Crime analysis", "analysis:overview")
        if apps.is_installed("safercity.web.reports"):
            from safercity.web.reports.permissions import READ_ROLES

            if allowed(user, READ_ROLES):
                add("Assessments", "reports:list")
        if apps.is_installed("safercity.web.strategy"):
            add("Strategy", "strategy:overview")
        if apps.is_installed("safercity.web.consult"):
            from safercity.web.consult.permissions import MANAGE_ROLES

            if allowed(user, MANAGE_ROLES):
                add("Consultations", "consult:manage")
        if can(user, "import"):
            add("Imports", "imports:list")
        if can(user, "administer"):
            add("Admin", "accounts:users", reverse("accounts:agencies"), reverse("audit:search"))
    return tuple(items)
