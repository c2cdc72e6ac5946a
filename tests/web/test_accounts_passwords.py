"""Changing a password, and an administrator's reset (issue 15, item 10): re-authentication,
sessions ended, the audit log without any password in it."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from factories import PASSWORD, code_for, next_step, two_step_app

from safercity.web.accounts import services
from safercity.web.accounts.models import TOTPDevice, User
from safercity.web.audit.models import AuditEvent

NEW = "a-new-and-long-passphrase-7"


def _signed_in(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def _audit_text() -> str:
    return "\n".join(
        f"{e.actor_name} {e.action} {e.summary}" for e in AuditEvent.objects.order_by("created_at")
    )


def _sessions_text() -> str:
    return "\n".join(str(s.get_decoded()) for s in Session.objects.all())


# --------------------------------------------------------------------------- self-service


@pytest.mark.django_db
def test_changing_a_password_keeps_this_session_and_ends_the_others(make_user: Any) -> None:
    user = make_user("analyst", username="ana")
    here, elsewhere = _signed_in("ana"), _signed_in("ana")
    url = reverse("accounts:change_password")
    response = here.post(url, {"current_password": PASSWORD, "new_password": NEW})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:security")
    user.refresh_from_db()
    assert user.check_password(NEW) and not user.check_password(PASSWORD)
    assert here.get(reverse("accounts:security")).status_code == 200
    assert elsewhere.get(reverse("accounts:security")).status_code == 302  # signed out
    row = AuditEvent.objects.filter(object_id=str(user.pk), action="update").first()
    assert row is not None and row.actor_name == "ana"
    assert row.summary == "changed their password; their other sessions ended"
    assert PASSWORD not in _audit_text() and NEW not in _audit_text()
    assert NEW not in _sessions_text()
    # the new password signs in, the old one does not
    assert _signed_in("ana", NEW)
    refused = Client().post(reverse("accounts:login"), {"username": "ana", "password": PASSWORD})
    assert refused.status_code == 200


@pytest.mark.django_db
def test_a_wrong_current_password_changes_nothing_and_counts_towards_the_lockout(
    make_user: Any, settings: Any
) -> None:
    settings.LOCKOUT_THRESHOLD = 3
    user = make_user("analyst", username="ana")
    client = _signed_in("ana")
    url = reverse("accounts:change_password")
    for k in range(2):
        page = client.post(url, {"current_password": f"guess {k}", "new_password": NEW})
        assert page.status_code == 200
        assert services.WRONG_PASSWORD in page.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD) and user.failed_logins == 2
    response = client.post(url, {"current_password": "guess 3", "new_password": NEW})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    user.refresh_from_db()
    assert user.is_locked and user.check_password(PASSWORD)
    assert client.get(reverse("accounts:security")).status_code == 302


@pytest.mark.django_db
def test_the_change_form_is_no_oracle_for_the_current_password(make_user: Any) -> None:
    """Offering the real password as the new one must not say 'different from your current
    one' unless the current password given is right: that would confirm a guess uncounted."""
    user = make_user("analyst", username="ana")
    client = _signed_in("ana")
    url = reverse("accounts:change_password")
    page = client.post(url, {"current_password": "a-guess", "new_password": PASSWORD})
    html = page.content.decode()
    assert services.WRONG_PASSWORD in html and "different from your current" not in html
    user.refresh_from_db()
    assert user.failed_logins == 1
    page = client.post(url, {"current_password": PASSWORD, "new_password": PASSWORD})
    assert "different from your current" in page.content.decode()


@pytest.mark.django_db
def test_a_new_password_must_pass_the_password_rules(make_user: Any) -> None:
    user = make_user("analyst", username="ana", first_name="Anastasia")
    client = _signed_in("ana")
    url = reverse("accounts:change_password")
    for weak in ("short", "123456789012345", "password1234", "anastasia-ana"):
        page = client.post(url, {"current_password": PASSWORD, "new_password": weak})
        assert page.status_code == 200 and "govuk-error-summary" in page.content.decode(), weak
    user.refresh_from_db()
    assert user.check_password(PASSWORD) and user.failed_logins == 0


# --------------------------------------------------------------------------- administrator reset


def _reset(admin: Client, person: User, **extra: Any) -> str:
    page = admin.post(
        reverse("accounts:user_reset", args=[person.pk]), {"password": PASSWORD, **extra}
    )
    assert page.status_code == 200
    found = re.search(r'id="temporary-password">([^<]+)<', page.content.decode())
    assert found, page.content.decode()[:3000]
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    return found.group(1)


@pytest.mark.django_db
def test_an_administrators_reset_gives_a_temporary_password_to_replace_at_sign_in(
    make_user: Any,
) -> None:
    person = make_user("case_worker", username="casey")
    User.objects.filter(pk=person.pk).update(
        locked_until=timezone.now() + timedelta(minutes=10), failed_logins=3
    )
    their_session = Client()
    their_session.force_login(person)
    admin = Client()
    admin.force_login(make_user("administrator", username="boss"))
    # the administrator's own password first
    page = admin.post(reverse("accounts:user_reset", args=[person.pk]), {"password": "wrong"})
    assert services.WRONG_PASSWORD in page.content.decode()
    person.refresh_from_db()
    assert person.check_password(PASSWORD) and person.is_locked

    temporary = _reset(admin, person)
    person.refresh_from_db()
    assert not person.is_locked and person.failed_logins == 0 and person.has_temporary_password
    assert their_session.get(reverse("accounts:security")).status_code == 302  # signed out
    assert (
        Client()
        .post(reverse("accounts:login"), {"username": "casey", "password": PASSWORD})
        .status_code
        == 200
    )  # the old password is gone

    # the temporary password leads to the new-password page only, not into the service
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "casey", "password": temporary})
    assert response["Location"] == reverse("accounts:new_password")
    assert client.get(reverse("accounts:security")).status_code == 302
    page = client.post(reverse("accounts:new_password"), {"new_password": temporary})
    assert "different from the temporary one" in page.content.decode()
    response = client.post(reverse("accounts:new_password"), {"new_password": NEW})
    assert response.status_code == 302
    assert client.get(reverse("accounts:security")).status_code == 200
    person.refresh_from_db()
    assert person.check_password(NEW) and not person.has_temporary_password
    assert (
        Client()
        .post(reverse("accounts:login"), {"username": "casey", "password": temporary})
        .status_code
        == 200
    )  # once only

    rows = AuditEvent.objects.filter(object_id=str(person.pk)).order_by("created_at")
    summaries = [(r.actor_name, r.action, r.summary) for r in rows]
    assert (
        "boss",
        "update",
        "password reset by an administrator: a temporary password, to be replaced at sign-in "
        "within 72 hours; account unlocked; sessions ended",
    ) in summaries
    logins = [s for s in summaries if s[1] == "login"]
    assert logins == [
        ("casey", "login", "signed in with a temporary password and chose a new password")
    ]
    for secret in (temporary, NEW, PASSWORD):
        assert secret not in _audit_text()
        assert secret not in _sessions_text()


@pytest.mark.django_db
def test_a_temporary_password_expires(make_user: Any) -> None:
    person = make_user("analyst", username="ana")
    admin = Client()
    admin.force_login(make_user("administrator"))
    temporary = _reset(admin, person)
    User.objects.filter(pk=person.pk).update(temporary_password_until=timezone.now())
    page = Client().post(reverse("accounts:login"), {"username": "ana", "password": temporary})
    assert page.status_code == 200 and services.BAD_CREDENTIALS in page.content.decode()
    person.refresh_from_db()
    assert person.failed_logins == 1


@pytest.mark.django_db
def test_with_two_step_on_the_code_comes_before_the_new_password(make_user: Any) -> None:
    person = make_user("analyst", username="ana")
    device = two_step_app(person)
    admin = Client()
    admin.force_login(make_user("administrator"))
    temporary = _reset(admin, person)
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "ana", "password": temporary})
    assert response["Location"] == reverse("accounts:code")
    # the new-password step cannot be reached around the code
    assert client.get(reverse("accounts:new_password")).status_code == 302
    page = client.post(reverse("accounts:new_password"), {"new_password": NEW})
    assert page.status_code == 302 and page["Location"] == reverse("accounts:login")
    response = client.post(reverse("accounts:code"), {"code": code_for(device)})
    assert response["Location"] == reverse("accounts:new_password")
    assert client.post(reverse("accounts:new_password"), {"new_password": NEW}).status_code == 302
    assert client.get(reverse("accounts:security")).status_code == 200


@pytest.mark.django_db
def test_a_reset_can_turn_off_a_lost_authenticator_app(make_user: Any) -> None:
    person = make_user("analyst", username="ana")
    two_step_app(person)
    admin = Client()
    admin.force_login(make_user("administrator"))
    temporary = _reset(admin, person, turn_off_two_step="on")
    person.refresh_from_db()
    assert not person.totp_enabled and not TOTPDevice.objects.filter(user=person).exists()
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "ana", "password": temporary})
    assert response["Location"] == reverse("accounts:new_password")
    row = AuditEvent.objects.filter(object_id=str(person.pk), action="update").first()
    assert row is not None and row.summary.endswith("; two-step sign-in turned off")


@pytest.mark.django_db
def test_a_sign_in_under_way_starts_again_after_a_reset(make_user: Any) -> None:
    person = make_user("analyst", username="ana")
    device = two_step_app(person)
    client = Client()
    client.post(reverse("accounts:login"), {"username": "ana", "password": PASSWORD})
    admin = Client()
    admin.force_login(make_user("administrator"))
    _reset(admin, person)
    response = client.post(reverse("accounts:code"), {"code": code_for(device, at=next_step())})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_only_administrators_reset_passwords(make_user: Any) -> None:
    person = make_user("analyst")
    for role in ("analyst", "board_member", "action_owner", "case_worker"):
        client = Client()
        client.force_login(make_user(role))
        response = client.post(
            reverse("accounts:user_reset", args=[person.pk]), {"password": PASSWORD}
        )
        assert response.status_code == 403, role
    person.refresh_from_db()
    assert person.check_password(PASSWORD) and not person.has_temporary_password
