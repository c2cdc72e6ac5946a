"""Case work on people in the database: cohorts, people, cases, meetings, actions, sharing.

Need-to-know is enforced in :mod:`.access`, never by a view alone. Nothing here names a person
in ``__str__``: the audit log writes ``str(record)`` into its summaries, and the log must never
carry a name (it outlives the record: see :mod:`.retention`). A person is "person 1a2b3c4d", a
case is its reference ("MARAC-7K3Q9X").
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from safercity.cases.config import CohortDefinition
from safercity.web.core.models import BaseModel


def _short(pk: Any) -> str:
    return str(pk).split("-")[0]


# --------------------------------------------------------------------------- cohorts


class Cohort(BaseModel):
    """A cohort of the partnership, configured by its YAML definition."""

    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=30)
    reference_prefix = models.CharField(max_length=6)
    #: the YAML as last loaded or edited (kept as written, comments included)
    definition_yaml = models.TextField()
    #: the checked definition (``CohortDefinition``), as JSON
    definition = models.JSONField()
    lead_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="cohorts_led"
    )
    agencies = models.ManyToManyField(
        "accounts.Agency", related_name="cohorts", help_text="member agencies"
    )
    share_with = models.ManyToManyField(
        "accounts.Agency", related_name="cohorts_shared_with", blank=True
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("short_name",)

    def __str__(self) -> str:
        return self.short_name

    @property
    def spec(self) -> CohortDefinition:
        """The checked definition (parsed once per saved version)."""
        key = (self.pk, self.updated_at)
        spec = _SPECS.get(key)
        if spec is None:
            spec = CohortDefinition.model_validate(self.definition)
            if len(_SPECS) > 256:
                _SPECS.clear()
            _SPECS[key] = spec
        return spec

    def form_fields(self, stage: str | None = None) -> list[Any]:
        return [f for f in self.spec.form if stage is None or f.stage == stage]


_SPECS: dict[tuple[Any, Any], CohortDefinition] = {}


class CohortMembership(BaseModel):
    """A user's place in a cohort: a member sees and works its cases; the chair also reads
    restricted answers, a person's access history, and is alerted to emergency access."""

    class Role(models.TextChoices):
        CHAIR = "chair", "Chair"
        MEMBER = "member", "Member"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        ordering = ("cohort__short_name", "role", "user__username")
        constraints = (
            models.UniqueConstraint(fields=("cohort", "user"), name="cases_one_membership"),
        )

    def __str__(self) -> str:
        return f"{self.user} in {self.cohort} ({self.role})"


class SharingAgreement(BaseModel):
    """An information-sharing agreement of the register."""

    title = models.CharField(max_length=200)
    purpose = models.TextField()
    legal_basis = models.TextField()
    categories = models.JSONField(default=list)
    parties = models.ManyToManyField("accounts.Agency", related_name="sharing_agreements")
    cohorts = models.ManyToManyField(Cohort, related_name="sharing_agreements")
    starts = models.DateField()
    review = models.DateField(null=True, blank=True)
    ends = models.DateField(null=True, blank=True)
    withdrawn = models.BooleanField(default=False)

    class Meta:
        ordering = ("title",)

    def __str__(self) -> str:
        return self.title


# --------------------------------------------------------------------------- people

SEX_CHOICES = [
    ("female", "Female"),
    ("male", "Male"),
    ("not_known", "Not known"),
]
GENDER_CHOICES = [
    ("woman", "Woman"),
    ("man", "Man"),
    ("non_binary", "Non-binary"),
    ("other", "Another gender identity"),
    ("not_known", "Not known"),
    ("prefer_not", "Prefers not to say"),
]
#: ONS 2021 Census ethnic groups (England and Wales), 19 categories in 5 groups
ETHNICITY_CHOICES = [
    (
        "Asian, Asian British or Asian Welsh",
        [
            ("asian_bangladeshi", "Bangladeshi"),
            ("asian_chinese", "Chinese"),
            ("asian_indian", "Indian"),
            ("asian_pakistani", "Pakistani"),
            ("asian_other", "Any other Asian background"),
        ],
    ),
    (
        "Black, Black British, Black Welsh, Caribbean or African",
        [
            ("black_african", "African"),
            ("black_caribbean", "Caribbean"),
            ("black_other", "Any other Black, Black British or Caribbean background"),
        ],
    ),
    (
        "Mixed or Multiple ethnic groups",
        [
            ("mixed_white_asian", "White and Asian"),
            ("mixed_white_black_african", "White and Black African"),
            ("mixed_white_black_caribbean", "White and Black Caribbean"),
            ("mixed_other", "Any other Mixed or Multiple ethnic background"),
        ],
    ),
    (
        "White",
        [
            ("white_british", "English, Welsh, Scottish, Northern Irish or British"),
            ("white_irish", "Irish"),
            ("white_gypsy_traveller", "Gypsy or Irish Traveller"),
            ("white_roma", "Roma"),
            ("white_other", "Any other White background"),
        ],
    ),
    (
        "Other ethnic group",
        [
            ("other_arab", "Arab"),
            ("other_any", "Any other ethnic group"),
        ],
    ),
    ("Not stated", [("not_stated", "Not stated")]),
]

#: the agency references a person can have, by the cohort field that collects each
REFERENCE_FIELDS = ("police_reference", "probation_reference", "nhs_number", "council_reference")
#: a person's details besides their names (each collected only by the cohorts that need it)
DETAIL_FIELDS = ("date_of_birth", "sex", "gender", "ethnicity", "phone", "email", *REFERENCE_FIELDS)


class PersonQuerySet(models.QuerySet["Person"]):
    def current(self) -> PersonQuerySet:
        """People not merged into another record."""
        return self.filter(merged_into__isnull=True)


class Person(BaseModel):
    """A person: a victim, an offender, a young person, a child in a household. Only the
    details the cohorts that hold them collect are asked for and shown."""

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=20, choices=SEX_CHOICES, blank=True, default="")
    gender = models.CharField(max_length=20, choices=GENDER_CHOICES, blank=True, default="")
    ethnicity = models.CharField(max_length=40, choices=ETHNICITY_CHOICES, blank=True, default="")
    phone = models.CharField(max_length=40, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    police_reference = models.CharField(max_length=40, blank=True, default="")
    probation_reference = models.CharField(max_length=40, blank=True, default="")
    nhs_number = models.CharField(max_length=12, blank=True, default="")
    council_reference = models.CharField(max_length=40, blank=True, default="")
    #: demo and test people are synthetic, and say so wherever they are shown
    synthetic = models.BooleanField(default=False)
    merged_into = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="merged_from"
    )
    #: the current address's postcode, standard form (duplicate search)
    postcode = models.CharField(max_length=8, blank=True, default="", db_index=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ("family_name", "given_name")
        indexes = (models.Index(fields=["date_of_birth"]),)

    def __str__(self) -> str:
        return f"person {_short(self.pk)}"

    @property
    def audit_subject(self) -> str:
        return str(self.pk)

    @property
    def reference(self) -> str:
        return _short(self.pk).upper()

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class PersonName(BaseModel):
    """A name a person is known by (their name, aliases, earlier names, other spellings),
    with the keys duplicate and name search use."""

    class Kind(models.TextChoices):
        PRIMARY = "primary", "Name"
        ALIAS = "alias", "Alias"
        PREVIOUS = "previous", "Previous name"
        SPELLING = "spelling", "Other spelling"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ALIAS)
    given_name = models.CharField(max_length=100, blank=True, default="")
    family_name = models.CharField(max_length=100)
    family_fold = models.CharField(max_length=100, db_index=True)
    family_sound = models.CharField(max_length=40, db_index=True)
    given_canonical = models.CharField(max_length=100, db_index=True)

    class Meta:
        ordering = ("kind", "family_name")

    def __str__(self) -> str:
        return f"{self.get_kind_display().lower()} of {self.person}"

    @property
    def audit_subject(self) -> str:
        return str(self.person_id)


class Address(BaseModel):
    class Kind(models.TextChoices):
        HOME = "home", "Home"
        TEMPORARY = "temporary", "Temporary"
        REFUGE = "refuge", "Refuge (confidential)"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.HOME)
    line1 = models.CharField("Address line 1", max_length=200)
    line2 = models.CharField("Address line 2", max_length=200, blank=True, default="")
    town = models.CharField("Town or city", max_length=100, blank=True, default="")
    postcode = models.CharField(max_length=8, blank=True, default="")
    moved_in = models.DateField(null=True, blank=True)
    moved_out = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("-moved_in",)

    def __str__(self) -> str:
        return f"address of {self.person}"

    @property
    def audit_subject(self) -> str:
        return str(self.person_id)


# --------------------------------------------------------------------------- cases


class Case(BaseModel):
    """A person in a cohort: the referral, its decision, the work and its end."""

    class Consent(models.TextChoices):
        GIVEN = "given", "Consent given"
        REFUSED = "refused", "Consent refused: proceeding on another legal basis"
        NOT_SOUGHT = "not_sought", "Consent not sought: proceeding on another legal basis"

    reference = models.CharField(max_length=20, unique=True)
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="cases")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=30, default="referred", db_index=True)
    # referral
    referred_on = models.DateField(db_index=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    referring_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="referrals"
    )
    referral_reason = models.TextField()
    consent = models.CharField(max_length=12, choices=Consent.choices)
    legal_basis = models.CharField(max_length=300, blank=True, default="")
    answers = models.JSONField(default=dict, blank=True)
    #: answers to questions restricted to health agencies and the chair, kept apart
    restricted_answers = models.JSONField(default=dict, blank=True)
    eligibility = models.CharField(max_length=20, blank=True, default="")
    # the work
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases_owned",
    )
    agencies = models.ManyToManyField("accounts.Agency", related_name="cases", blank=True)
    accepted_on = models.DateField(null=True, blank=True)
    last_reviewed_on = models.DateField(null=True, blank=True)
    next_review_on = models.DateField(null=True, blank=True, db_index=True)
    # the end
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True, default="")
    exit_plan = models.TextField(blank=True, default="")
    outcome = models.CharField(max_length=200, blank=True, default="")
    legal_hold = models.BooleanField(default=False)
    legal_hold_reason = models.CharField(max_length=300, blank=True, default="")
    synthetic = models.BooleanField(default=False)
    #: the packet a transferred case came in (``safercity cases transfer-import``)
    transferred_from = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ("-referred_on", "reference")
        indexes = (
            models.Index(fields=["cohort", "status", "next_review_on"]),
            # the case list's order within a cohort
            models.Index(fields=["cohort", "next_review_on", "reference"]),
        )

    def __str__(self) -> str:
        return self.reference

    @property
    def audit_subject(self) -> str:
        return str(self.person_id)

    @property
    def status_label(self) -> str:
        return self.cohort.spec.lifecycle.label(self.status)

    @property
    def is_open(self) -> bool:
        return self.cohort.spec.lifecycle.is_open(self.status)


class StatusChange(BaseModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=30, blank=True, default="")
    to_status = models.CharField(max_length=30)
    reason = models.TextField(blank=True, default="")
    on = models.DateField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("on", "created_at")

    def __str__(self) -> str:
        return f"{self.case}: {self.from_status or 'new'} to {self.to_status}"

    @property
    def audit_subject(self) -> str:
        return str(self.case.person_id)


class LinkedPerson(BaseModel):
    """Another person linked to a case: a child in the household, a perpetrator, a victim, an
    associate. They are seen through this case only."""

    class Relationship(models.TextChoices):
        CHILD = "child", "Child in the household"
        PERPETRATOR = "perpetrator", "Alleged perpetrator"
        VICTIM = "victim", "Victim"
        PARTNER = "partner", "Partner or ex-partner"
        SIBLING = "sibling", "Sibling"
        PARENT = "parent", "Parent or carer"
        ASSOCIATE = "associate", "Associate"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="linked_people")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="links")
    relationship = models.CharField(max_length=20, choices=Relationship.choices)

    class Meta:
        ordering = ("relationship",)
        constraints = (
            models.UniqueConstraint(fields=("case", "person"), name="cases_one_link_per_person"),
        )

    def __str__(self) -> str:
        return f"{self.get_relationship_display().lower()} linked to {self.case}"

    @property
    def audit_subject(self) -> str:
        return str(self.person_id)


class LinkedPlace(BaseModel):
    class Kind(models.TextChoices):
        HOME = "home", "Home"
        SCHOOL = "school", "School or college"
        HOTSPOT = "hotspot", "Place of concern"
        WORK = "work", "Work"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="linked_places")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.CharField(max_length=200)
    postcode = models.CharField(max_length=8, blank=True, default="")

    def __str__(self) -> str:
        return f"place linked to {self.case}"

    @property
    def audit_subject(self) -> str:
        return str(self.case.person_id)


# --------------------------------------------------------------------------- meetings


class Meeting(BaseModel):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField()
    time = models.TimeField()
    location = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)

    class Meta:
        ordering = ("date",)
        constraints = (
            models.UniqueConstraint(fields=("cohort", "date"), name="cases_one_meeting_a_day"),
        )

    def __str__(self) -> str:
        return f"{self.cohort} meeting on {self.date.isoformat()}"


class AgendaItem(BaseModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="agenda_items")
    reason = models.CharField(max_length=40)
    position = models.PositiveIntegerField(default=0)
    discussed = models.BooleanField(default=False)

    class Meta:
        ordering = ("position",)
        constraints = (
            models.UniqueConstraint(fields=("meeting", "case"), name="cases_case_once_an_agenda"),
        )

    def __str__(self) -> str:
        return f"{self.case} on the agenda of {self.meeting}"

    @property
    def audit_subject(self) -> str:
        return str(self.case.person_id)


class Attendance(BaseModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    attendee = models.CharField(max_length=200, blank=True, default="")
    present = models.BooleanField(default=True)

    class Meta:
        ordering = ("agency__name",)
        constraints = (
            models.UniqueConstraint(fields=("meeting", "agency"), name="cases_one_row_an_agency"),
        )

    def __str__(self) -> str:
        return f"{self.agency} at {self.meeting}"


class Minute(BaseModel):
    """What a meeting said and decided about one case."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="minutes")
    discussion = models.TextField()
    decisions = models.TextField(blank=True, default="")
    #: health information said at the meeting: health agencies and the chair only
    health_notes = models.TextField(blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ("meeting__date", "created_at")

    def __str__(self) -> str:
        return f"minute on {self.case}"

    @property
    def audit_subject(self) -> str:
        return str(self.case.person_id)


class Action(BaseModel):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="case_actions",
    )
    description = models.TextField()
    due_on = models.DateField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("due_on", "created_at")

    def __str__(self) -> str:
        return f"action {_short(self.pk)} on {self.case}"

    @property
    def audit_subject(self) -> str:
        return str(self.case.person_id)


# --------------------------------------------------------------------------- safeguards


class EmergencyAccess(BaseModel):
    """ "Break-glass" access: a user outside a cohort reads one case for a few hours, with a
    reason; the cohort's chairs are told."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="emergency_access"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="emergency_access")
    reason = models.TextField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"emergency access to {self.case}"

    @property
    def audit_subject(self) -> str:
        return str(self.case.person_id)


class PersonMerge(BaseModel):
    """Two records of one person made one, and what moved, so that it can be undone."""

    kept = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="merges_merged")
    moved = models.JSONField(default=dict)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"merge of {self.merged} into {self.kept}"

    @property
    def audit_subject(self) -> str:
        return str(self.kept_id)


class PossibleDuplicate(BaseModel):
    """A likely duplicate found (by an import), offered to the cohort's chair to merge."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reasons = models.CharField(max_length=300, blank=True, default="")
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ("-score",)

    def __str__(self) -> str:
        return f"possible duplicate of {self.person}"


class CaseStatistic(BaseModel):
    """What stays of an anonymised case: enough for the cohort's figures, nothing that
    identifies the person (months, not days; the agency, not the referrer)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="statistics")
    referred_month = models.DateField()
    referring_agency = models.CharField(max_length=200)
    accepted_month = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=30)
    ended_month = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True, default="")
    days_to_first_panel = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.cohort} statistic"


class Erasure(BaseModel):
    """The record that retention erased or anonymised a case: no personal data, only the
    pseudonymous references the audit log already holds."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="erasures")
    case_ref = models.CharField(max_length=64)
    person_ref = models.CharField(max_length=64)
    action = models.CharField(max_length=10)
    person_erased = models.BooleanField(default=False)
    rows = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.action} of case {self.case_ref}"
