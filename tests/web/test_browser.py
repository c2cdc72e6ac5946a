"""Debian's Chromium through Playwright against a live server: sign in, upload a police.uk file and
watch the import finish, open the trend and the map; axe-core finds no WCAG 2.2 AA violation on
any page and no page breaks the Content Security Policy. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
VENDOR = REPO / "src" / "safercity" / "web" / "static" / "vendor" / "govuk" / "safercity.css"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SYNTHETIC_CSV = Path(__file__).parent / "data" / "synthetic-street.csv"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    for need, how in (
        (CHROMIUM, "bash scripts/system-packages.sh"),
        (AXE, "bash scripts/build-static.sh"),
        (VENDOR, "bash scripts/build-static.sh"),
    ):
        if not Path(need).exists():
            pytest.fail(f"{need} is missing: run `{how}` (make setup does)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; Django's ORM calls made by the
    # tests and fixtures here are still ordinary synchronous calls.
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield b
            b.close()
    finally:
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


@pytest.fixture
def site(
    browser: Any,
    live_server: Any,
    settings: Any,
    synthetic_workspace: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> str:
    ws = tmp_path / "ws"
    shutil.copytree(synthetic_workspace, ws)
    settings.WORKSPACE = ws
    request.getfixturevalue("job_worker")  # uploads are imported by the real job worker
    from factories import UserFactory

    UserFactory(username="analyst", role="analyst")
    UserFactory(username="admin", role="administrator")
    ARTIFACTS.mkdir(exist_ok=True)
    return str(live_server.url)


def _audit(page: Any, name: str, problems: list[str]) -> None:
    page.evaluate(AXE.read_text())  # evaluated by the browser's debugger: not subject to CSP
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    for v in result["violations"]:
        targets = [" ".join(n["target"]) for n in v["nodes"]][:5]
        problems.append(f"{name}: {v['id']} ({v['impact']}) {v['help']} at {targets}")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_browser_journey_and_accessibility(browser: Any, site: str) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(str(e)))
    problems: list[str] = []

    for name, path in (
        ("home", "/"),
        ("accessibility", "/accessibility/"),
        ("privacy", "/privacy/"),
        ("api-docs", "/api/"),
    ):
        page.goto(site + path)
        _audit(page, name, problems)
    page.goto(site + "/accounts/sign-in/")
    page.click("main button[type=submit]")  # empty form: the error summary
    page.locator(".govuk-error-summary").wait_for(state="visible")
    _audit(page, "sign-in-errors", problems)

    _sign_in(page, site, "analyst")
    # upload a police.uk file and watch the background import finish
    page.goto(site + "/imports/")
    _audit(page, "imports", problems)
    page.set_input_files("#id_file", str(SYNTHETIC_CSV))
    page.click("main button[type=submit]")
    page.wait_for_url("**/imports/*/")
    page.locator("#job-state", has_text="Finished").wait_for(timeout=60_000)
    page.locator("text=Quarantine report").wait_for(state="visible")
    _audit(page, "import-finished", problems)

    page.goto(site + "/analysis/")
    _audit(page, "overview", problems)
    assert "1,205 incidents" in page.locator("main").inner_text()
    page.goto(site + "/analysis/trend/")
    assert page.locator("svg.app-chart polyline").count() == 1
    # HTMX partial update: choose a ward and show
    page.select_option("#id_area", "ward:West End")
    page.click("main form button[type=submit]")
    page.locator("#results h2", has_text="in West End").wait_for()
    _audit(page, "trend", problems)
    page.goto(site + "/analysis/map/")
    # the squares and boundaries are drawn on a canvas; the names are text on top
    page.locator("[data-hotspot-map] canvas").first.wait_for()
    page.locator("[data-hotspot-map] .app-map__name", has_text="Westminster").wait_for()
    assert (
        page.evaluate(
            "JSON.parse(document.querySelector('template[data-hotspot-map-data]').content.textContent).cells.length"
        )
        > 10
    )
    _audit(page, "map", problems)
    for name, path in (
        ("hours", "/analysis/hours/"),
        ("rankings", "/analysis/rankings/"),
        ("account", "/accounts/account/"),
    ):
        page.goto(site + path)
        _audit(page, name, problems)
    context.close()

    # the administrator's pages
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    _sign_in(page, site, "admin")
    for name, path in (
        ("users", "/accounts/users/"),
        ("user-new", "/accounts/users/new/"),
        ("agencies", "/accounts/agencies/"),
        ("audit", "/audit/"),
    ):
        page.goto(site + path)
        _audit(page, name, problems)
    page.goto(site + "/accounts/users/")
    with page.expect_navigation():  # axe on a page still being replaced found no document
        page.click("main table a >> nth=0")
    _audit(page, "user", problems)
    context.close()

    # narrow screen (mobile width), no JavaScript: the trend page still works
    context = browser.new_context(viewport={"width": 375, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    _sign_in(page, site, "analyst")
    page.goto(site + "/analysis/trend/?category=Burglary")
    assert page.locator("table.govuk-table tbody tr").count() == 24
    page.goto(site + "/analysis/map/")
    assert page.locator("svg.app-map__fallback .app-map__squares path").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "map-no-javascript.png"), full_page=True)
    context.close()

    assert not problems, "\n".join(problems)
    csp = [m for m in console if "Content Security Policy" in m or "Refused to" in m]
    assert not csp, csp
    assert not console, console
    assert (ARTIFACTS / "map.png").exists()
