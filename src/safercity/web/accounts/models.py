"""Agencies of the partnership and the people who sign in for them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from safercity.web.core.models import BaseModel

from . import permissions as perms


class Agency(BaseModel):
    """A partner agency of the Community Safety Partnership."""

    class Kind(models.TextChoices):
        POLICE = "police", "Police"
        COUNCIL = "council", "Local authority"
        PROBATION = "probation", "Probation"
        HEALTH = "health", "Health"
        FIRE = "fire", "Fire and rescue"
        VOLUNTARY = "voluntary", "Voluntary sector"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class User(BaseModel, AbstractUser):
    """A partner's account: one agency, one role. The public has no account."""

    class Role(models.TextChoices):
        ADMINISTRATOR = perms.ADMIN, "Partnership administrator"
        ANALYST = perms.ANALYST, "Analyst"
        BOARD_MEMBER = perms.BOARD, "Board member"
        ACTION_OWNER = perms.ACTION_OWNER, "Action owner"
        CASE_WORKER = perms.CASE_WORKER, "Case worker"

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.BOARD_MEMBER)
    failed_logins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    totp_secret = models.CharField(max_length=64, blank=True, default="")
    totp_enabled = models.BooleanField(default=False)

    class Meta:
        ordering = ("username",)

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()
