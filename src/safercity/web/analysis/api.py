"""The read-only JSON API over the same data as the analysis pages (OpenAPI 3.1 at /api/openapi.json).

Sign in with a browser session (the same account as the pages). Errors are JSON objects
``{"error": "..."}``: 400 for bad parameters, 401 signed out, 403 wrong role, 404 no such
address, 405 not a GET, 500 a fault of ours, 503 while the workspace is unavailable (the
middleware ``ApiErrorsAsJson`` makes every error under /api/ JSON, whichever part of Django
answered).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safercity.web.accounts.permissions import can, public

from . import maps, openapi, places, services
from . import overview as overview_data
from . import trend as trend_data
from .forms import parse_month


class BadParameter(Exception):
    pass


def _json(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(
        data, status=status, json_dumps_params={"default": str}, safe=not isinstance(data, list)
    )


def api_view(view: Callable[[HttpRequest], Any]) -> Callable[[HttpRequest], HttpResponse]:
    @require_GET
    @wraps(view)
    def wrapped(request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return _json({"error": "sign in first"}, 401)
        if not can(request.user, "analysis"):
            return _json({"error": "your role cannot read the analysis API"}, 403)
        unknown = set(request.GET) - openapi.PARAMETERS_BY_VIEW.get(view.__name__, set())
        if unknown:
            return _json({"error": f"unknown parameter(s): {', '.join(sorted(unknown))}"}, 400)
        try:
            return _json(view(request))
        except BadParameter as exc:
            return _json({"error": str(exc)}, 400)
        except services.WorkspaceUnavailable as exc:
            return _json({"error": str(exc)}, 503)

    wrapped.capability = "analysis"  # type: ignore[attr-defined]
    return wrapped


def _month(request: HttpRequest, name: str) -> dt.date | None:
    if name not in request.GET:
        return None
    try:
        value = parse_month(request.GET[name])
    except forms.ValidationError as exc:
        raise BadParameter(f"{name}: enter a real month as YYYY-MM, like 2018-07") from exc
    if value is None:
        raise BadParameter(f"{name}: enter a real month as YYYY-MM, like 2018-07")
    return value


def _filters(request: HttpRequest) -> services.Filters:
    area_type = request.GET.get("area_type", "all")
    if area_type not in ("all", "borough", "ward"):
        raise BadParameter("area_type must be one of all, borough, ward")
    area = request.GET.get("area", "") if area_type != "all" else ""
    a, b = _month(request, "month_from"), _month(request, "month_to")
    if a and b and a > b:
        raise BadParameter("month_to must be the same as or after month_from")
    theme = request.GET.get("theme", "")
    if theme and theme not in services.theme_titles():
        raise BadParameter(f"theme must be one of {', '.join(services.theme_titles())}")
    return services.Filters(
        theme=theme,
        area_type=area_type,
        area=area,
        category=request.GET.get("category", ""),
        month_from=a,
        month_to=b,
    )


@api_view
def overview(request: HttpRequest) -> Any:
    return overview_data.overview()


@api_view
def choices(request: HttpRequest) -> Any:
    return services.choices()


@api_view
def trend(request: HttpRequest) -> Any:
    filters = _filters(request)
    return {"filters": filters.__dict__, **trend_data.trend(filters)}


@api_view
def hotspots(request: HttpRequest) -> Any:
    raw = request.GET.get("cell_size", "250")
    if not raw.isdigit() or not 50 <= int(raw) <= 5000:
        raise BadParameter("cell_size must be a whole number of metres from 50 to 5000")
    layer = request.GET.get("layer", "counts")
    if layer not in maps.LAYERS:
        raise BadParameter(f"layer must be one of {', '.join(maps.LAYERS)}")
    return maps.hotspot_map(_filters(request), int(raw), layer)


@api_view
def hours(request: HttpRequest) -> Any:
    return services.hours_by_day(_filters(request))


@api_view
def rankings(request: HttpRequest) -> Any:
    by = request.GET.get("by", "ward")
    if by not in ("ward", "lsoa", "borough"):
        raise BadParameter("by must be one of ward, lsoa, borough")
    limit = request.GET.get("limit", "50")
    if not limit.isdigit() or not 1 <= int(limit) <= 1000:
        raise BadParameter("limit must be a whole number from 1 to 1000")
    return places.rankings(_filters(request), by=by, limit=int(limit))


@public
@require_GET
def schema(request: HttpRequest) -> HttpResponse:
    return _json(openapi.schema(request.build_absolute_uri("/api/")))


@public
@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "analysis/api_docs.html",
        {"paths": openapi.PATHS, "breadcrumbs": [("Home", "/"), ("API", None)]},
    )
