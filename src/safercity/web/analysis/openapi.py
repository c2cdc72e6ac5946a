"""The OpenAPI 3.1 description of the JSON API (kept beside the views it describes)."""

from __future__ import annotations

from typing import Any


def _theme_names() -> list[str]:
    from safercity.analytics.themes import load_themes

    return list(load_themes())


_MONTH = "^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$"

_FILTERS: list[dict[str, Any]] = [
    {
        "name": "area_type",
        "in": "query",
        "required": False,
        "description": "Kind of area to filter by (rankings, maps and concentration then "
        "cover that area's own places)",
        "schema": {"type": "string", "enum": ["all", "borough", "ward"], "default": "all"},
    },
    {
        "name": "area",
        "in": "query",
        "required": False,
        "description": "Borough or ward name (ignored when area_type is all)",
        "schema": {"type": "string"},
    },
    {
        "name": "category",
        "in": "query",
        "required": False,
        "description": "police.uk crime category",
        "schema": {"type": "string"},
    },
    {
        "name": "theme",
        "in": "query",
        "required": False,
        "description": "Cross-cutting theme (safercity.analytics.themes), e.g. night-time-economy",
        "schema": {"type": "string", "enum": list(_theme_names())},
    },
    {
        "name": "month_from",
        "in": "query",
        "required": False,
        "description": "First month",
        "schema": {"type": "string", "pattern": _MONTH},
    },
    {
        "name": "month_to",
        "in": "query",
        "required": False,
        "description": "Last month",
        "schema": {"type": "string", "pattern": _MONTH},
    },
]

_ERROR = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}
_OBJECT = {"type": "object"}


def _op(summary: str, params: list[dict[str, Any]], result: dict[str, Any]) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": params,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": result}}},
                "400": {
                    "description": "Bad parameter",
                    "content": {"application/json": {"schema": _ERROR}},
                },
                "401": {
                    "description": "Not signed in",
                    "content": {"application/json": {"schema": _ERROR}},
                },
                "403": {
                    "description": "Role may not read the API",
                    "content": {"application/json": {"schema": _ERROR}},
                },
                "404": {
                    "description": "No such address",
                    "content": {"application/json": {"schema": _ERROR}},
                },
                "405": {
                    "description": "Method other than GET",
                    "content": {"application/json": {"schema": _ERROR}},
                },
                "500": {
                    "description": "Server error (logged; the message names no internals)",
                    "content": {"application/json": {"schema": _ERROR}},
                },
                "503": {
                    "description": "Workspace unavailable (missing, or an import is writing)",
                    "content": {"application/json": {"schema": _ERROR}},
                },
            },
            "security": [{"session": []}],
        }
    }


_MONTHS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["month", "count", "has_data"],
        "properties": {
            "month": {"type": "string"},
            "label": {"type": "string"},
            "name": {"type": "string"},
            "count": {
                "type": ["integer", "null"],
                "description": "null for a month with no data in the area (missing, not zero)",
            },
            "has_data": {"type": "boolean"},
        },
    },
}

PATHS: dict[str, dict[str, Any]] = {
    "/v1/overview": _op(
        "The latest month against a year earlier (crime and anti-social behaviour apart), "
        "crime types, the busiest places, and what the workspace holds",
        [],
        {
            "type": "object",
            "required": ["totals", "sources", "categories", "latest"],
            "properties": {
                "totals": _OBJECT,
                "latest": {"type": ["object", "null"]},
                "top_categories": {"type": "array"},
                "boroughs": {"type": "array"},
                "neighbourhoods": {"type": "array"},
                "monthly": {"type": "array"},
                "sources": {"type": "array"},
                "source_kinds": {"type": "array"},
                "categories": {"type": "array"},
                "recorded_crime": _OBJECT,
            },
        },
    ),
    "/v1/choices": _op(
        "Boroughs, wards and categories present",
        [],
        {
            "type": "object",
            "properties": {
                k: {"type": "array", "items": {"type": "string"}}
                for k in ("borough", "ward", "category")
            },
        },
    ),
    "/v1/trend": _op(
        "Incidents by month (missing months null), the latest months against the same months "
        "a year earlier",
        _FILTERS,
        {
            "type": "object",
            "required": ["months", "counted", "missing_months"],
            "properties": {
                "months": _MONTHS,
                "counted": {"type": "string"},
                "missing_months": {"type": "array", "items": {"type": "string"}},
                "statement": {"type": "string"},
                "comparison": {"type": ["object", "null"]},
                "spc": {"type": ["object", "null"]},
                "long_run": {"type": ["object", "null"]},
                "filters": _OBJECT,
            },
        },
    ),
    "/v1/hotspots": _op(
        "A hotspot layer on British National Grid squares (incidents, kernel density or "
        "Getis-Ord Gi*, as `safercity hotspots`), its key, the busiest squares by place, and "
        "the boundaries",
        [
            *_FILTERS,
            {
                "name": "cell_size",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 50, "maximum": 5000, "default": 250},
            },
            {
                "name": "layer",
                "in": "query",
                "required": False,
                "description": "counts, density (quartic kernel density) or gi (Getis-Ord Gi*)",
                "schema": {
                    "type": "string",
                    "enum": ["counts", "density", "gi"],
                    "default": "counts",
                },
            },
        ],
        {
            "type": "object",
            "required": ["cell_size_m", "layer", "cells", "classes", "top_cells", "boundaries"],
            "properties": {
                "cell_size_m": {"type": "integer"},
                "layer": {"type": "string"},
                "incidents": {"type": "integer"},
                "grid": _OBJECT,
                "kernel_density": _OBJECT,
                "gi_star": _OBJECT,
                "classes": {"type": "array"},
                "cells": {"type": "array"},
                "top_cells": {"type": "array"},
                "boundaries": _OBJECT,
            },
        },
    ),
    "/v1/hours": _op(
        "Incidents by day of week and hour (exact times only)",
        _FILTERS,
        {
            "type": "object",
            "required": ["days"],
            "properties": {
                "days": {"type": "array"},
                "timed": {"type": "integer"},
                "untimed": {"type": "integer"},
                "peak": {"type": "integer"},
            },
        },
    ),
    "/v1/rankings": _op(
        "Areas ranked by incidents",
        [
            *_FILTERS,
            {
                "name": "by",
                "in": "query",
                "required": False,
                "schema": {
                    "type": "string",
                    "enum": ["ward", "lsoa", "borough"],
                    "default": "ward",
                },
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50},
            },
        ],
        {
            "type": "object",
            "required": ["by", "areas"],
            "properties": {
                "by": {"type": "string"},
                "areas": {"type": "array"},
                "unavailable": {
                    "type": ["string", "null"],
                    "description": "why this ranking cannot be made (no ward boundaries loaded)",
                },
            },
        },
    ),
}

#: the query parameters each API view accepts (others are refused with 400)
PARAMETERS_BY_VIEW: dict[str, set[str]] = {
    path.rsplit("/", 1)[-1]: {p["name"] for p in op["get"]["parameters"]}
    for path, op in PATHS.items()
}


def schema(base_url: str = "/api/") -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "SaferCity API",
            "version": "1",
            "description": "Read-only crime analysis for the partnership. Sign in first.",
        },
        "servers": [{"url": base_url.rstrip("/")}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "sessionid"}}
        },
    }
