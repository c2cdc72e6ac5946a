"""The Assessment object on a small synthetic workspace whose answers are checked by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from _report_fixture import build

from safercity.analytics.assessment import Assessment, load_consultation, match_theme
from safercity.analytics.store import Workspace
from safercity.analytics.themes import load_themes
from safercity.analytics.trends import etest

PERIOD = "2019-01:2019-12"


@pytest.fixture(scope="module")
def assessment(tmp_path_factory: pytest.TempPathFactory) -> Assessment:
    path = build(tmp_path_factory.mktemp("ws"))
    ws = Workspace(path, read_only=True)
    return Assessment(ws, area="westminster", period=PERIOD, permutations=99, seed=7)


def test_periods_and_missing_month(assessment: Assessment) -> None:
    a = assessment
    assert (a.start, a.end) == (dt.date(2019, 1, 1), dt.date(2019, 12, 1))
    assert (a.prev_start, a.prev_end) == (dt.date(2018, 1, 1), dt.date(2018, 12, 1))
    assert a.missing_months == [dt.date(2018, 3, 1)]
    assert (a.exposure_this, a.exposure_last) == (12, 11)
    # the report date defaults to the date of the latest import
    assert a.generated_on == dt.date(2020, 2, 3)


def test_burglary_doubles_per_month_of_data(assessment: Assessment) -> None:
    cats = assessment.tables["overview-categories"].set_index("category")
    b = cats.loc["Burglary"]
    assert (b["this_period"], b["previous_period"]) == (48, 22)
    # 48 / 12 months against 22 / 11 months: 4 against 2 a month
    assert b["pct_change"] == pytest.approx(100.0)
    _stat, p = etest(48, 22, 12, 11)
    assert b["p_etest"] == pytest.approx(p)
    assert bool(b["significant"]) and b["assessment"] == "significant rise"


def test_asb_same_rate_is_no_change(assessment: Assessment) -> None:
    ch = assessment.asb_change
    assert (ch.this, ch.last) == (60, 55)
    assert ch.pct == pytest.approx(0.0, abs=1e-12)
    assert ch.significant is False
    assert ch.phrase() == "showed no change in the rate per month"


def test_crime_excludes_asb(assessment: Assessment) -> None:
    ch = assessment.crime_change
    # this: 48 burglary + 12 robbery + 12 drugs; previous: 22 + 11 + 33
    assert (ch.this, ch.last) == (72, 66)
    head = assessment.tables["overview-headline"].set_index("measure")
    assert head.loc["All incidents", "this_period"] == 132


def test_long_run_from_met_series(assessment: Assessment) -> None:
    lr = assessment.long_run
    # the Met series runs 2015-01..2019-12 at 100 a month: five whole calendar years
    assert list(lr["year"]) == [f"Jan – Dec {y}" for y in range(2015, 2020)]
    assert list(lr["crimes"]) == [1200] * 5
    assert assessment.long_run_from_met


def test_long_run_from_incidents_without_met(tmp_path: Path) -> None:
    path = build(tmp_path / "ws", met=False)
    with Workspace(path, read_only=True) as ws:
        a = Assessment(ws, area="Westminster", period=PERIOD, permutations=0)
    lr = a.long_run.set_index("year")
    assert not a.long_run_from_met
    # crimes (not ASB): 2017 = 12 x (2 + 1 + 3); 2018 has 11 months; 2019 = 12 x (4 + 1 + 1)
    assert lr.loc["Jan – Dec 2017", "crimes"] == 72
    assert lr.loc["Jan – Dec 2018", "months_of_data"] == 11
    assert lr.loc["Jan – Dec 2018", "crimes"] == 66
    assert lr.loc["Jan – Dec 2019", "crimes"] == 72
    # the part year is annualised and marked: 66 x 12 / 11 = 72, so no change either side
    assert lr.loc["Jan – Dec 2018", "status"] == "estimated"
    assert lr.loc["Jan – Dec 2018", "value"] == pytest.approx(72.0)
    assert lr.loc["Jan – Dec 2019", "pct_change_on_previous_year"] == pytest.approx(0.0)


def test_coverage_counts(assessment: Assessment) -> None:
    cov = assessment.coverage
    assert cov["rows_window"] == 132 + 66 + 55
    assert cov["rows_without_location"] == 5  # ASB in 2019-06
    assert cov["has_times"] and cov["has_people"] and cov["has_victim_ids"]


def test_themes_places_and_missing_fields(assessment: Assessment) -> None:
    by = {t.name: t for t in assessment.themes}
    nte = by["night-time-economy"]
    # NTE categories include robbery and drugs; its wards are West End and St James's, listed in
    # both spellings (this data, like police.uk's and the GLA's, writes "St. James's"): the 12
    # West End drug offences and the 12 St. James's robberies
    assert nte.change.this == 24
    # ... and the report says so
    assert nte.unmatched_areas == ["ward name \u201cSt James's\u201d"]
    assert "St James's or" not in nte.definition and "\u201cWest End\u201d" in nte.definition
    sm = by["substance-misuse"]
    assert (sm.change.this, sm.change.last) == (12, 33)
    assert "flag_alcohol" in sm.missing_fields
    top = sm.places_table.iloc[0]
    assert top["lsoa_code"] == "E01004763" and top["incidents"] == 12
    # rate per 1,000 residents of Westminster 013B (2,127 in the 2011 Census)
    assert top["rate_per_1000"] == pytest.approx(1000 * 12 / 2127)
    assert sm.places is not None and sm.places.n_places == len(assessment.lsoa_codes)


def test_theme_times_people_repeats(assessment: Assessment) -> None:
    by = {t.name: t for t in assessment.themes}
    youth = by["youth"]  # suspect aged 16: every robbery
    assert youth.change.this == 12
    assert youth.times is not None and youth.times.window_share == pytest.approx(1.0)
    assert youth.victims is not None
    assert youth.victims.sex.loc["male", "share"] == pytest.approx(100.0)
    assert youth.suspects is not None and youth.suspects.age_groups["under 18"] == 100.0
    rv = youth.repeats
    assert rv is not None and youth.repeats_key == "victim"
    # two victims, six robberies each, two months apart
    assert rv.n_victims == 2 and rv.n_incidents == 12
    assert rv.share_incidents_repeat_window == pytest.approx(100 * 10 / 12)


def test_near_repeats_on_burglary(assessment: Assessment) -> None:
    by = {t.name: t for t in assessment.themes}
    k = by["reoffending"].knox
    assert k is not None and k.n_events == 48 and k.precision == "month"
    obs = k.knox.observed
    # 4 burglaries a month at 0, 50, 100, 150 m: same month, within 200 m: C(4,2) x 12 = 72
    assert obs[1, 0] == 72
    assert obs[0, 0] == 0
    assert k.knox.p_values[1, 0] == pytest.approx(1 / 100)
    assert by["substance-misuse"].knox is None


def test_asb_held_apart_and_priorities(assessment: Assessment) -> None:
    assert assessment.asb is not None and assessment.asb.change.this == 60
    assert "anti-social-behaviour" not in {t.name for t in assessment.themes}
    pr = assessment.priorities
    assert list(pr["rank"]) == list(range(1, len(pr) + 1))
    assert len(assessment.recommended) == 3
    assert (assessment.recommended["n"] > 0).all()


def test_wards(assessment: Assessment) -> None:
    wards = assessment.wards.set_index("ward_name")
    assert wards.loc["West End", "this_period"] == 60  # 48 burglary + 12 drugs
    assert wards.loc["Marylebone High Street", "this_period"] == 55  # 5 ASB had no location
    assert assessment.wards_unplaced == 5
    # residents from the LSOAs inside each ward: Westminster 018C only for St. James's
    assert wards.loc["St. James's", "residents"] == 1744
    mix = assessment.ward_mix.set_index("ward_name")
    # St. James's has only robbery: its share 1, the area's 12 / 127
    assert mix.loc["St. James's", "Robbery"] == pytest.approx(127 / 12)


def test_findings_come_from_tables(assessment: Assessment) -> None:
    text = "\n".join(assessment.findings)
    assert text.startswith(
        "Police-recorded crime in Westminster (excluding anti-social behaviour) showed no "
        "change in the rate per month: 72 crimes in January 2019 to December 2019 against 66 "
        "in January 2018 to December 2018, compared per month of data (11 of 12 months) "
        "(p = 1, allowing for overdispersion)."
    )
    # constant months: dispersion floored at 1, z = (4 - 2) / sqrt(70/23 x (1/12 + 1/11)) =
    # 2.746, two-sided p = 0.00602 (the E-test's 0.00513 no longer decides)
    assert (
        "The largest significant rise in number was in burglary: up 26 crimes (100%) to 48 "
        "(p = 0.00602, allowing for overdispersion)." in text
    )
    assert (
        "The largest significant fall in number was in drugs: down 21 crimes (67%) to 12 "
        "(p < 0.001, allowing for overdispersion)." in text
    )
    assert "were about the same as the 1,200 in Jan – Dec 2015" in text
    assert "Substance misuse: incidents fell by 67% (significant), to 12." in text


def test_bad_period_and_area(tmp_path: Path) -> None:
    path = build(tmp_path / "ws")
    with Workspace(path, read_only=True) as ws:
        with pytest.raises(ValueError, match="start and an end"):
            Assessment(ws, area="Westminster", period="2019-01:")
        with pytest.raises(ValueError, match="no incidents"):
            Assessment(ws, area="Camden", period=PERIOD)


def test_consultation_from_strategy_yaml_and_csv(tmp_path: Path) -> None:
    themes = load_themes()
    repo = Path(__file__).resolve().parents[2]
    c = load_consultation(repo / "examples" / "westminster-2011-14.yaml", themes)
    assert c.themes == [
        "night-time-economy",
        "reoffending",
        "youth",
        "substance-misuse",
        "violence-against-women-and-girls",
    ]
    assert c.when == "October 2010"
    assert c.wording[:3] == ["night time economy", "re-offending", "young people"]
    csv = tmp_path / "c.csv"
    csv.write_text("rank,theme\n2,drugs\n1,Young people\n3,parking\n", encoding="utf-8")
    c2 = load_consultation(csv, themes)
    assert c2.ranking == ["Young people", "drugs", "parking"]
    assert c2.themes == ["youth", "substance-misuse", None]
    assert c2.theme_ranking == ["youth", "substance-misuse"]
    plain = tmp_path / "p.csv"
    plain.write_text("re-offending\nnight time economy\n", encoding="utf-8")
    assert load_consultation(plain, themes).themes == ["reoffending", "night-time-economy"]
    assert match_theme("Violence against women", themes) == "violence-against-women-and-girls"


def test_first_year_of_data_and_no_wards_still_report(tmp_path: Path) -> None:
    """A period whose previous period has no data, and a workspace without wards."""
    from safercity.analytics.report import build_document, render_html

    path = build(tmp_path / "ws", met=False, wards=False)
    with Workspace(path, read_only=True) as ws:
        a = Assessment(ws, area="Westminster", period="2017-01:2017-12", permutations=0)
    assert a.exposure_last == 0
    assert a.crime_change.comparison is None
    assert a.crime_change.phrase() == (
        "cannot be compared with the comparison period, which has no data"
    )
    assert a.wards.empty
    assert a.findings[0] == (
        "Police-recorded crime in Westminster (excluding anti-social behaviour): 72 crimes in "
        "January 2017 to December 2017; the comparison period (January 2016 to December 2016) "
        "has no data, so no change can be measured."
    )
    html = render_html(build_document(a))
    assert "No ward boundaries are loaded" in html
    assert "Public consultation" not in html
    assert "no comparison data" in html


def _renderings(value: object) -> set[str]:
    """The ways the report's wording may print a number."""
    from safercity.analytics import wording as w

    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return set()
    if x != x:  # NaN
        return set()
    out = {w.fmt_int(x), w.fmt_pct(abs(x)).rstrip("%"), w.fmt_num(x, 2), f"{x:.3g}"}
    out |= {w.fmt_pct(abs(100 * x)).rstrip("%"), w.fmt_num(abs(x), 2)}
    return out


def test_every_number_in_the_findings_is_in_a_table(assessment: Assessment) -> None:
    import re

    allowed: set[str] = set()
    for table in assessment.tables.values():
        for col in table.columns:
            for v in table[col].tolist():
                allowed |= _renderings(v)
                if isinstance(v, str):
                    allowed |= set(re.findall(r"\d[\d,]*", v))  # e.g. "Jan 2015 – Dec 2015"
    # the period's own words (its years and length), "top 10%" and the "p < 0.001" threshold
    allowed |= {"2019", "12", "10", "0.001"}
    for finding in assessment.findings:
        for token in re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?", finding):
            assert token in allowed, f"{token!r} in {finding!r} is in no computed table"
