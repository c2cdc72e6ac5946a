"""Analysis pages: overview, trend, hotspot map, hour-by-day table, area rankings.

Each filtered page is a GET form and its results. The form and the results are one region
(``#analysis-panel``) that HTMX swaps whole, so an error summary arrives with the swap; while the
form has errors no results are shown (never results for choices other than those on screen).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from . import maps, places, services
from . import overview as overview_data
from . import trend as trend_data
from .forms import AnalysisFilterForm, MapForm, RankingForm
from .permissions import view_analysis

DEFAULT_CELL = 250  # metres: the map's grid as it first opens
#: JSON as HTML text (as Django's json_script escapes it)
JSON_IN_HTML = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
DEFAULT_LAYER = "counts"


def default_rank() -> str:
    """Wards when ward boundaries are loaded, else LSOAs (incidents have no ward without them)."""
    return "ward" if services.choices().get("ward") else "lsoa"


def _crumbs(label: str) -> list[tuple[str, str | None]]:
    return [("Home", "/"), ("Crime analysis", reverse("analysis:overview")), (label, None)]


def _unavailable(request: HttpRequest, title: str, exc: Exception) -> HttpResponse:
    return render(
        request, "core/message.html", {"title": title, "paragraphs": [str(exc)]}, status=503
    )


def _results(template: str, key: tuple[Any, ...], context: Callable[[], dict[str, Any]]) -> str:
    """The results part of a page: the same for every user, so rendered once per store version."""
    return services.cached(  # type: ignore[no-any-return]
        "html:" + template, lambda: render_to_string(template, context()), *key
    )


def _form(
    request: HttpRequest, cls: type[AnalysisFilterForm], defaults: dict[str, str] | None = None
) -> AnalysisFilterForm:
    choices: dict[str, Any] = dict(services.choices())
    choices["theme"] = list(services.theme_titles().items())
    return cls(request.GET, choices, defaults)


def _form_html(request: HttpRequest, form: AnalysisFilterForm) -> str:
    """The filter form as HTML: a GET form (no CSRF token), the same for the same address."""
    key = (request.path, tuple(sorted((k, tuple(v)) for k, v in request.GET.lists())))
    return services.cached(  # type: ignore[no-any-return]
        "html:filters",
        lambda: render_to_string("analysis/_filters.html", {"form": form, "path": request.path}),
        *key,
    )


def _filtered_page(
    request: HttpRequest,
    *,
    title: str,
    template: str,
    form_class: type[AnalysisFilterForm],
    results: Callable[[services.Filters, AnalysisFilterForm], str],
    defaults: Callable[[], dict[str, str]] | None = None,
) -> HttpResponse:
    try:
        form = _form(request, form_class, defaults() if defaults else None)
        filters = form.filters()
        html = results(filters, form) if filters is not None else ""
        form_html = _form_html(request, form)
    except services.WorkspaceUnavailable as exc:
        return _unavailable(request, title, exc)
    return render(
        request,
        template,
        {
            "form": form,
            "form_html": form_html,
            "results_html": html,
            "breadcrumbs": _crumbs(title),
        },
    )


# ------------------------------------------------------------------------------------ overview


def _overview_html() -> str:
    def context() -> dict[str, Any]:
        data = overview_data.overview()
        return {
            **data,
            # built by safercity.analytics.charts, which escapes every text it writes
            "trend_svg": mark_safe(overview_data.trend_chart(data)),
            "categories_svg": mark_safe(overview_data.categories_chart(data)),
        }

    return _results("analysis/_overview_results.html", (), context)


@view_analysis
def overview(request: HttpRequest) -> HttpResponse:
    try:
        html = _overview_html()
    except services.WorkspaceUnavailable as exc:
        return _unavailable(request, "Crime analysis", exc)
    return render(
        request,
        "analysis/overview.html",
        {"results_html": html, "breadcrumbs": [("Home", "/"), ("Crime analysis", None)]},
    )


# ------------------------------------------------------------------------------------- trend


def _trend_html(filters: services.Filters, form: AnalysisFilterForm | None = None) -> str:
    def context() -> dict[str, Any]:
        data = trend_data.trend(filters)
        return {
            "filters": filters,
            **data,
            # built by safercity.analytics.charts, which escapes every text it writes
            "chart_svg": mark_safe(trend_data.chart(filters, data)),
        }

    return _results("analysis/_trend_results.html", (filters,), context)


@view_analysis
def trend(request: HttpRequest) -> HttpResponse:
    return _filtered_page(
        request,
        title="Crime trend",
        template="analysis/trend.html",
        form_class=AnalysisFilterForm,
        results=_trend_html,
    )


# --------------------------------------------------------------------------------------- map


def _map_html(filters: services.Filters, size: int, layer: str) -> str:
    def context() -> dict[str, Any]:
        data = maps.hotspot_map(filters, size, layer)
        config: dict[str, Any] = {
            "tiles": settings.MAP_TILES,
            "attribution": settings.MAP_TILES_ATTRIBUTION,
            "layer": layer,
            # the key's class names by band, for the squares' tooltips
            "classes": {str(c["band"]): c["label"] for c in data["classes"]},
            # south, west, north, east, colour, band, incidents, density per km²
            "cells": [
                [
                    c["south"],
                    c["west"],
                    c["north"],
                    c["east"],
                    c["colour"],
                    c["band"],
                    c["incidents"],
                    round(c["density_per_km2"]),
                ]
                for c in data["cells"]
            ],
            "boundaries": data["boundaries"],
        }
        return {
            "filters": filters,
            **data,
            "fallback": maps.fallback_svg(filters, data) if data["cells"] else {},
            # in a <template>, not a <script> element: HTMX drops script elements from what it
            # swaps in (allowScriptTags is off), which made the map vanish after a filter change.
            # Escaped as json_script does (<, > and & as \u escapes): safe as HTML text.
            "config_json": mark_safe(
                json.dumps(config, separators=(",", ":")).translate(JSON_IN_HTML)
            ),
        }

    return _results("analysis/_map_results.html", (filters, size, layer), context)


def _map_results(filters: services.Filters, form: AnalysisFilterForm) -> str:
    size = int(form.cleaned_data.get("cell_size") or DEFAULT_CELL)
    layer = form.cleaned_data.get("layer") or DEFAULT_LAYER
    return _map_html(filters, size, layer)


@view_analysis
def hotspot_map(request: HttpRequest) -> HttpResponse:
    return _filtered_page(
        request,
        title="Hotspot map",
        template="analysis/map.html",
        form_class=MapForm,
        results=_map_results,
    )


# ------------------------------------------------------------------------------- hour by day


def _hours_html(filters: services.Filters, form: AnalysisFilterForm | None = None) -> str:
    def context() -> dict[str, Any]:
        return {
            "filters": filters,
            **services.hours_by_day(filters),
            "hour_labels": [f"{h:02d}" for h in range(24)],
        }

    return _results("analysis/_hours_results.html", (filters,), context)


@view_analysis
def hours(request: HttpRequest) -> HttpResponse:
    return _filtered_page(
        request,
        title="Hour by day",
        template="analysis/hours.html",
        form_class=AnalysisFilterForm,
        results=_hours_html,
    )


# ---------------------------------------------------------------------------------- rankings


def _rankings_html(filters: services.Filters, by: str, links: dict[str, str]) -> str:
    def context() -> dict[str, Any]:
        data = places.rankings(filters, by=by)
        return {
            "filters": filters,
            **data,
            "by_label": places.RANK_LABELS[by],
            "by_singular": places.RANK_SINGULAR[by],
            "by_plural": places.RANK_PLURAL[by],
            "links": links,
        }

    return _results("analysis/_rankings_results.html", (filters, by, *links.items()), context)


@view_analysis
def rankings(request: HttpRequest) -> HttpResponse:
    def results(filters: services.Filters, form: AnalysisFilterForm) -> str:
        by = form.cleaned_data.get("by") or default_rank()
        links = {}
        for other in ("lsoa", "borough"):
            query = request.GET.copy()
            query["by"] = other
            links[other] = f"{request.path}?{query.urlencode()}"
        return _rankings_html(filters, by, links)

    return _filtered_page(
        request,
        title="Area rankings",
        template="analysis/rankings.html",
        form_class=RankingForm,
        results=results,
        defaults=lambda: {"by": default_rank()},
    )


def warm() -> None:
    """Work out every analysis page as it first opens (no filters), as a server worker starts,
    so that its first visitors do not wait for it. Results are kept per store version, so an
    import makes them be worked out again when next asked for."""
    try:
        services.choices()
        services.theme_titles()
        _overview_html()
        _trend_html(services.Filters())
        _map_html(services.Filters(), DEFAULT_CELL, DEFAULT_LAYER)
        _hours_html(services.Filters())
        _rankings_html(services.Filters(), default_rank(), _default_links())
    except services.WorkspaceUnavailable:
        pass  # no workspace yet, or an import is writing: the pages say so when asked


def _default_links() -> dict[str, str]:
    path = reverse("analysis:rankings")
    return {other: f"{path}?by={other}" for other in ("lsoa", "borough")}
