"""The newcomer's first hour, in a real browser (issue 12).

What ``make demo`` runs, on a fresh workspace: ``safercity demo`` (twice: it must be idempotent
and keep its logins), then ``safercity serve`` as the demo serves it. Then, in Debian's Chromium
at 1280 px and 390 px, as each role the demo prints: every page the navigation offers and every
page their sub-navigation offers; an analyst generates a Strategic Assessment from the web, waits
for it, opens it and its PDF, and a board member reads it; filters are changed with and without
JavaScript, including a bad month. The test fails on any 5xx, any unhandled JavaScript error, any
axe-core WCAG 2.2 AA violation, any page wider than a phone at 390 px, and any traceback (or
killed process) in the server's log.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("journey")]

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "journey"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
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
WIDTHS = (1280, 390)
LOGIN = re.compile(r"^\s+(?P<role>.+?)\s+username (?P<user>\S+)\s+password (?P<password>\S+)", re.M)


@dataclass
class Demo:
    base: str
    logins: dict[str, tuple[str, str]]  # role -> (username, password)
    log: Path
    workspace: Path
    problems: list[str] = field(default_factory=list)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFERCITY_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    return env


def _demo(ws: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safercity", "demo", "--workspace", str(ws), "--no-serve"],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=ws.parent,
        timeout=1800,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    ws = tmp_path_factory.mktemp("journey") / "ws"
    first = _demo(ws)
    assert first.returncode == 0, first.stderr[-3000:]
    logins = {m["role"]: (m["user"], m["password"]) for m in LOGIN.finditer(first.stdout)}
    assert len(logins) >= 5, first.stdout
    # a case worker who is a member of a cohort (the case-work demo prints them)
    cohort = re.search(r"^\s+(marac-worker)\s", first.stdout, re.M)
    assert cohort, first.stdout
    password = next(iter(logins.values()))[1]  # every demo login shares the password
    cohort_login = (cohort.group(1), password)
    status = subprocess.run(
        [sys.executable, "-m", "safercity", "status", "--workspace", str(ws), "--json"],
        capture_output=True,
        text=True,
        check=True,
        env=_env(),
    )
    assert json.loads(status.stdout)["incidents"] == 27176 + 28537 + 31635
    assert (ws / "reports" / "leeds-2018-07.html").is_file()
    assert (ws / "reports" / "leeds-2018-07.pdf").stat().st_size > 10_000
    # idempotent, and the logins printed the first time still work
    again = _demo(ws)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "already imported" in again.stdout and "up to date" in again.stdout
    assert {m["role"]: (m["user"], m["password"]) for m in LOGIN.finditer(again.stdout)} == logins
    logins["Case worker in the MARAC"] = cohort_login

    port = _free_port()
    log = ws.parent / "serve.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [
                *(sys.executable, "-m", "safercity", "serve", "--workspace", str(ws)),
                *("--port", str(port), "--workers", "2"),  # as `safercity demo` serves it
            ],
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
        try:
            for _ in range(600):
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=2):
                        break
                except OSError:
                    assert server.poll() is None, log.read_text()
                    time.sleep(0.2)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            yield Demo(f"http://127.0.0.1:{port}", logins, log, ws)
        finally:
            server.terminate()
            server.wait(timeout=60)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    for need in (CHROMIUM, AXE):
        if not Path(need).exists():
            pytest.fail(f"{need} is missing: run `make setup`")
    from playwright.sync_api import sync_playwright

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


class Visit:
    """A browser context as one person, recording every problem a page shows."""

    def __init__(self, browser: Any, demo: Demo, *, width: int, js: bool = True) -> None:
        self.browser = browser
        self.demo = demo
        self.width = width
        self.js = js
        self.context = browser.new_context(
            viewport={"width": width, "height": 900}, java_script_enabled=js
        )
        self.page = self.context.new_page()
        self.problems = demo.problems
        self.page.on("pageerror", lambda e: self.problems.append(f"JavaScript error: {e}"))
        self.page.on("console", self._console)
        self.page.on(
            "response",
            lambda r: self.problems.append(f"{r.status} from {r.url}") if r.status >= 400 else None,
        )

    def _console(self, message: Any) -> None:
        # a failed load is recorded with its address by the response listener above
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console: {message.text}")

    def sign_in(self, role: str) -> None:
        username, password = self.demo.logins[role]
        self.page.goto(self.demo.base + "/accounts/sign-in/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("main button[type=submit]")
        self.page.wait_for_load_state()
        assert "/accounts/sign-in/" not in self.page.url, f"{role} could not sign in"

    def check(self, name: str) -> None:
        """axe-core and the width of the page; a screenshot of a page that shows a problem."""
        before = len(self.problems)
        if self.js:
            self._axe(self.page, name)
        else:
            # axe.run waits on timers, which never fire with JavaScript off: the same page (its
            # URL holds the form's choices) is checked in a context with JavaScript on
            seen = self.browser.new_context(
                viewport={"width": self.width, "height": 900},
                storage_state=self.context.storage_state(),
            )
            try:
                twin = seen.new_page()
                twin.goto(self.page.url)
                self._axe(twin, name)
            finally:
                seen.close()
        wide = self.page.evaluate("document.documentElement.scrollWidth")
        if wide > self.width + 1:
            self.problems.append(f"{name} @{self.width}: the page is {wide} px wide")
        if len(self.problems) > before:
            path = ARTIFACTS / f"{name}-{self.width}.png"
            self.page.screenshot(path=str(path), full_page=True)

    def _axe(self, page: Any, name: str) -> None:
        page.evaluate(AXE.read_text())  # run by the debugger: not subject to the page's CSP
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
        )
        for v in result["violations"]:
            targets = [" ".join(n["target"]) for n in v["nodes"]][:3]
            self.problems.append(f"{name} @{self.width}: axe {v['id']}: {v['help']} {targets}")

    def links(self, selector: str) -> list[str]:
        hrefs = self.page.eval_on_selector_all(selector, "els => els.map(e => e.href)")
        return [h for h in dict.fromkeys(hrefs) if h.startswith(self.demo.base)]

    def close(self) -> None:
        self.context.close()


def _slug(url: str, base: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", url.removeprefix(base).lower()).strip("-") or "home"


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_each_role_is_offered(browser: Any, demo: Demo, width: int) -> None:
    start = len(demo.problems)  # this test's problems, not an earlier one's
    seen = 0
    checked: set[str] = set()  # at 390 px, pages an earlier role's visit already checked

    def check(visit: Visit, role: str, url: str) -> None:
        # At 1280 px every page is checked as every role (what each role is shown differs).
        # At 390 px the question is the layout, which a role's extra buttons do not change:
        # each page is checked once, by the first role offered it; every role's home is.
        if width != 1280 and url in checked:
            return
        checked.add(url)
        visit.check(f"{_slug(role, '')}-{_slug(url, demo.base)}")

    for role in demo.logins:
        visit = Visit(browser, demo, width=width)
        visit.sign_in(role)
        visit.check(f"{_slug(role, '')}-home")
        pages = visit.links(".govuk-service-navigation__link") + visit.links(
            ".app-header__account a"
        )
        for url in pages:
            visit.page.goto(url)
            check(visit, role, url)
            seen += 1
            for sub in visit.links(".app-sub-navigation__link"):
                if sub in pages:
                    continue
                visit.page.goto(sub)
                check(visit, role, sub)
                seen += 1
        visit.close()
    assert seen > 10
    new = demo.problems[start:]
    assert not new, "\n".join(new)


def test_an_analyst_generates_an_assessment_and_a_board_member_reads_it(
    browser: Any, demo: Demo
) -> None:
    start = len(demo.problems)  # this test's problems, not an earlier one's
    analyst = next(r for r in demo.logins if r.lower().startswith("analyst"))
    board = next(r for r in demo.logins if r.lower().startswith("board"))
    visit = Visit(browser, demo, width=1280)
    visit.sign_in(analyst)
    visit.page.goto(demo.base + "/reports/")
    visit.page.click("text=Generate a report")
    visit.page.select_option("#id_area", "Bradford")
    visit.page.fill("#id_period", "2018-07:2018-07")
    visit.check("report-new")
    visit.page.click("main button[type=submit]")
    visit.page.wait_for_url(re.compile(r".*/reports/[0-9a-f-]{36}/$"))
    report_url = visit.page.url
    visit.page.locator("text=Read the report").wait_for(timeout=15 * 60_000)
    visit.check("report-done")
    read = visit.page.locator("text=Read the report").get_attribute("href")
    html = visit.page.request.get(urljoin(visit.page.url, read))
    assert html.status == 200 and "Bradford" in html.text()
    download = visit.page.locator("text=Download the PDF").get_attribute("href")
    pdf = visit.page.request.get(urljoin(visit.page.url, download))
    assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"
    visit.close()
    reader = Visit(browser, demo, width=390)
    reader.sign_in(board)
    reader.page.goto(demo.base + "/reports/")
    listing = reader.page.locator("main table").inner_text()
    assert "Bradford" in listing and "Leeds" in listing  # the web's and the demo's own
    reader.check("board-reports")
    reader.page.goto(report_url)
    reader.page.locator("text=Read the report").click()
    reader.page.wait_for_load_state()
    assert "Bradford" in reader.page.content()
    reader.close()
    new = demo.problems[start:]
    assert not new, "\n".join(new)


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_filters_with_and_without_javascript(browser: Any, demo: Demo, js: bool) -> None:
    start = len(demo.problems)  # this test's problems, not an earlier one's
    analyst = next(r for r in demo.logins if r.lower().startswith("analyst"))
    visit = Visit(browser, demo, width=390 if not js else 1280, js=js)
    visit.sign_in(analyst)
    page = visit.page
    page.goto(demo.base + "/analysis/trend/")
    page.select_option("#id_category", "Burglary")
    page.click("main form button[type=submit]")
    page.locator("#results", has_text="Burglary").wait_for()
    visit.check(f"trend-burglary-{'js' if js else 'nojs'}")
    page.fill("#id_month_from", "2018-13")
    page.click("main form button[type=submit]")
    page.locator(".govuk-error-summary").wait_for()
    assert page.locator("#results table").count() == 0, "results shown under an error"
    visit.check(f"trend-bad-month-{'js' if js else 'nojs'}")
    visit.close()
    new = demo.problems[start:]
    assert not new, "\n".join(new)


def test_the_server_log_is_clean(demo: Demo) -> None:
    """Runs last: nothing above left a traceback, a killed process or a 500 in the log."""
    log = demo.log.read_text()
    for bad in ("Traceback", "Terminating", "stopped (", "Internal Server Error"):
        assert bad not in log, log[-5000:]
