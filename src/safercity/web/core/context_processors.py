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
    for label, url, prefixes in items:
        current = path == url if url == "/" else any(path.startswith(p) for p in prefixes)
        nav.append({"label": label, "url": url, "active": current})
    account = reverse("accounts:security") if signed_in else ""
    return {
        "service_name": SERVICE_NAME,
        "service_nav": nav,
        "account_url": account,
        "account_active": bool(account) and path.startswith(account),
        "consult_installed": apps.is_installed("safercity.web.consult"),
        "cases_installed": apps.is_installed("safercity.web.cases"),
    }


def _in_a_cohort(user: Any) -> bool:
    """Case work is by cohort membership, not by role (one indexed query)."""
    if not apps.is_installed("safercity.web.cases"):
        return False
    from safercity.web.cases.models import CohortMembership

    return CohortMembership.objects.filter(user=user).exists()


@functools.lru_cache(maxsize=64)
def _nav_items(
    prefix: str, signed_in: bool, active: bool, role: str | None, in_a_cohort: bool = False
) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """The navigation for a kind of user: it depends on the role (and whether the user is in a
    case-work cohort) alone, so it is worked out (and its addresses reversed) once per kind.
    Each item is (label, url, the paths it covers); labels are short so that the bar fits one
    line at desktop widths. The account and sign-out links are in the header."""
    user = SimpleNamespace(is_authenticated=signed_in, is_active=active, role=role)
    home = reverse("core:home")
    items: list[tuple[str, str, tuple[str, ...]]] = [("Home", home, (home,))]

    def add(label: str, name: str, *more: str) -> None:
        url = reverse(name)
        items.append((label, url, (url, *more)))

    if signed_in:
        if in_a_cohort:
            add("Cases", "cases:home")
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
            more = [reverse("accounts:agencies"), reverse("audit:search")]
            if apps.is_installed("safercity.web.cases"):
                more.append(reverse("cases:config"))
            add("Admin", "accounts:users", *more)
    return tuple(items)
