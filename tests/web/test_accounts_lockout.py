"""The lockout under parallel requests, and one answer for every refused sign-in (issue 15,
items 7 and 9).

The parallel tests send real requests, each on its own thread and connection, to a live server
(the database is committed, on SQLite or PostgreSQL as the run chooses). The password hasher is
MD5 with a gate that holds each request inside its hash until the test lets it go: so the
interleaving that the adversarial test found by chance (a lock decided while a right password
was being hashed; forty hashes under way at once) happens every time.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.cookiejar import CookieJar
from typing import Any, ClassVar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.urls import reverse
from django.utils import timezone
from factories import PASSWORD

from safercity.web.accounts import services
from safercity.web.accounts.models import User
from safercity.web.audit.models import AuditEvent

THRESHOLD = 5
GATE_SECONDS = 20


class GateHasher(MD5PasswordHasher):
    """MD5 (fast; tests only) that counts its work and can hold a hash at a gate."""

    #: called with the password before each check against a stored hash
    before_verify: ClassVar[Callable[[str], None] | None] = None
    calls: ClassVar[list[str]] = []

    def verify(self, password: str, encoded: str) -> bool:
        hook = type(self).before_verify
        if hook is not None:
            hook(password)
        return super().verify(password, encoded)

    def encode(self, password: str, salt: str) -> str:
        # the hash itself: making one, or checking one (verify encodes with the stored salt)
        type(self).calls.append("hash")
        return super().encode(password, salt)


@pytest.fixture
def gate(settings: Any) -> Iterator[type[GateHasher]]:
    settings.PASSWORD_HASHERS = [f"{__name__}.GateHasher"]
    settings.LOCKOUT_THRESHOLD = THRESHOLD
    GateHasher.before_verify = None
    GateHasher.calls = []
    yield GateHasher
    GateHasher.before_verify = None


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """One visitor: its own cookies and connection, a sign-in form fetched before posting."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar), _NoRedirect)
        self.token = ""

    def open_sign_in(self) -> None:
        page = self.opener.open(self.base + reverse("accounts:login"), timeout=30).read()
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found, "no CSRF token on the sign-in page"
        self.token = found.group(1).decode()

    def sign_in(self, username: str, password: str) -> tuple[int, str]:
        body = urlencode(
            {"csrfmiddlewaretoken": self.token, "username": username, "password": password}
        ).encode()
        request = Request(self.base + reverse("accounts:login"), data=body)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except HTTPError as redirect:  # 302: signed in (or on to the code step)
            return redirect.code, redirect.read().decode()

    def get(self, path: str) -> int:
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return int(response.status)
        except HTTPError as redirect:
            return redirect.code


def _in_parallel(jobs: list[Callable[[], tuple[int, str]]]) -> list[tuple[int, str]]:
    results: list[tuple[int, str] | BaseException | None] = [None] * len(jobs)

    def run(k: int) -> None:
        try:
            results[k] = jobs[k]()
        except BaseException as exc:  # reported below, not lost in the thread
            results[k] = exc

    threads = [threading.Thread(target=run, args=(k,)) for k in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(GATE_SECONDS * 3)
    problems = [r for r in results if not isinstance(r, tuple)]
    assert not problems, problems
    return [r for r in results if isinstance(r, tuple)]


def _failures(user: User) -> list[str]:
    return list(
        AuditEvent.objects.filter(action="login_failed", object_id=str(user.pk))
        .order_by("created_at")
        .values_list("summary", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_forty_parallel_wrong_passwords_count_exactly_the_threshold(
    live_server: Any, gate: type[GateHasher], make_user: Any
) -> None:
    user = make_user("analyst", username="victim3")
    n = 40
    barrier = threading.Barrier(n, timeout=GATE_SECONDS)
    # every request is inside its password hash before any of them is judged
    gate.before_verify = lambda password: barrier.wait()
    browsers = [Browser(live_server.url) for _ in range(n)]
    for b in browsers:
        b.open_sign_in()
    jobs = [lambda b=b: b.sign_in("victim3", f"guess-{id(b)}") for b in browsers]
    results = _in_parallel(jobs)

    assert all(status == 200 for status, _ in results)
    assert all(services.BAD_CREDENTIALS in page for _, page in results)
    failures = _failures(user)
    counted = [s for s in failures if s.startswith("wrong password")]
    refused = [s for s in failures if s == "password refused: account locked"]
    # the threshold's worth of guesses was judged, the last of them locked the account, and
    # every other guess was refused unjudged
    assert len(counted) == THRESHOLD, failures
    assert sum("account locked for" in s for s in counted) == 1
    assert len(refused) == n - THRESHOLD
    user.refresh_from_db()
    assert user.is_locked and user.failed_logins == 0


@pytest.mark.django_db(transaction=True)
def test_right_password_hashed_while_the_account_locks_is_refused_and_keeps_the_lock(
    live_server: Any, gate: type[GateHasher], make_user: Any
) -> None:
    user = make_user("analyst", username="victim3")
    User.objects.filter(pk=user.pk).update(failed_logins=THRESHOLD - 1)
    right = 5
    hashing = threading.Semaphore(0)
    locked = threading.Event()

    def hold_right_passwords(password: str) -> None:
        if password == PASSWORD:
            hashing.release()
            assert locked.wait(GATE_SECONDS)

    gate.before_verify = hold_right_passwords
    owners = [Browser(live_server.url) for _ in range(right)]
    for b in owners:
        b.open_sign_in()
    results: list[tuple[int, str]] = []
    runner = threading.Thread(
        target=lambda: results.extend(
            _in_parallel([lambda b=b: b.sign_in("victim3", PASSWORD) for b in owners])
        )
    )
    runner.start()
    try:
        for _ in range(right):  # every right password is being hashed ...
            assert hashing.acquire(timeout=GATE_SECONDS)
        attacker = Browser(live_server.url)  # ... when one more wrong guess locks the account
        attacker.open_sign_in()
        status, page = attacker.sign_in("VICTIM3", "one-guess-too-many")
        assert status == 200 and services.BAD_CREDENTIALS in page
        user.refresh_from_db()
        assert user.is_locked
        locked_until = user.locked_until
    finally:
        locked.set()
        runner.join(GATE_SECONDS * 3)

    assert len(results) == right
    assert all(status == 200 and services.BAD_CREDENTIALS in page for status, page in results)
    assert all(b.get(reverse("accounts:security")) == 302 for b in owners)  # not signed in
    user.refresh_from_db()
    assert user.is_locked and user.locked_until == locked_until  # the lock stands
    assert not AuditEvent.objects.filter(action="login", object_id=str(user.pk)).exists()
    assert _failures(user)[-right:] == ["password refused: account locked"] * right


@pytest.mark.django_db
def test_every_refusal_gives_the_same_message_after_one_password_hash(
    client: Any, gate: type[GateHasher], make_user: Any
) -> None:
    """An unknown username, a wrong password, a locked account (with the right password or
    not), a deactivated account and one without a password: the same page and the same work
    (one run of the hasher), so neither the answer nor its timing tells them apart."""
    make_user("analyst", username="known")
    locked = make_user("analyst", username="locked")
    User.objects.filter(pk=locked.pk).update(locked_until=timezone.now() + timedelta(minutes=15))
    make_user("analyst", username="gone", is_active=False)
    nopassword = make_user("analyst", username="nopassword")
    nopassword.set_unusable_password()
    nopassword.save()
    cases = {
        "unknown username": ("nobody", PASSWORD),
        "wrong password": ("known", "not-the-password"),
        "locked, right password": ("locked", PASSWORD),
        "locked, wrong password": ("locked", "not-the-password"),
        "deactivated, right password": ("gone", PASSWORD),
        "no password set": ("nopassword", PASSWORD),
    }
    summaries = {}
    for case, (username, password) in cases.items():
        gate.calls = []
        response = client.post(
            reverse("accounts:login"), {"username": username, "password": password}
        )
        assert response.status_code == 200, case
        assert gate.calls == ["hash"], (case, gate.calls)
        html = response.content.decode()
        summaries[case] = re.search(
            r'<div class="govuk-error-summary".*?</div>\s*</div>', html, re.S
        )
        assert summaries[case], case
        assert services.BAD_CREDENTIALS in summaries[case].group(0)
    assert len({m.group(0) for m in summaries.values() if m}) == 1, summaries


def _signs_in(client: Any, username: str) -> None:
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_lockout_ends_the_accounts_sessions_for_good(
    client: Any, make_user: Any, settings: Any
) -> None:
    from django.test import Client

    settings.LOCKOUT_THRESHOLD = THRESHOLD
    user = make_user("analyst", username="ana")
    _signs_in(client, "ana")
    assert client.get(reverse("accounts:security")).status_code == 200
    attacker = Client()
    for k in range(THRESHOLD):
        attacker.post(reverse("accounts:login"), {"username": "ana", "password": f"guess {k}"})
    user.refresh_from_db()
    assert user.is_locked
    # the signed-in session ends at its next request ...
    response = client.get(reverse("accounts:security"))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )
    # ... and stays ended when the lock runs out
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now())
    assert client.get(reverse("accounts:security")).status_code == 302
    # signing in again works
    _signs_in(client, "ana")
    assert client.get(reverse("accounts:security")).status_code == 200


@pytest.mark.django_db
def test_deactivating_an_account_ends_its_sessions(client: Any, make_user: Any) -> None:
    from django.test import Client

    user = make_user("analyst", username="ana")
    client.force_login(user)
    admin = Client()
    admin.force_login(make_user("administrator"))
    response = admin.post(
        reverse("accounts:user_edit", args=[user.pk]),
        {
            "username": "ana",
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "agency": user.agency.pk,
            "role": user.role,
            # is_active left out: unticked
        },
    )
    assert response.status_code == 302
    # reactivated at once: the session that was open does not come back
    User.objects.filter(pk=user.pk).update(is_active=True)
    assert client.get(reverse("accounts:security")).status_code == 302


@pytest.mark.django_db
def test_sessions_from_before_the_upgrade_survive_it(make_user: Any) -> None:
    """Until an account's sessions are first ended, its session hash is Django's own, so the
    upgrade that brought ``session_generation`` signs nobody out."""
    from django.utils.crypto import salted_hmac

    user = make_user("analyst")
    djangos = salted_hmac(
        "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
        user.password,
        algorithm="sha256",
    ).hexdigest()
    assert user.session_generation == 0 and user.get_session_auth_hash() == djangos
    user.session_generation = 1
    assert user.get_session_auth_hash() != djangos
