"""The crime trend page and /api/v1/trend: missing months are missing (not zero), the headline
says what it counts, compares like with like, and the chart breaks no rule of the page."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import analysis_data
import pytest
from django.urls import reverse

from safercity.analytics.store import Workspace

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="session")
def gaps(tmp_path_factory: pytest.TempPathFactory, synthetic_workspace: Path) -> Path:
    return analysis_data.gaps(tmp_path_factory, synthetic_workspace)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return analysis_data.demo(tmp_path_factory)


@pytest.fixture
def analyst(client: Any, make_user: Any) -> Any:
    client.force_login(make_user("analyst"))
    return client


def _monthly(ws: Path, where: str = "TRUE") -> dict[dt.date, int]:
    with Workspace(ws, read_only=True) as w:
        rows = w.con.execute(
            f"SELECT month, count(*) FROM incidents WHERE {where} GROUP BY month"
        ).fetchall()
    return dict(rows)


def test_months_with_no_data_are_missing_not_zero(analyst: Any, settings: Any, gaps: Path) -> None:
    settings.WORKSPACE = gaps
    data = analyst.get(reverse("api:trend")).json()
    by_month = {m["month"]: m for m in data["months"]}
    assert len(by_month) == 24  # 2016-01 to 2017-12
    for month in analysis_data.GAP_MONTHS:
        m = by_month[month.strftime("%Y-%m")]
        assert m["count"] is None and m["has_data"] is False
    assert data["missing_months"] == [m.strftime("%Y-%m") for m in analysis_data.GAP_MONTHS]
    counts = _monthly(gaps)
    assert sum(m["count"] or 0 for m in data["months"]) == sum(counts.values())
    # the page: "No data" in the table, a gap in the line
    page = analyst.get(reverse("analysis:trend")).content.decode()
    rows = re.findall(
        r'<th scope="row" class="govuk-table__header">([^<]+)</th><td[^>]*>([^<]+)<', page
    )
    table = dict(rows)
    assert table["June 2016"] == "No data" and table["March 2017"] == "No data"
    assert table["May 2016"] == f"{counts[dt.date(2016, 5, 1)]:,}"
    svg = ET.fromstring(re.search(r"<svg.*?</svg>", page, re.S).group(0))  # type: ignore[union-attr]
    lines = svg.findall(f"{SVG}polyline")
    # three runs of months with data: Jan-May 2016, Sep 2016-Feb 2017, Apr-Dec 2017
    assert [len(pl.get("points", "").split()) for pl in lines] == [5, 6, 9]


def test_a_category_filter_keeps_true_zeros(analyst: Any, settings: Any, gaps: Path) -> None:
    # a month where the area has incidents but none of the category is a real zero
    settings.WORKSPACE = gaps
    data = analyst.get(
        reverse("api:trend"), {"category": "Burglary", "area_type": "ward", "area": "West End"}
    ).json()
    counts = _monthly(gaps, "ward_name = 'West End' AND category = 'Burglary'")
    have = _monthly(gaps, "ward_name = 'West End'")
    for m in data["months"]:
        month = dt.date.fromisoformat(m["month"] + "-01")
        if month in have:
            assert m["count"] == counts.get(month, 0)
        else:
            assert m["count"] is None
    assert any(m["count"] == 0 for m in data["months"]) or min(counts.values()) > 0


def test_like_for_like_compares_the_same_months_a_year_earlier(
    analyst: Any, settings: Any, gaps: Path
) -> None:
    settings.WORKSPACE = gaps
    data = analyst.get(reverse("api:trend")).json()
    c = data["comparison"]
    # the 12 months to December 2017, less those without data a year earlier (June-August:
    # 2016 is missing) or now (March 2017 is missing)
    this = ["2017-01", "2017-02", "2017-04", "2017-05", "2017-09", "2017-10", "2017-11"]
    this.append("2017-12")
    assert c["this_months"] == this
    assert c["last_months"] == [f"2016-{m[5:]}" for m in this]
    counts = _monthly(gaps)
    expected_this = sum(counts[dt.date.fromisoformat(m + "-01")] for m in this)
    expected_last = sum(counts[dt.date.fromisoformat(f"2016-{m[5:]}-01")] for m in this)
    assert (c["this_period"], c["last_period"]) == (expected_this, expected_last)
    assert c["pct_change"] == pytest.approx(100 * (expected_this / expected_last - 1), abs=0.01)
    # the statement names the months compared and why the others are left out
    assert (
        "January to February 2017, April to May 2017 and September to December 2017"
        in (c["statement"])
    )
    assert "only those months are compared" in c["statement"]


def test_one_month_a_year_apart_is_compared_as_such(
    analyst: Any, settings: Any, demo: Path
) -> None:
    # the demo holds July 2016, 2017 and 2018 only: the "12 months" windows hold one month each
    settings.WORKSPACE = demo
    data = analyst.get(reverse("api:trend"), {"area_type": "borough", "area": "Leeds"}).json()
    c = data["comparison"]
    assert (c["this_months"], c["last_months"]) == (["2018-07"], ["2017-07"])
    counts = _monthly(demo, "local_authority = 'Leeds'")
    assert c["this_period"] == counts[dt.date(2018, 7, 1)]
    assert c["last_period"] == counts[dt.date(2017, 7, 1)]
    assert "in July 2018 against" in c["statement"]
    assert "in July 2017, the same month a year earlier" in c["statement"]
    assert "only July 2018 has data for both years" in c["statement"]
    assert len([m for m in data["months"] if m["has_data"]]) == 3


@pytest.mark.parametrize(
    ("query", "words", "not_words"),
    [
        ({}, "crimes and anti-social behaviour incidents", None),
        ({"category": "Anti-social behaviour"}, "anti-social behaviour incidents", "crimes"),
        ({"category": "Burglary"}, "crimes", "anti-social"),
    ],
)
def test_the_headline_says_what_it_counts(
    analyst: Any,
    settings: Any,
    demo: Path,
    query: dict[str, str],
    words: str,
    not_words: str | None,
) -> None:
    settings.WORKSPACE = demo
    data = analyst.get(reverse("api:trend"), query).json()
    assert data["counted"] == words
    assert words in data["statement"].lower()
    if not_words:
        assert not_words not in data["statement"].lower()


def test_chart_has_no_style_attribute_and_shows_the_last_month(
    analyst: Any, settings: Any, gaps: Path
) -> None:
    settings.WORKSPACE = gaps
    page = analyst.get(reverse("analysis:trend")).content.decode()
    svg_text = re.search(r"<svg.*?</svg>", page, re.S).group(0)  # type: ignore[union-attr]
    assert "style=" not in svg_text  # the Content Security Policy allows no style attribute
    svg = ET.fromstring(svg_text)
    width = float((svg.get("viewBox") or "").split()[2])
    labels = {t.text: t for t in svg.iter(f"{SVG}text")}
    last = labels["Dec 2017"]  # 24 months, a label every 2: the last month is labelled
    # rotated labels end at their tick: the whole label is inside the chart
    assert last.get("text-anchor") == "end" and float(last.get("x") or 0) < width


def test_one_far_off_month_answers_200_and_json(
    analyst: Any, settings: Any, tmp_path_factory: pytest.TempPathFactory, synthetic_workspace: Path
) -> None:
    settings.WORKSPACE = analysis_data.far_month(tmp_path_factory, synthetic_workspace)
    response = analyst.get(reverse("api:trend"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    assert data["months"][-1]["month"] == "2080-01" and data["months"][-1]["count"] == 1
    assert data["long_run"] is None  # the months between are missing: no long-run trend
    assert analyst.get(reverse("analysis:trend")).status_code == 200
