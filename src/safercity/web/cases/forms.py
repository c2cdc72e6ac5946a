"""Forms of case work. The person and referral forms are built from the cohort's definition:
only the person details the cohort collects, and its own questions."""

from __future__ import annotations

from typing import Any

from django import forms

from safercity.cases.config import PERSON_FIELDS, FormField
from safercity.web.accounts.models import Agency, User
from safercity.web.core.forms import GovukDateField, GovukForm

from .models import (
    ETHNICITY_CHOICES,
    GENDER_CHOICES,
    SEX_CHOICES,
    Address,
    Case,
    Cohort,
    CohortMembership,
    LinkedPerson,
    LinkedPlace,
    PersonName,
)

YES_NO = [("", "Not known"), ("yes", "Yes"), ("no", "No")]


def _select(choices: list[Any], first: str = "Not recorded") -> list[Any]:
    return [("", first), *choices]


class PersonSearchForm(GovukForm):
    """Finding a person: sent by POST, so no name is ever in an address or a server log."""

    given_name = forms.CharField(label="Given name", required=False, max_length=100)
    family_name = forms.CharField(label="Family name", required=False, max_length=100)
    date_of_birth = GovukDateField(label="Date of birth (optional)", required=False)
    postcode = forms.CharField(label="Postcode (optional)", required=False, max_length=10)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("family_name") or data.get("given_name") or data.get("date_of_birth")):
            raise forms.ValidationError("Enter a name or a date of birth to search for")
        return data


class PersonForm(GovukForm):
    """A person's details: names always; the rest only as the cohort(s) collect them."""

    given_name = forms.CharField(
        label="Given name(s)", max_length=100, error_messages={"required": "Enter the given name"}
    )
    family_name = forms.CharField(
        label="Family name", max_length=100, error_messages={"required": "Enter the family name"}
    )
    date_of_birth = GovukDateField(label="Date of birth", required=False)
    sex = forms.ChoiceField(label="Sex", choices=_select(SEX_CHOICES), required=False)
    gender = forms.ChoiceField(
        label="Gender identity", choices=_select(GENDER_CHOICES), required=False
    )
    ethnicity = forms.ChoiceField(
        label="Ethnic group (ONS 2021 categories)",
        choices=_select(ETHNICITY_CHOICES),
        required=False,
    )
    phone = forms.CharField(label="Telephone", required=False, max_length=40)
    email = forms.EmailField(label="Email address", required=False)
    police_reference = forms.CharField(
        label="Police reference (PNC or CRIS)", required=False, max_length=40
    )
    probation_reference = forms.CharField(
        label="Probation case reference (CRN)", required=False, max_length=40
    )
    nhs_number = forms.RegexField(
        label="NHS number",
        regex=r"^\d{3} ?\d{3} ?\d{4}$",
        required=False,
        error_messages={"invalid": "Enter the NHS number as 10 digits, like 485 777 3456"},
    )
    council_reference = forms.CharField(label="Council reference", required=False, max_length=40)

    def __init__(self, *args: Any, collects: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name in PERSON_FIELDS and name not in collects:
                del self.fields[name]

    def clean_nhs_number(self) -> str:
        return str(self.cleaned_data.get("nhs_number") or "").replace(" ", "")


class AddressForm(GovukForm):
    kind = forms.ChoiceField(label="Kind of address", choices=Address.Kind.choices)
    line1 = forms.CharField(
        label="Address line 1", max_length=200, error_messages={"required": "Enter address line 1"}
    )
    line2 = forms.CharField(label="Address line 2 (optional)", required=False, max_length=200)
    town = forms.CharField(label="Town or city", required=False, max_length=100)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    moved_in = GovukDateField(label="Moved in (optional)", required=False)

    def clean_postcode(self) -> str:
        from safercity.cases import names

        text = str(self.cleaned_data.get("postcode") or "").strip()
        if text and names.postcode(text) is None:
            raise forms.ValidationError("Enter a real postcode, like SW1E 6QP")
        code = names.postcode(text)
        return code.text if code else ""


class NameForm(GovukForm):
    kind = forms.ChoiceField(
        label="Kind of name",
        choices=[c for c in PersonName.Kind.choices if c[0] != PersonName.Kind.PRIMARY],
    )
    given_name = forms.CharField(label="Given name", required=False, max_length=100)
    family_name = forms.CharField(
        label="Family name", max_length=100, error_messages={"required": "Enter the family name"}
    )


# --------------------------------------------------------------------------- cohort questions


def question(spec: FormField) -> forms.Field:
    """A Django form field for one of the cohort's questions."""
    common: dict[str, Any] = {
        "label": spec.label,
        "required": spec.required,
        "help_text": spec.hint,
    }
    if spec.required:
        common["error_messages"] = {"required": f"Enter {spec.label[0].lower()}{spec.label[1:]}"}
    if spec.type == "text":
        return forms.CharField(max_length=500, **common)
    if spec.type == "long_text":
        return forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), **common)
    if spec.type == "integer":
        return forms.IntegerField(
            min_value=int(spec.min) if spec.min is not None else None,
            max_value=int(spec.max) if spec.max is not None else None,
            **common,
        )
    if spec.type == "number":
        return forms.FloatField(min_value=spec.min, max_value=spec.max, **common)
    if spec.type == "date":
        return GovukDateField(**common)
    if spec.type == "yes_no":
        return forms.TypedChoiceField(
            choices=YES_NO,
            coerce=lambda v: v == "yes",
            empty_value=None,
            **{**common, "error_messages": {"required": f"Select whether {spec.label.lower()}"}},
        )
    if spec.type == "choice":
        return forms.ChoiceField(
            choices=_select([(c.value, c.label) for c in spec.choices], "Select"), **common
        )
    return forms.MultipleChoiceField(
        choices=[(c.value, c.label) for c in spec.choices],
        widget=forms.CheckboxSelectMultiple,
        **common,
    )


def initial_answer(spec: FormField, value: Any) -> Any:
    if spec.type == "yes_no" and isinstance(value, bool):
        return "yes" if value else "no"
    return value


class ReferralForm(GovukForm):
    referred_on = GovukDateField(label="Date of referral")
    referring_agency = forms.ModelChoiceField(
        label="Referring agency",
        queryset=Agency.objects.none(),
        empty_label="Select an agency",
        error_messages={"required": "Select the referring agency"},
    )
    referral_reason = forms.CharField(
        label="Why is this person referred?",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": "Enter why the person is referred"},
    )
    consent = forms.ChoiceField(label="Consent", choices=Case.Consent.choices)
    legal_basis = forms.ChoiceField(
        label="Legal basis used without consent",
        required=False,
        help_text="Needed when consent was refused or not sought",
    )

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        spec = cohort.spec
        self.cohort = cohort
        self.fields["referring_agency"].queryset = cohort.agencies.all()  # type: ignore[attr-defined]
        if spec.consent.approach == "required":
            self.fields["consent"].choices = [(Case.Consent.GIVEN, "Consent given")]
        if spec.consent.approach == "not_sought":
            self.fields["consent"].initial = Case.Consent.NOT_SOUGHT
        bases = spec.consent.without_consent or [spec.legal_basis.lawful_basis]
        self.fields["legal_basis"].choices = _select(
            [(b, b) for b in bases], "Select a legal basis"
        )
        self.questions = [f for f in spec.form if f.stage == "referral"]
        for q in self.questions:
            self.fields[f"q_{q.key}"] = question(q)
        _style_again(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("consent")
            and data["consent"] != Case.Consent.GIVEN
            and not data.get("legal_basis")
        ) and self.cohort.spec.consent.approach == "sought":
            self.add_error("legal_basis", "Select the legal basis used without consent")
        return data

    def answers(self) -> dict[str, Any]:
        return {q.key: self.cleaned_data.get(f"q_{q.key}") for q in self.questions}


def _style_again(form: GovukForm) -> None:
    from safercity.web.core.forms import _style

    _style(form)


class AnswersForm(GovukForm):
    """The cohort's questions on a case (restricted ones only for those who may read them)."""

    def __init__(self, *args: Any, case: Case, restricted: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = [q for q in case.cohort.spec.form if restricted or not q.restricted]
        stored = {**case.answers, **(case.restricted_answers if restricted else {})}
        for q in self.questions:
            self.fields[f"q_{q.key}"] = question(q)
            self.fields[f"q_{q.key}"].required = False
            if not self.is_bound and q.key in stored:
                self.initial[f"q_{q.key}"] = initial_answer(q, stored[q.key])
        _style_again(self)

    def answers(self) -> dict[str, Any]:
        return {q.key: self.cleaned_data.get(f"q_{q.key}") for q in self.questions}


class StatusForm(GovukForm):
    status = forms.ChoiceField(
        label="New status", error_messages={"required": "Select the new status"}
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Needed to decline or close a case",
    )
    exit_plan = forms.CharField(
        label="Exit plan",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="Needed to close a case: who does what next",
    )
    outcome = forms.ChoiceField(label="Outcome (when closing)", required=False)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        life = case.cohort.spec.lifecycle
        self.fields["status"].choices = _select(
            [(s, life.label(s)) for s in life.next_statuses(case.status)], "Select"
        )
        self.fields["outcome"].choices = _select(
            [(o, o) for o in case.cohort.spec.outcomes], "Select"
        )
        reasons = case.cohort.spec.decline_reasons + case.cohort.spec.closure_reasons
        self.fields["reason"].help_text += ". For example: " + "; ".join(reasons[:3])


class OwnerForm(GovukForm):
    owner = forms.ModelChoiceField(
        label="Case owner", queryset=User.objects.none(), required=False, empty_label="No owner"
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            cohort_memberships__cohort=case.cohort, is_active=True
        ).order_by("last_name")


class AgencyForm(GovukForm):
    agency = forms.ModelChoiceField(
        label="Agency to involve", queryset=Agency.objects.none(), empty_label="Select an agency"
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = case.cohort.agencies.exclude(  # type: ignore[attr-defined]
            pk__in=case.agencies.values("pk")
        )


class LinkPersonForm(GovukForm):
    relationship = forms.ChoiceField(
        label="Relationship to the case", choices=LinkedPerson.Relationship.choices
    )
    given_name = forms.CharField(
        label="Given name", max_length=100, error_messages={"required": "Enter the given name"}
    )
    family_name = forms.CharField(
        label="Family name", max_length=100, error_messages={"required": "Enter the family name"}
    )
    date_of_birth = GovukDateField(label="Date of birth (optional)", required=False)


class LinkPlaceForm(GovukForm):
    kind = forms.ChoiceField(label="Kind of place", choices=LinkedPlace.Kind.choices)
    description = forms.CharField(
        label="Place", max_length=200, error_messages={"required": "Describe the place"}
    )
    postcode = forms.CharField(label="Postcode (optional)", required=False, max_length=10)


class ActionForm(GovukForm):
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.none(),
        empty_label="Select an agency",
        error_messages={"required": "Select the agency"},
    )
    owner = forms.ModelChoiceField(
        label="Owner (optional)",
        queryset=User.objects.none(),
        required=False,
        empty_label="No named owner",
    )
    description = forms.CharField(
        label="Action",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter the action"},
    )
    due_on = GovukDateField(label="Due date")

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = case.cohort.agencies.all()  # type: ignore[attr-defined]
        self.fields["owner"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            cohort_memberships__cohort=case.cohort, is_active=True
        ).order_by("last_name")


class MinuteForm(GovukForm):
    discussion = forms.CharField(
        label="Discussion",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        error_messages={"required": "Enter what was discussed"},
    )
    decisions = forms.CharField(
        label="Decisions (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    health_notes = forms.CharField(
        label="Health information (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="Seen only by health agencies and the chair",
    )

    def __init__(self, *args: Any, restricted: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not restricted:
            del self.fields["health_notes"]


class AttendanceForm(GovukForm):
    def __init__(
        self,
        *args: Any,
        agencies: list[Agency],
        present: dict[Any, tuple[str, bool]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.agencies = agencies
        for a in agencies:
            attendee, here = present.get(a.pk, ("", False))
            self.fields[f"present_{a.pk}"] = forms.BooleanField(
                label=f"{a.name} attended", required=False, initial=here
            )
            self.fields[f"attendee_{a.pk}"] = forms.CharField(
                label=f"Who attended for {a.name} (optional)",
                required=False,
                max_length=200,
                initial=attendee,
            )
        _style_again(self)

    def rows(self) -> list[tuple[Agency, str, bool]]:
        return [
            (
                a,
                self.cleaned_data.get(f"attendee_{a.pk}", ""),
                bool(self.cleaned_data.get(f"present_{a.pk}")),
            )
            for a in self.agencies
        ]


class DisclosureForm(GovukForm):
    """Any disclosure states its purpose and recipient (DPA 2018 s.62)."""

    purpose = forms.CharField(
        label="Purpose",
        max_length=300,
        help_text="Why the case is disclosed, for example 'court bundle for a non-molestation order'. "
        "Do not write names or other personal details here: this goes into the audit log.",
        error_messages={"required": "Enter the purpose of the disclosure"},
    )
    recipient = forms.CharField(
        label="Recipient",
        max_length=300,
        help_text="Who receives it: an agency or a role",
        error_messages={"required": "Enter who receives it"},
    )
    format = forms.ChoiceField(
        label="Format",
        choices=[("pdf", "PDF (to read or print)"), ("json", "JSON (for another system)")],
    )


class TransferForm(GovukForm):
    recipient = forms.ModelChoiceField(
        label="Partnership receiving the case",
        queryset=Agency.objects.none(),
        empty_label="Select",
        error_messages={"required": "Select who receives the case"},
    )
    purpose = forms.CharField(
        label="Purpose",
        max_length=300,
        initial="Transfer of the case to the area the person has moved to",
        help_text="Do not write names or other personal details here: this goes into the audit log.",
    )

    def __init__(self, *args: Any, recipients: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = Agency.objects.filter(pk__in=[a.pk for a in recipients])  # type: ignore[attr-defined]


class HoldForm(GovukForm):
    hold = forms.BooleanField(label="Keep this case under legal hold", required=False)
    reason = forms.CharField(
        label="Reason for the hold",
        required=False,
        max_length=300,
        help_text="For example, a domestic homicide review or litigation",
    )


class EmergencyForm(GovukForm):
    reference = forms.CharField(
        label="Case reference",
        max_length=20,
        help_text="For example, MARAC-7K3Q9X",
        error_messages={"required": "Enter the case reference"},
    )
    reason = forms.CharField(
        label="Why do you need this case now?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="The cohort's chair is told at once, with your reason",
        error_messages={"required": "Enter why you need emergency access"},
    )


class SubjectAccessForm(GovukForm):
    requested_by = forms.CharField(
        label="Who made the request",
        max_length=300,
        initial="The data subject",
        help_text="The data subject, or their representative (by role, not name)",
    )


class MembershipForm(GovukForm):
    user = forms.ModelChoiceField(
        label="User",
        queryset=User.objects.none(),
        empty_label="Select a user",
        error_messages={"required": "Select a user"},
    )
    role = forms.ChoiceField(label="Role in the cohort", choices=CohortMembership.Role.choices)

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(is_active=True).order_by(
            "last_name", "username"
        )  # type: ignore[attr-defined]
        self.cohort = cohort

    def clean_user(self) -> User:
        user: User = self.cleaned_data["user"]
        if not user.agency_id or not self.cohort.agencies.filter(pk=user.agency_id).exists():
            raise forms.ValidationError(
                f"{user} works for {user.agency or 'no agency'}, which is not a member agency of the "
                f"{self.cohort.short_name}"
            )
        return user


class DefinitionForm(GovukForm):
    definition = forms.CharField(
        label="Cohort definition (YAML)",
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}),
        max_length=200_000,
        help_text="docs/cases.md describes every key",
    )


class AgreementForm(GovukForm):
    title = forms.CharField(label="Title", max_length=200)
    purpose = forms.CharField(
        label="Purpose", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    legal_basis = forms.CharField(
        label="Legal basis",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="For example, Crime and Disorder Act 1998 s.115; UK GDPR article 6(1)(e)",
    )
    categories = forms.MultipleChoiceField(label="Data shared", widget=forms.CheckboxSelectMultiple)
    parties = forms.ModelMultipleChoiceField(
        label="Parties", queryset=Agency.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    cohorts = forms.ModelMultipleChoiceField(
        label="Cohorts covered", queryset=Cohort.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    starts = GovukDateField(label="In force from")
    review = GovukDateField(label="Review date", required=False)
    ends = GovukDateField(label="Ends (optional)", required=False)
    withdrawn = forms.BooleanField(label="Withdrawn", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from safercity.cases.sharing import CATEGORIES

        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = list(CATEGORIES.items())  # type: ignore[attr-defined]
        _style_again(self)
