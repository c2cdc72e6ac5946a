from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from safercity.analytics.frames import parse_period
from safercity.web.core.forms import GovukForm

PERIOD_HINT = "First and last month as START:END, for example 2017-07:2018-06"


def _months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


class ReportForm(GovukForm):
    area = forms.ChoiceField(
        label="Area",
        help_text="The local authority the assessment covers",
        error_messages={
            "required": "Select the area",
            "invalid_choice": "Select an area from the list",
        },
    )
    period = forms.CharField(
        label="Period",
        help_text=PERIOD_HINT + ". It is compared with the same number of months before it.",
        max_length=20,
        error_messages={"required": "Enter the period, for example 2017-07:2018-06"},
    )

    def __init__(self, *args: Any, areas: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Select an area"), *((a, a) for a in areas)]

    def clean_period(self) -> str:
        text = self.cleaned_data["period"].strip().replace(" ", "")
        if ":" not in text:
            raise forms.ValidationError(f"Enter the period as START:END. {PERIOD_HINT}")
        try:
            start, end = parse_period(text)
        except ValueError as exc:
            raise forms.ValidationError(f"Enter real months in the period. {PERIOD_HINT}") from exc
        if start is None or end is None:
            raise forms.ValidationError(
                f"Enter both the first and the last month of the period. {PERIOD_HINT}"
            )
        if end < start:
            raise forms.ValidationError("The period must end after it starts")
        if _months_between(start, end) > 120:
            raise forms.ValidationError("The period must be 10 years or shorter")
        return f"{start:%Y-%m}:{end:%Y-%m}"
