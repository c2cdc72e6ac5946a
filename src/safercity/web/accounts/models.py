"""Agencies of the partnership, the people who sign in for them, and their authenticator apps."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.auth.validators import ASCIIUsernameValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.models import Device, TimestampMixin
from django_otp.oath import TOTP

from safercity.web.core.models import BaseModel

from . import encryption
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


class AccountManager(UserManager):  # type: ignore[type-arg]
    def by_username(self, username: str) -> User | None:
        """The account whose username is ``username`` ignoring letter case (usernames are
        unique that way: a database constraint on ``LOWER(username)``)."""
        return (
            self.alias(username_lower=Lower("username"))
            .filter(username_lower=Lower(models.Value(username, output_field=models.CharField())))
            .first()
        )

    def get_by_natural_key(self, username: str | None) -> User:
        # Django's own look-ups (ModelBackend, createsuperuser) ignore case as sign-in does
        user = self.by_username(username or "")
        if user is None:
            raise self.model.DoesNotExist
        return user


class User(BaseModel, AbstractUser):
    """A partner's account: one agency, one role. The public has no account.

    Usernames are ASCII letters, digits and ``@.+-_`` (no look-alike letters from other
    alphabets) and unique ignoring case: ``VICTIM3`` cannot be added beside ``victim3``.
    """

    username_validator = ASCIIUsernameValidator()
    username = models.CharField(
        "username",
        max_length=150,
        unique=True,
        help_text="Letters A to Z, digits and @ . + - _ only; capitals and small letters are "
        "the same.",
        validators=[username_validator],
        error_messages={"unique": "There is already a user with that username"},
    )

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
    #: two-step sign-in is on: a confirmed TOTPDevice is asked for after the password
    totp_enabled = models.BooleanField(default=False)
    #: raised to end every session of the account at once (locked, reset, deactivated)
    session_generation = models.PositiveIntegerField(default=0)
    #: set by an administrator's reset: the password is temporary, valid until then, and the
    #: person chooses their own at sign-in
    temporary_password_until = models.DateTimeField(null=True, blank=True)

    objects = AccountManager()

    class Meta:
        ordering = ("username",)
        constraints = (
            models.UniqueConstraint(
                Lower("username"),
                name="accounts_user_username_lower_unique",
                violation_error_message="There is already a user with that username "
                "(usernames are the same in capitals or small letters)",
            ),
        )

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()

    @property
    def has_temporary_password(self) -> bool:
        return self.temporary_password_until is not None

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django checks this HMAC against the one kept in the session on every request and
        ends the session when they differ. Django's is of the password hash only (a password
        change ends the other sessions); ours also covers ``session_generation``, so locking,
        an administrator's reset or deactivation end every session of the account at once,
        in every worker, and a session ended by a lock stays ended after the lock expires.
        Generation 0 gives Django's own value (sessions from before this survive an upgrade)."""
        if not self.session_generation:
            return super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]
        return salted_hmac(
            "safercity.web.accounts.User.session",
            f"{self.password}\n{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class TOTPDevice(TimestampMixin, Device):
    """An authenticator app (TOTP, RFC 6238: SHA-1, 6 digits, 30-second steps), as django-otp's
    ``TOTPDevice`` but with the key encrypted at rest (``encryption``), which django-otp's model
    cannot do (docs/adr/0003-two-step-sign-in-keys.md).

    ``Device`` gives the user, name and ``confirmed`` (false while being set up; a user has at
    most one confirmed and one being set up), ``TimestampMixin`` the created and last-used
    times. The primary key stays django-otp's integer (its ``persistent_id``); a device never
    appears in a URL.
    """

    STEP = 30
    DIGITS = 6
    #: steps either side of now accepted, for clocks that drift (RFC 6238 section 5.2)
    TOLERANCE = 1

    encrypted_key = models.TextField(help_text="The shared secret, Fernet-encrypted.")
    last_t = models.BigIntegerField(
        default=-1,
        help_text="The time step of the last code accepted: a code is accepted once, and "
        "only at a later step than this (RFC 6238 section 5.2).",
    )

    class Meta(Device.Meta):
        verbose_name = "authenticator app"
        constraints = (
            models.UniqueConstraint(
                fields=("user", "confirmed"), name="accounts_totpdevice_one_per_state"
            ),
        )

    @property
    def bin_key(self) -> bytes:
        """The shared secret (``encryption.KeyUnavailable`` when the key file is wrong)."""
        return encryption.decrypt(self.encrypted_key)

    @bin_key.setter
    def bin_key(self, key: bytes) -> None:
        self.encrypted_key = encryption.encrypt(key)

    def verify_token(self, token: Any, at: float | None = None) -> bool:
        """True once for a right code: the step it matched is stored atomically (a conditional
        UPDATE), so the same code, or one of an earlier step, is refused afterwards, also when
        two requests bring it at once (RFC 6238 section 5.2)."""
        code = str(token or "").strip().replace(" ", "")
        if len(code) != self.DIGITS or not code.isascii() or not code.isdigit():
            return False
        try:
            key = self.bin_key
        except encryption.KeyUnavailable:
            return False
        totp = TOTP(key, step=self.STEP, digits=self.DIGITS)
        totp.time = time.time() if at is None else at
        if not totp.verify(int(code), tolerance=self.TOLERANCE, min_t=self.last_t + 1):
            return False
        step = totp.t()
        won = (
            type(self)
            .objects.filter(pk=self.pk, last_t__lt=step)
            .update(last_t=step, last_used_at=timezone.now())
        )
        if won:
            self.last_t = step
        return bool(won)
