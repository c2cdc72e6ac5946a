"""Who may do what: one table of capabilities by role, and the view decorator that enforces it.

The public has no account and sees the public pages only. Anonymous visitors to a protected
page are sent to sign in; a signed-in user without the capability gets 403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

ADMIN = "administrator"
ANALYST = "analyst"
BOARD = "board_member"
ACTION_OWNER = "action_owner"
CASE_WORKER = "case_worker"

ANALYSIS_ROLES = "analysis"

CAPABILITIES: dict[str, frozenset[str]] = {
    # Read the crime analysis pages and the JSON API.
    "analysis": frozenset({ADMIN, ANALYST, BOARD, ACTION_OWNER}),
    # Upload police.uk files and run imports.
    "import": frozenset({ADMIN, ANALYST}),
    # Manage users and agencies; search and export the audit log.
    "administer": frozenset({ADMIN}),
    # Any signed-in user (their own account and security settings).
    "account": frozenset({ADMIN, ANALYST, BOARD, ACTION_OWNER, CASE_WORKER}),
}


def can(user: Any, capability: str) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return getattr(user, "role", None) in CAPABILITIES[capability]


def roles_with(capability: str) -> Iterable[str]:
    return sorted(CAPABILITIES[capability])


def require(
    capability: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """View decorator: sign-in redirect for the public, 403 for a role without ``capability``."""
    if capability not in CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not can(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.capability = capability  # type: ignore[attr-defined]
        return wrapped

    return decorator


def allowed(user: Any, roles: Iterable[str]) -> bool:
    """True for a signed-in, active user whose role is one of ``roles``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return getattr(user, "role", None) in roles


def require_roles(
    capability: str, roles: frozenset[str]
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """As :func:`require`, for an app's own capability given by its roles (reports,
    consultations): sign-in redirect for the public, 403 for a role without it."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not allowed(request.user, roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.capability = capability  # type: ignore[attr-defined]
        return wrapped

    return decorator


def public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks a view as open to the public (no account), so every view states its access."""
    view.capability = "public"  # type: ignore[attr-defined]
    return view
