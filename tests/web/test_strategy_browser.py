"""Debian's Chromium through Playwright: an action owner posts an update on an activity their
body leads and the board's overview changes; axe-core finds no WCAG 2.2 AA violation on the
strategy pages. Screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_browser import ARTIFACTS, _audit, _sign_in, browser  # noqa: F401 - the fixture

from safercity.strategy import load
from safercity.web.strategy import models as sm
from safercity.web.strategy import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WESTMINSTER = Path(__file__).resolve().parents[2] / "examples" / "westminster-2011-14.yaml"


@pytest.fixture
def strategy_site(browser: Any, live_server: Any) -> str:  # noqa: F811
    from factories import AgencyFactory, UserFactory

    services.load(load(WESTMINSTER))
    UserFactory(username="board", role="board_member")
    # Victim Support leads youth-a6 ("Provide dedicated victim support ...")
    UserFactory(
        username="owner",
        role="action_owner",
        first_name="Val",
        last_name="Owner",
        agency=AgencyFactory(name="Victim Support"),
    )
    ARTIFACTS.mkdir(exist_ok=True)
    return str(live_server.url)


def _cell(page: Any, priority: str, status: str) -> int:
    return int(
        page.locator(f'tr[data-priority="{priority}"] td[data-status="{status}"]').inner_text()
    )


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def _fill_date(page: Any, name: str, day: str, month: str, year: str) -> None:
    page.fill(f"#id_{name}_day", day)
    page.fill(f"#id_{name}_month", month)
    page.fill(f"#id_{name}_year", year)


def test_action_owner_update_changes_the_board_overview(
    browser: Any,  # noqa: F811
    strategy_site: str,
) -> None:
    site = strategy_site
    problems: list[str] = []
    console: list[str] = []
    board_ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    board = board_ctx.new_page()
    board.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    _sign_in(board, site, "board")
    board.goto(site + "/strategy/")
    # the 2011-14 strategy opens on its own last day, not on today (issue 12)
    assert "as at 31 March 2014" in board.locator("#priorities caption").inner_text()
    _audit(board, "strategy-overview", problems)
    complete_before = _cell(board, "youth-crime", "complete")
    at_risk_before = _cell(board, "youth-crime", "at_risk")
    assert complete_before == 0 and at_risk_before >= 1
    for name, link in (("strategy-priority", "Youth Related Crime & Disorder"),):
        board.click(f"#priorities a:has-text('{link}')")
        board.wait_for_url("**/strategy/priorities/*/")
        _audit(board, name, problems)
    for name, path in (
        ("strategy-governance", "/strategy/governance/"),
        ("strategy-budget", "/strategy/budget/"),
        ("strategy-report", "/strategy/report/"),
        ("strategy-versions", "/strategy/versions/"),
    ):
        board.goto(site + path)
        _audit(board, name, problems)
        current = board.locator(".app-sub-navigation [aria-current=page]")
        assert current.count() == 1, path
    board.goto(site + "/strategy/report/")
    board.select_option("#id_quarter", "2011-09-30")
    board.click("form.app-period-picker button")
    board.wait_for_url("**/strategy/report/?as_at=2011-09-30")
    assert "Quarter 2 2011/12" in board.locator("main h1").inner_text()

    activity = sm.Activity.objects.get(key="youth-a6")
    measure = sm.Measure.objects.get(key="youth-a6-k2")
    owner_ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    owner = owner_ctx.new_page()
    owner.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    _sign_in(owner, site, "owner")
    owner.goto(site + "/strategy/")
    mine = owner.locator("#my-activities").inner_text()
    assert "Provide dedicated victim support" in mine and "youth-a6" not in mine
    owner.goto(f"{site}/strategy/activities/{activity.pk}/")
    assert "At risk" in owner.locator("#activity-status").inner_text()
    owner.fill("#id_date_day", "")
    owner.click("main form button[type=submit]")  # empty: the error summary
    owner.locator(".govuk-error-summary").wait_for(state="visible")
    _audit(owner, "strategy-activity-errors", problems)
    owner.select_option("#id_status", "complete")
    owner.fill("#id_narrative", "Victim support worker in post; 40 outreach sessions run.")
    owner.fill("#id_evidence", "Victim Support quarterly return")
    _fill_date(owner, "date", "1", "3", "2014")
    owner.click("main form button[type=submit]")
    owner.locator(".govuk-notification-banner--success").wait_for()
    assert "Complete" in owner.locator("#activity-status").inner_text()
    assert "40 outreach sessions run" in owner.locator("#history").inner_text()
    _audit(owner, "strategy-activity", problems)
    owner.goto(f"{site}/strategy/measures/{measure.pk}/")
    owner.fill("#id_value", "40")
    _fill_date(owner, "date", "31", "3", "2012")
    owner.fill("#id_evidence", "Session log")
    owner.click("main form button[type=submit]")
    owner.locator(".govuk-notification-banner--success").wait_for()
    assert "Met" in owner.locator("main dl").inner_text()
    _audit(owner, "strategy-measure", problems)
    owner_ctx.close()

    board.goto(site + "/strategy/")
    assert _cell(board, "youth-crime", "complete") == complete_before + 1
    assert _cell(board, "youth-crime", "at_risk") == at_risk_before - 1
    board.screenshot(path=str(ARTIFACTS / "strategy-overview-after.png"), full_page=True)
    board_ctx.close()

    assert not problems, "\n".join(problems)
    assert not console, console


def test_priority_lead_edits_the_plan_and_narrow_screens(
    browser: Any,  # noqa: F811
    strategy_site: str,
) -> None:
    """A priority lead adds an activity and a milestone through the forms (GOV.UK checkboxes,
    radios and date inputs; axe-clean, errors too); at 390 px the tables scroll inside their
    own regions, never the page; without JavaScript the quarter picker still works."""
    from factories import AgencyFactory, UserFactory

    UserFactory(
        username="ntelead",
        role="action_owner",
        first_name="Nia",
        last_name="Lead",
        agency=AgencyFactory(name="Night Time Economy Group"),
    )
    site = strategy_site
    problems: list[str] = []
    console: list[str] = []
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    page = ctx.new_page()
    # a form with errors answers 400, which Chromium logs: that one is expected, no other
    page.on(
        "console",
        lambda m: (
            console.append(m.text) if m.type == "error" and "status of 400" not in m.text else None
        ),
    )
    _sign_in(page, site, "ntelead")
    nte = sm.Priority.objects.get(key="night-time-economy")
    objective = nte.objectives.get(key="nte-o3")
    page.goto(f"{site}/strategy/objectives/{objective.pk}/activities/new/")
    page.click("main form button[type=submit]")
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert "Select at least one lead" in page.locator(".govuk-error-summary").inner_text()
    _audit(page, "strategy-edit-activity-errors", problems)
    page.fill("#id_text", "Run a night bus pilot from Leicester Square.")
    page.check("main input[name=lead] >> nth=0")
    page.get_by_label("Night Time Economy Group", exact=True).first.check()
    page.get_by_label("Westminster Drug and Alcohol Team (DAAT)").last.check()
    page.click("main form button[type=submit]")
    page.wait_for_url("**/strategy/activities/*/")
    assert "Run a night bus pilot" in page.locator("main h1").inner_text()
    with page.expect_navigation():  # axe must not run on the page being left
        page.click("main a:has-text('Add a milestone')")
    _audit(page, "strategy-edit-milestone", problems)
    page.fill("#id_text", "Review the pilot")
    page.check("#id_kind_2")  # recurs
    page.fill("#id_recurrence", "every 2 months")
    _fill_date(page, "due", "30", "11", "2011")
    page.click("main form button[type=submit]")
    page.locator(".govuk-notification-banner--success").wait_for()
    assert "Every 2 months" in page.locator("#milestones").inner_text()
    ctx.close()

    narrow = browser.new_context(viewport={"width": 390, "height": 844})
    small = narrow.new_page()
    _sign_in(small, site, "board")
    for name, path in (
        ("strategy-overview-390", "/strategy/"),
        ("strategy-priority-390", f"/strategy/priorities/{nte.pk}/"),
        ("strategy-report-390", "/strategy/report/?as_at=2012-09-30"),
        ("strategy-budget-390", "/strategy/budget/"),
    ):
        small.goto(site + path)
        assert _no_sideways_scroll(small), f"{path} scrolls sideways at 390 px"
        _audit(small, name, problems)
    narrow.close()
    # a priority lead's page has "Change" links with visually hidden text in its tables: it
    # must stay inside the scrolling region (it widened the page to 470 px)
    narrow = browser.new_context(viewport={"width": 390, "height": 844})
    small = narrow.new_page()
    _sign_in(small, site, "ntelead")
    small.goto(f"{site}/strategy/priorities/{nte.pk}/")
    assert small.locator("main caption a:has-text('Change')").count() >= 1
    assert _no_sideways_scroll(small), "the priority lead's priority page scrolls sideways"
    narrow.close()

    nojs = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    plain = nojs.new_page()
    _sign_in(plain, site, "board")
    plain.goto(site + "/strategy/report/")
    plain.select_option("#id_quarter", "2012-06-30")
    plain.click("form.app-period-picker button")
    plain.wait_for_url("**/strategy/report/?as_at=2012-06-30")
    assert "Quarter 1 2012/13" in plain.locator("main h1").inner_text()
    plain.screenshot(path=str(ARTIFACTS / "strategy-report-nojs.png"), full_page=True)
    plain.goto(site + "/strategy/?as_at=2012-02-30")
    assert "must be a real date" in plain.locator(".govuk-error-summary").inner_text()
    nojs.close()

    assert not problems, "\n".join(problems)
    assert not console, console
