from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from safercity.analytics import monitoring as rules

register = template.Library()

_STATUS_COLOUR = {
    rules.NOT_STARTED: "grey",
    rules.ON_TRACK: "green",
    rules.AT_RISK: "orange",
    rules.OVERDUE: "red",
    rules.COMPLETE: "blue",
}
_RAG_COLOUR = {"green": "green", "amber": "orange", "red": "red", "grey": "grey"}


@register.simple_tag
def status_tag(status: str) -> SafeString:
    """A GOV.UK tag for a delivery status: the words carry the meaning, colour helps."""
    return format_html(
        '<strong class="govuk-tag govuk-tag--{} app-status">{}</strong>',
        _STATUS_COLOUR.get(status, "grey"),
        rules.STATUS_LABELS.get(status, status),
    )


@register.simple_tag
def rag_tag(rag: str, label: str = "") -> SafeString:
    return format_html(
        '<strong class="govuk-tag govuk-tag--{} app-rag">{}</strong>',
        _RAG_COLOUR.get(rag, "grey"),
        label or rules.RAG_LABELS.get(rag, rag),
    )


@register.filter
def gbp(value: Any) -> str:
    try:
        return f"£{int(value):,}"
    except (TypeError, ValueError):
        return ""


@register.filter
def num(value: Any) -> str:
    if value is None:
        return "–"
    v = float(value)
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.2f}"


@register.filter
def bodies(items: Any) -> str:
    return ", ".join(b.name for b in items)
