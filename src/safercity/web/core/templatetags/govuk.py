"""Template helpers shared by every app: GOV.UK form fields, dates in one style, tags and the
sub-navigation.

Dates are shown one way everywhere, as the GOV.UK style guide writes them: "3 December 2026",
with a time as "3 December 2026 at 2:30pm" (midday and midnight in words).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

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


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def format_date(value: dt.date | dt.datetime | None) -> str:
    """'3 December 2026' (GOV.UK style); an empty string for no date."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = _local(value)
    return f"{value.day} {value:%B %Y}"


def format_time(value: dt.datetime | dt.time) -> str:
    """'2:30pm', '9am', 'midday', 'midnight' (GOV.UK style)."""
    if isinstance(value, dt.datetime):
        value = _local(value).time()
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    if value.hour == 12 and value.minute == 0:
        return "midday"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


@register.filter
def govuk_date(value: Any) -> str:
    """``{{ d|govuk_date }}`` → '3 December 2026'."""
    if not isinstance(value, dt.date):
        return "" if value in (None, "") else str(value)
    return format_date(value)


@register.filter
def govuk_datetime(value: Any) -> str:
    """``{{ t|govuk_datetime }}`` → '3 December 2026 at 2:30pm' (a date alone as a date)."""
    if not isinstance(value, dt.datetime):
        return govuk_date(value)
    return f"{format_date(value)} at {format_time(value)}"


@register.filter
def govuk_month(value: Any) -> str:
    """``{{ d|govuk_month }}`` → 'December 2026' (for monthly data)."""
    if not isinstance(value, dt.date):
        return "" if value in (None, "") else str(value)
    return f"{value:%B %Y}"


@register.filter
def govuk_number(value: Any) -> str:
    """``{{ n|govuk_number }}`` → '87,348' (whole numbers with separators, others to 1 place)."""
    if value is None or value == "":
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.1f}"


#: GOV.UK tag colours (govuk-tag--<colour>); words carry the meaning, colour only helps
TAG_COLOURS = frozenset(
    {
        "grey",
        "green",
        "turquoise",
        "blue",
        "light-blue",
        "purple",
        "pink",
        "red",
        "orange",
        "yellow",
    }
)


@register.simple_tag
def govuk_tag(text: str, colour: str = "") -> SafeString:
    """A GOV.UK tag: ``{% govuk_tag "Done" "green" %}``."""
    css = f" govuk-tag--{colour}" if colour in TAG_COLOURS else ""
    return format_html('<strong class="govuk-tag{}">{}</strong>', css, text)


@register.inclusion_tag("core/sub_navigation.html", takes_context=True)
def sub_navigation(context: dict[str, Any], label: str, *items: str) -> dict[str, Any]:
    """A sub-navigation that marks the page you are on (``aria-current="page"``).

    ``{% sub_navigation "Analysis pages" "Overview|analysis:overview" "Trend|analysis:trend" %}``:
    each item is "label|url name" (or "label|/a/path/"). ``query`` in the context (for example
    ``?as_at=2011-06-30``) is added to every link so a chosen period carries across pages.
    """
    request: HttpRequest | None = context.get("request")
    path = request.path if request is not None else ""
    query = context.get("sub_navigation_query", "")
    links = []
    for item in items:
        text, _, target = item.partition("|")
        try:
            url = target if target.startswith("/") else reverse(target)
        except NoReverseMatch:
            continue
        links.append({"label": text, "url": url + query, "current": path == url})
    return {"label": label, "links": links}
