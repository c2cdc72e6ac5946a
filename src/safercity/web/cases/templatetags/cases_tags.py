"""Template helpers of case work: form fields (checkbox lists too), answers, synthetic tags."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.inclusion_tag("cases/field.html")
def case_field(field: Any) -> dict[str, Any]:
    """A form field as GOV.UK renders it; a list of checkboxes as a fieldset."""
    multiple = isinstance(field.field.widget, forms.CheckboxSelectMultiple)
    return {"field": field, "multiple": multiple}


@register.filter
def answer(value: Any) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value) or "None"
    return (
        str(value).replace("_", " ") if isinstance(value, str) and " " not in value else str(value)
    )


@register.simple_tag
def synthetic_tag(record: Any) -> SafeString:
    if getattr(record, "synthetic", False):
        return mark_safe('<strong class="govuk-tag govuk-tag--purple">Synthetic</strong>')
    return mark_safe("")
