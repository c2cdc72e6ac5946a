"""Account services: sign-in with lockout, the TOTP second factor, and user management."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from safercity.web.audit import services as audit

from . import totp
from .models import Agency, User


@dataclass
class SignInResult:
    user: User | None
    error: str = ""
    needs_code: bool = False


LOCKED_MESSAGE = (
    "This account is locked after too many failed attempts. Try again in {minutes} minutes "
    "or ask your partnership administrator to unlock it."
)
BAD_CREDENTIALS = "Enter a correct username and password"


def check_password(request: HttpRequest, username: str, password: str) -> SignInResult:
    """First step of signing in. Counts failures and locks the account at the threshold."""
    candidate = User.objects.filter(username__iexact=username).first()
    if candidate is not None and candidate.is_locked:
        audit.record(request, "login_failed", candidate, summary="sign-in refused: locked")
        return SignInResult(None, LOCKED_MESSAGE.format(minutes=settings.LOCKOUT_MINUTES))
    user = authenticate(
        request, username=candidate.username if candidate else username, password=password
    )
    if user is None:
        if candidate is not None:
            _count_failure(request, candidate)
            candidate.refresh_from_db(fields=["locked_until"])
            if candidate.is_locked:
                return SignInResult(None, LOCKED_MESSAGE.format(minutes=settings.LOCKOUT_MINUTES))
        else:  # no such account: recorded too, without the text typed (often a password)
            audit.record(
                request,
                "login_failed",
                model=User._meta.label,
                actor_name="unknown username",
                summary="sign-in failed: no account with the username given",
            )
        return SignInResult(None, BAD_CREDENTIALS)
    assert isinstance(user, User)
    if user.totp_enabled:
        return SignInResult(user, needs_code=True)
    return SignInResult(user)


def _count_failure(request: HttpRequest, user: User) -> None:
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.failed_logins += 1
        fields = ["failed_logins"]
        if locked.failed_logins >= settings.LOCKOUT_THRESHOLD:
            locked.locked_until = timezone.now() + timedelta(minutes=settings.LOCKOUT_MINUTES)
            locked.failed_logins = 0
            fields.append("locked_until")
        locked.save(update_fields=fields)
    summary = "wrong password" + ("; account locked" if "locked_until" in fields else "")
    audit.record(request, "login_failed", user, summary=summary)


def signed_in(request: HttpRequest, user: User) -> None:
    """After a full sign-in: clear the failure count, record it in the audit log."""
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    audit.record(request, "login", user, summary="signed in")


def check_code(user: User, code: str) -> bool:
    return bool(user.totp_enabled and user.totp_secret and totp.verify(user.totp_secret, code))


def start_totp_setup(user: User) -> str:
    """A new secret, kept on the user but not enabled until a code from it is confirmed."""
    user.totp_secret = totp.new_secret()
    user.totp_enabled = False
    user.save(update_fields=["totp_secret", "totp_enabled", "updated_at"])
    return user.totp_secret


def confirm_totp(user: User, code: str) -> bool:
    if not user.totp_secret or not totp.verify(user.totp_secret, code):
        return False
    user.totp_enabled = True
    user.save(update_fields=["totp_enabled", "updated_at"])
    return True


def disable_totp(user: User) -> None:
    user.totp_enabled = False
    user.totp_secret = ""
    user.save(update_fields=["totp_secret", "totp_enabled", "updated_at"])


def create_user(data: dict[str, Any], password: str) -> User:
    user = User(**data)
    user.set_password(password)
    user.save()
    return user


def update_user(user: User, data: dict[str, Any]) -> User:
    for name, value in data.items():
        setattr(user, name, value)
    if data.get("is_active") and user.locked_until:
        user.locked_until = None
    user.save()
    return user


def unlock(user: User) -> None:
    user.locked_until = None
    user.failed_logins = 0
    user.save(update_fields=["locked_until", "failed_logins", "updated_at"])
    # those fields change on every sign-in, so the model's own audit leaves them out: an
    # administrator's unlocking is recorded here
    audit.record_change(user, "update", f"unlocked {user}")


DEMO_AGENCIES: list[tuple[str, str]] = [
    ("Metropolitan Police Service", Agency.Kind.POLICE),
    ("Westminster City Council", Agency.Kind.COUNCIL),
    ("Probation Service (London)", Agency.Kind.PROBATION),
    ("Central London Primary Care Trust", Agency.Kind.HEALTH),
    ("London Fire Brigade", Agency.Kind.FIRE),
    ("Westminster voluntary sector forum", Agency.Kind.VOLUNTARY),
]

DEMO_USERS: list[tuple[str, str, str, str, str]] = [
    # username, first name, last name, role, agency
    ("admin", "Alex", "Admin", User.Role.ADMINISTRATOR, "Westminster City Council"),
    ("analyst", "Ana", "Lyst", User.Role.ANALYST, "Metropolitan Police Service"),
    ("board", "Bo", "Ard", User.Role.BOARD_MEMBER, "London Fire Brigade"),
    # the Met leads nine activities of the Westminster strategy: the demo owner can update them
    ("actionowner", "Ash", "Owner", User.Role.ACTION_OWNER, "Metropolitan Police Service"),
    ("caseworker", "Casey", "Worker", User.Role.CASE_WORKER, "Westminster voluntary sector forum"),
]


def seed_demo(password: str) -> list[dict[str, str]]:
    """Create the partnership's agencies and one demo user per role (idempotent)."""
    agencies = {}
    for name, kind in DEMO_AGENCIES:
        agencies[name], _ = Agency.objects.get_or_create(name=name, defaults={"kind": kind})
    logins = []
    for username, first, last, role, agency in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                role=role,
                agency=agencies[agency],
                email=f"{username}@example.org",
            )
        user.set_password(password)
        user.role = role
        user.agency = agencies[agency]
        user.is_active = True
        user.locked_until = None
        user.save()
        logins.append(
            {
                "username": username,
                "password": password,
                "role": user.get_role_display(),
                "agency": agency,
            }
        )
    return logins
