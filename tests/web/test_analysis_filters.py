"""Invalid filter input: the GOV.UK error summary and no results, with and without JavaScript
(the HTMX swap carries the error); the boxes always show what the results use."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = ["analysis:trend", "analysis:map", "analysis:hours", "analysis:rankings"]


@pytest.fixture
def analyst(client: Any, make_user: Any) -> Any:
    client.force_login(make_user("analyst"))
    return client


def _swapped(page: BeautifulSoup) -> BeautifulSoup:
    """What an HTMX request puts on the screen: the element the form's hx-select picks."""
    form = page.select_one("main form[hx-get]")
    assert form is not None and form["hx-select"] == form["hx-target"]
    region = page.select_one(str(form["hx-select"]))
    assert region is not None
    return region


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("htmx", [False, True])
def test_a_bad_month_shows_the_error_and_no_results(analyst: Any, name: str, htmx: bool) -> None:
    query = {"area": "ward:West End", "month_from": "2018-13"}
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = analyst.get(reverse(name), query, **headers)
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    shown = _swapped(page) if htmx else page.select_one("main")
    assert shown is not None
    summary = shown.select_one(".govuk-error-summary")
    assert summary is not None, "the error summary must arrive with the swap"
    # no results for choices other than those on screen (the whole force, here)
    results = shown.select_one("#results")
    assert results is not None
    assert not results.select("table, svg")
    assert "No results are shown until the choices above are corrected" in results.get_text()
    assert "From month must be a real month, like 2018-07" in summary.get_text()
    # the choice stays as made
    assert shown.select_one("#id_area option[selected]")["value"] == "ward:West End"  # type: ignore[index]
    assert page.title is not None and page.title.get_text().startswith("Error: ")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"month_from": "July"}, "Enter the from month as a year and month, like 2018-07"),
        ({"month_to": "2018-00"}, "To month must be a real month, like 2018-07"),
        (
            {"month_from": "2017-05", "month_to": "2017-01"},
            "To month must be the same as or after the from month",
        ),
        ({"area": "borough:Nowhere"}, "Select an area from the list"),
        ({"category": "Piracy"}, "Select a crime type from the list"),
    ],
)
def test_error_messages_say_what_to_do(analyst: Any, query: dict[str, str], message: str) -> None:
    page = BeautifulSoup(analyst.get(reverse("analysis:trend"), query).content, "html.parser")
    summary = page.select_one(".govuk-error-summary")
    assert summary is not None and message in summary.get_text()
    assert not page.select("#results table")


def test_the_boxes_show_what_the_results_use(analyst: Any) -> None:
    # a link with no size or layer (from another page): the boxes say 250 metres and counts,
    # and so do the results
    response = analyst.get(reverse("analysis:map"), {"area": "borough:Westminster"})
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one("#id_cell_size option[selected]")["value"] == "250"  # type: ignore[index]
    assert page.select_one("#id_layer option[selected]")["value"] == "counts"  # type: ignore[index]
    heading = page.select_one("#results h2")
    assert heading is not None and "250 metre squares" in heading.get_text()
    assert "incidents per square" in heading.get_text()
    # a size the box does not offer: an error, not results for another size
    response = analyst.get(reverse("analysis:map"), {"cell_size": "333"})
    page = BeautifulSoup(response.content, "html.parser")
    assert "Select a grid square size from the list" in page.get_text()
    assert not page.select("#results table")


def test_the_analysis_pages_mark_the_current_one(analyst: Any) -> None:
    for name in ["analysis:overview", *PAGES]:
        page = BeautifulSoup(analyst.get(reverse(name)).content, "html.parser")
        current = page.select('nav[aria-label="Analysis pages"] a[aria-current="page"]')
        assert [a["href"] for a in current] == [reverse(name)]
