"""The JSON API: its OpenAPI schema, its answers, and schemathesis finding no 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import ignored_auth

from safercity.web.wsgi import application

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """Calling the WSGI app directly would close the test transaction's connection at the end of
    each request; Django's own test client disconnects the same signal handlers."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def session_cookie(make_user: Any, client: Any, keep_test_connection: None) -> str:
    client.force_login(make_user("analyst"))
    return str(client.cookies[django_settings.SESSION_COOKIE_NAME].value)


@pytest.fixture
def quick_gi_star(monkeypatch: pytest.MonkeyPatch) -> None:
    """Gi* with 99 permutations instead of the command line's (up to 999,999): this test checks
    statuses and shapes, not significance (tests/web/test_analysis_maps.py checks the numbers)."""
    from safercity.commands import hotspots

    monkeypatch.setattr(hotspots, "_auto_permutations", lambda requested, tests, fdr: 99)


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_never_answers_5xx(case: Any, session_cookie: str, quick_gi_star: None) -> None:
    case.cookies = {**(case.cookies or {}), django_settings.SESSION_COOKIE_NAME: session_cookie}
    response = case.call()
    assert response.status_code < 500, (case.path, case.query, response.text[:500])
    assert response.status_code != 401, "the session cookie did not sign the requests in"
    q = case.query or {}
    a, b = str(q.get("month_from", "")), str(q.get("month_to", ""))
    if a and b and a > b and case.method == "GET":
        assert response.status_code == 400  # reversed months: the schema cannot say so
        return
    # ignored_auth would treat our real session as "generated" auth: it is checked separately
    # (test_api_signed_out_is_401_json).
    case.validate_response(response, excluded_checks=[ignored_auth])


def test_trend_api_counts_match_the_store(
    client: Any, make_user: Any, synthetic_workspace: Any
) -> None:
    from safercity.analytics.store import Workspace

    client.force_login(make_user("board_member"))
    data = client.get(
        reverse("api:trend"), {"area_type": "ward", "area": "West End", "category": "Burglary"}
    ).json()
    with Workspace(synthetic_workspace, read_only=True) as ws:
        expected = ws.con.execute(
            "SELECT count(*) FROM incidents WHERE ward_name = 'West End' AND category = 'Burglary'"
        ).fetchone()[0]
    assert sum(m["count"] for m in data["months"]) == expected > 0
    assert len(data["months"]) == 24  # zeros filled: every month of the store


def test_api_rejects_bad_parameters_with_400(client: Any, make_user: Any) -> None:
    client.force_login(make_user("analyst"))
    for query in (
        {"month_from": "2016-13"},
        {"area_type": "city"},
        {"unknown": "1"},
        {"month_from": "2017-01", "month_to": "2016-01"},
    ):
        response = client.get(reverse("api:trend"), query)
        assert response.status_code == 400, query
        assert "error" in response.json()
    assert client.get(reverse("api:hotspots"), {"cell_size": "10"}).status_code == 400


def test_api_signed_out_is_401_json(client: Any) -> None:
    response = client.get(reverse("api:overview"))
    assert response.status_code == 401 and response.json() == {"error": "sign in first"}


def test_hours_and_rankings_add_up(client: Any, make_user: Any, synthetic_workspace: Any) -> None:
    from safercity.analytics.store import Workspace

    client.force_login(make_user("analyst"))
    hours = client.get(reverse("api:hours")).json()
    ranks = client.get(reverse("api:rankings"), {"by": "ward"}).json()
    with Workspace(synthetic_workspace, read_only=True) as ws:
        timed, total = ws.con.execute(
            "SELECT count(*) FILTER (WHERE occurred_from IS NOT NULL), count(*) FROM incidents"
        ).fetchone()
    assert hours["timed"] == timed and hours["timed"] + hours["untimed"] == total
    assert sum(d["total"] for d in hours["days"]) == pytest.approx(timed)
    assert sum(a["incidents"] for a in ranks["areas"]) == total
    counts = [a["incidents"] for a in ranks["areas"]]
    assert counts == sorted(counts, reverse=True)
    assert [a["rank"] for a in ranks["areas"]] == list(range(1, len(counts) + 1))
    # the one ward with a population has a rate per 1,000
    st_james = next(a for a in ranks["areas"] if a["name"] == "St James's")
    assert st_james["area"] == "E05000644"
    top = ranks["top10pct"]
    assert top["places"] == 1  # ceil(10% of 4 wards)
    assert top["share_pct"] == round(100 * counts[0] / total, 1)
    assert st_james["rate_per_1000"] == round(1000 * st_james["incidents"] / 10000, 1)


def test_theme_filter_uses_the_partnership_themes(
    client: Any, make_user: Any, synthetic_workspace: Any
) -> None:
    from safercity.analytics.store import Workspace
    from safercity.analytics.themes import load_themes

    client.force_login(make_user("analyst"))
    themes = load_themes()
    name = next(
        n
        for n, t in themes.items()
        if t.condition.columns_needed()
        <= {"category", "month", "occurred_from", "occurred_to", "ward_name", "local_authority"}
    )
    all_months = client.get(reverse("api:trend")).json()["months"]
    themed = client.get(reverse("api:trend"), {"theme": name}).json()["months"]
    with Workspace(synthetic_workspace, read_only=True) as ws:
        frame = ws.con.execute("SELECT * FROM incidents").df()
    expected = len(themes[name].filter(frame))
    assert 0 < sum(m["count"] for m in themed) == expected < sum(m["count"] for m in all_months)
    assert client.get(reverse("api:trend"), {"theme": "no-such-theme"}).status_code == 400
    page = client.get(reverse("analysis:trend"), {"theme": name})
    assert page.status_code == 200 and themes[name].title in page.content.decode()
