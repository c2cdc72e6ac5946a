"""Sign-in, lockout, the TOTP second factor (RFC 6238 vectors), demo seed, user management."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from factories import PASSWORD

from safercity.web.accounts import totp
from safercity.web.accounts.models import Agency, User

# RFC 6238 Appendix B: the SHA-1 seed "12345678901234567890", 8 digits.
RFC6238_SHA1 = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("t", "expected"), RFC6238_SHA1)
def test_totp_matches_rfc6238_vectors(t: int, expected: str) -> None:
    assert totp.totp(b"12345678901234567890", t, digits=8) == expected


def test_rfc4226_hotp_vectors() -> None:
    # RFC 4226 Appendix D, counters 0..3
    key = b"12345678901234567890"
    assert [totp.hotp(key, c) for c in range(4)] == ["755224", "287082", "359152", "969429"]


def test_verify_accepts_one_step_of_drift_only() -> None:
    secret = base64.b32encode(b"12345678901234567890").decode()
    at = 1111111111.0
    code = totp.totp(b"12345678901234567890", at)
    assert totp.verify(secret, code, at=at)
    assert totp.verify(secret, code, at=at + 30)
    assert not totp.verify(secret, code, at=at + 90)
    assert not totp.verify(secret, "12345", at=at)
    assert not totp.verify(secret, "abcdef", at=at)


@pytest.mark.django_db
def test_sign_in_then_locked_after_threshold(client: Any, make_user: Any, settings: Any) -> None:
    settings.LOCKOUT_THRESHOLD = 3
    make_user("analyst", username="ana")
    url = reverse("accounts:login")
    for _ in range(2):
        page = client.post(url, {"username": "ana", "password": "nope"})
        assert "Enter a correct username and password" in page.content.decode()
    page = client.post(url, {"username": "ana", "password": "nope"})
    assert "locked" in page.content.decode()
    # even the right password is refused while locked
    page = client.post(url, {"username": "ana", "password": PASSWORD})
    assert page.status_code == 200 and "locked" in page.content.decode()
    assert "_auth_user_id" not in client.session
    user = User.objects.get(username="ana")
    assert user.is_locked
    # an administrator unlocks it
    client.force_login(make_user("administrator"))
    assert client.post(reverse("accounts:user_unlock", args=[user.pk])).status_code == 302
    client.logout()
    page = client.post(url, {"username": "ana", "password": PASSWORD})
    assert page.status_code == 302


@pytest.mark.django_db
def test_error_summary_links_to_fields(client: Any) -> None:
    page = client.post(reverse("accounts:login"), {"username": "", "password": ""})
    html = page.content.decode()
    assert "govuk-error-summary" in html
    assert 'href="#id_username">Enter your username' in html
    assert "<title>Error: Sign in" in html


@pytest.mark.django_db
def test_two_step_sign_in(client: Any, make_user: Any) -> None:
    user = make_user("analyst", username="ana")
    client.force_login(user)
    client.post(reverse("accounts:security"), {"action": "start"})
    user.refresh_from_db()
    assert user.totp_secret and not user.totp_enabled
    # set-up shows the key as text and as a QR code of the otpauth URI, labelled for screen readers
    setup = client.get(reverse("accounts:security")).content.decode()
    assert user.totp_secret in setup
    assert setup.count('<svg role="img" aria-label="QR code of the set-up key') == 1
    assert totp.qr_svg(totp.provisioning_uri(user.totp_secret, "ana")) in setup
    key = base64.b32decode(user.totp_secret + "=" * (-len(user.totp_secret) % 8))
    import time

    bad = client.post(
        reverse("accounts:security"),
        {
            "action": "confirm",
            "code": "000000" if totp.totp(key, time.time()) != "000000" else "111111",
        },
    )
    assert "wrong or has expired" in bad.content.decode()
    client.post(
        reverse("accounts:security"), {"action": "confirm", "code": totp.totp(key, time.time())}
    )
    user.refresh_from_db()
    assert user.totp_enabled
    assert "<svg" not in client.get(reverse("accounts:security")).content.decode()  # key hidden
    client.logout()
    # password alone is not enough
    response = client.post(reverse("accounts:login"), {"username": "ana", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:code")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("accounts:code"), {"code": totp.totp(key, time.time())})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_seed_demo_creates_agencies_and_one_user_per_role(capsys: Any) -> None:
    call_command("seed_demo", password="a-demo-password-1")
    out = capsys.readouterr().out
    roles = {u.role for u in User.objects.all()}
    assert roles == set(User.Role.values)
    names = set(Agency.objects.values_list("name", flat=True))
    for needle in (
        "Metropolitan Police",
        "Westminster City Council",
        "Probation",
        "Primary Care Trust",
        "London Fire Brigade",
        "voluntary",
    ):
        assert any(needle in n for n in names), needle
    for username in ("admin", "analyst", "board", "actionowner", "caseworker"):
        assert f"username {username}" in out
    assert User.objects.get(username="admin").check_password("a-demo-password-1")
    call_command("seed_demo", password="a-demo-password-1")  # idempotent
    assert User.objects.count() == 5


@pytest.mark.django_db
def test_administrator_adds_a_user_with_validation(client: Any, make_user: Any) -> None:
    admin = make_user("administrator")
    client.force_login(admin)
    url = reverse("accounts:user_new")
    page = client.post(
        url,
        {
            "username": "new",
            "first_name": "N",
            "last_name": "U",
            "email": "n@example.org",
            "agency": admin.agency.pk,
            "role": "analyst",
            "is_active": "on",
            "password": "short",
        },
    )
    assert page.status_code == 200 and "govuk-error-summary" in page.content.decode()
    page = client.post(
        url,
        {
            "username": "new",
            "first_name": "N",
            "last_name": "U",
            "email": "n@example.org",
            "agency": admin.agency.pk,
            "role": "analyst",
            "is_active": "on",
            "password": "a-much-longer-passphrase",
        },
    )
    assert page.status_code == 302
    assert User.objects.get(username="new").check_password("a-much-longer-passphrase")


@pytest.mark.django_db
def test_security_headers_and_csp(client: Any) -> None:
    response = client.get(reverse("core:home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    html = response.content.decode()
    assert "<style" not in html and ' style="' not in html
    # every <script> is a file
    import re

    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))


@pytest.mark.django_db
def test_csrf_is_enforced(make_user: Any) -> None:
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Your form has expired" in response.content.decode()


@pytest.mark.django_db
def test_session_expires_after_idle_time_and_is_refreshed_while_active(
    client: Any, make_user: Any, settings: Any
) -> None:
    import time

    from django.contrib.sessions.models import Session

    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    client.force_login(make_user("analyst"))
    client.get(reverse("core:home"))
    key = client.session.session_key
    first = Session.objects.get(session_key=key).expire_date
    # active again within the minute: no write (the expiry stays)
    response = client.get(reverse("core:home"))
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert Session.objects.get(session_key=key).expire_date == first
    # active after more than a minute: the expiry moves forward
    session = client.session
    session["_touched"] = int(time.time()) - 120
    session.save()
    response = client.get(reverse("core:home"))
    assert settings.SESSION_COOKIE_NAME in response.cookies
    assert Session.objects.get(session_key=key).expire_date > first
    # an expired session is a signed-out visitor
    Session.objects.filter(session_key=key).update(expire_date=first.replace(year=2000))
    assert client.get(reverse("analysis:overview")).status_code == 302
