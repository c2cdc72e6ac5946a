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
    _audit(board, "strategy-overview", problems)
    complete_before = _cell(board, "youth-crime", "complete")
    overdue_before = _cell(board, "youth-crime", "overdue")
    assert complete_before == 0 and overdue_before >= 1
    for name, link in (("strategy-priority", "Youth Related Crime & Disorder"),):
        board.click(f"#priorities a:has-text('{link}')")
        board.wait_for_url("**/strategy/priorities/*/")
        _audit(board, name, problems)
    for name, path in (
        ("strategy-governance", "/strategy/governance/"),
        ("strategy-budget", "/strategy/budget/"),
        ("strategy-report", "/strategy/report/"),
    ):
        board.goto(site + path)
        _audit(board, name, problems)

    activity = sm.Activity.objects.get(key="youth-a6")
    measure = sm.Measure.objects.get(key="youth-a6-k2")
    owner_ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    owner = owner_ctx.new_page()
    owner.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    _sign_in(owner, site, "owner")
    owner.goto(site + "/strategy/")
    assert "youth-a6" in owner.locator("main .govuk-inset-text").inner_text()
    owner.goto(f"{site}/strategy/activities/{activity.pk}/")
    assert "Overdue" in owner.locator("#activity-status").inner_text()
    owner.click("main form button[type=submit]")  # empty: the error summary
    owner.locator(".govuk-error-summary").wait_for(state="visible")
    _audit(owner, "strategy-activity-errors", problems)
    owner.select_option("#id_status", "complete")
    owner.fill("#id_narrative", "Victim support worker in post; 40 outreach sessions run.")
    owner.fill("#id_evidence", "Victim Support quarterly return")
    owner.click("main form button[type=submit]")
    owner.locator(".govuk-notification-banner--success").wait_for()
    assert "Complete" in owner.locator("#activity-status").inner_text()
    assert "40 outreach sessions run" in owner.locator("#history").inner_text()
    _audit(owner, "strategy-activity", problems)
    owner.goto(f"{site}/strategy/measures/{measure.pk}/")
    owner.fill("#id_value", "40")
    owner.fill("#id_date", "31/03/2012")
    owner.fill("#id_evidence", "Session log")
    owner.click("main form button[type=submit]")
    owner.locator(".govuk-notification-banner--success").wait_for()
    assert "Met" in owner.locator("main dl").inner_text()
    _audit(owner, "strategy-measure", problems)
    owner_ctx.close()

    board.goto(site + "/strategy/")
    assert _cell(board, "youth-crime", "complete") == complete_before + 1
    assert _cell(board, "youth-crime", "overdue") == overdue_before - 1
    board.screenshot(path=str(ARTIFACTS / "strategy-overview-after.png"), full_page=True)
    board_ctx.close()

    assert not problems, "\n".join(problems)
    assert not console, console
