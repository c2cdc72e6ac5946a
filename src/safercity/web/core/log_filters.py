"""Logging filters for the web server's log (wired in ``safercity.web.settings.LOGGING``)."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied


class PermissionDeniedWithoutTraceback(logging.Filter):
    """An ordinary 403 (a view refusing a user: :class:`PermissionDenied`) is logged as its one
    line, ``Forbidden (Permission denied): /path``, not with a traceback: it is the access rules
    working, not a fault. Every other record (a 500's traceback included) passes unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
