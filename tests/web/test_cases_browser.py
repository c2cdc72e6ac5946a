"""Case work in Debian's Chromium: a case worker finds a person by POST, opens the case, builds
a meeting's agenda, minutes a case and marks an action done; axe-core finds no WCAG 2.2 AA
violation on the case, meeting, action and other case-work pages, none breaks the Content
Security Policy, and no page address ever carries a name. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from typing import Any

import pytest
from factories import PASSWORD
from test_browser import ARTIFACTS, _audit, _sign_in, browser
from test_cases_world import VICTIM, World, build

__all__ = ["browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(browser: Any, live_server: Any) -> tuple[str, World]:
    ARTIFACTS.mkdir(exist_ok=True)
    return str(live_server.url), build()


def test_case_worker_journey_and_accessibility(browser: Any, site: tuple[str, World]) -> None:
    base, w = site
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    console: list[str] = []
    addresses: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(str(e)))
    page.on("request", lambda r: addresses.append(r.url))
    problems: list[str] = []
    assert PASSWORD  # the world's users have the factories' password

    _sign_in(page, base, "marac_chair")
    page.goto(base + "/cases/")
    _audit(page, "cases-home", problems)
    # find a person: a POST, the results in the page
    page.goto(base + "/cases/find/")
    page.fill("#id_family_name", VICTIM[1])
    page.click("main form button[type=submit]")
    page.locator("main table a", has_text=" ".join(VICTIM)).wait_for()
    _audit(page, "cases-find", problems)
    page.click(f"main table a:has-text('{' '.join(VICTIM)}')")
    page.wait_for_url("**/cases/people/*/")
    _audit(page, "cases-person", problems)
    case = w.cases["marac"]
    page.goto(f"{base}/cases/case/{case.pk}/")
    assert page.locator("h1", has_text=case.reference).count() == 1
    _audit(page, "cases-case", problems)
    # the meeting: build the agenda, minute the case
    meeting = w.meetings["marac"]
    page.goto(f"{base}/cases/meetings/{meeting.pk}/")
    page.click("main form button:has-text('the agenda')")
    page.locator(".govuk-notification-banner", has_text="Agenda built").wait_for()
    _audit(page, "cases-meeting", problems)
    page.goto(f"{base}/cases/meetings/{meeting.pk}/minutes/{case.pk}/")
    page.fill("#id_discussion", "Synthetic: safety plan reviewed")
    _audit(page, "cases-minute", problems)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/cases/meetings/{meeting.pk}/")
    # an action: add one with an error first (the error summary), then mark one done
    page.goto(f"{base}/cases/case/{case.pk}/actions/new/")
    page.click("main form button[type=submit]")
    page.locator(".govuk-error-summary").wait_for(state="visible")
    _audit(page, "cases-action-new-errors", problems)
    action = w.actions["marac"]
    page.goto(f"{base}/cases/actions/{action.pk}/")
    _audit(page, "cases-action", problems)
    page.click("main form button:has-text('Mark as done')")
    page.locator(".govuk-notification-banner", has_text="Action marked done").wait_for()
    for name, path in (
        ("cases-cohort", f"/cases/cohorts/{case.cohort_id}/"),
        ("cases-figures", f"/cases/cohorts/{case.cohort_id}/figures/"),
        ("cases-refer", f"/cases/cohorts/{case.cohort_id}/refer/"),
        ("cases-status", f"/cases/case/{case.pk}/status/"),
        ("cases-answers", f"/cases/case/{case.pk}/answers/"),
        ("cases-history", f"/cases/people/{case.person_id}/access-history/"),
    ):
        page.goto(base + path)
        _audit(page, name, problems)
    context.close()

    # the administrator's configuration pages
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    _sign_in(page, base, "admin")
    for name, path in (
        ("cases-config", "/cases/configuration/"),
        ("cases-cohort-config", f"/cases/configuration/cohorts/{case.cohort_id}/"),
        ("cases-agreement-new", "/cases/configuration/agreements/new/"),
    ):
        page.goto(base + path)
        _audit(page, name, problems)
    context.close()

    # narrow screen, no JavaScript: the case page and the meeting still work
    context = browser.new_context(viewport={"width": 375, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    _sign_in(page, base, "marac_police")
    page.goto(f"{base}/cases/case/{case.pk}/")
    assert page.locator("h1", has_text=case.reference).count() == 1
    page.screenshot(path=str(ARTIFACTS / "cases-case-narrow.png"), full_page=True)
    context.close()

    assert not problems, "\n".join(problems)
    assert not console, console
    named = [
        a for a in addresses if VICTIM[1].lower() in a.lower() or VICTIM[0].lower() in a.lower()
    ]
    assert not named, named
