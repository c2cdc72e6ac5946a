"""A partnership's strategy in the database: the strategy file's parts, plus delivery history.

The structure (partnership, bodies, strategy, priorities, outcomes, objectives, activities,
milestones, measures, budget) mirrors :mod:`safercity.strategy.model` one to one, so that a
strategy file loads into these tables and exports back unchanged (``key`` is the file's ``id``,
``position`` its order). Descriptive text that is only shown, never queried (narratives, quoted
evidence, the consultation) is kept as JSON in the file's own shape.

Delivery history is added by people through the web pages: progress updates, measure values,
spend against budget commitments (corrected by adjustments, never edited) and the meetings of
the governance bodies; all of it is also in the file format, so an export round-trips.

A strategy's annual refresh is a new :class:`Strategy` whose ``previous`` is the version it
refreshes: the old version is kept as it was, and each carried-over activity, milestone and
measure points back (``carried_from``) to the one it continues, whose history it shows.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from safercity.web.core.models import BaseModel

STATUS_CHOICES = [
    ("not_started", "Not started"),
    ("on_track", "On track"),
    ("at_risk", "At risk"),
    ("overdue", "Overdue"),
    ("complete", "Complete"),
]


class Keyed(BaseModel):
    """A part of the strategy file: its file ``key`` (id) and its ``position`` in the file."""

    key = models.SlugField(max_length=80)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ("position",)


class Partnership(BaseModel):
    name = models.CharField(max_length=200, unique=True)
    abbreviation = models.CharField(max_length=40, blank=True, default="")
    area = models.CharField(max_length=200)
    narrative = models.JSONField(default=list, blank=True)
    community_engagement = models.JSONField(default=list, blank=True)
    signatories = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Body(Keyed):
    """An agency, service or team (``category='agency'``) or a governance body (board,
    thematic subgroup, commissioning group, group): anything that can lead an activity.

    ``account_agencies`` are the agencies of the accounts (:class:`accounts.Agency`) whose
    action owners act for this body: they may update what it leads.
    """

    AGENCY = "agency"
    GOVERNANCE = "governance"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="bodies")
    category = models.CharField(
        max_length=12, choices=[(AGENCY, "Agency"), (GOVERNANCE, "Governance body")]
    )
    name = models.CharField(max_length=200)
    abbreviation = models.CharField(max_length=40, blank=True, default="")
    other_names = models.JSONField(default=list, blank=True)
    member = models.BooleanField(default=False)
    kind = models.CharField(max_length=30, blank=True, default="")
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    chair = models.CharField(max_length=200, blank=True, default="")
    remit = models.TextField(blank=True, default="")
    notes = models.TextField(blank=True, default="")
    members = models.JSONField(default=list, blank=True, help_text="Agency keys, in order.")
    account_agencies = models.ManyToManyField(
        "accounts.Agency", blank=True, related_name="strategy_bodies"
    )

    class Meta:
        ordering = ("category", "position")
        constraints = (
            models.UniqueConstraint(fields=("partnership", "key"), name="strategy_body_key"),
        )

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        return self.kind.replace("_", " ") if self.kind else "agency"


class Strategy(BaseModel):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="strategies"
    )
    title = models.CharField(max_length=300)
    period_start = models.PositiveIntegerField()
    period_end = models.PositiveIntegerField()
    refreshed_annually = models.BooleanField(default=True)
    review = models.TextField(blank=True, default="")
    introduction = models.JSONField(default=list, blank=True)
    cross_cutting = models.JSONField(default=list, blank=True)
    enablers = models.JSONField(default=list, blank=True)
    evidence = models.JSONField(default=list, blank=True)
    consultation = models.JSONField(null=True, blank=True)
    format_version = models.PositiveSmallIntegerField(default=1)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="refreshes",
        help_text="The version this one refreshes.",
    )
    refresh = models.JSONField(
        null=True, blank=True, help_text="The refresh record: year, date, changes, you said we did."
    )

    class Meta:
        ordering = ("-period_start", "-created_at")
        constraints = (
            models.UniqueConstraint(fields=("partnership", "title"), name="strategy_title"),
        )

    def __str__(self) -> str:
        return f"{self.partnership.name}: {self.title}"


class Priority(Keyed):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="priorities")
    title = models.CharField(max_length=300)
    commitment = models.TextField(blank=True, default="")
    quote = models.JSONField(null=True, blank=True)
    narrative = models.JSONField(default=list, blank=True)
    evidence = models.JSONField(default=list, blank=True)
    approaches = models.JSONField(default=list, blank=True)
    lead = models.JSONField(default=list, blank=True, help_text="Body keys, in order.")
    has_action_plan = models.BooleanField(default=False)
    action_plan_title = models.CharField(max_length=300, blank=True, default="")
    action_plan_note = models.TextField(blank=True, default="")

    class Meta(Keyed.Meta):
        constraints = (
            models.UniqueConstraint(fields=("strategy", "key"), name="strategy_priority_key"),
        )

    def __str__(self) -> str:
        return self.title


class Outcome(Keyed):
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="outcomes")
    text = models.TextField()
    lead = models.JSONField(default=list, blank=True, help_text="Body keys, in order.")
    narrative = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return self.text


class Objective(Keyed):
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="objectives")
    title = models.TextField()

    def __str__(self) -> str:
        return self.title


class Activity(Keyed):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="activities")
    text = models.TextField()
    lead_support_as_written = models.TextField(blank=True, default="")
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_to"
    )
    bodies = models.ManyToManyField(Body, through="ActivityBody", related_name="activities")

    class Meta(Keyed.Meta):
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.key

    @property
    def title(self) -> str:
        """A short title: the activity's first sentence (at most 90 characters)."""
        return short_title(self.text)

    def leads(self) -> list[Body]:
        return [ab.body for ab in self.roles.all() if ab.role == ActivityBody.LEAD]

    def supports(self) -> list[Body]:
        return [ab.body for ab in self.roles.all() if ab.role == ActivityBody.SUPPORT]


class ActivityBody(BaseModel):
    """A lead or support body of an activity, in the order the document names them."""

    LEAD = "lead"
    SUPPORT = "support"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="roles")
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=8, choices=[(LEAD, "Lead"), (SUPPORT, "Support")])
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("role", "position")
        constraints = (
            models.UniqueConstraint(fields=("activity", "body"), name="strategy_activity_body"),
        )

    def __str__(self) -> str:
        return f"{self.body} ({self.role})"


class Milestone(Keyed):
    """A milestone of an activity, or of a priority's action plan itself (``priority``)."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, null=True, blank=True, related_name="milestones"
    )
    priority = models.ForeignKey(
        Priority, on_delete=models.CASCADE, null=True, blank=True, related_name="plan_milestones"
    )
    text = models.TextField()
    due = models.DateField(null=True, blank=True)
    due_as_written = models.CharField(max_length=100, blank=True, default="")
    start = models.DateField(null=True, blank=True)
    start_as_written = models.CharField(max_length=100, blank=True, default="")
    until = models.DateField(null=True, blank=True)
    until_as_written = models.CharField(max_length=100, blank=True, default="")
    recurrence = models.CharField(max_length=100, blank=True, default="")
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_to"
    )

    class Meta(Keyed.Meta):
        constraints = (
            models.CheckConstraint(
                condition=(
                    models.Q(activity__isnull=False, priority__isnull=True)
                    | models.Q(activity__isnull=True, priority__isnull=False)
                ),
                name="strategy_milestone_one_parent",
            ),
        )

    def __str__(self) -> str:
        return self.text

    @property
    def owner_priority(self) -> Priority:
        return self.priority if self.activity_id is None else self.activity.objective.priority


class Measure(Keyed):
    ANALYTICS = "analytics"
    CASES = "cases"
    OWNER_ENTERED = "owner_entered"
    COMPUTED = (ANALYTICS, CASES)

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, null=True, blank=True, related_name="measures"
    )
    outcome = models.ForeignKey(
        Outcome, on_delete=models.CASCADE, null=True, blank=True, related_name="measures"
    )
    description = models.TextField()
    as_written = models.TextField()
    unit = models.CharField(max_length=100)
    direction = models.CharField(max_length=10, blank=True, default="")
    indicator = models.CharField(max_length=200, blank=True, default="")
    baseline = models.JSONField(null=True, blank=True)
    target = models.FloatField(null=True, blank=True)
    target_upper = models.FloatField(null=True, blank=True)
    target_relative = models.JSONField(
        null=True, blank=True, help_text='{"times": 2} or {"percent": -5}'
    )
    targets = models.JSONField(default=list, blank=True, help_text="Targets by year.")
    values_are = models.CharField(
        max_length=10,
        choices=[("cumulative", "Cumulative (total so far)"), ("period", "For the period")],
        default="cumulative",
    )
    due = models.DateField(null=True, blank=True)
    due_as_written = models.CharField(max_length=100, blank=True, default="")
    source_kind = models.CharField(
        max_length=15,
        choices=[
            (ANALYTICS, "SaferCity analytics"),
            (CASES, "Case work figures"),
            (OWNER_ENTERED, "Entered by the owner"),
        ],
    )
    query = models.JSONField(
        null=True,
        blank=True,
        help_text="The analytics query, or the cohort, statistic and period of case work figures.",
    )
    owner = models.ForeignKey(
        Body, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_measures"
    )
    source_evidence = models.TextField(blank=True, default="")
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_to"
    )

    class Meta(Keyed.Meta):
        constraints = (
            models.CheckConstraint(
                condition=(
                    models.Q(activity__isnull=False, outcome__isnull=True)
                    | models.Q(activity__isnull=True, outcome__isnull=False)
                ),
                name="strategy_measure_one_parent",
            ),
        )

    def __str__(self) -> str:
        return self.description

    @property
    def owner_priority(self) -> Priority:
        return (
            self.outcome.priority if self.activity_id is None else self.activity.objective.priority
        )


class MeasureValue(BaseModel):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="values")
    date = models.DateField()
    value = models.FloatField()
    entered_by = models.CharField(max_length=200, blank=True, default="")
    evidence = models.TextField(blank=True, default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "date")

    def __str__(self) -> str:
        return f"{self.value:g} on {self.date:%d %B %Y}"


class ProgressUpdate(BaseModel):
    """One update on an activity, a milestone or a measure. Kept as history, never edited."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, null=True, blank=True, related_name="updates"
    )
    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, null=True, blank=True, related_name="updates"
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, null=True, blank=True, related_name="updates"
    )
    date = models.DateField()
    author = models.CharField(max_length=200)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=STATUS_CHOICES)
    narrative = models.TextField()
    evidence = models.TextField(blank=True, default="")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "date")
        constraints = (
            models.CheckConstraint(
                condition=(
                    models.Q(activity__isnull=False, milestone__isnull=True, measure__isnull=True)
                    | models.Q(activity__isnull=True, milestone__isnull=False, measure__isnull=True)
                    | models.Q(activity__isnull=True, milestone__isnull=True, measure__isnull=False)
                ),
                name="strategy_update_one_target",
            ),
        )

    def __str__(self) -> str:
        return f"update of {self.date:%d %B %Y} by {self.author}"

    @property
    def target(self) -> Any:
        return self.activity or self.milestone or self.measure


class FundingSource(Keyed):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="funding_sources")
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=20)
    provider = models.ForeignKey(
        Body, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True, default="")

    def __str__(self) -> str:
        return self.name


class BudgetCommitment(Keyed):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="commitments")
    priority = models.ForeignKey(
        Priority, on_delete=models.SET_NULL, null=True, blank=True, related_name="commitments"
    )
    funding_source = models.ForeignKey(
        FundingSource, on_delete=models.CASCADE, related_name="commitments"
    )
    amount_gbp = models.PositiveBigIntegerField()
    at_least = models.BooleanField(default=False)
    purpose = models.TextField()
    profile = models.JSONField(
        default=list, blank=True, help_text="Planned spend by year: [{year, amount_gbp, quarters}]"
    )

    def __str__(self) -> str:
        return f"£{self.amount_gbp:,} from {self.funding_source}"


class Spend(BaseModel):
    """Money spent against a budget commitment, on a day (and on an activity). Entries are
    never edited: a correction is an adjustment (``corrects``, with a ``reason``) dated when it
    is made, so a report as at an earlier day is unchanged."""

    key = models.SlugField(max_length=80)
    commitment = models.ForeignKey(BudgetCommitment, on_delete=models.CASCADE, related_name="spend")
    activity = models.ForeignKey(
        Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="spend"
    )
    date = models.DateField()
    amount_gbp = models.BigIntegerField()
    description = models.TextField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_by_name = models.CharField(max_length=200, blank=True, default="")
    corrects = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="adjustments"
    )
    reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ("date", "created_at")

    def __str__(self) -> str:
        word = "adjustment" if self.corrects_id else "spent"
        return f"£{self.amount_gbp:,} {word} on {self.date:%d %B %Y}"


class Meeting(BaseModel):
    """A meeting of a governance body: its date, papers, decisions and actions."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="meetings")
    key = models.SlugField(max_length=80)
    date = models.DateField()
    title = models.CharField(max_length=300, blank=True, default="")
    decisions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ("-date", "-created_at")

    def __str__(self) -> str:
        return f"{self.body.name}, {self.date.day} {self.date:%B %Y}"


class MeetingPaper(BaseModel):
    """A paper of a meeting. The board report is kept as it was when attached (``html``)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=300)
    board_report_as_at = models.DateField(null=True, blank=True)
    link = models.CharField(max_length=500, blank=True, default="")
    html = models.TextField(blank=True, default="", help_text="The board report as attached.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "created_at")

    def __str__(self) -> str:
        return self.title


class MeetingAction(BaseModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    text = models.TextField()
    owner = models.ForeignKey(
        Body, on_delete=models.SET_NULL, null=True, blank=True, related_name="meeting_actions"
    )
    due = models.DateField(null=True, blank=True)
    done = models.DateField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "created_at")

    def __str__(self) -> str:
        return self.text


def short_title(text: str, limit: int = 90) -> str:
    """The first sentence of a text, cut at a word to ``limit`` characters."""
    first = " ".join(text.split())
    for stop in (". ", ": ", "; "):
        if stop in first:
            first = first.split(stop, 1)[0]
    first = first.rstrip(".:;")
    if len(first) <= limit:
        return first
    return first[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
