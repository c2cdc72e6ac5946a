"""Filter forms for the analysis pages (GET forms: every result has a shareable address)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms

from safercity.web.core.forms import GovukForm

from .services import Filters

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    m = MONTH.match(value)
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
        raise forms.ValidationError("Enter a month as YYYY-MM, for example 2018-07")
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


class AnalysisFilterForm(GovukForm):
    area = forms.ChoiceField(label="Area", required=False)
    category = forms.ChoiceField(label="Crime type", required=False)
    theme = forms.ChoiceField(label="Theme", required=False)
    month_from = forms.CharField(
        label="From month", required=False, max_length=7, help_text="YYYY-MM"
    )
    month_to = forms.CharField(label="To month", required=False, max_length=7, help_text="YYYY-MM")

    def __init__(self, data: Any, choices: dict[str, list[str]], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
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
        return parse_month(self.cleaned_data.get("month_from", ""))

    def clean_month_to(self) -> dt.date | None:
        return parse_month(self.cleaned_data.get("month_to", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        a, b = data.get("month_from"), data.get("month_to")
        if a and b and a > b:
            self.add_error("month_to", "The last month must be the same as or after the first")
        return data

    def filters(self) -> Filters:
        if not self.is_bound or not self.is_valid():
            return Filters()
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
    by = forms.ChoiceField(
        label="Rank",
        choices=[("ward", "Wards"), ("lsoa", "LSOAs"), ("borough", "Boroughs")],
        required=False,
    )


class MapForm(AnalysisFilterForm):
    cell_size = forms.TypedChoiceField(
        label="Grid cell size",
        initial=250,
        coerce=int,
        required=False,
        empty_value=250,
        choices=[
            (100, "100 metres"),
            (250, "250 metres"),
            (500, "500 metres"),
            (1000, "1 kilometre"),
        ],
    )
