"""Security headers on every response, including a strict Content Security Policy.

No inline scripts or styles are allowed: every script and stylesheet is a static file, and
pages set no ``style`` attributes. Map tiles are allowed only from the configured tile server.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def content_security_policy() -> str:
    img = ["'self'", "data:"]
    tiles = getattr(settings, "MAP_TILES", "")
    if tiles:
        parts = urlsplit(tiles.replace("{s}", "a"))
        if parts.scheme and parts.netloc:
            host = parts.netloc
            if "{s}" in tiles:
                host = "*." + host.split(".", 1)[1] if "." in host else host
            img.append(f"{parts.scheme}://{host}")
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": img,
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{k} {' '.join(v)}" for k, v in directives.items())


class SecurityHeadersMiddleware:
    """Adds CSP, Permissions-Policy and no-store caching for signed-in pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.csp)
        response.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
        )
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if not request.path.startswith(settings.STATIC_URL):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                response.setdefault("Cache-Control", "no-store")
        return response


class SessionIdleExpiryMiddleware:
    """Idle expiry without a database write on every request.

    The session's expiry is pushed forward (and so saved) at most once a minute while the user
    is active, so sessions end SESSION_COOKIE_AGE seconds after the last activity, give or take
    a minute.
    """

    REFRESH_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.get("_auth_user_id"):
            now = int(time.time())
            if now - int(session.get("_touched", 0)) >= self.REFRESH_SECONDS:
                session["_touched"] = now
        return self.get_response(request)
