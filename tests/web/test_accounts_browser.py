"""The account pages in Debian's Chromium (Playwright) against a live server: setting up two-step
sign-in from the key shown, signing in with a code, changing a password, an administrator's reset
and the new password chosen at sign-in; axe-core finds no WCAG 2.2 AA violation on any of them,
errors included, and no page breaks the Content Security Policy. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import base64
import re
import time
from typing import Any

import pytest
from django_otp.oath import TOTP
from factories import PASSWORD
from test_browser import ARTIFACTS, _audit, browser  # noqa: F401 - the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW = "a-new-and-long-passphrase-7"


@pytest.fixture
def accounts_site(browser: Any, live_server: Any) -> str:  # noqa: F811 - the fixture above
    from factories import UserFactory

    UserFactory(username="ana", role="analyst")
    UserFactory(username="boss", role="administrator")
    ARTIFACTS.mkdir(exist_ok=True)
    return str(live_server.url)


def _code(key_text: str, at: float) -> str:
    b32 = key_text.replace(" ", "")
    key = base64.b32decode(b32 + "=" * (-len(b32) % 8))
    totp = TOTP(key)
    totp.time = at
    return f"{totp.token():06d}"


def _submit(page: Any, label: str) -> None:
    page.get_by_role("button", name=label).click()
    page.wait_for_load_state()


def _sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    _submit(page, "Sign in")


def test_account_pages_work_and_are_accessible(browser: Any, accounts_site: str) -> None:  # noqa: F811
    base = accounts_site
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(str(e)))
    problems: list[str] = []

    _sign_in(page, base, "ANA", PASSWORD)  # any case
    page.goto(f"{base}/accounts/account/")
    _audit(page, "account", problems)

    # two-step sign-in: the password, then the key shown, then a code from it
    with page.expect_navigation():  # axe must not run on the page being left
        page.get_by_role("link", name="Set up two-step sign-in").click()
    _audit(page, "two-step-start", problems)
    page.fill("#id_password", "not my password")
    _submit(page, "Continue")
    assert "Your current password is wrong" in page.inner_text(".govuk-error-summary")
    _audit(page, "two-step-start-error", problems)
    page.fill("#id_password", PASSWORD)
    _submit(page, "Continue")
    key_text = page.inner_text("#totp-secret")
    _audit(page, "two-step-set-up", problems)
    page.fill("#id_code", _code(key_text, time.time()))
    _submit(page, "Turn on two-step sign-in")
    assert "Two-step sign-in is on" in page.inner_text("main")
    page.goto(f"{base}/accounts/account/two-step-sign-in/")
    _audit(page, "two-step-on", problems)

    # change the password: an error first, then done
    page.goto(f"{base}/accounts/account/password/")
    page.fill("#id_current_password", PASSWORD)
    page.fill("#id_new_password", "short")
    _submit(page, "Change password")
    assert page.title().startswith("Error:")
    _audit(page, "change-password-error", problems)
    page.fill("#id_current_password", PASSWORD)
    page.fill("#id_new_password", NEW)
    _submit(page, "Change password")
    assert "Your password is changed" in page.inner_text("main")

    # sign out, and in again with the new password and a later code
    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, base, "ana", NEW)
    assert page.url.endswith("/accounts/sign-in/code/")
    _audit(page, "sign-in-code", problems)
    page.fill("#id_code", _code(key_text, (int(time.time()) // 30 + 1) * 30 + 1))
    _submit(page, "Continue")
    assert page.url == f"{base}/"
    page.get_by_role("button", name="Sign out").click()

    # an administrator resets it and turns off her two-step sign-in (her phone is lost); she
    # chooses a new password at sign-in
    _sign_in(page, base, "boss", PASSWORD)
    page.goto(f"{base}/accounts/users/")
    page.get_by_role("link", name="ana", exact=True).click()
    page.get_by_role("button", name="Reset password").click()
    _audit(page, "reset-password", problems)
    page.check("#id_turn_off_two_step")
    page.fill("#id_password", PASSWORD)
    _submit(page, "Reset password")
    temporary = page.inner_text("#temporary-password")
    assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", temporary)
    _audit(page, "reset-password-done", problems)
    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, base, "ana", temporary)
    assert page.url.endswith("/accounts/sign-in/new-password/")
    _audit(page, "new-password", problems)
    page.fill("#id_new_password", "another-long-passphrase-8")
    _submit(page, "Save password and continue")
    assert page.url == f"{base}/"

    context.close()
    assert not problems, "\n".join(problems)
    assert not console, console
