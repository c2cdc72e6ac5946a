"""Two-step sign-in (issue 15, items 9 and 15): a code is accepted once, turning two-step sign-in
off or moving it needs the password and a code, and the apps' keys are encrypted at rest with a
key file outside the database (the migration that encrypts keys stored in clear:
test_accounts_migrations.py)."""

from __future__ import annotations

import base64
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from factories import PASSWORD, code_for, next_step, two_step_app

from safercity.web.accounts import encryption, services
from safercity.web.accounts.models import TOTPDevice
from safercity.web.audit.models import AuditEvent

TWO_STEP = "accounts:two_step"


def _password_step(client: Client, username: str) -> None:
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:code")


@pytest.mark.django_db
def test_a_code_signs_in_once_within_its_step(make_user: Any) -> None:
    user = make_user("analyst", username="ana")
    device = two_step_app(user)
    code = code_for(device)
    first, second = Client(), Client()
    _password_step(first, "ana")
    _password_step(second, "ana")  # someone who saw the code over the person's shoulder
    assert first.post(reverse("accounts:code"), {"code": code}).status_code == 302
    replay = second.post(reverse("accounts:code"), {"code": code})
    assert replay.status_code == 200 and services.WRONG_CODE in replay.content.decode()
    assert "_auth_user_id" not in second.session
    # an earlier step's code is refused too, a later one is accepted
    earlier = code_for(device, at=next_step(-1))
    assert earlier != code
    assert (
        services.WRONG_CODE
        in second.post(reverse("accounts:code"), {"code": earlier}).content.decode()
    )
    assert (
        second.post(
            reverse("accounts:code"), {"code": code_for(device, at=next_step())}
        ).status_code
        == 302
    )


@pytest.mark.django_db(transaction=True)
def test_the_same_code_brought_twice_at_once_is_accepted_once(make_user: Any) -> None:
    device = two_step_app(make_user("analyst"))
    code = code_for(device)
    n = 8
    barrier = threading.Barrier(n, timeout=20)
    results: list[bool] = []

    def bring() -> None:
        try:
            mine = TOTPDevice.objects.get(pk=device.pk)  # each request loads the device
            barrier.wait()
            results.append(mine.verify_token(code))
        finally:
            connection.close()

    threads = [threading.Thread(target=bring) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == [False] * (n - 1) + [True]


@pytest.mark.django_db
def test_turning_two_step_off_needs_the_password_and_a_code(client: Any, make_user: Any) -> None:
    user = make_user("analyst")
    device = two_step_app(user)
    client.force_login(user)
    url = reverse(TWO_STEP)
    attempts = [
        {"action": "off"},
        {"action": "off", "password": PASSWORD},
        {"action": "off", "code": code_for(device)},
        {"action": "off", "password": "not-my-password", "code": code_for(device)},
        {"action": "off", "password": PASSWORD, "code": "123456"},
    ]
    for data in attempts:
        page = client.post(url, data)
        assert page.status_code == 200 and "govuk-error-summary" in page.content.decode(), data
        user.refresh_from_db()
        assert user.totp_enabled and TOTPDevice.objects.filter(user=user).exists(), data
    response = client.post(
        url, {"action": "off", "password": PASSWORD, "code": code_for(device, at=next_step())}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.totp_enabled and not TOTPDevice.objects.filter(user=user).exists()
    row = AuditEvent.objects.filter(object_id=str(user.pk), action="update").first()
    assert row is not None and row.summary == "two-step sign-in turned off"


@pytest.mark.django_db
def test_wrong_answers_when_asked_again_count_towards_the_lockout(
    client: Any, make_user: Any, settings: Any
) -> None:
    settings.LOCKOUT_THRESHOLD = 3
    user = make_user("analyst", username="ana")
    device = two_step_app(user)
    client.post(reverse("accounts:login"), {"username": "ana", "password": PASSWORD})
    client.post(reverse("accounts:code"), {"code": code_for(device)})
    assert client.get(reverse(TWO_STEP)).status_code == 200
    for k in range(2):
        page = client.post(
            reverse(TWO_STEP), {"action": "off", "password": f"guess {k}", "code": "123456"}
        )
        assert services.WRONG_PASSWORD_OR_CODE in page.content.decode()
    response = client.post(
        reverse(TWO_STEP), {"action": "off", "password": "guess 3", "code": "123456"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    user.refresh_from_db()
    assert user.is_locked and user.totp_enabled
    assert client.get(reverse("accounts:security")).status_code == 302  # signed out


@pytest.mark.django_db
def test_moving_to_a_new_app_needs_the_password_and_a_code_and_the_old_app_works_until_then(
    client: Any, make_user: Any
) -> None:
    user = make_user("analyst")
    old = two_step_app(user)
    client.force_login(user)
    url = reverse(TWO_STEP)
    page = client.post(url, {"action": "restart", "password": PASSWORD, "code": "000000"})
    assert "govuk-error-summary" in page.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()
    client.post(url, {"action": "restart", "password": PASSWORD, "code": code_for(old)})
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    assert new.bin_key != old.bin_key
    page = client.get(url).content.decode()
    assert "QR code of the set-up key" in page and "keeps working" in page
    # signing in elsewhere meanwhile still takes the old app's code
    other = Client()
    _password_step(other, user.username)
    assert (
        other.post(reverse("accounts:code"), {"code": code_for(old, at=next_step())}).status_code
        == 302
    )
    # a code from the new app makes it the only one
    assert client.post(url, {"action": "confirm", "code": code_for(new)}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=user).values_list("pk", "confirmed")) == [
        (new.pk, True)
    ]
    summaries = AuditEvent.objects.filter(object_id=str(user.pk), action="update")
    assert summaries.first().summary == "two-step sign-in set up with a new authenticator app"  # type: ignore[union-attr]


@pytest.mark.django_db
def test_a_set_up_started_in_another_session_is_not_shown(make_user: Any) -> None:
    user = make_user("analyst")
    mine, theirs = Client(), Client()
    mine.force_login(user)
    theirs.force_login(user)
    mine.post(reverse(TWO_STEP), {"action": "start", "password": PASSWORD})
    device = TOTPDevice.objects.get(user=user)
    assert encryption_text(device) in mine.get(reverse(TWO_STEP)).content.decode()
    page = theirs.get(reverse(TWO_STEP)).content.decode()
    assert encryption_text(device) not in page and "QR code" not in page
    # and a code from it does not turn two-step sign-in on from there
    theirs.post(reverse(TWO_STEP), {"action": "confirm", "code": code_for(device)})
    user.refresh_from_db()
    assert not user.totp_enabled


def encryption_text(device: TOTPDevice) -> str:
    from safercity.web.accounts import totp

    return totp.key_text(device.bin_key)


# --------------------------------------------------------------------------- keys at rest


def _database_text() -> str:
    """Every value of the accounts tables, as text, straight from the database."""
    out = []
    with connection.cursor() as cursor:
        for table in ("accounts_user", "accounts_totpdevice"):
            cursor.execute(f"SELECT * FROM {table}")
            out += [str(v) for row in cursor.fetchall() for v in row]
    return "\n".join(out)


@pytest.mark.django_db
def test_keys_are_encrypted_at_rest_with_a_key_file_outside_the_database(
    client: Any, make_user: Any
) -> None:
    user = make_user("analyst")
    client.force_login(user)
    client.post(reverse(TWO_STEP), {"action": "start", "password": PASSWORD})
    device = TOTPDevice.objects.get(user=user)
    key = device.bin_key
    stored = _database_text()
    for form in (
        base64.b32encode(key).decode().rstrip("="),
        key.hex(),
        base64.b64encode(key).decode(),
        base64.urlsafe_b64encode(key).decode(),
    ):
        assert form not in stored and form.lower() not in stored.lower()
    # the file beside web-secret-key, private to the server's user; its key is not stored
    path = encryption.key_path()
    assert path.parent == Path(encryption.settings.WORKSPACE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    file_key = path.read_bytes().strip().decode()
    assert file_key not in stored
    from cryptography.fernet import Fernet

    assert Fernet(file_key).decrypt(device.encrypted_key.encode()) == key


@pytest.mark.django_db
def test_a_wrong_key_file_refuses_codes_and_logs_without_naming_the_account(
    make_user: Any, settings: Any, tmp_path: Path, caplog: Any
) -> None:
    user = make_user("analyst", username="someone-named")
    device = two_step_app(user)
    code = code_for(device)
    settings.WORKSPACE = tmp_path  # another workspace: another key file
    encryption.forget_cached_key()
    try:
        assert not TOTPDevice.objects.get(pk=device.pk).verify_token(code)
    finally:
        encryption.forget_cached_key()
    assert "cannot be decrypted" in caplog.text and "someone-named" not in caplog.text


def test_the_key_file_is_created_once_0600_by_racing_processes(tmp_path: Path) -> None:
    path = tmp_path / "ws" / encryption.KEY_FILE_NAME
    n = 8
    barrier = threading.Barrier(n, timeout=20)
    keys: list[bytes] = []

    def create() -> None:
        barrier.wait()
        keys.append(encryption._create_key_file(path))

    threads = [threading.Thread(target=create) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(keys) == n and len(set(keys)) == 1
    assert path.read_bytes().strip() == keys[0]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary files left
