"""The web suite runs on the database it was asked for (PostgreSQL or SQLite)."""

from __future__ import annotations

import pytest
from django.db import connection

from conftest import USE_POSTGRES


@pytest.mark.django_db
def test_runs_on_the_requested_database() -> None:
    assert connection.vendor == ("postgresql" if USE_POSTGRES else "sqlite")
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)
