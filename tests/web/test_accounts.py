"""Sign-in, lockout, the TOTP second factor (RFC 6238 vectors), demo seed, user management."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp import oath
from factories import PASSWORD, code_for, next_step

from safercity.web.accounts import services, totp
from safercity.web.accounts.models import Agency, TOTPDevice, User

# RFC 6238 Appendix B: the SHA-1 seed "12345678901234567890", 8 digits.
RFC6238_SHA1 = [
    (59, 94287082),
    (1111111109, 7081804),
    (1111111111, 14050471),
    (1234567890, 89005924),
    (2000000000, 69279037),
    (20000000000, 65353130),
]
RFC_KEY = b"12345678901234567890"


@pytest.mark.parametrize(("t", "expected"), RFC6238_SHA1)
def test_the_totp_we_use_matches_rfc6238_vectors(t: int, expected: int) -> None:
    # django-otp's TOTP, as TOTPDevice calls it (8 digits here, as the RFC's table)
    code = oath.TOTP(RFC_KEY, step=TOTPDevice.STEP, digits=8)
    code.time = t
    assert code.token() == expected


def test_rfc4226_hotp_vectors() -> None:
    # RFC 4226 Appendix D, counters 0..3
    assert [oath.hotp(RFC_KEY, c) for c in range(4)] == [755224, 287082, 359152, 969429]


@pytest.mark.django_db
def test_device_accepts_one_step_of_drift_only(make_user: Any) -> None:
    device = TOTPDevice(user=make_user("analyst"), name="app")
    device.bin_key = RFC_KEY
    device.save()
    at = 1111111111.0  # step 37037037
    code = f"{oath.hotp(RFC_KEY, int(at // 30)):06d}"
    assert not device.verify_token("12345", at=at)
    assert not device.verify_token("abcdef", at=at)
    assert not device.verify_token(code, at=at + 90)  # three steps later: too late
    assert device.verify_token(code, at=at + 30)  # one step later: still accepted
    # a code of the step after, as a phone whose clock runs ahead would show it
    ahead = f"{oath.hotp(RFC_KEY, int(at // 30) + 2):06d}"
    assert device.verify_token(ahead, at=at + 30)


@pytest.mark.django_db
def test_sign_in_then_locked_after_threshold(client: Any, make_user: Any, settings: Any) -> None:
    settings.LOCKOUT_THRESHOLD = 3
    make_user("analyst", username="ana")
    url = reverse("accounts:login")
    for _ in range(3):
        page = client.post(url, {"username": "ana", "password": "nope"})
        assert services.BAD_CREDENTIALS in page.content.decode()
    user = User.objects.get(username="ana")
    assert user.is_locked
    # the right password is refused while locked, with the same message as a wrong one
    page = client.post(url, {"username": "ana", "password": PASSWORD})
    assert page.status_code == 200 and services.BAD_CREDENTIALS in page.content.decode()
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
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
    url = reverse("accounts:two_step")
    # setting up asks for the password first
    page = client.post(url, {"action": "start", "password": "wrong-password"})
    assert services.WRONG_PASSWORD in page.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()
    client.post(url, {"action": "start", "password": PASSWORD})
    device = TOTPDevice.objects.get(user=user)
    user.refresh_from_db()
    assert not device.confirmed and not user.totp_enabled
    # set-up shows the key as text and as a QR code of the otpauth URI, labelled for screen readers
    setup = client.get(url).content.decode()
    assert totp.key_text(device.bin_key) in setup
    assert setup.count('<svg role="img" aria-label="QR code of the set-up key') == 1
    assert totp.qr_svg(totp.provisioning_uri(device.bin_key, "ana")) in setup
    right = code_for(device)
    bad = client.post(
        url, {"action": "confirm", "code": "000000" if right != "000000" else "111111"}
    )
    assert "wrong or has expired" in bad.content.decode()
    client.post(url, {"action": "confirm", "code": right})
    user.refresh_from_db()
    device.refresh_from_db()
    assert user.totp_enabled and device.confirmed
    assert "<svg" not in client.get(url).content.decode()  # key hidden
    client.logout()
    # password alone is not enough
    response = client.post(reverse("accounts:login"), {"username": "ana", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:code")
    assert "_auth_user_id" not in client.session
    # the code used to confirm the app cannot be used again (RFC 6238 section 5.2)
    response = client.post(reverse("accounts:code"), {"code": right})
    assert response.status_code == 200 and services.WRONG_CODE in response.content.decode()
    device.refresh_from_db()
    response = client.post(reverse("accounts:code"), {"code": code_for(device, at=next_step())})
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
