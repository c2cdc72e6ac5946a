"""The analysis overview is a picture of crime (real police.uk data: the demo's), with the data
inventory second and in words."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import analysis_data
import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from safercity.analytics.store import Workspace

pytestmark = pytest.mark.django_db
ASB = "Anti-social behaviour"


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return analysis_data.demo(tmp_path_factory)


@pytest.fixture
def board(client: Any, make_user: Any, settings: Any, demo: Path) -> Any:
    settings.WORKSPACE = demo
    client.force_login(make_user("board_member"))
    return client


def _count(demo: Path, where: str) -> int:
    with Workspace(demo, read_only=True) as ws:
        return int(ws.con.execute(f"SELECT count(*) FROM incidents WHERE {where}").fetchone()[0])


def test_the_latest_month_against_a_year_earlier(board: Any, demo: Path) -> None:
    data = board.get(reverse("api:overview")).json()
    latest = data["latest"]
    assert latest["month"] == "2018-07-01" and latest["year_before"] == "2017-07-01"
    crimes_now = _count(demo, f"month = '2018-07-01' AND category <> '{ASB}'")
    crimes_then = _count(demo, f"month = '2017-07-01' AND category <> '{ASB}'")
    asb_now = _count(demo, f"month = '2018-07-01' AND category = '{ASB}'")
    asb_then = _count(demo, f"month = '2017-07-01' AND category = '{ASB}'")
    assert (latest["crimes"]["this"], latest["crimes"]["before"]) == (crimes_now, crimes_then)
    assert (latest["asb"]["this"], latest["asb"]["before"]) == (asb_now, asb_then)
    assert latest["crimes"]["pct_change"] == round(100 * (crimes_now / crimes_then - 1), 1)
    page = BeautifulSoup(board.get(reverse("analysis:overview")).content, "html.parser")
    text = " ".join(page.select_one("main").get_text().split())  # type: ignore[union-attr]
    assert "July 2018: the latest month" in text
    # numbers with thousands separators; crime and anti-social behaviour apart
    assert (
        f"Crimes {crimes_now:,} Up 16% on a year earlier ({crimes_then:,}): a real change" in text
    )
    assert f"Anti-social behaviour incidents {asb_now:,} Down 8.6% on a year earlier" in text


def test_crime_types_trend_and_where(board: Any, demo: Path) -> None:
    data = board.get(reverse("api:overview")).json()
    types = [c["category"] for c in data["top_categories"]]
    assert ASB not in types and types[0] == "Violence and sexual offences"
    assert data["top_categories"][0]["latest"] == _count(
        demo, "month = '2018-07-01' AND category = 'Violence and sexual offences'"
    )
    # the small trend: three months with data, the 22 between them missing (None, not 0)
    monthly = data["monthly"]
    assert len(monthly) == 25
    assert [m["month"] for m in monthly if m["crimes"] is not None] == [
        "2016-07",
        "2017-07",
        "2018-07",
    ]
    # where: the busiest borough, with its rate per 1,000 residents (2011 Census: 751,485)
    leeds = data["boroughs"][0]
    assert leeds["name"] == "Leeds"
    assert leeds["incidents"] == _count(
        demo, f"month = '2018-07-01' AND category <> '{ASB}' AND local_authority = 'Leeds'"
    )
    assert leeds["per_1000"] == round(1000 * leeds["incidents"] / 751_485, 1)
    assert data["neighbourhoods"][0]["name"] == "Leeds 111B"
    page = board.get(reverse("analysis:overview")).content.decode()
    svgs = re.findall(r"<svg[^>]*>", page)
    assert len([s for s in svgs if 'role="img"' in s]) == 2 and "style=" not in "".join(svgs)


def test_the_inventory_is_in_words(board: Any) -> None:
    page = BeautifulSoup(board.get(reverse("analysis:overview")).content, "html.parser")
    text = " ".join(page.select_one("main").get_text().split())  # type: ignore[union-attr]
    assert (
        "87,348 incidents (crimes and anti-social behaviour) over July 2016, July 2017 and "
        "July 2018, 83,577 of them with a location, from 3 imported files: 3 of police.uk "
        "street-level crime (West Yorkshire)." in text
    )
    for machine in ("police_uk_street", "Recorded crime table rows", "87348"):
        assert machine not in text
    # the files are in a details element after the picture of crime
    details = page.select_one("main details")
    assert details is not None and "2018-07-west-yorkshire-street.csv" in details.get_text()
    headings = [h.get_text() for h in page.select("main h2")]
    assert headings.index("What the workspace holds") == len(headings) - 1
