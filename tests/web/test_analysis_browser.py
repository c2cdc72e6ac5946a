"""The analysis pages in Debian's Chromium: filters changed with JavaScript (HTMX) keep the map and
carry errors; every page passes axe-core (WCAG 2.2 AA) at 390 and 1280 pixels, with and without
JavaScript does not scroll sideways, and breaks no Content Security Policy rule."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from test_browser import ARTIFACTS, _audit, _sign_in, browser  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "overview": "/analysis/",
    "trend": "/analysis/trend/?area=borough:Westminster",
    "map": "/analysis/map/?area=borough:Westminster",
    "map-gi": "/analysis/map/?layer=gi&cell_size=500",
    "hours": "/analysis/hours/",
    "rankings": "/analysis/rankings/?by=lsoa&area=borough:Westminster",
    "bad-month": "/analysis/trend/?area=ward:West+End&month_from=2018-13",
}


@pytest.fixture
def analysis_site(
    browser: Any,  # noqa: F811
    live_server: Any,
    settings: Any,
    synthetic_workspace: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    ws = tmp_path / "ws"
    shutil.copytree(synthetic_workspace, ws)
    settings.WORKSPACE = ws
    settings.MAP_TILES = ""  # no tile server: the boundaries are the base map
    from factories import UserFactory

    UserFactory(username="analyst", role="analyst")
    ARTIFACTS.mkdir(exist_ok=True)
    return str(live_server.url)


def _watch(page: Any) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(f"{m.text} at {m.location} on {page.url}") if m.type == "error" else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_the_map_survives_a_filter_change_and_errors_come_with_the_swap(
    browser: Any,  # noqa: F811
    analysis_site: str,
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = _watch(page)
    _sign_in(page, analysis_site, "analyst")
    page.goto(analysis_site + "/analysis/map/")
    page.locator("[data-hotspot-map] .app-map__name", has_text="Westminster").wait_for()
    # change a filter: HTMX swaps the results in, and the map is drawn again (it used to vanish)
    page.select_option("#id_area", "borough:Camden")
    page.select_option("#id_layer", "density")
    page.click("#analysis-show")
    page.locator("#results h2", has_text="in Camden").wait_for()
    page.locator("[data-hotspot-map] .app-map__name", has_text="Camden").wait_for()
    assert page.locator("[data-hotspot-map]").is_visible()
    assert page.locator("[data-hotspot-map] canvas").count() >= 1
    assert "area=borough%3ACamden" in page.url  # the address follows the choices
    page.screenshot(path=str(ARTIFACTS / "analysis-map-after-swap.png"), full_page=True)
    # a bad month: the error summary comes with the swap, takes focus, and no results show
    page.fill("#id_month_from", "2018-13")
    page.click("#analysis-show")
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "From month must be a real month" in summary.inner_text()
    page.wait_for_function("document.activeElement.closest('.govuk-error-summary') !== null")
    assert page.locator("#results table, #results svg, [data-hotspot-map]").count() == 0
    assert page.locator("#id_area").input_value() == "borough:Camden"
    assert page.title().startswith("Error: ")
    # corrected: results again
    page.fill("#id_month_from", "")
    page.click("#analysis-show")
    page.locator("[data-hotspot-map] .app-map__name", has_text="Camden").wait_for()
    assert page.locator(".govuk-error-summary").count() == 0
    context.close()
    assert not errors, errors


@pytest.mark.parametrize("width", [390, 1280])
def test_every_analysis_page_is_accessible_and_fits(
    browser: Any,  # noqa: F811
    analysis_site: str,
    width: int,
) -> None:
    problems: list[str] = []
    for javascript in (True, False):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, java_script_enabled=javascript
        )
        page = context.new_page()
        errors = _watch(page)
        _sign_in(page, analysis_site, "analyst")
        for name, path in PAGES.items():
            page.goto(analysis_site + path)
            label = f"analysis-{name}-{width}-{'js' if javascript else 'nojs'}"
            if javascript:
                if name.startswith("map"):
                    page.locator("[data-hotspot-map] canvas").first.wait_for()
                _audit(page, label, problems)  # axe-core runs in the page: JavaScript only
            else:
                page.screenshot(path=str(ARTIFACTS / f"{label}.png"), full_page=True)
                if name.startswith("map"):
                    assert page.locator("svg.app-map__fallback path.app-map__lsoa").count() > 10
            overflow = page.evaluate("document.documentElement.scrollWidth") - width
            if overflow > 0:
                problems.append(f"{label}: the page scrolls sideways by {overflow} px")
        context.close()
        csp = [e for e in errors if "Content Security Policy" in e or "Refused to" in e]
        assert not csp, csp
        assert not errors, errors
    assert not problems, "\n".join(problems)
