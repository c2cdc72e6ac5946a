"""Debian's Chromium through Playwright: a SYNTHETIC respondent answers the whole public form on a
390-pixel-wide phone screen, with and without JavaScript, in English and in Welsh (chosen with
the language link); axe-core finds no WCAG 2.2 AA violation on any public page, and every
response sent is stored exactly once. Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from test_browser import ARTIFACTS, _audit, browser  # noqa: F401 - the fixture

from safercity.web.consult import models, services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
KEYS = ["night-time-economy", "reoffending", "youth"]


@pytest.fixture
def consult_site(browser: Any, live_server: Any) -> str:  # noqa: F811
    from django.utils import timezone

    today = timezone.localdate()
    c = services.save_consultation(
        {
            "title": "Priorities 2026",
            "title_cy": "Blaenoriaethau 2026",
            "slug": "priorities-2026",
            "introduction": "Tell us which priorities matter most to you.",
            "introduction_cy": "Dywedwch wrthym pa flaenoriaethau sydd bwysicaf i chi.",
            "privacy_notice": "We keep your answers for three years.",
            "privacy_notice_cy": "Rydym yn cadw eich atebion am dair blynedd.",
            "mode": "all",
            "top_k": 3,
            "opens_on": today - dt.timedelta(days=1),
            "closes_on": today + dt.timedelta(days=30),
            "about_you": ["ward", "age_band", "connection"],
            "wards": ["West End", "St James's"],
            "priorities": [
                {
                    "key": "night-time-economy",
                    "title": "Night time economy",
                    "title_cy": "Yr economi gyda'r nos",
                },
                {"key": "reoffending", "title": "Re-offending", "title_cy": "Aildroseddu"},
                {"key": "youth", "title": "Young people", "title_cy": "Pobl ifanc"},
            ],
            "questions": [("What would make you feel safer?", "Beth fyddai'n eich helpu?")],
        }
    )
    c.published_at = c.results_published_at = timezone.now()
    c.results_summary = "Night time economy came first."
    c.save()
    for k in range(12):
        order = KEYS[k % 3 :] + KEYS[: k % 3]
        services.submit(c, services.Answers(order), synthetic=True)
    models.PublicMeeting.objects.create(
        title="Annual public meeting",
        date=today,
        place="Town Hall",
        attendance=[{"authority": "Council", "attended": True}],
        questions=[{"question": "More patrols?", "answer": "Yes, two a week."}],
        approved_at=timezone.now(),
    )
    models.YouSaidWeDid.objects.create(
        consultation=c,
        you_said="More patrols",
        we_did="Two more a week",
        approved_at=timezone.now(),
    )
    models.DashboardPublication.objects.create(threshold=10, approved_at=timezone.now())
    ARTIFACTS.mkdir(exist_ok=True)
    return str(live_server.url)


def _answer(page: Any, site: str, tag: str, welsh: bool, audit: list[str] | None) -> None:
    """The whole form, as a person: start, rank by numbers (one mistake first), the questions
    about them, free text, check your answers, send."""

    def check(name: str) -> None:
        if audit is not None:
            _audit(page, f"consult-{tag}-{name}", audit)

    page.goto(f"{site}/consult/priorities-2026/")
    if welsh:
        page.click("a[hreflang=cy]")
        page.wait_for_url("**/consult/priorities-2026/")
        assert page.locator("html").get_attribute("lang") == "cy"
    check("start")
    page.click("a.govuk-button--start")
    page.wait_for_url("**/ranking/")
    boxes = page.locator("main input[inputmode=numeric]")
    assert boxes.count() == 3
    boxes.nth(0).fill("1")
    boxes.nth(1).fill("1")  # a mistake: the error summary
    boxes.nth(2).fill("2")
    page.click("main button[type=submit]")
    page.locator(".govuk-error-summary").wait_for()
    check("ranking-error")
    boxes = page.locator("main input[inputmode=numeric]")
    boxes.nth(0).fill("2")
    boxes.nth(1).fill("3")
    boxes.nth(2).fill("1")
    page.click("main button[type=submit]")
    page.wait_for_url("**/about-you/ward/")
    check("ward")
    page.select_option("#id_answer", "West End")
    page.click("main button[type=submit]")
    page.wait_for_url("**/about-you/age_band/")
    check("age")
    page.check("#answer-2")  # 16 to 29
    page.click("main button[type=submit]")
    page.wait_for_url("**/about-you/connection/")
    page.check("#answer-1")
    page.check("#answer-2")
    page.click("main button[type=submit]")
    page.wait_for_url("**/your-views/1/")
    check("free-text")
    page.fill("#id_answer", f"More light in the park ({tag}); ring me on 07700 900123")
    page.click("main button[type=submit]")
    page.wait_for_url("**/check-your-answers/")
    check("check")
    listed = page.locator(".govuk-summary-list__value ol li").all_inner_texts()
    young = "Pobl ifanc" if welsh else "Young people"
    assert listed[0] == young
    page.click("main button[type=submit]")
    page.wait_for_url("**/confirmation/")
    assert page.locator(".govuk-panel__title").inner_text() == (
        "Ymateb wedi'i anfon" if welsh else "Response sent"
    )
    check("done")


def test_public_form_on_a_phone_with_and_without_javascript_in_english_and_welsh(
    browser: Any,  # noqa: F811
    consult_site: str,
) -> None:
    site = consult_site
    problems: list[str] = []
    console: list[str] = []
    before = models.Response.objects.count()
    runs = [("en-js", False, True), ("cy-js", True, True), ("en-nojs", False, False)]
    runs.append(("cy-nojs", True, False))
    for tag, welsh, js in runs:
        context = browser.new_context(viewport=PHONE, java_script_enabled=js)
        page = context.new_page()
        page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console.append(str(e)))
        # axe runs in the page's JavaScript: the pages are audited in the JavaScript runs (the
        # same HTML is served without it)
        _answer(page, site, tag, welsh, problems if js else None)
        for name, path in (
            ("index", "/consult/"),
            ("results", "/consult/priorities-2026/results/"),
            ("you-said", "/consult/you-said-we-did/"),
            ("meetings", "/consult/public-meetings/"),
            ("dashboard", "/consult/dashboard/"),
        ):
            page.goto(site + path)
            if js:
                _audit(page, f"consult-{tag}-{name}", problems)
        if welsh:
            page.goto(site + "/consult/priorities-2026/results/")
            assert "Canlyniadau" in page.locator("h1").inner_text()
        page.close()
        context.close()
    assert not problems, "\n".join(problems)
    csp = [m for m in console if "Content Security Policy" in m or "Refused to" in m]
    assert not csp, csp
    assert not console, console
    # every response sent is stored exactly once, with its text masked
    sent = models.Response.objects.order_by("submitted_at")[before:]
    assert len(sent) == 4
    assert {r.ranking[0] for r in sent} == {"youth"}
    texts = sorted(models.FreeTextAnswer.objects.values_list("masked", flat=True))
    assert texts == sorted(
        f"More light in the park ({tag}); ring me on [phone number]" for tag, _w, _j in runs
    )
    assert [r.connection for r in sent] == [["live", "work"]] * 4
