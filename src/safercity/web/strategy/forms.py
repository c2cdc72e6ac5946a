"""Forms of the strategy pages: GOV.UK components, the GOV.UK date input for every date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from safercity.analytics import monitoring as rules
from safercity.analytics.categories import normalise_category
from safercity.cases.measures import STATISTIC_LABELS as CASE_STATISTIC_LABELS
from safercity.web.core.forms import GovukDateField, GovukForm

from .models import STATUS_CHOICES, Activity, Body, BudgetCommitment, Measure, Strategy


def _not_future(value: dt.date | None, label: str) -> dt.date | None:
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(f"{label} must be today or in the past")
    return value


class AsAtForm(GovukForm):
    """The day the monitoring is shown as at: GOV.UK date boxes, or ``?as_at=YYYY-MM-DD``."""

    as_at = GovukDateField(
        label="Show progress as at",
        required=False,
        help_text="For example, 30 9 2011. Statuses are worked out from the dates and updates "
        "up to that day.",
    )

    def clean_as_at(self) -> dt.date | None:
        raw = self.data.get("as_at")
        if raw and self.cleaned_data.get("as_at") is None:
            raise forms.ValidationError("Show progress as at must be a real date, like 30 9 2011")
        return self.cleaned_data.get("as_at")


class QuarterForm(GovukForm):
    """The board report's period picker: the quarters of the strategy."""

    quarter = forms.ChoiceField(label="Quarter", required=False)

    def __init__(self, *args: Any, quarters: list[tuple[dt.date, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [(day.isoformat(), name) for day, name in quarters]


class UpdateForm(GovukForm):
    """A progress update on an activity or one of its milestones (or a plan's milestone)."""

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
    date = GovukDateField(label="Date of the update", help_text="For example, 27 3 2012")

    def __init__(
        self,
        *args: Any,
        activity: Activity | None = None,
        milestones: Any = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        choices = []
        if activity is not None:
            choices.append(("activity", "The activity as a whole"))
            milestones = activity.milestones.all()
        choices += [(f"milestone:{m.pk}", f"Milestone: {m.text}") for m in milestones or []]
        self.fields["target"].choices = choices
        self.fields["target"].initial = choices[0][0] if choices else None

    def clean_date(self) -> Any:
        return _not_future(self.cleaned_data.get("date"), "Date of the update")


class ValueForm(GovukForm):
    """A value of an owner-entered measure, with its evidence."""

    value = forms.FloatField(
        label="Value",
        error_messages={"required": "Enter the value", "invalid": "Value must be a number"},
    )
    date = GovukDateField(label="Date the value is for", help_text="For example, 31 3 2012")
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
    activity = forms.ModelChoiceField(
        label="Activity (optional)",
        queryset=Activity.objects.none(),
        required=False,
        empty_label="Not one activity",
        help_text="The activity the money was spent on, one of the commitment's priority",
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
    date = GovukDateField(label="Date spent", help_text="For example, 30 6 2011")
    description = forms.CharField(
        label="What it was spent on",
        max_length=2000,
        error_messages={"required": "Enter what it was spent on"},
    )

    def __init__(self, *args: Any, strategy: Strategy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["commitment"]
        field.queryset = strategy.commitments.select_related("priority", "funding_source")
        field.label_from_instance = lambda c: (
            f"{c.priority.title if c.priority else 'No priority'}: {c.funding_source.name} "
            f"(£{c.amount_gbp:,})"
        )
        act = self.fields["activity"]
        act.queryset = Activity.objects.filter(
            objective__priority__strategy=strategy
        ).select_related("objective__priority")
        act.label_from_instance = lambda a: f"{a.objective.priority.title}: {a.title}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        commitment, activity = data.get("commitment"), data.get("activity")
        if (
            commitment is not None
            and activity is not None
            and commitment.priority_id is not None
            and activity.objective.priority_id != commitment.priority_id
        ):
            self.add_error("activity", "Select an activity of the commitment's priority")
        return data

    def clean_date(self) -> Any:
        return _not_future(self.cleaned_data.get("date"), "Date spent")


class AdjustmentForm(GovukForm):
    """A correction of a spend entry: an adjustment, never an edit."""

    amount_gbp = forms.IntegerField(
        label="Adjustment (£)",
        help_text="Negative to take money off the entry, positive to add to it; for example -500",
        error_messages={
            "required": "Enter the adjustment",
            "invalid": "Adjustment must be a whole number of pounds, for example -500",
        },
    )
    date = GovukDateField(
        label="Date of the adjustment",
        help_text="Usually today: the adjustment counts from this day, so earlier reports are "
        "unchanged",
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter the reason for the adjustment"},
    )

    def clean_amount_gbp(self) -> int:
        value = int(self.cleaned_data["amount_gbp"])
        if value == 0:
            raise forms.ValidationError("Adjustment must not be £0")
        return value


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


# --------------------------------------------------------------------------- editing


class ObjectiveForm(GovukForm):
    title = forms.CharField(
        label="Objective",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter the objective"},
    )


class BodiesField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Body) -> str:  # type: ignore[override]
        return obj.name + (f" ({obj.abbreviation})" if obj.abbreviation else "")


class ActivityForm(GovukForm):
    text = forms.CharField(
        label="Activity",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": "Enter what the activity is"},
    )
    lead = BodiesField(
        label="Lead",
        queryset=Body.objects.none(),
        help_text="The bodies that lead it: their action owners post its updates",
        error_messages={"required": "Select at least one lead"},
    )
    support = BodiesField(label="Support (optional)", queryset=Body.objects.none(), required=False)

    def __init__(self, *args: Any, partnership: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bodies = partnership.bodies.order_by("category", "name")
        self.fields["lead"].queryset = bodies
        self.fields["support"].queryset = bodies

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        both = set(data.get("lead") or []) & set(data.get("support") or [])
        if both:
            self.add_error("support", "A body cannot both lead and support the activity")
        return data


KINDS = [
    ("deliverable", "Due by a date"),
    ("start", "Starts on a date and runs on"),
    ("recurring", "Recurs (monthly, every 6 weeks, ...)"),
    ("ongoing", "Ongoing, with no date"),
    ("undated", "No date"),
]


class MilestoneForm(GovukForm):
    text = forms.CharField(
        label="Milestone",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": "Enter the milestone"},
    )
    kind = forms.ChoiceField(
        label="When is it due?",
        choices=KINDS,
        widget=forms.RadioSelect,
        error_messages={"required": "Select when it is due"},
    )
    due = GovukDateField(
        label="Due date",
        required=False,
        help_text="For a milestone due by a date, or the first occurrence of a recurring one",
    )
    start = GovukDateField(label="Start date", required=False, help_text="For example, 1 5 2011")
    until = GovukDateField(
        label="Runs until (optional)",
        required=False,
        help_text="Default: the end of the strategy",
    )
    recurrence = forms.CharField(
        label="How often",
        required=False,
        max_length=100,
        help_text="For example: monthly, fortnightly, every 6 weeks, 3 times per year",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == "deliverable" and not data.get("due"):
            self.add_error("due", "Enter the due date")
        if kind == "start" and not data.get("start"):
            self.add_error("start", "Enter the start date")
        if kind == "recurring":
            text = data.get("recurrence") or ""
            rec = rules.parse_recurrence(text)
            if rec is None or rec.ongoing:
                self.add_error(
                    "recurrence",
                    "Enter how often it recurs, for example monthly or every 6 weeks",
                )
            if not data.get("due") and not data.get("start"):
                self.add_error("due", "Enter when the first occurrence is due, or a start date")
        return data

    def fields_for_service(self) -> dict[str, Any]:
        d = self.cleaned_data
        kind = d["kind"]
        return {
            "text": d["text"],
            "due": d.get("due") if kind in ("deliverable", "recurring") else None,
            "start": d.get("start") if kind in ("start", "recurring") else None,
            "until": d.get("until") if kind in ("start", "recurring") else None,
            "recurrence": d.get("recurrence", "").strip()
            if kind == "recurring"
            else ("ongoing" if kind == "ongoing" else ""),
        }


DIRECTIONS = [
    ("", "Not stated"),
    ("increase", "Increase: higher is better"),
    ("reduce", "Reduce: lower is better"),
    ("achieve", "Achieve: reach the target"),
]
TARGET_KINDS = [
    ("none", "No target"),
    ("absolute", "A number (or a range)"),
    ("times", "A multiple of the baseline (for example 2 for double)"),
    ("percent", "A percentage change on the baseline (for example -5)"),
]
STATISTICS = [
    ("count", "Count of incidents"),
    ("rate", "Rate per residents"),
    ("share", "Share (percent) of all incidents of the area"),
    ("repeat_rate", "Repeat rate (needs victim ids)"),
]
PERIODS = [
    ("rolling_12_months", "Rolling 12 months"),
    ("financial_year", "Financial year"),
    ("quarter", "Quarter"),
    ("month", "Month"),
]


CASE_STATISTICS = list(CASE_STATISTIC_LABELS.items())
CASE_PERIODS = [("quarter", "Quarter"), ("month", "Month"), ("financial_year", "Financial year")]


def _cohort_choices() -> list[tuple[str, str]]:
    """The cohorts of case work (their keys); none when the cases app is not installed or no
    cohort is set up."""
    from django.apps import apps

    if not apps.is_installed("safercity.web.cases"):
        return []
    from safercity.web.cases.models import Cohort

    found = [(c.key, c.name) for c in Cohort.objects.order_by("name").only("key", "name")]
    return [("", "Choose a cohort"), *found] if found else []


def _optional_float(label: str, **kw: Any) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=False,
        error_messages={"invalid": f"{label.replace(' (optional)', '')} must be a number"},
        **kw,
    )


class MeasureForm(GovukForm):
    description = forms.CharField(
        label="Measure", max_length=1000, error_messages={"required": "Enter the measure"}
    )
    as_written = forms.CharField(
        label="As written in the strategy",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter the measure as the strategy writes it"},
    )
    unit = forms.CharField(
        label="Unit",
        max_length=100,
        help_text="For example: offences, young people, sessions, percent",
        error_messages={"required": "Enter the unit"},
    )
    direction = forms.ChoiceField(label="Direction", choices=DIRECTIONS, required=False)
    target_kind = forms.ChoiceField(
        label="Target", choices=TARGET_KINDS, widget=forms.RadioSelect, initial="none"
    )
    target = _optional_float("Target value (optional)")
    target_upper = _optional_float(
        "Upper end of a range (optional)", help_text="For a range such as 20 to 25%"
    )
    baseline = _optional_float("Baseline (optional)")
    baseline_date = GovukDateField(label="Baseline date (optional)", required=False)
    values_are = forms.ChoiceField(
        label="Values entered are",
        choices=Measure._meta.get_field("values_are").choices,
        widget=forms.RadioSelect,
        initial="cumulative",
        help_text="For the period: each value counts only its own period and they are added up",
    )
    due = GovukDateField(label="Due date (optional)", required=False)
    source_kind = forms.ChoiceField(
        label="Where the values come from",
        choices=[
            (Measure.OWNER_ENTERED, "Entered by the owner"),
            (Measure.ANALYTICS, "Worked out from the crime data"),
            (Measure.CASES, "Worked out from case work (a cohort's figures)"),
        ],
        widget=forms.RadioSelect,
        initial=Measure.OWNER_ENTERED,
    )
    statistic = forms.ChoiceField(label="Statistic", choices=STATISTICS, required=False)
    categories = forms.CharField(
        label="Crime categories (optional)",
        required=False,
        help_text="police.uk categories, separated by commas; empty for all crime",
    )
    theme = forms.CharField(label="Theme (optional)", required=False, max_length=100)
    area = forms.CharField(label="Local authority (optional)", required=False, max_length=200)
    wards = forms.CharField(
        label="Wards (optional)", required=False, help_text="Ward names, separated by commas"
    )
    period = forms.ChoiceField(label="Period", choices=PERIODS, required=False)
    cohort = forms.ChoiceField(label="Cohort", choices=[], required=False)
    case_statistic = forms.ChoiceField(
        label="Cohort figure", choices=[("", "Choose a figure"), *CASE_STATISTICS], required=False
    )
    case_period = forms.ChoiceField(
        label="Period of the figure", choices=CASE_PERIODS, required=False
    )

    def __init__(self, *args: Any, strategy: Strategy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cohorts = _cohort_choices()
        self.fields["cohort"].choices = cohorts
        if not cohorts:  # no case work: the source is not offered
            field = self.fields["source_kind"]
            field.choices = [c for c in field.choices if c[0] != Measure.CASES]  # type: ignore[attr-defined]
        self.years = list(range(strategy.period_start, strategy.period_end))
        for year in self.years:
            self.fields[f"target_{year}"] = _optional_float(
                f"Target for {rules.financial_year_label(year)} (optional)",
                help_text="Read as the target kind chosen above",
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("target_kind") or "none"
        yearly = {y: data.get(f"target_{y}") for y in self.years}
        if (
            kind in ("times", "percent", "absolute")
            and data.get("target") is None
            and not any(v is not None for v in yearly.values())
        ):
            self.add_error("target", "Enter the target, or a target for a year")
        upper = data.get("target_upper")
        if upper is not None and (kind != "absolute" or data.get("target") is None):
            self.add_error("target_upper", "An upper end needs a target number")
        elif upper is not None and upper < data["target"]:
            self.add_error("target_upper", "The upper end must be at least the target")
        if data.get("values_are") == "period" and (data.get("unit") or "").strip().lower() in (
            rules.NON_COUNT_UNITS
        ):
            self.add_error("values_are", "Percentages and rates cannot be added up by period")
        if data.get("source_kind") == Measure.ANALYTICS:
            bad = [
                c.strip()
                for c in (data.get("categories") or "").split(",")
                if c.strip() and normalise_category(c.strip()) is None
            ]
            if bad:
                self.add_error("categories", f"Not police.uk categories: {', '.join(bad)}")
            if data.get("statistic") == "rate" and not (data.get("area") or data.get("wards")):
                self.add_error("area", "A rate needs a local authority or wards")
        if data.get("source_kind") == Measure.CASES:
            if not data.get("cohort"):
                self.add_error("cohort", "Choose the cohort")
            if not data.get("case_statistic"):
                self.add_error("case_statistic", "Choose the cohort figure")
        return data

    @staticmethod
    def initial_for(measure: Measure) -> dict[str, Any]:
        rel = measure.target_relative or {}
        kind = "times" if "times" in rel else "percent" if "percent" in rel else "none"
        if kind == "none" and (measure.target is not None or measure.targets):
            kind = "absolute"
        if measure.targets and kind == "none":
            first = measure.targets[0].get("target_relative") or {}
            kind = "times" if "times" in first else "percent" if "percent" in first else "absolute"
        base = measure.baseline or {}
        q = measure.query or {}
        initial: dict[str, Any] = {
            "description": measure.description,
            "as_written": measure.as_written,
            "unit": measure.unit,
            "direction": measure.direction,
            "target_kind": kind,
            "target": rel.get("times", rel.get("percent", measure.target)),
            "target_upper": measure.target_upper,
            "baseline": base.get("value"),
            "baseline_date": base.get("date"),
            "values_are": measure.values_are,
            "due": measure.due,
            "source_kind": measure.source_kind,
        }
        if measure.source_kind == Measure.CASES:
            initial |= {
                "cohort": q.get("cohort") or "",
                "case_statistic": q.get("statistic") or "",
                "case_period": q.get("period") or "quarter",
            }
        else:
            initial |= {
                "statistic": q.get("statistic", "count"),
                "categories": ", ".join(q.get("category") or []),
                "theme": q.get("theme") or "",
                "area": q.get("area") or "",
                "wards": ", ".join(q.get("wards") or []),
                "period": q.get("period", "rolling_12_months"),
            }
        for t in measure.targets or []:
            r = t.get("target_relative") or {}
            initial[f"target_{t['year']}"] = r.get("times", r.get("percent", t.get("target")))
        return initial

    def fields_for_service(self, measure: Measure | None) -> dict[str, Any]:
        d = self.cleaned_data
        kind = d.get("target_kind") or "none"

        def target(value: float | None) -> dict[str, Any]:
            if value is None or kind == "none":
                return {"target": None, "target_relative": None}
            if kind == "times":
                return {"target": None, "target_relative": {"times": value}}
            if kind == "percent":
                return {"target": None, "target_relative": {"percent": value}}
            return {"target": value, "target_relative": None}

        whole = target(d.get("target"))
        yearly = []
        for y in self.years:
            value = d.get(f"target_{y}")
            if value is not None and kind != "none":
                t = target(value)
                yearly.append(
                    {"year": y, "target": t["target"], "target_relative": t["target_relative"]}
                )
        baseline = None
        if d.get("baseline") is not None or d.get("baseline_date") is not None:
            old = (measure.baseline if measure else None) or {}
            baseline = {
                "value": d.get("baseline"),
                "date": d["baseline_date"].isoformat() if d.get("baseline_date") else None,
                "period": old.get("period"),
                "source": old.get("source"),
            }
        query = None
        if d["source_kind"] == Measure.ANALYTICS:
            was = measure is not None and measure.source_kind == Measure.ANALYTICS
            old_q = (measure.query if measure is not None and was else None) or {}
            query = {
                **old_q,
                "statistic": d.get("statistic") or "count",
                "category": [
                    c.strip() for c in (d.get("categories") or "").split(",") if c.strip()
                ],
                "theme": (d.get("theme") or "").strip() or None,
                "area": (d.get("area") or "").strip() or None,
                "wards": [w.strip() for w in (d.get("wards") or "").split(",") if w.strip()],
                "period": d.get("period") or "rolling_12_months",
            }
        elif d["source_kind"] == Measure.CASES:
            query = {
                "cohort": d["cohort"],
                "statistic": d["case_statistic"],
                "period": d.get("case_period") or "quarter",
            }
        return {
            "description": d["description"],
            "as_written": d["as_written"],
            "unit": d["unit"],
            "direction": d.get("direction") or "",
            "baseline": baseline,
            "target": whole["target"],
            "target_upper": d.get("target_upper") if kind == "absolute" else None,
            "target_relative": whole["target_relative"],
            "targets": yearly,
            "values_are": d["values_are"],
            "due": d.get("due"),
            "source_kind": d["source_kind"],
            "query": query,
        }


class CommitmentForm(GovukForm):
    """A budget commitment and its annual profile."""

    amount_gbp = forms.IntegerField(
        label="Amount committed (£)",
        min_value=0,
        error_messages={
            "required": "Enter the amount committed",
            "invalid": "Amount committed must be a whole number of pounds",
            "min_value": "Amount committed must be £0 or more",
        },
    )
    purpose = forms.CharField(
        label="Purpose",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter what the money is for"},
    )

    def __init__(self, *args: Any, strategy: Strategy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.years = list(range(strategy.period_start, strategy.period_end))
        for year in self.years:
            label = rules.financial_year_label(year)
            self.fields[f"profile_{year}"] = forms.IntegerField(
                label=f"Planned spend in {label} (£, optional)",
                required=False,
                min_value=0,
                error_messages={
                    "invalid": f"Planned spend in {label} must be a whole number of pounds",
                    "min_value": f"Planned spend in {label} must be £0 or more",
                },
            )
            self.fields[f"quarters_{year}"] = forms.CharField(
                label=f"{label} by quarter (optional)",
                required=False,
                help_text="Four amounts, April to June first, separated by commas; empty: "
                "evenly by month",
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for year in self.years:
            text = (data.get(f"quarters_{year}") or "").strip()
            if not text:
                continue
            label = rules.financial_year_label(year)
            parts = [p.strip().replace("£", "").replace(" ", "") for p in text.split(",")]
            if len(parts) != 4 or not all(p.isdigit() for p in parts):
                self.add_error(f"quarters_{year}", f"{label} by quarter must be four whole amounts")
                continue
            amounts = [int(p) for p in parts]
            total = data.get(f"profile_{year}")
            if total is None:
                data[f"profile_{year}"] = sum(amounts)
            elif sum(amounts) != total:
                self.add_error(
                    f"quarters_{year}",
                    f"{label} by quarter adds up to £{sum(amounts):,}, not £{total:,}",
                )
            data[f"quarters_{year}"] = amounts
        return data

    def profile(self) -> list[dict[str, Any]]:
        out = []
        for year in self.years:
            amount = self.cleaned_data.get(f"profile_{year}")
            if amount is None:
                continue
            quarters = self.cleaned_data.get(f"quarters_{year}") or None
            out.append(
                {
                    "year": year,
                    "amount_gbp": amount,
                    "quarters": quarters if isinstance(quarters, list) else None,
                }
            )
        return out

    @staticmethod
    def initial_for(commitment: BudgetCommitment) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "amount_gbp": commitment.amount_gbp,
            "purpose": commitment.purpose,
        }
        for p in commitment.profile or []:
            initial[f"profile_{p['year']}"] = p["amount_gbp"]
            if p.get("quarters"):
                initial[f"quarters_{p['year']}"] = ", ".join(str(q) for q in p["quarters"])
        return initial


class RefreshForm(GovukForm):
    """The annual refresh: the year, what changed and why, and "you said, we did"."""

    year = forms.ChoiceField(label="The year of the new version")
    changes = forms.CharField(
        label="What changed and why",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="One change a line, its reason after a dash: for example “Reoffending action "
        "plan added – produced during 2011/12”",
    )

    def __init__(self, *args: Any, strategy: Strategy, rows: int = 3, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.fields["year"].choices = [
            (str(y), rules.financial_year_label(y))
            for y in range(strategy.period_start + 1, strategy.period_end)
        ]
        for n in range(1, rows + 1):
            self.fields[f"you_said_{n}"] = forms.CharField(
                label=f"You said ({n}, optional)", required=False, max_length=2000
            )
            self.fields[f"we_did_{n}"] = forms.CharField(
                label=f"We did ({n})", required=False, max_length=2000
            )
            self.fields[f"consultation_{n}"] = forms.CharField(
                label=f"Consultation finding ({n}, optional)",
                required=False,
                max_length=200,
                help_text="Its reference in the consultation, for example "
                "consultation:2012-priorities#q3",
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for n in range(1, self.rows + 1):
            said, did = data.get(f"you_said_{n}"), data.get(f"we_did_{n}")
            if said and not did:
                self.add_error(f"we_did_{n}", f"Enter what was done about “you said” {n}")
            if did and not said:
                self.add_error(f"you_said_{n}", f"Enter what respondents said ({n})")
        return data

    def parsed(self) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        changes = []
        for line in (self.cleaned_data.get("changes") or "").splitlines():
            if not line.strip():
                continue
            for dash in (" – ", " - ", " — "):
                if dash in line:
                    what, why = line.split(dash, 1)
                    break
            else:
                what, why = line, ""
            changes.append({"what": what.strip(), "why": why.strip()})
        answers = [
            {
                "you_said": self.cleaned_data[f"you_said_{n}"],
                "we_did": self.cleaned_data[f"we_did_{n}"],
                "consultation": self.cleaned_data.get(f"consultation_{n}", ""),
            }
            for n in range(1, self.rows + 1)
            if self.cleaned_data.get(f"you_said_{n}")
        ]
        return changes, answers


class MeetingForm(GovukForm):
    date = GovukDateField(label="Date of the meeting", help_text="For example, 14 7 2011")
    title = forms.CharField(label="Title (optional)", required=False, max_length=300)
    decisions = forms.CharField(
        label="Decisions (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One decision a line",
    )

    def decision_list(self) -> list[str]:
        return [
            d.strip() for d in (self.cleaned_data.get("decisions") or "").splitlines() if d.strip()
        ]


class BoardReportPaperForm(GovukForm):
    as_at = GovukDateField(
        label="Board report as at",
        help_text="The report is attached as it is now, and does not change afterwards",
    )


class MeetingActionForm(GovukForm):
    text = forms.CharField(
        label="Action",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": "Enter the action"},
    )
    owner = forms.ModelChoiceField(
        label="Owner (optional)", queryset=Body.objects.none(), required=False, empty_label="None"
    )
    due = GovukDateField(label="Due (optional)", required=False)

    def __init__(self, *args: Any, partnership: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = partnership.bodies.order_by("category", "name")
