"""Filter forms for the analysis pages (GET forms: every result has a shareable address).

A form is always bound: the address's values, with the page's defaults for those it leaves out,
so that every box shows what the results use. Invalid input gives the GOV.UK error summary and
no results (never results for other choices than those shown).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from django import forms
from django.http import QueryDict

from safercity.web.core.forms import GovukForm

from .maps import CELL_SIZES, LAYER_CHOICES
from .places import RANK_LABELS
from .services import Filters

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(value: str, label: str = "Month") -> dt.date | None:
    """``"2018-07"`` -> 1 July 2018; "" -> None; anything else a ValidationError in words."""
    value = (value or "").strip()
    if not value:
        return None
    m = MONTH.match(value)
    if not m:
        raise forms.ValidationError(f"Enter the {label.lower()} as a year and month, like 2018-07")
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12 or not 1900 <= year <= 2099:
        raise forms.ValidationError(f"{label} must be a real month, like 2018-07")
    return dt.date(year, month, 1)


def _choice(label: str, what: str, **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        error_messages={"invalid_choice": f"Select {what} from the list"},
        **kwargs,
    )


class AnalysisFilterForm(GovukForm):
    area = _choice("Area", "an area")
    category = _choice("Crime type", "a crime type")
    theme = _choice("Theme", "a theme")
    month_from = forms.CharField(
        label="From month", required=False, max_length=7, help_text="For example, 2017-08"
    )
    month_to = forms.CharField(
        label="To month", required=False, max_length=7, help_text="For example, 2018-07"
    )
    #: values used when the address leaves a field out (shown in the form)
    defaults: ClassVar[dict[str, str]] = {}

    def __init__(
        self,
        data: QueryDict | dict[str, Any] | None,
        choices: dict[str, Any],
        defaults: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        filled = QueryDict(mutable=True)
        for key, value in (data or {}).items():
            filled[key] = value
        for key, value in {**self.defaults, **(defaults or {})}.items():
            if not filled.get(key):
                filled[key] = value
        super().__init__(filled, **kwargs)
        self.fields["area"].choices = [
            ("", "Whole workspace"),
            ("Borough", [(f"borough:{b}", b) for b in choices.get("borough", [])]),
            ("Ward", [(f"ward:{w}", w) for w in choices.get("ward", [])]),
        ]
        self.fields["theme"].choices = [("", "No theme"), *choices.get("theme", [])]
        self.fields["category"].choices = [("", "All crime and anti-social behaviour")] + [
            (c, c) for c in choices.get("category", [])
        ]

    def clean_month_from(self) -> dt.date | None:
        return parse_month(self.cleaned_data.get("month_from", ""), "From month")

    def clean_month_to(self) -> dt.date | None:
        return parse_month(self.cleaned_data.get("month_to", ""), "To month")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        a, b = data.get("month_from"), data.get("month_to")
        if a and b and a > b:
            self.add_error("month_to", "To month must be the same as or after the from month")
        return data

    def filters(self) -> Filters | None:
        """The choices as filters; None while the form has errors (show no results)."""
        if not self.is_valid():
            return None
        return filters_from(self.cleaned_data)


def filters_from(data: dict[str, Any]) -> Filters:
    area_type, _, area = (data.get("area") or "").partition(":")
    return Filters(
        area_type=area_type if area else "all",
        area=area,
        category=data.get("category") or "",
        month_from=data.get("month_from"),
        month_to=data.get("month_to"),
        theme=data.get("theme") or "",
    )


class RankingForm(AnalysisFilterForm):
    by = _choice("Rank", "what to rank", choices=list(RANK_LABELS.items()))


class MapForm(AnalysisFilterForm):
    layer = _choice("Show", "what to show", choices=list(LAYER_CHOICES.items()))
    cell_size = forms.TypedChoiceField(
        label="Grid square size",
        coerce=int,
        required=False,
        error_messages={"invalid_choice": "Select a grid square size from the list"},
        choices=[
            (s, f"{s:,} metres" if s < 1000 else f"{s // 1000} kilometre") for s in CELL_SIZES
        ],
    )
    defaults: ClassVar[dict[str, str]] = {"layer": "counts", "cell_size": "250"}
