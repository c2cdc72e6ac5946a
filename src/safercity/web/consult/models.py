"""Consultations, the responses to them, and what the partnership publishes to the public.

Everything the public sees is approved by an officer first (approve-then-publish): a
consultation's form (``published_at``), its results (``results_published_at``), each quote
(``FreeTextAnswer.quote``), each "You said, we did" entry, each public meeting and the public
dashboard. A response and its free text are personal data (Crime and Disorder Regulations 2007,
reg. 12 consultation; UK GDPR): views and changes are audited, and e-mail addresses are erased
once used.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone, translation

from safercity.web.core.models import BaseModel

#: the options of the questions about the respondent (stored values; labels are translated
#: in forms.py)
AGE_BANDS = ("under-16", "16-29", "30-44", "45-64", "65+", "prefer-not-to-say")
SEXES = ("female", "male", "other", "prefer-not-to-say")
ETHNICITIES = ("white", "mixed", "asian", "black", "other", "prefer-not-to-say")
CONNECTIONS = ("live", "work", "study", "visit")
DISABILITY = ("yes", "no", "prefer-not-to-say")
ABOUT_YOU = (
    "ward",
    "postcode_district",
    "age_band",
    "sex",
    "ethnicity",
    "connection",
    "disability",
)


def _welsh() -> bool:
    return (translation.get_language() or "").startswith("cy")


def _localised(obj: Any, name: str) -> str:
    welsh = getattr(obj, f"{name}_cy", "")
    return str(welsh if _welsh() and welsh else getattr(obj, name))


class Approval(models.Model):
    """Who approved an item for the public, and when (None: not public)."""

    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def approved(self) -> bool:
        return self.approved_at is not None


class Consultation(BaseModel):
    class Mode(models.TextChoices):
        RANK_ALL = "all", "Rank all the priorities"
        TOP_K = "top", "Choose and rank the top 3"

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    title_cy = models.CharField("Title in Welsh", max_length=200, blank=True, default="")
    area = models.CharField(
        max_length=200, blank=True, default="", help_text="Local authority, e.g. Westminster"
    )
    introduction = models.TextField()
    introduction_cy = models.TextField("Introduction in Welsh", blank=True, default="")
    privacy_notice = models.TextField()
    privacy_notice_cy = models.TextField("Privacy notice in Welsh", blank=True, default="")
    mode = models.CharField(max_length=4, choices=Mode.choices, default=Mode.RANK_ALL)
    top_k = models.PositiveSmallIntegerField(default=3)
    opens_on = models.DateField()
    closes_on = models.DateField()
    about_you = models.JSONField(
        default=list, blank=True, help_text="The optional questions about the respondent asked"
    )
    wards = models.JSONField(default=list, blank=True, help_text="Ward names offered")
    verify_email = models.BooleanField(
        default=False, help_text="Ask for an e-mail address and count only verified responses"
    )
    source = models.CharField(
        max_length=200, blank=True, default="", help_text="Where the priorities came from"
    )
    population = models.JSONField(
        default=dict, blank=True, help_text="{dimension: {category: population}} to weight to"
    )
    population_source = models.CharField(max_length=300, blank=True, default="")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    results_published_at = models.DateTimeField(null=True, blank=True)
    results_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    results_summary = models.TextField(blank=True, default="")
    results_summary_cy = models.TextField(blank=True, default="")
    synthetic = models.BooleanField(
        default=False, help_text="A demonstration with SYNTHETIC responses"
    )

    class Meta:
        ordering = ("-opens_on", "title")

    def __str__(self) -> str:
        return self.title

    @property
    def public_title(self) -> str:
        return _localised(self, "title")

    @property
    def public_introduction(self) -> str:
        return _localised(self, "introduction")

    @property
    def public_privacy_notice(self) -> str:
        return _localised(self, "privacy_notice")

    @property
    def public_results_summary(self) -> str:
        return _localised(self, "results_summary")

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def is_open(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_published and self.opens_on <= today <= self.closes_on

    def is_closed(self, today: dt.date | None = None) -> bool:
        return self.is_published and (today or timezone.localdate()) > self.closes_on

    @property
    def ranks_all(self) -> bool:
        return self.mode == self.Mode.RANK_ALL


class ConsultationPriority(BaseModel):
    """A priority to rank. ``key`` is the theme or strategy priority name (what the assessment
    matches), ``position`` the order shown."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="priorities"
    )
    key = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    title_cy = models.CharField(max_length=200, blank=True, default="")
    description = models.TextField(blank=True, default="")
    description_cy = models.TextField(blank=True, default="")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "title")
        constraints = (
            models.UniqueConstraint(fields=("consultation", "key"), name="consult_priority_key"),
        )

    def __str__(self) -> str:
        return self.title

    @property
    def public_title(self) -> str:
        return _localised(self, "title")

    @property
    def public_description(self) -> str:
        return _localised(self, "description")


class FreeTextQuestion(BaseModel):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="questions"
    )
    text = models.CharField(max_length=300)
    text_cy = models.CharField(max_length=300, blank=True, default="")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position",)

    def __str__(self) -> str:
        return self.text

    @property
    def public_text(self) -> str:
        return _localised(self, "text")


class Response(BaseModel):
    """One person's answers. ``status``: accepted (counted), flagged (held for an officer:
    a duplicate, the honeypot, an unverified e-mail) or rejected (an officer decided)."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        FLAGGED = "flagged", "Flagged for review"
        REJECTED = "rejected", "Rejected"

    class Channel(models.TextChoices):
        ONLINE = "online", "Online"
        PAPER = "paper", "Paper"
        EVENT = "event", "Event"

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="responses"
    )
    reference = models.CharField(max_length=12, unique=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    ranking = models.JSONField(default=list, help_text="Priority keys, most important first")
    ward = models.CharField(max_length=200, blank=True, default="")
    postcode_district = models.CharField(max_length=8, blank=True, default="")
    age_band = models.CharField(max_length=20, blank=True, default="")
    sex = models.CharField(max_length=20, blank=True, default="")
    ethnicity = models.CharField(max_length=20, blank=True, default="")
    connection = models.JSONField(default=list, blank=True)
    disability = models.CharField(max_length=20, blank=True, default="")
    email = models.EmailField(blank=True, default="", help_text="Erased once verified")
    verified = models.BooleanField(default=False)
    network = models.CharField(max_length=32, blank=True, default="", db_index=True)
    fingerprint = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    flags = models.JSONField(default=list, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(
        max_length=200, blank=True, default="", help_text="Import file and line, for paper"
    )
    synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ("-submitted_at",)
        indexes = (models.Index(fields=("consultation", "network", "submitted_at")),)

    def __str__(self) -> str:
        return f"response {self.reference}"


class Theme(BaseModel):
    """A theme officers tag free-text answers with."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ("name",)
        constraints = (
            models.UniqueConstraint(fields=("consultation", "name"), name="consult_theme_name"),
        )

    def __str__(self) -> str:
        return self.name


class FreeTextAnswer(BaseModel):
    class Moderation(models.TextChoices):
        PENDING = "pending", "Waiting for moderation"
        APPROVED = "approved", "Approved (masked text may be quoted)"
        REJECTED = "rejected", "Rejected"

    class Quote(models.TextChoices):
        NO = "no", "Not a quote"
        CHOSEN = "chosen", "Chosen as a quote (published with the results)"

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(FreeTextQuestion, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField()
    masked = models.TextField(help_text="The text with personal details masked")
    moderation = models.CharField(
        max_length=10, choices=Moderation.choices, default=Moderation.PENDING
    )
    quote = models.CharField(max_length=8, choices=Quote.choices, default=Quote.NO)
    themes = models.ManyToManyField(Theme, blank=True, related_name="answers")
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("created_at",)

    def __str__(self) -> str:
        return f"answer to {self.question}"


class PublicMeeting(BaseModel, Approval):
    """A public meeting (Crime and Disorder Regulations 2007, regulation 12): at least one a
    year. ``attendance`` lists each responsible authority and whether it attended;
    ``questions`` the questions raised and the answers given."""

    title = models.CharField(max_length=200)
    date = models.DateField()
    place = models.CharField(max_length=300)
    attendance = models.JSONField(
        default=list, blank=True, help_text='[{"authority": "...", "attended": true}]'
    )
    attendees = models.PositiveIntegerField(
        null=True, blank=True, help_text="Members of the public attending"
    )
    questions = models.JSONField(
        default=list, blank=True, help_text='[{"question": "...", "answer": "..."}]'
    )

    class Meta:
        ordering = ("-date",)

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d %B %Y})"


class YouSaidWeDid(BaseModel, Approval):
    """What changed in the plan because of what residents said."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    you_said = models.TextField()
    you_said_cy = models.TextField(blank=True, default="")
    we_did = models.TextField()
    we_did_cy = models.TextField(blank=True, default="")
    priority = models.CharField(
        max_length=80, blank=True, default="", help_text="Strategy priority key"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "-created_at")
        verbose_name_plural = "you said, we did"

    def __str__(self) -> str:
        return self.you_said[:60]

    @property
    def public_you_said(self) -> str:
        return _localised(self, "you_said")

    @property
    def public_we_did(self) -> str:
        return _localised(self, "we_did")


class DashboardPublication(BaseModel, Approval):
    """The officer's approval of the public dashboard: which area, the threshold below which
    a ward's figures are suppressed, and whether strategy progress is shown."""

    area = models.CharField(max_length=200, blank=True, default="")
    threshold = models.PositiveIntegerField(
        default=10, help_text="Wards with fewer incidents than this show no count or rate"
    )
    show_strategy = models.BooleanField(default=True)

    class Meta:
        ordering = ("-approved_at", "-created_at")

    def __str__(self) -> str:
        return f"public dashboard for {self.area or 'all areas'}"
