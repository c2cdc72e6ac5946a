"""Template helpers for the consultation pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def pct(value: Any) -> str:
    """0.3214 -> '32%' (whole per cent; '–' for none)."""
    if value is None:
        return "–"
    return f"{100 * float(value):.0f}%"


@register.filter
def model_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The Plackett-Luce rows (weighted when weighted), each with its mean rank."""
    part = results.get("weighted") or results["unweighted"]
    if part.get("plackett_luce") is None:
        part = results["unweighted"]
    mean = {r["item"]: r["mean_rank"] for r in part["descriptive"]}
    return [{**r, "mean_rank": mean.get(r["item"])} for r in part["plackett_luce"]]


@register.filter
def late(counts: dict[str, int]) -> int:
    return int(counts.get("at_risk", 0)) + int(counts.get("overdue", 0))


@register.filter
def by_item(rows: list[dict[str, Any]] | None, item: str) -> dict[str, Any] | None:
    """The row of ``item`` in a results table (None when there is no such table)."""
    for row in rows or []:
        if row.get("item") == item:
            return row
    return None


@register.filter
def signed_pct(value: Any) -> str:
    """12 -> '+12%', -5 -> '−5%', 0 -> '0%'."""
    v = int(value)
    return f"+{v}%" if v > 0 else (f"\u2212{-v}%" if v < 0 else "0%")
