"""People: the Strategy's victim/suspect statements computed from a hand-made extract."""

from __future__ import annotations

import pandas as pd
import pytest

from safercity.analytics.people import NoPeopleDataError, PeopleProfile, normalise_sex


def _extract() -> pd.DataFrame:
    # 100 victim records built to the Strategy's figures: 62 male / 38 female; ages 18-35 for 75;
    # 25 residents; plus 4 records with nothing known. Suspects: 12 of 100 aged under 18.
    n = 100
    sex = ["M"] * 62 + ["female"] * 38
    ages = [16] * 5 + [20] * 30 + [30] * 30 + [35] * 15 + [40] * 10 + [70] * 10
    resident = [True] * 25 + [False] * 75
    suspect = [15] * 12 + [30] * 88
    frame = pd.DataFrame(
        {
            "victim_id": [f"v{i}" for i in range(n)],
            "victim_sex": sex,
            "victim_age": ages,
            "victim_resident": resident,
            "suspect_age": suspect,
        }
    )
    unknown = pd.DataFrame(
        {
            "victim_id": [None] * 4,
            "victim_sex": [None, "", "unknown", None],
            "victim_age": [None] * 4,
            "victim_resident": [None] * 4,
            "suspect_age": [None] * 4,
        }
    )
    return pd.concat([frame, unknown], ignore_index=True)


def test_strategy_statements_are_computed() -> None:
    vp = PeopleProfile(_extract())
    assert vp.n == 104 and vp.n_sex_known == 100 and vp.n_age_known == 100
    assert vp.sex.loc["male", "share"] == pytest.approx(62.0)
    assert vp.age_groups["18-35"] == pytest.approx(75.0)  # 30 + 30 + 15 (35 is inclusive)
    assert vp.age_groups["under 18"] == pytest.approx(5.0)
    assert vp.age_groups["18-24"] == pytest.approx(30.0)
    assert vp.resident_share == pytest.approx(25.0)
    assert vp.age_bands.loc["65+", "count"] == 10
    assert vp.age_bands["count"].sum() == 100
    assert "62% of victims male (of 100 with sex recorded)" in vp.statements
    assert "75% of victims aged 18-35 (of 100 with age recorded)" in vp.statements
    assert "25% of victims residents (of 100 with residence recorded)" in vp.statements
    sp = PeopleProfile(_extract(), who="suspect")
    assert sp.age_groups["under 18"] == pytest.approx(12.0)
    assert "12% of suspects aged under 18 (of 100 with age recorded)" in sp.statements


def test_unit_person_counts_each_victim_once() -> None:
    f = pd.DataFrame(
        {
            "victim_id": ["a", "a", "a", "b"],
            "victim_sex": ["F", "F", "F", "M"],
        }
    )
    assert PeopleProfile(f).sex.loc["female", "share"] == pytest.approx(75.0)
    assert PeopleProfile(f, unit="person").sex.loc["female", "share"] == pytest.approx(50.0)


def test_no_people_fields_cannot_answer() -> None:
    police_uk = pd.DataFrame({"category": ["Burglary"], "victim_sex": [None]})
    with pytest.raises(NoPeopleDataError, match="cannot answer"):
        PeopleProfile(police_uk)


def test_normalise_sex() -> None:
    s = normalise_sex(pd.Series(["M", " f ", "Female", "x", None]))
    assert s.tolist()[:3] == ["male", "female", "female"]
    assert s.isna().tolist()[3:] == [True, True]


def test_residence_from_home_area_when_no_flag() -> None:
    f = pd.DataFrame(
        {
            "victim_sex": ["M", "F", "M", "F"],
            "victim_home_area": ["Westminster", "Camden", " westminster ", None],
            "local_authority": ["Westminster"] * 4,
        }
    )
    vp = PeopleProfile(f)
    assert vp.n_resident_known == 3
    assert vp.resident_share == pytest.approx(200 / 3)
    assert vp.resident_source == "victim_home_area = local_authority"
