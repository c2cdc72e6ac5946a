from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from safercity.web.core.forms import GovukForm

from .models import STATUS_CHOICES, Activity, BudgetCommitment

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d %b %Y"]
DATE_HINT = "For example, 31/03/2012"


class UpdateForm(GovukForm):
    """A progress update on an activity or one of its milestones."""

    target = forms.ChoiceField(
        label="What is this update about?",
        error_messages={"required": "Select what the update is about"},
    )
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "Select a status"), *STATUS_CHOICES],
        error_messages={"required": "Select a status"},
    )
    narrative = forms.CharField(
        label="Progress",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="What has been done, what is next, any problem",
        error_messages={"required": "Enter the progress made"},
    )
    evidence = forms.CharField(
        label="Evidence (optional)",
        required=False,
        max_length=2000,
        help_text="Where the evidence is, for example a report or minutes",
    )
    date = forms.DateField(
        label="Date of the update",
        input_formats=DATE_FORMATS,
        help_text=DATE_HINT,
        error_messages={
            "required": "Enter the date of the update",
            "invalid": "Date of the update must be a real date, for example 31/03/2012",
        },
    )

    def __init__(self, *args: Any, activity: Activity, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"date": timezone.localdate().strftime("%d/%m/%Y")})
        super().__init__(*args, **kwargs)
        choices = [("activity", "The activity as a whole")]
        choices += [
            (f"milestone:{m.pk}", f"Milestone: {m.text}") for m in activity.milestones.all()
        ]
        self.fields["target"].choices = choices
        self.fields["target"].initial = "activity"

    def clean_date(self) -> Any:
        value = self.cleaned_data["date"]
        if value > timezone.localdate():
            raise forms.ValidationError("Date of the update must be today or in the past")
        return value


class ValueForm(GovukForm):
    """A value of an owner-entered measure, with its evidence."""

    value = forms.FloatField(
        label="Value",
        error_messages={"required": "Enter the value", "invalid": "Value must be a number"},
    )
    date = forms.DateField(
        label="Date the value is for",
        input_formats=DATE_FORMATS,
        help_text=DATE_HINT,
        error_messages={
            "required": "Enter the date the value is for",
            "invalid": "Date must be a real date, for example 31/03/2012",
        },
    )
    evidence = forms.CharField(
        label="Evidence",
        max_length=2000,
        help_text="Where the figure comes from",
        error_messages={"required": "Enter where the figure comes from"},
    )


class SpendForm(GovukForm):
    commitment = forms.ModelChoiceField(
        label="Budget commitment",
        queryset=BudgetCommitment.objects.none(),
        empty_label="Select a commitment",
        error_messages={"required": "Select the budget commitment"},
    )
    amount_gbp = forms.IntegerField(
        label="Amount spent (£)",
        min_value=1,
        error_messages={
            "required": "Enter the amount spent",
            "invalid": "Amount spent must be a whole number of pounds",
            "min_value": "Amount spent must be at least £1",
        },
    )
    date = forms.DateField(
        label="Date",
        input_formats=DATE_FORMATS,
        help_text=DATE_HINT,
        error_messages={
            "required": "Enter the date",
            "invalid": "Date must be a real date, for example 31/03/2012",
        },
    )
    description = forms.CharField(
        label="What it was spent on",
        max_length=2000,
        error_messages={"required": "Enter what it was spent on"},
    )

    def __init__(self, *args: Any, strategy: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["commitment"]
        field.queryset = strategy.commitments.select_related("priority", "funding_source")
        field.label_from_instance = lambda c: (
            f"{c.priority.title if c.priority else 'No priority'}: {c.funding_source.name} "
            f"(£{c.amount_gbp:,})"
        )


class LinkAgencyForm(GovukForm):
    """Administrators: the action owners of an account agency act for a body of the strategy."""

    body = forms.ModelChoiceField(
        label="Body of the strategy",
        queryset=None,
        empty_label="Select a body",
        error_messages={"required": "Select a body"},
    )
    agency = forms.ModelChoiceField(
        label="Agency of the accounts",
        queryset=None,
        empty_label="Select an agency",
        help_text="Its action owners will be able to update what the body leads",
        error_messages={"required": "Select an agency"},
    )
    link = forms.ChoiceField(
        label="Link or unlink",
        choices=[("link", "Link"), ("unlink", "Unlink")],
        initial="link",
    )

    def __init__(self, *args: Any, partnership: Any, **kwargs: Any) -> None:
        from safercity.web.accounts.models import Agency

        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = partnership.bodies.order_by("name")
        self.fields["agency"].queryset = Agency.objects.order_by("name")
