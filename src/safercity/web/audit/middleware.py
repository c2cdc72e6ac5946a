"""Remembers the current request so that model signals can record who made a change."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

_local = threading.local()


def current_request() -> HttpRequest | None:
    return getattr(_local, "request", None)


class AuditActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _local.request = request
        try:
            return self.get_response(request)
        finally:
            _local.request = None
