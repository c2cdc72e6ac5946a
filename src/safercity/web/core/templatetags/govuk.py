from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("core/field.html")
def govuk_field(field: Any) -> dict[str, Any]:
    return {"field": field}


@register.inclusion_tag("core/error_summary.html")
def govuk_error_summary(form: Any) -> dict[str, Any]:
    return {"form": form}


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None
