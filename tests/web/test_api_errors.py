"""Every error under /api/ is JSON ``{"error": "..."}`` as the OpenAPI schema documents: 400, 401,
403, 404, 405, 500 and 503, whichever part of Django answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.test import Client
from django.urls import reverse

from safercity.web.analysis import openapi

pytestmark = pytest.mark.django_db


def _is_documented_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    op = openapi.PATHS["/v1/trend"]["get"]["responses"][str(status)]
    jsonschema.validate(body, op["content"]["application/json"]["schema"])
    assert set(body) == {"error"} and body["error"]
    return body  # type: ignore[no-any-return]


@pytest.fixture
def analyst(client: Any, make_user: Any) -> Any:
    client.force_login(make_user("analyst"))
    return client


def test_bad_parameters_401_and_403(client: Any, make_user: Any) -> None:
    _is_documented_error(client.get(reverse("api:trend")), 401)
    client.force_login(make_user("case_worker"))
    _is_documented_error(client.get(reverse("api:trend")), 403)
    client.force_login(make_user("analyst"))
    _is_documented_error(client.get(reverse("api:trend"), {"month_from": "2018-13"}), 400)
    _is_documented_error(client.get(reverse("api:hotspots"), {"layer": "heat"}), 400)


def test_an_unknown_address_is_404_json(analyst: Any, client: Any) -> None:
    _is_documented_error(analyst.get("/api/v1/no-such-thing"), 404)
    _is_documented_error(Client().get("/api/v2/trend"), 404)
    # pages outside the API keep their HTML error pages
    page = analyst.get("/analysis/no-such-page/")
    assert page.status_code == 404 and "text/html" in page["Content-Type"]


def test_a_method_other_than_get_is_405_json(analyst: Any, make_user: Any) -> None:
    body = _is_documented_error(analyst.post(reverse("api:trend")), 405)
    assert body == {"error": "only GET is allowed"}
    assert analyst.post(reverse("api:trend"))["Allow"] == "GET"
    # a POST refused by the CSRF check first is JSON too
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_user("analyst"))
    _is_documented_error(strict.post(reverse("api:trend")), 403)


def test_a_fault_is_500_json_naming_no_internals(
    make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safercity.web.analysis import trend

    def broken(filters: Any) -> Any:
        raise RuntimeError("internal detail /srv/secret/path")

    monkeypatch.setattr(trend, "trend", broken)
    client = Client(raise_request_exception=False)
    client.force_login(make_user("analyst"))
    body = _is_documented_error(client.get(reverse("api:trend")), 500)
    assert "secret" not in body["error"] and "Traceback" not in body["error"]


def test_an_unavailable_workspace_is_503_json(analyst: Any, settings: Any, tmp_path: Path) -> None:
    settings.WORKSPACE = tmp_path / "no-workspace-here"
    _is_documented_error(analyst.get(reverse("api:trend")), 503)
