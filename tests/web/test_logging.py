"""The server log: an ordinary 403 is one line with no traceback; a 500 keeps its traceback."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse


@pytest.fixture
def server_log() -> Iterator[io.StringIO]:
    """What the web server's console handler (settings.LOGGING) writes, for this test."""
    (console,) = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    assert isinstance(console, logging.StreamHandler)
    out = io.StringIO()
    # swapped under the handler's lock, not by setStream: that flushes the old stream, which
    # another test's captured stderr may already have closed
    with console.lock:  # type: ignore[union-attr]
        old, console.stream = console.stream, out
    try:
        yield out
    finally:
        with console.lock:  # type: ignore[union-attr]
            console.stream = old


@pytest.mark.django_db
def test_a_refused_page_logs_one_line_without_a_traceback(
    client: Any, make_user: Any, server_log: io.StringIO
) -> None:
    client.force_login(make_user("analyst"))
    url = reverse("accounts:users")  # administrators only
    assert client.get(url).status_code == 403
    lines = server_log.getvalue().splitlines()
    assert lines == [f"Forbidden (Permission denied): {url}"]


def test_a_server_error_keeps_its_traceback(server_log: io.StringIO) -> None:
    try:
        raise ZeroDivisionError("boom")
    except ZeroDivisionError:
        logging.getLogger("django.request").exception("Internal Server Error: /x/")
    text = server_log.getvalue()
    assert text.startswith("Internal Server Error: /x/\nTraceback (most recent call last):")
    assert "ZeroDivisionError: boom" in text
