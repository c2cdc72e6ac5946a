"""Forms: the public question pages (every string translatable) and the officers' forms
(English)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from safercity.web.core.forms import GovukDateField, GovukForm

from . import models

POSTCODE_DISTRICT = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")

AGE_LABELS = {
    "under-16": _("Under 16"),
    "16-29": _("16 to 29"),
    "30-44": _("30 to 44"),
    "45-64": _("45 to 64"),
    "65+": _("65 or over"),
    "prefer-not-to-say": _("Prefer not to say"),
}
SEX_LABELS = {
    "female": _("Female"),
    "male": _("Male"),
    "other": _("Another way"),
    "prefer-not-to-say": _("Prefer not to say"),
}
ETHNICITY_LABELS = {
    "white": _("White"),
    "mixed": _("Mixed or multiple ethnic groups"),
    "asian": _("Asian or Asian British"),
    "black": _("Black, African, Caribbean or Black British"),
    "other": _("Another ethnic group"),
    "prefer-not-to-say": _("Prefer not to say"),
}
CONNECTION_LABELS = {
    "live": _("I live here"),
    "work": _("I work here"),
    "study": _("I study here"),
    "visit": _("I visit"),
}
DISABILITY_LABELS = {
    "yes": _("Yes"),
    "no": _("No"),
    "prefer-not-to-say": _("Prefer not to say"),
}
QUESTION_TITLES = {
    "ward": _("Which ward do you live or work in?"),
    "postcode_district": _("What is the first part of your postcode?"),
    "age_band": _("How old are you?"),
    "sex": _("What is your sex?"),
    "ethnicity": _("What is your ethnic group?"),
    "connection": _("How are you connected to the area?"),
    "disability": _("Do you consider yourself to have a disability?"),
}
QUESTION_HINTS = {
    "ward": _("Optional. This helps us see what matters in each part of the area."),
    "postcode_district": _("Optional. For example, SW1E. Do not give your full postcode."),
    "age_band": _("Optional."),
    "sex": _("Optional."),
    "ethnicity": _("Optional."),
    "connection": _("Optional. Select all that apply."),
    "disability": _("Optional."),
}
CHOICE_LABELS: dict[str, dict[str, Any]] = {
    "age_band": AGE_LABELS,
    "sex": SEX_LABELS,
    "ethnicity": ETHNICITY_LABELS,
    "connection": CONNECTION_LABELS,
    "disability": DISABILITY_LABELS,
}


def answer_label(question: str, value: Any) -> str:
    """The translated words for a stored answer (for check your answers)."""
    labels = CHOICE_LABELS.get(question)
    if isinstance(value, list):
        return ", ".join(str(labels.get(v, v)) if labels else str(v) for v in value)
    if labels:
        return str(labels.get(value, value))
    return str(value)


class RankingForm(forms.Form):
    """One number box per priority: rank all (1 to n, each once) or the top k (1 to k, the
    others left blank). Works by number entry, without JavaScript, with a screen reader (each
    box is labelled with its priority) and on a phone (numeric keyboard)."""

    def __init__(self, *args: Any, priorities: list[Any], top: int | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.priorities = priorities
        self.top = top
        for p in priorities:
            self.fields[p.key] = forms.CharField(
                label=p.public_title,
                required=False,
                max_length=2,
                help_text=p.public_description,
                widget=forms.TextInput(
                    attrs={
                        "class": "govuk-input govuk-input--width-2",
                        "inputmode": "numeric",
                        "autocomplete": "off",
                    }
                ),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        n = len(self.priorities)
        wanted = self.top if self.top else n
        numbers: dict[str, int] = {}
        for p in self.priorities:
            raw = (data.get(p.key) or "").strip()
            if not raw:
                continue
            if not raw.isdigit() or not 1 <= int(raw) <= wanted:
                self.add_error(
                    p.key,
                    _("Enter a number from 1 to %(n)s for %(priority)s")
                    % {"n": wanted, "priority": p.public_title},
                )
                continue
            numbers[p.key] = int(raw)
        if self.errors:
            return data
        used = sorted(numbers.values())
        if len(used) != len(set(used)):
            raise forms.ValidationError(_("Use each number only once"))
        if self.top:
            if used != list(range(1, wanted + 1)):
                raise forms.ValidationError(
                    ngettext(
                        "Choose %(k)s priority and number it 1",
                        "Choose %(k)s priorities and number them 1 to %(k)s",
                        wanted,
                    )
                    % {"k": wanted}
                )
        elif used != list(range(1, n + 1)):
            raise forms.ValidationError(
                _("Give every priority a number from 1 to %(n)s") % {"n": n}
            )
        data["order"] = sorted(numbers, key=lambda k: numbers[k])
        return data


class AboutYouForm(forms.Form):
    """One optional question about the respondent."""

    def __init__(self, *args: Any, question: str, wards: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.question = question
        label = QUESTION_TITLES[question]
        hint = QUESTION_HINTS[question]
        field: forms.Field
        if question == "ward":
            field = forms.ChoiceField(
                choices=[("", _("Choose a ward")), *[(w, w) for w in wards]],
                required=False,
                widget=forms.Select(attrs={"class": "govuk-select"}),
            )
        elif question == "postcode_district":
            field = forms.CharField(  # a full postcode gets the message below, not "5 at most"
                required=False,
                max_length=10,
                widget=forms.TextInput(
                    attrs={
                        "class": "govuk-input govuk-input--width-5",
                        "autocomplete": "off",
                        "spellcheck": "false",
                    }
                ),
            )
        elif question == "connection":
            field = forms.MultipleChoiceField(
                choices=list(CONNECTION_LABELS.items()),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        else:
            field = forms.ChoiceField(
                choices=list(CHOICE_LABELS[question].items()),
                required=False,
                widget=forms.RadioSelect,
            )
        field.label = label
        field.help_text = hint
        self.fields["answer"] = field

    def clean_answer(self) -> Any:
        value = self.cleaned_data.get("answer")
        if self.question == "postcode_district" and value:
            value = value.strip().upper().replace(" ", "")
            if not POSTCODE_DISTRICT.match(value):
                raise forms.ValidationError(
                    _("Enter only the first part of a postcode, like SW1E or W2")
                )
        return value


class FreeTextForm(forms.Form):
    answer = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 6}),
        help_text=_(
            "Optional. Up to 2,000 characters. Do not include names, addresses or other details "
            "that could identify you or anyone else."
        ),
    )

    def __init__(self, *args: Any, label: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["answer"].label = label
        self.fields["answer"].error_messages["max_length"] = _(
            "Your answer must be 2,000 characters or fewer"
        )


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_(
            "We send you a link to confirm your response. We delete your address once you "
            "have used the link."
        ),
        widget=forms.EmailInput(
            attrs={"class": "govuk-input", "autocomplete": "email", "spellcheck": "false"}
        ),
        error_messages={
            "required": _("Enter your e-mail address"),
            "invalid": _("Enter an e-mail address in the correct format, like name@example.com"),
        },
    )


class SubmitForm(forms.Form):
    """The check-your-answers form: only the honeypot, a box people never see or fill."""

    website = forms.CharField(required=False, max_length=200)


# --------------------------------------------------------------------------- officers


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ConsultationForm(GovukForm):
    title = forms.CharField(max_length=200)
    title_cy = forms.CharField(label="Title in Welsh", required=False, max_length=200)
    slug = forms.SlugField(
        label="Short name", max_length=80, help_text="Used in the address, e.g. priorities-2026"
    )
    area = forms.CharField(required=False, max_length=200, help_text="e.g. Westminster")
    introduction = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}))
    introduction_cy = forms.CharField(
        label="Introduction in Welsh", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    privacy_notice = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}))
    privacy_notice_cy = forms.CharField(
        label="Privacy notice in Welsh", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    mode = forms.ChoiceField(
        label="Ranking question", choices=models.Consultation.Mode.choices, initial="all"
    )
    top_k = forms.IntegerField(
        label="How many to choose (top)", min_value=1, max_value=10, initial=3
    )
    priorities = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="One a line: key | title | Welsh title | description. The key is the "
        "theme or strategy priority name, e.g. night-time-economy",
    )
    about_you = forms.MultipleChoiceField(
        label="Questions about the respondent",
        required=False,
        choices=[(q, str(QUESTION_TITLES[q])) for q in models.ABOUT_YOU],
        widget=forms.CheckboxSelectMultiple,
    )
    wards = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Ward names offered, one a line",
    )
    questions = forms.CharField(
        label="Free-text questions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line: question | Welsh question",
    )
    population = forms.CharField(
        label="Population to weight to",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One a line: dimension,category,population, e.g. age_band,30-44,61000 "
        "(dimensions: age_band, sex, ward). Ward populations come from the workspace's ward "
        "boundaries when none are given here.",
    )
    population_source = forms.CharField(required=False, max_length=300)
    opens_on = GovukDateField(label="Opens on")
    closes_on = GovukDateField(label="Closes on")
    verify_email = forms.BooleanField(
        required=False, label="Ask for an e-mail address and count only verified responses"
    )

    def clean_priorities(self) -> list[dict[str, str]]:
        out = []
        seen = set()
        for k, line in enumerate(_lines(self.cleaned_data["priorities"]), start=1):
            parts = [p.strip() for p in line.split("|")]
            key = re.sub(r"[^a-z0-9]+", "-", parts[0].lower()).strip("-")
            if not key or len(parts) < 2 or not parts[1]:
                raise forms.ValidationError(f"Line {k}: give a key and a title")
            if key in seen:
                raise forms.ValidationError(f"Line {k}: {key} is listed twice")
            seen.add(key)
            parts += [""] * (4 - len(parts))
            out.append(
                {"key": key, "title": parts[1], "title_cy": parts[2], "description": parts[3]}
            )
        if len(out) < 2:
            raise forms.ValidationError("List at least two priorities")
        return out

    def clean_wards(self) -> list[str]:
        return _lines(self.cleaned_data.get("wards", ""))

    def clean_questions(self) -> list[tuple[str, str]]:
        out = []
        for line in _lines(self.cleaned_data.get("questions", "")):
            text, _sep, welsh = line.partition("|")
            out.append((text.strip(), welsh.strip()))
        return out

    def clean_population(self) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for k, line in enumerate(_lines(self.cleaned_data.get("population", "")), start=1):
            parts = [p.strip() for p in line.split(",")]
            try:
                dim, cat, value = parts[0], ",".join(parts[1:-1]), float(parts[-1])
            except (ValueError, IndexError):
                raise forms.ValidationError(
                    f"Line {k}: use dimension,category,population"
                ) from None
            if len(parts) < 3 or dim not in {"age_band", "sex", "ward"} or value < 0:
                raise forms.ValidationError(
                    f"Line {k}: the dimension must be age_band, sex or ward, with a number"
                )
            out.setdefault(dim, {})[cat] = value
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", "The closing date must be on or after the opening date")
        priorities = data.get("priorities")
        if data.get("mode") == "top" and priorities and data.get("top_k", 3) >= len(priorities):
            self.add_error("top_k", "Choose fewer than the number of priorities")
        return data


class ReviewForm(GovukForm):
    decision = forms.ChoiceField(
        choices=[("accepted", "Accept: count it"), ("rejected", "Reject: do not count it")],
        widget=forms.RadioSelect,
    )


class ModerateForm(GovukForm):
    moderation = forms.ChoiceField(
        label="Decision", choices=models.FreeTextAnswer.Moderation.choices
    )
    masked = forms.CharField(
        label="Text that may be published", widget=forms.Textarea(attrs={"rows": 4})
    )
    quote = forms.ChoiceField(label="Quote", choices=models.FreeTextAnswer.Quote.choices)
    themes = forms.CharField(
        required=False, help_text="Themes, separated by commas (new ones are added)"
    )


class PublishResultsForm(GovukForm):
    summary = forms.CharField(
        label="Summary for the public",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the results say, in plain words",
    )
    summary_cy = forms.CharField(
        label="Summary in Welsh", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class MeetingForm(GovukForm):
    title = forms.CharField(max_length=200)
    date = GovukDateField(label="Date")
    place = forms.CharField(max_length=300)
    attendees = forms.IntegerField(
        label="Members of the public attending", required=False, min_value=0
    )
    attendance = forms.CharField(
        label="Responsible authorities",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One a line: authority | attended (yes or no)",
    )
    questions = forms.CharField(
        label="Questions raised and answers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One a line: question | answer",
    )

    def clean_attendance(self) -> list[dict[str, Any]]:
        out = []
        for k, line in enumerate(_lines(self.cleaned_data["attendance"]), start=1):
            name, _sep, went = line.partition("|")
            went = went.strip().lower()
            if not name.strip() or went not in {"yes", "no"}:
                raise forms.ValidationError(f"Line {k}: use authority | yes or authority | no")
            out.append({"authority": name.strip(), "attended": went == "yes"})
        return out

    def clean_questions(self) -> list[dict[str, str]]:
        out = []
        for k, line in enumerate(_lines(self.cleaned_data.get("questions", "")), start=1):
            q, _sep, a = line.partition("|")
            if not q.strip():
                raise forms.ValidationError(f"Line {k}: give the question")
            out.append({"question": q.strip(), "answer": a.strip()})
        return out


class YouSaidWeDidForm(GovukForm):
    you_said = forms.CharField(label="You said", widget=forms.Textarea(attrs={"rows": 3}))
    you_said_cy = forms.CharField(
        label="You said (Welsh)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    we_did = forms.CharField(label="We did", widget=forms.Textarea(attrs={"rows": 3}))
    we_did_cy = forms.CharField(
        label="We did (Welsh)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    priority = forms.CharField(label="Strategy priority (key)", required=False, max_length=80)


class DashboardForm(GovukForm):
    area = forms.CharField(
        required=False, max_length=200, help_text="Local authority shown (blank: all)"
    )
    threshold = forms.IntegerField(
        min_value=1,
        initial=10,
        help_text="Wards with fewer incidents than this show no count or rate",
    )
    show_strategy = forms.BooleanField(required=False, initial=True, label="Show strategy progress")
