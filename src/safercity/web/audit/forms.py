from __future__ import annotations

from django import forms

from safercity.web.core.forms import GovukForm

from .models import AuditEvent


class AuditSearchForm(GovukForm):
    text = forms.CharField(label="Record or summary contains", required=False, max_length=200)
    actor = forms.CharField(label="Who (username)", required=False, max_length=150)
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Any action"), *AuditEvent.Action.choices]
    )
    date_from = forms.DateField(
        label="From (YYYY-MM-DD)",
        required=False,
        error_messages={"invalid": "Enter the start date as YYYY-MM-DD"},
    )
    date_to = forms.DateField(
        label="To (YYYY-MM-DD)",
        required=False,
        error_messages={"invalid": "Enter the end date as YYYY-MM-DD"},
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:  # type: ignore[operator]
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return data
