"""The stop and search page (issue 18): the same figures as ``safercity stopsearch``, on the
City of London's real stop-and-search files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from safercity.analytics.ingest import ingest_paths
from safercity.analytics.population import load_population
from safercity.analytics.store import Workspace

pytestmark = [pytest.mark.shared_data, pytest.mark.django_db]


@pytest.fixture
def city_workspace(shared_data: Path, tmp_path: Path, settings: Any) -> Path:
    path = tmp_path / "city"
    folder = shared_data / "police-uk/city-of-london-2016-2017"
    with Workspace(path) as ws:
        ingest_paths(ws, [folder / "2016-01-city-of-london-street.csv"])
        ingest_paths(ws, sorted(folder.glob("2016-0*-stop-and-search.csv")))
    settings.WORKSPACE = path
    return path


def test_stop_search_page_matches_the_command(
    client: Any, make_user: Any, city_workspace: Path, shared_data: Path
) -> None:
    client.force_login(make_user("analyst"))
    url = reverse("analysis:stop_search")
    page = client.get(url, {"area": "City of London", "month_from": "2016-01"})
    assert page.status_code == 200
    html = page.content.decode()
    proc = subprocess.run(
        [sys.executable, "-m", "safercity", "stopsearch", "--workspace", str(city_workspace),
         "--area", "City of London", "--period", "2016-01:", "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    cli = json.loads(proc.stdout)
    assert f"{cli['searches']} stop and searches in City of London" in html
    assert f"({cli['action']['rate']:.1f}%" in html
    assert "No population by ethnic group is loaded" in html
    for outcome, row in cli["by_outcome"].items():
        assert outcome in html and f"{row['searches']:,}" in html
    assert 'href="/analysis/stop-and-search/"' in html  # in the sub-navigation


def test_stop_search_page_with_population_and_bad_month(
    client: Any, make_user: Any, city_workspace: Path, shared_data: Path
) -> None:
    from safercity.web.analysis import services

    services._versions.clear()
    with Workspace(city_workspace) as ws:
        load_population(ws.con, shared_data / "population/london-lsoa-atlas.csv")
    client.force_login(make_user("board_member"))
    url = reverse("analysis:stop_search")
    html = client.get(url, {"area": "City of London"}).content.decode()
    assert "Searches per 1,000 residents by self-defined ethnicity" in html
    assert "Ratio to White" in html and "Census 2011" in html
    bad = client.get(url, {"month_from": "2016-13"})
    assert bad.status_code == 200 and "must be a real month, like 2018-07" in bad.content.decode()
