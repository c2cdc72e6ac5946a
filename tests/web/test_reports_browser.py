"""Debian's Chromium through Playwright: an analyst generates a Strategic Assessment with the
button, watches its progress (HTMX) until it finishes on the real background thread, and opens
it; a board member reads it; axe-core finds no WCAG 2.2 AA violation on the report pages, and
the report's own Content Security Policy blocks nothing it needs (no console errors).
Screenshots go to test-artifacts/. SYNTHETIC data (tests/web/synthetic.py)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from test_browser import ARTIFACTS, _audit, _sign_in, browser  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reports_site(
    browser: Any,  # noqa: F811
    live_server: Any,
    settings: Any,
    synthetic_workspace: Path,
    tmp_path: Path,
) -> str:
    from factories import UserFactory

    ws = tmp_path / "ws"
    shutil.copytree(synthetic_workspace, ws)
    settings.WORKSPACE = ws
    settings.REPORTS_INLINE = False  # the real background thread
    UserFactory(username="analyst", role="analyst")
    UserFactory(username="board", role="board_member")
    ARTIFACTS.mkdir(exist_ok=True)
    return str(live_server.url)


def test_generate_watch_and_read_a_report(browser: Any, reports_site: str) -> None:  # noqa: F811
    from safercity.web.reports.models import AssessmentReport

    site = reports_site
    problems: list[str] = []
    console: list[str] = []
    failed: list[str] = []

    def watch(p: Any) -> None:
        # console errors (a CSP violation is one); failed loads are checked by URL below, as
        # the report document has no icon of its own and the browser asks for /favicon.ico
        p.on(
            "console",
            lambda m: (
                console.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource")
                else None
            ),
        )
        p.on(
            "response",
            lambda r: (
                failed.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else None
            ),
        )

    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    watch(page)
    _sign_in(page, site, "analyst")
    page.goto(site + "/reports/")
    assert "No reports yet" in page.locator("main table").inner_text()
    _audit(page, "reports-list-empty", problems)
    page.click("main a:has-text('Generate a report')")
    page.wait_for_url("**/reports/new/")
    page.fill("#id_period", "2017-12:2017-01")
    page.click("main form button[type=submit]")
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert "Select the area" in page.locator(".govuk-error-summary").inner_text()
    _audit(page, "reports-new-errors", problems)
    page.select_option("#id_area", "Westminster")
    page.fill("#id_period", "2017-01:2017-12")
    page.click("main form button:has-text('Generate report')")
    page.wait_for_url("**/reports/*/")
    # HTMX replaces the status block until the job is done (no reload by the test)
    page.locator("#report-state:has-text('Finished')").wait_for(timeout=60_000)
    report = AssessmentReport.objects.get()
    assert report.status == AssessmentReport.Status.DONE
    assert "Key findings" in page.locator("main").inner_text()
    _audit(page, "reports-report", problems)

    page.click("main a:has-text('Read the report (HTML)')")
    page.wait_for_url("**/files/report.html")
    assert page.locator("h1").first.inner_text().strip()
    assert page.locator("svg").count() >= 1
    # (axe-core on the document itself: tests/analytics/test_report.py; here, that it is served
    # whole under its own CSP - no console errors - with its figures inline)
    context.close()

    board_ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    board = board_ctx.new_page()
    watch(board)
    _sign_in(board, site, "board")
    board.goto(site + "/reports/")
    assert board.locator("main a:has-text('Generate a report')").count() == 0
    assert "Westminster, 2017-01:2017-12" in board.locator("main table").inner_text()
    _audit(board, "reports-list", problems)
    with board.expect_download() as download:
        board.click("main table a:has-text('PDF')")
    assert download.value.suggested_filename.endswith(".pdf")
    board_ctx.close()

    assert not problems, "\n".join(problems)
    assert not console, console
    assert not failed, failed
