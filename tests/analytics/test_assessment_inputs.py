"""The Strategic Assessment's other inputs: partner data through the ready mappings, last
year's strategy monitoring, the analyst's narrative, a workday population table, comparators.

The partner CSV and the workday population table below are SYNTHETIC (made up for the test, in
the partners' and ONS's layouts); the workspace is the synthetic one of ``_report_fixture``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from _report_fixture import build

from safercity.analytics.assessment import Assessment, load_workday_population
from safercity.analytics.assessment.comparators import local_authority_profiles, most_similar
from safercity.analytics.assessment.partners import load_registry
from safercity.analytics.ingest import ingest_paths
from safercity.analytics.ingest.extract import read_mapping
from safercity.analytics.report import build_document, render_html
from safercity.analytics.store import Workspace

REPO = Path(__file__).resolve().parents[2]
PERIOD = "2019-01:2019-12"


def test_every_ready_mapping_is_valid_and_in_the_registry() -> None:
    registry = load_registry()
    assert {
        "fire-deliberate-fires",
        "ambulance-assaults",
        "ae-assaults",
        "council-asb",
        "council-noise",
        "probation-reoffending",
        "youth-offending",
        "drug-treatment",
        "marac",
    } == set(registry)
    for key, ds in registry.items():
        mapping = read_mapping(ds.mapping_path)
        assert mapping["name"] == key, ds.mapping_path


@pytest.fixture(scope="module")
def with_partners(tmp_path_factory: pytest.TempPathFactory) -> Assessment:
    root = tmp_path_factory.mktemp("partners")
    ws_path = build(root / "ws")
    fires = root / "fires-synthetic.csv"
    # SYNTHETIC deliberate fires: three in 2019, one in 2018, in a Westminster LSOA
    fires.write_text(
        "IncidentNumber,CallDateTime,IncidentType,Easting,Northing,Street\n"
        "F1,05/02/2019 22:10,Deliberate secondary fire,529674,181242,Synthetic Street\n"
        "F2,11/06/2019 01:30,Deliberate primary fire,529674,181242,Synthetic Street\n"
        "F3,20/09/2019 23:05,Deliberate refuse fire,529680,181250,Synthetic Street\n"
        "F4,14/04/2018 21:00,Deliberate secondary fire,529674,181242,Synthetic Street\n",
        encoding="utf-8",
    )
    registry = load_registry()
    summary = ingest_paths(ws_path, [fires], mapping=registry["fire-deliberate-fires"].mapping_path)
    assert not summary.failed
    workday = root / "workday-synthetic.csv"
    workday.write_text(
        "Workday population (SYNTHETIC test table in the ONS layout)\n"
        "geography,geography code,Workday population\n"
        'Westminster 018C,E01004763,"12,000"\n',
        encoding="utf-8",
    )
    context = root / "context.md"
    context.write_text(
        "# Context\n\n## Political\n\n> a prompt that is never printed\n"
        "A new licensing policy takes effect in the West End.\n\n"
        "## Emerging threats\n\n- County lines drug supply reported by partners.\n",
        encoding="utf-8",
    )
    ws = Workspace(ws_path, read_only=True)
    return Assessment(
        ws,
        area="Westminster",
        period=PERIOD,
        permutations=0,
        previous_strategy=REPO / "examples" / "westminster-2011-14.yaml",
        context=context,
        workday_population=workday,
    )


def test_partner_rows_are_reported_by_dataset_not_counted_as_crime(
    with_partners: Assessment,
) -> None:
    a = with_partners
    # the police counts are those of the synthetic workspace alone (test_assessment.py)
    assert (a.crime_change.this, a.crime_change.last) == (72, 66)
    assert "Criminal damage and arson" not in set(a.overview_categories["category"])
    fire = a.partners.set_index("dataset").loc["Deliberate fires"]
    assert bool(fire["loaded"]) and (fire["this_period"], fire["previous_period"]) == (3, 1)
    assert not a.partners.set_index("dataset").loc["MARAC cases", "loaded"]
    gaps = " ".join(a.gaps["data"])
    assert "Deliberate fires" not in gaps and "MARAC cases" in gaps


def test_last_years_priorities_are_reviewed_from_the_monitoring(
    with_partners: Assessment,
) -> None:
    a = with_partners
    assert a.review is not None
    t = a.tables["previous-priorities"].set_index("priority")
    assert len(t) == 5
    # the 2011-14 plan's milestones were all due before December 2019 and none was reported
    # complete: overdue, so red
    assert t.loc["Night Time Economy", "rag"] == "Red"
    assert t.loc["Night Time Economy", "candidate"] == "night-time-economy"
    pri = a.priorities.set_index("candidate")
    assert pri.loc["night-time-economy", "organisational_score"] == 4
    assert pri.loc["robbery", "organisational_score"] == 3  # no plan in place


def test_the_narrative_goes_into_the_document(with_partners: Assessment) -> None:
    html = render_html(build_document(with_partners))
    assert "A new licensing policy takes effect in the West End." in html
    assert "<li>County lines drug supply reported by partners.</li>" in html
    assert "a prompt that is never printed" not in html
    assert "has no text yet for Economic" in html


def test_workday_population_rates(with_partners: Assessment) -> None:
    a = with_partners
    sm = next(t for t in a.themes if t.name == "substance-misuse")
    row = sm.places_table.set_index("lsoa_code").loc["E01004763"]
    # 12 drugs offences in 2019 / 12,000 workday population x 1,000 = 1.0
    assert row["incidents"] == 12 and row["workday_population"] == 12000
    assert row["rate_per_1000_workday"] == pytest.approx(1.0)


def test_workday_table_without_lsoa_codes_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no LSOA codes"):
        load_workday_population(bad)


def test_most_similar_group_is_stated_and_comparators_not_loaded_are_listed(
    with_partners: Assessment,
) -> None:
    prof = local_authority_profiles()
    assert prof.loc["Westminster", "residents"] == pytest.approx(219396, rel=0.01)
    msg = most_similar("Westminster")
    assert len(msg) == 7 and "Westminster" not in set(msg["local_authority"])
    assert list(msg["distance"]) == sorted(msg["distance"])
    comp = with_partners.comparison
    assert comp is not None and comp.loaded == 0
    t = comp.table.set_index("local_authority")
    assert bool(t.loc["Westminster", "loaded"]) and t.loc["Westminster", "crimes"] == 72
    # 72 crimes in 12 months per 1,000 residents a year
    assert t.loc["Westminster", "rate_per_1000_per_year"] == pytest.approx(
        1000 * 72 / float(prof.loc["Westminster", "residents"])
    )
    assert set(comp.not_loaded) == set(t.index) - {"Westminster"}


def test_registry_file_is_documented_yaml() -> None:
    text = (REPO / "src" / "safercity" / "analytics" / "data" / "partner_datasets.yaml").read_text(
        encoding="utf-8"
    )
    assert "SI 2007/1831" in text
    assert isinstance(yaml.safe_load(text)["datasets"], dict)
