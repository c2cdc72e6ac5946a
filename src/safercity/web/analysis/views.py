"""Analysis pages: overview, trend, hotspot map, hour-by-day table, area rankings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from . import services
from .forms import AnalysisFilterForm, MapForm, RankingForm
from .permissions import view_analysis


def _crumbs(label: str) -> list[tuple[str, str | None]]:
    return [("Home", "/"), ("Crime analysis", reverse("analysis:overview")), (label, None)]


def _unavailable(request: HttpRequest, title: str, exc: Exception) -> HttpResponse:
    return render(
        request, "core/message.html", {"title": title, "paragraphs": [str(exc)]}, status=503
    )


def _form(request: HttpRequest, cls: type[AnalysisFilterForm]) -> AnalysisFilterForm:
    return cls(request.GET or None, services.choices())


@view_analysis
def overview(request: HttpRequest) -> HttpResponse:
    try:
        data = services.overview()
    except services.WorkspaceUnavailable as exc:
        return _unavailable(request, "Crime analysis", exc)
    return render(
        request,
        "analysis/overview.html",
        {**data, "breadcrumbs": [("Home", "/"), ("Crime analysis", None)]},
    )


@view_analysis
def trend(request: HttpRequest) -> HttpResponse:
    try:
        form = _form(request, AnalysisFilterForm)
        filters = form.filters()
        data = services.trend(filters)
    except services.WorkspaceUnavailable as exc:
        return _unavailable(request, "Crime trend", exc)
    return render(
        request,
        "analysis/trend.html",
        {
            "form": form,
            "filters": filters,
            **data,
            "chart": services.svg_chart(data["months"]),
            "breadcrumbs": _crumbs("Crime trend"),
        },
    )


@view_analysis
def hotspot_map(request: HttpRequest) -> HttpResponse:
    try:
        form = _form(request, MapForm)
        filters = form.filters()
        size = (
            form.cleaned_data.get("cell_size") or 250 if form.is_bound and form.is_valid() else 250
        )
        data = services.hotspots(filters, size)
    except services.WorkspaceUnavailable as exc:
        return _unavailable(request, "Hotspot map", exc)
    config: dict[str, Any] = {
        "tiles": settings.MAP_TILES,
        "attribution": settings.MAP_TILES_ATTRIBUTION,
        "cells": [
            {k: c[k] for k in ("south", "west", "north", "east", "count", "band")}
            for c in data["cells"]
        ],
        "boundaries": data["boundaries"],
    }
    return render(
        request,
        "analysis/map.html",
        {
            "form": form,
            "filters": filters,
            **data,
            "top": data["cells"][:20],
            "fallback": _fallback_svg(data),
            "config": config,
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
        filters = form.filters()
        data = services.hours_by_day(filters)
    except services.WorkspaceUnavailable as exc:
        return _unavailable(request, "Hour by day", exc)
    return render(
        request,
        "analysis/hours.html",
        {
            "form": form,
            "filters": filters,
            **data,
            "hour_labels": [f"{h:02d}" for h in range(24)],
            "breadcrumbs": _crumbs("Hour by day"),
        },
    )


@view_analysis
def rankings(request: HttpRequest) -> HttpResponse:
    try:
        form = _form(request, RankingForm)
        filters = form.filters()
        by = (
            (form.cleaned_data.get("by") or "ward") if form.is_bound and form.is_valid() else "ward"
        )
        rows = services.rankings(filters, by=by)
    except services.WorkspaceUnavailable as exc:
        return _unavailable(request, "Area rankings", exc)
    return render(
        request,
        "analysis/rankings.html",
        {
            "form": form,
            "filters": filters,
            "rows": rows,
            "by": by,
            "by_label": dict(RankingForm.base_fields["by"].choices).get(by, by),  # type: ignore[attr-defined]
            "breadcrumbs": _crumbs("Area rankings"),
        },
    )
