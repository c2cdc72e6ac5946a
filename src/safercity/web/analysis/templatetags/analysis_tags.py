"""Numbers on the analysis pages: thousands separators and a fixed number of decimals."""

from __future__ import annotations

import math
from typing import Any

from django import template

register = template.Library()


@register.filter
def number(value: Any, digits: int = 0) -> str:
    """``{{ 87348|number }}`` -> '87,348'; ``{{ 3.14159|number:1 }}`` -> '3.1'; nothing for
    no value (None, NaN)."""
    if value is None or value == "":
        return ""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(v):
        return ""
    text = f"{v:,.{int(digits)}f}"
    return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text
