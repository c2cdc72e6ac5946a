"""The hot spots and stop and search sections of the Strategic Assessment (issue 18)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from safercity.analytics import geography
from safercity.analytics.frames import incidents_frame
from safercity.analytics.hotspots import GiStar, grid_counts
from safercity.analytics.ingest import ingest_paths
from safercity.analytics.near_repeat import Knox
from safercity.analytics.sections.hotspots import (
    MIN_INCIDENTS,
    hotspots_section,
    near_repeat_sentence,
)
from safercity.analytics.sections.stopsearch import stop_search_section
from safercity.analytics.store import Workspace
from safercity.analytics.themes import load_themes

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def leeds(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("leeds") / "ws")
    ingest_paths(ws, [shared_data / "police-uk/west-yorkshire/2018-07-west-yorkshire-street.csv"])
    return ws


def test_hot_spots_of_a_theme_on_real_data(leeds: Workspace) -> None:
    themes = load_themes()
    asb = themes["anti-social-behaviour"]
    section = hotspots_section(leeds, area="Leeds", period="2018-07:2018-07", themes=[asb])
    assert len(section.themes) == 1
    t = section.themes[0]
    frame = incidents_frame(leeds, area="Leeds", theme=asb, period="2018-07:2018-07")
    located = frame[frame["easting"].notna()]
    assert (t.incidents, t.located) == (len(frame), len(located))
    # the classes are Gi* on the same grid and study area, with FDR
    counts = grid_counts(located["easting"], located["northing"], t.grid)
    np.testing.assert_array_equal(counts, t.counts)
    mask = t.grid.inside(geography.local_authority_polygon("Leeds")) | (counts > 0)
    gi = GiStar(counts, cell_size=t.grid.cell_size, mask=mask, fdr=True)
    np.testing.assert_array_equal(gi.classes, t.gi.classes)
    hot = gi.classes > 0
    assert len(t.hot_cells) == int(hot.sum()) > 0
    assert t.hot_share == pytest.approx(100 * counts[hot].sum() / len(located))
    assert t.hot_cells["incidents"].sum() == counts[hot].sum()
    # the places of the busiest hot cell: what most of its incidents carry
    top = t.hot_cells.iloc[0]
    r, c, inside = t.grid.cell_of(located["easting"], located["northing"])
    here = located[inside & (r == top["row"]) & (c == top["col"])]
    assert len(here) == top["incidents"] == t.hot_cells["incidents"].max()
    counts_lsoa = here["lsoa_name"].value_counts()
    assert top["lsoa"] in set(counts_lsoa[counts_lsoa == counts_lsoa.max()].index)
    counts_street = here["location"].value_counts()
    assert top["street"] in set(counts_street[counts_street == counts_street.max()].index)
    # the kernel density surface holds the incidents (per km², cells of 250 m; some spill
    # beyond the grid's edge)
    total = t.kde.density.sum() * (t.grid.cell_size / 1000) ** 2
    assert total == pytest.approx(len(located), rel=0.05)
    tables = section.tables()
    figures = section.figures()
    assert list(tables) == [
        "hotspots-anti-social-behaviour",
        "hotspots-anti-social-behaviour-densest",
    ]
    assert tables["hotspots-anti-social-behaviour"]["share"].sum() == pytest.approx(t.hot_share)
    assert set(figures) == {
        "hotspots-anti-social-behaviour-gi",
        "hotspots-anti-social-behaviour-kde",
    }
    assert all(svg.startswith("<svg") for svg in figures.values())


def test_themes_without_enough_data_are_listed_not_mapped(leeds: Workspace) -> None:
    themes = load_themes()
    vawg = themes["violence-against-women-and-girls"]
    section = hotspots_section(leeds, area="Leeds", period="2018-07:2018-07", themes=[vawg])
    assert section.themes == []
    assert section.skipped and f"at least {MIN_INCIDENTS}" in section.skipped[0][1]


def testnear_repeat_sentence_only_where_significant(shared_data: Path) -> None:
    d = pd.read_csv(
        shared_data / "incidents" / "chicago_be_month1.csv", header=None, names=["X", "Y", "date"]
    )
    nrc = dict(spatial_bandwidth=100, spatial_bands=3, temporal_bandwidth=7, temporal_bands=3)
    k = Knox.near_repeat_calculator(d.X, d.Y, d.date, permutations=99, seed=1, **nrc)  # type: ignore[arg-type]
    sentence = near_repeat_sentence(k, "burglary", 0.05)
    assert sentence is not None and "metres of a burglary" in sentence
    assert near_repeat_sentence(None, "burglary", 0.05) is None
    flat = Knox.near_repeat_calculator(d.X, d.Y, d.date, permutations=0, **nrc)  # type: ignore[arg-type]
    assert near_repeat_sentence(flat, "burglary", 0.05) is None


def test_stop_search_section_only_with_data(shared_data: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    folder = shared_data / "police-uk/city-of-london-2016-2017"
    ingest_paths(ws, [folder / "2016-01-city-of-london-street.csv"])
    assert stop_search_section(ws, area="City of London", period="2016-01:2016-12") is None
    ingest_paths(ws, sorted(folder.glob("2016-0*-stop-and-search.csv")))
    s = stop_search_section(ws, area="City of London", period="2016-01:2016-06")
    assert s is not None
    assert s.profile.searches == int(s.tables()["stop-search-per-month"]["searches"].sum())
    text = " ".join(s.sentences())
    assert "No population by ethnic group is loaded" in text
    assert "no location" in text  # the City's files carry none
    assert s.map_svg().startswith("<svg")
    ws.close()
