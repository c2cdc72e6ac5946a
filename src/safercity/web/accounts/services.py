"""Account services: sign-in with an atomic lockout, two-step sign-in, passwords and users.

Every sign-in attempt (a password, a security code, the current password asked again to change
a password or two-step sign-in) is judged in one place, ``_decide``, after the password hash has
run and under a lock on the account's row: a locked account refuses even the right password and
is not unlocked by it, and failures are counted exactly, however many requests arrive at once.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.hashers import (
    check_password as password_matches_hash,
)
from django.contrib.auth.hashers import (
    get_hasher,
    identify_hasher,
    is_password_usable,
    make_password,
)
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from safercity.web.audit import services as audit

from . import totp
from .models import Agency, TOTPDevice, User

#: every refused password step says this, whatever the reason (no such account, wrong
#: password, locked, deactivated), after the same work (the password hasher runs in every case)
BAD_CREDENTIALS = "Enter a correct username and password"
LOCKED_MESSAGE = (
    "This account is locked after too many failed attempts. Try again in {minutes} minutes "
    "or ask your partnership administrator to unlock it."
)
WRONG_CODE = "The security code is wrong or has expired"
WRONG_PASSWORD_OR_CODE = "The password or security code is wrong"
WRONG_PASSWORD = "Your current password is wrong"
#: how long a password set by an administrator's reset signs in (once, to choose a new one)
TEMPORARY_PASSWORD_HOURS = 72
#: letters and digits that cannot be mistaken for one another when read out
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class Decision(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    LOCKED = "locked"  # locked already, or by this failure


@dataclass
class SignInResult:
    user: User | None
    error: str = ""
    needs_code: bool = False
    needs_new_password: bool = False


def locked_message() -> str:
    return LOCKED_MESSAGE.format(minutes=settings.LOCKOUT_MINUTES)


# --------------------------------------------------------------------------- judging attempts


def _password_matches(user: User, password: str) -> bool:
    """Runs the password hasher once whatever the account's state (no password set, say), so
    that no answer comes sooner than another."""
    if not is_password_usable(user.password):
        make_password(password)
        return False
    return password_matches_hash(password, user.password)


def _decide(request: HttpRequest, user: User, correct: bool, what: str) -> Decision:
    """Judges one attempt on ``user`` whose secret was ``correct``, under a lock on the
    account's row (PostgreSQL's row lock; SQLite's write lock, as our transactions begin
    IMMEDIATE), and records it in the audit log in the same transaction.

    A locked account refuses the attempt, right or wrong, and nothing here unlocks it. A wrong
    attempt counts; the one that reaches ``LOCKOUT_THRESHOLD`` locks the account for
    ``LOCKOUT_MINUTES`` and ends its sessions (``User.session_generation``). A right one clears
    the count."""
    with transaction.atomic():
        row = User.objects.select_for_update().get(pk=user.pk)
        if row.is_locked:
            audit.record(request, "login_failed", row, summary=f"{what} refused: account locked")
            return Decision.LOCKED
        if correct:
            if row.failed_logins:
                User.objects.filter(pk=row.pk).update(failed_logins=0)
            return Decision.ACCEPTED
        failures = row.failed_logins + 1
        if failures < settings.LOCKOUT_THRESHOLD:
            User.objects.filter(pk=row.pk).update(failed_logins=failures)
            audit.record(request, "login_failed", row, summary=f"wrong {what}")
            return Decision.WRONG
        User.objects.filter(pk=row.pk).update(
            failed_logins=0,
            locked_until=timezone.now() + timedelta(minutes=settings.LOCKOUT_MINUTES),
            session_generation=F("session_generation") + 1,
        )
        audit.record(
            request,
            "login_failed",
            row,
            summary=f"wrong {what}; account locked for {settings.LOCKOUT_MINUTES} minutes "
            "and its sessions ended",
        )
        return Decision.LOCKED


def _upgrade_hash(user: User, password: str) -> None:
    """Re-hashes a right password stored with an older hasher or fewer iterations (what
    Django's ``check_password`` does), once the attempt has been accepted."""
    try:
        hasher = identify_hasher(user.password)
    except ValueError:
        return
    preferred = get_hasher("default")
    if hasher.algorithm != preferred.algorithm or preferred.must_update(user.password):
        user.password = make_password(password)
        User.objects.filter(pk=user.pk).update(password=user.password)


# --------------------------------------------------------------------------- signing in


def check_password(request: HttpRequest, username: str, password: str) -> SignInResult:
    """The password step of signing in."""
    candidate = User.objects.by_username(username)
    if candidate is None:
        make_password(password)  # the hasher runs for no account too: the same time taken
        # recorded without the text typed (often a password)
        audit.record(
            request,
            "login_failed",
            model=User._meta.label,
            actor_name="unknown username",
            summary="sign-in failed: no account with the username given",
        )
        return SignInResult(None, BAD_CREDENTIALS)
    correct = _password_matches(candidate, password)
    if not candidate.is_active:
        audit.record(
            request, "login_failed", candidate, summary="sign-in refused: account deactivated"
        )
        return SignInResult(None, BAD_CREDENTIALS)
    what = "password"
    expires = candidate.temporary_password_until
    if correct and expires is not None and expires <= timezone.now():
        correct, what = False, "password (the temporary one has expired)"
    if _decide(request, candidate, correct, what) is not Decision.ACCEPTED:
        return SignInResult(None, BAD_CREDENTIALS)
    _upgrade_hash(candidate, password)
    return SignInResult(
        candidate,
        needs_code=candidate.totp_enabled,
        needs_new_password=candidate.has_temporary_password,
    )


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def check_code(request: HttpRequest, user: User, code: str) -> SignInResult:
    """The security-code step of signing in (after the password)."""
    device = confirmed_device(user) if user.totp_enabled else None
    correct = device is not None and device.verify_token(code)
    decision = _decide(request, user, correct, "security code")
    if decision is Decision.LOCKED:
        return SignInResult(None, locked_message())
    if decision is Decision.WRONG:
        return SignInResult(None, WRONG_CODE)
    return SignInResult(user, needs_new_password=user.has_temporary_password)


def signed_in(request: HttpRequest, user: User, summary: str = "signed in") -> None:
    """After a full sign-in (``login`` done): record it in the audit log."""
    audit.record(request, "login", user, summary=summary)


def choose_new_password(user: User, password: str) -> None:
    """Sign-in after an administrator's reset: the person's own password replaces the
    temporary one (the caller signs them in and records it)."""
    user.set_password(password)
    user.temporary_password_until = None
    User.objects.filter(pk=user.pk).update(password=user.password, temporary_password_until=None)


# --------------------------------------------------------------------------- asked again


def reauthenticate(
    request: HttpRequest, user: User, password: str, code: str | None, what: str
) -> Decision:
    """The current password (and, when ``code`` is given, a security code) asked again before
    a change to the account's security; a wrong answer counts towards the lockout as a failed
    sign-in does, so a session left open cannot be used to guess the password."""
    correct = _password_matches(user, password)
    if correct and code is not None:
        device = confirmed_device(user)
        correct = device is not None and device.verify_token(code)
    return _decide(request, user, correct, what)


def change_password(request: HttpRequest, user: User, current: str, new: str) -> Decision:
    """Self-service change: the current password first; then this session stays signed in
    and every other session of the account ends (the session hash covers the password)."""
    decision = reauthenticate(request, user, current, None, "password (changing password)")
    if decision is not Decision.ACCEPTED:
        return decision
    user.set_password(new)
    user.temporary_password_until = None
    User.objects.filter(pk=user.pk).update(password=user.password, temporary_password_until=None)
    update_session_auth_hash(request, user)
    audit.record(
        request, "update", user, summary="changed their password; their other sessions ended"
    )
    return decision


def new_temporary_password() -> str:
    """16 characters in groups of 4 (about 79 bits), easy to read out: ``k7mq-3xvd-...``."""
    chars = "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(16))
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def reset_password(request: HttpRequest, user: User, *, turn_off_two_step: bool) -> str:
    """An administrator's reset: a temporary password (returned, to be given to the person
    by phone or in person; never stored or logged in clear) that signs in once within
    ``TEMPORARY_PASSWORD_HOURS`` and must then be replaced. It unlocks the account and ends its
    sessions; it turns two-step sign-in off only when asked (a lost authenticator app)."""
    temporary = new_temporary_password()
    until = timezone.now() + timedelta(hours=TEMPORARY_PASSWORD_HOURS)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(
            password=make_password(temporary),
            temporary_password_until=until,
            locked_until=None,
            failed_logins=0,
            session_generation=F("session_generation") + 1,
        )
        what = [
            "password reset by an administrator: a temporary password, to be replaced at "
            f"sign-in within {TEMPORARY_PASSWORD_HOURS} hours",
            "account unlocked",
            "sessions ended",
        ]
        if turn_off_two_step:
            TOTPDevice.objects.filter(user=user).delete()
            User.objects.filter(pk=user.pk).update(totp_enabled=False)
            what.append("two-step sign-in turned off")
        audit.record(request, "update", user, summary="; ".join(what))
    user.refresh_from_db()
    return temporary


# --------------------------------------------------------------------------- two-step sign-in


def start_two_step_setup(user: User) -> TOTPDevice:
    """A new authenticator app, not used for sign-in until a code from it is confirmed; an
    app already confirmed keeps working until then."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice(user=user, name="Authenticator app", confirmed=False)
        device.bin_key = totp.new_key()
        device.save()
    return device


def confirm_two_step(request: HttpRequest, user: User, code: str) -> bool:
    """A right code from the app being set up makes it the account's app (replacing any
    other) and turns two-step sign-in on."""
    device = pending_device(user)
    if device is None or not device.verify_token(code):
        return False
    again = user.totp_enabled
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        User.objects.filter(pk=user.pk).update(totp_enabled=True)
        audit.record(
            request,
            "update",
            user,
            summary="two-step sign-in set up with a new authenticator app"
            if again
            else "two-step sign-in turned on",
        )
    user.totp_enabled = True
    return True


def cancel_two_step_setup(user: User) -> None:
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()


def turn_off_two_step(request: HttpRequest, user: User) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        User.objects.filter(pk=user.pk).update(totp_enabled=False)
        audit.record(request, "update", user, summary="two-step sign-in turned off")
    user.totp_enabled = False


# --------------------------------------------------------------------------- users


def create_user(data: dict[str, Any], password: str) -> User:
    user = User(**data)
    user.set_password(password)
    user.save()
    return user


def update_user(user: User, data: dict[str, Any]) -> User:
    # read from the database: a model form has set the new values on ``user`` already
    was_active = User.objects.filter(pk=user.pk, is_active=True).exists()
    for name, value in data.items():
        setattr(user, name, value)
    if data.get("is_active") and user.locked_until:
        user.locked_until = None
    if was_active and not user.is_active:
        user.session_generation += 1  # deactivating ends the account's sessions at once
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
        user = User.objects.by_username(username)
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
        user.temporary_password_until = None
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
