"""Analysis pages: overview, trend, hotspot map, hour-by-day table, area rankings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse

from . import services
from .forms import AnalysisFilterForm, MapForm, RankingForm
from .permissions import view_analysis

DEFAULT_CELL = 250  # metres: the map's grid as it first opens
DEFAULT_RANK = "ward"  # the rankings as they first open


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


def _form(request: HttpRequest, cls: type[AnalysisFilterForm]) -> AnalysisFilterForm:
    choices: dict[str, Any] = dict(services.choices())
    choices["theme"] = list(services.theme_titles().items())
    return cls(request.GET or None, choices)


def _form_html(request: HttpRequest, form: AnalysisFilterForm) -> str:
    """The filter form as HTML: a GET form (no CSRF token), the same for the same address."""
    key = (request.path, tuple(sorted((k, tuple(v)) for k, v in request.GET.lists())))
    return services.cached(  # type: ignore[no-any-return]
        "html:filters",
        lambda: render_to_string(
            "analysis/_filters.html",
            {"form": form, "path": request.path},
        ),
        *key,
    )


def _overview_html() -> str:
    return _results("analysis/_overview_results.html", (), services.overview)


def _trend_html(filters: services.Filters) -> str:
    def context() -> dict[str, Any]:
        data = services.trend(filters)
        return {"filters": filters, **data, "chart": services.svg_chart(data["months"])}

    return _results("analysis/_trend_results.html", (filters,), context)


def _map_html(filters: services.Filters, size: int) -> str:
    def context() -> dict[str, Any]:
        data = services.hotspots(filters, size)
        config: dict[str, Any] = {
            "tiles": settings.MAP_TILES,
            "attribution": settings.MAP_TILES_ATTRIBUTION,
            "cells": [
                {k: c[k] for k in ("south", "west", "north", "east", "count", "band")}
                for c in data["cells"]
            ],
            "boundaries": data["boundaries"],
        }
        return {
            "filters": filters,
            **data,
            "top": data["cells"][:20],
            "fallback": _fallback_svg(data),
            "config": config,
        }

    return _results("analysis/_map_results.html", (filters, size), context)


def _hours_html(filters: services.Filters) -> str:
    def context() -> dict[str, Any]:
        return {
            "filters": filters,
            **services.hours_by_day(filters),
            "hour_labels": [f"{h:02d}" for h in range(24)],
        }

    return _results("analysis/_hours_results.html", (filters,), context)


def _rankings_html(filters: services.Filters, by: str) -> str:
    def context() -> dict[str, Any]:
        return {
            "filters": filters,
            **services.rankings(filters, by=by),
            "by": by,
            "by_label": RANK_LABELS.get(by, by),
        }

    return _results("analysis/_rankings_results.html", (filters, by), context)


def warm() -> None:
    """Work out every analysis page as it first opens (no filters), as a server worker starts,
    so that its first visitors do not wait for it. Results are kept per store version, so an
    import makes them be worked out again when next asked for."""
    try:
        services.choices()
        services.theme_titles()
        _overview_html()
        _trend_html(services.Filters())
        _map_html(services.Filters(), DEFAULT_CELL)
        _hours_html(services.Filters())
        _rankings_html(services.Filters(), DEFAULT_RANK)
    except services.WorkspaceUnavailable:
        pass  # no workspace yet, or an import is writing: the pages say so when asked


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


@view_analysis
def trend(request: HttpRequest) -> HttpResponse:
    try:
        form = _form(request, AnalysisFilterForm)
        html = _trend_html(form.filters())
    except services.WorkspaceUnavailable as exc:
        return _unavailable(request, "Crime trend", exc)
    return render(
        request,
        "analysis/trend.html",
        {
            "form": form,
            "form_html": _form_html(request, form),
            "results_html": html,
            "breadcrumbs": _crumbs("Crime trend"),
        },
    )


@view_analysis
def hotspot_map(request: HttpRequest) -> HttpResponse:
    try:
        form = _form(request, MapForm)
        filters = form.filters()
        valid = form.is_bound and form.is_valid()
        size = int(form.cleaned_data.get("cell_size") or DEFAULT_CELL) if valid else DEFAULT_CELL
        html = _map_html(filters, size)
    except services.WorkspaceUnavailable as exc:
        return _unavailable(request, "Hotspot map", exc)
    return render(
        request,
        "analysis/map.html",
        {
            "form": form,
            "form_html": _form_html(request, form),
            "results_html": html,
            "breadcrumbs": _crumbs("Hotspot map"),
        },
    )


def _fallback_svg(data: dict[str, Any]) -> dict[str, Any]:
    """The gridded surface as an SVG in British National Grid (shown without JavaScript)."""
    cells = data["cells"]
    if not cells:
        return {}
    size = data["cell_size_m"]
    x0 = min(c["x"] for c in cells)
    y0 = min(c["y"] for c in cells)
    x1 = max(c["x"] for c in cells) + size
    y1 = max(c["y"] for c in cells) + size
    scale = 700 / max(x1 - x0, y1 - y0)
    rects = [
        {
            "x": round((c["x"] - x0) * scale, 1),
            "y": round((y1 - c["y"] - size) * scale, 1),
            "s": round(size * scale, 1),
            "band": c["band"],
        }
        for c in cells
    ]
    return {"width": round((x1 - x0) * scale), "height": round((y1 - y0) * scale), "rects": rects}


@view_analysis
def hours(request: HttpRequest) -> HttpResponse:
    try:
        form = _form(request, AnalysisFilterForm)
        html = _hours_html(form.filters())
    except services.WorkspaceUnavailable as exc:
        return _unavailable(request, "Hour by day", exc)
    return render(
        request,
        "analysis/hours.html",
        {
            "form": form,
            "form_html": _form_html(request, form),
            "results_html": html,
            "breadcrumbs": _crumbs("Hour by day"),
        },
    )


RANK_LABELS = {"ward": "Wards", "lsoa": "LSOAs", "borough": "Boroughs"}


@view_analysis
def rankings(request: HttpRequest) -> HttpResponse:
    try:
        form = _form(request, RankingForm)
        filters = form.filters()
        valid = form.is_bound and form.is_valid()
        by = (form.cleaned_data.get("by") or DEFAULT_RANK) if valid else DEFAULT_RANK
        html = _rankings_html(filters, by)
    except services.WorkspaceUnavailable as exc:
        return _unavailable(request, "Area rankings", exc)
    return render(
        request,
        "analysis/rankings.html",
        {
            "form": form,
            "form_html": _form_html(request, form),
            "results_html": html,
            "breadcrumbs": _crumbs("Area rankings"),
        },
    )
