"""Themes: the shipped YAML loads, each condition filters as documented on tiny frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from safercity.analytics.themes import ThemeError, in_window, load_themes, parse_hours


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": pd.to_datetime(["2020-01-01"] * 6),
            "category": [
                "Violence and sexual offences",
                "Violence and sexual offences",
                "Drugs",
                "Burglary",
                "Public order",
                "Violence and sexual offences",
            ],
            "ward_name": ["West End", "West End", "St James's", "West End", "Abbey Road", None],
            "occurred_from": pd.to_datetime(
                [
                    "2020-01-03 23:00",
                    "2020-01-03 12:00",
                    None,
                    "2020-01-04 02:00",
                    "2020-01-04 21:00",
                    "2020-01-05 01:00",
                ]
            ),
            "occurred_to": pd.to_datetime(
                [
                    "2020-01-04 01:00",  # middle 00:00 -> inside 20:00-04:00
                    "2020-01-03 12:00",
                    None,
                    "2020-01-04 02:00",
                    "2020-01-04 21:00",
                    "2020-01-05 01:00",
                ]
            ),
            "victim_sex": ["F", "M", None, "f", "M", "female"],
            "victim_age": [30, 17, None, 40, 22, 19],
            "suspect_age": [None, 30, 16, None, 35, 45],
            "flag_domestic": [False, False, None, False, True, True],
            "flag_alcohol": [True, False, None, False, False, False],
        }
    )


def test_shipped_themes_load() -> None:
    themes = load_themes()
    assert set(themes) >= {
        "night-time-economy",
        "youth",
        "violence-against-women-and-girls",
        "substance-misuse",
        "reoffending",
        "anti-social-behaviour",
    }
    assert themes.version == 1
    assert themes.get("Night time economy").hours == "20:00-04:00"
    with pytest.raises(KeyError, match="themes:"):
        themes.get("no-such-theme")


def test_hours_window_wraps_midnight() -> None:
    assert parse_hours("20:00-04:00") == (20.0, 4.0)
    h = np.array([19.99, 20.0, 23.5, 0.0, 3.99, 4.0, 12.0])
    assert in_window(h, 20.0, 4.0).tolist() == [False, True, True, True, True, False, False]
    assert in_window(h, 9.0, 17.0).tolist() == [False] * 6 + [True]


def test_night_time_economy_theme() -> None:
    nte = load_themes().get("night-time-economy").filter(_frame())
    # row 0 (West End, violence, midpoint 00:00) in; row 1 (12:00) out; row 2 (Drugs, St James's,
    # no time, include_untimed) in; row 3 burglary out; row 4 Abbey Road out; row 5 no ward out.
    assert nte.index.tolist() == [0, 2]


def test_vawg_youth_substance_themes() -> None:
    themes = load_themes()
    f = _frame()
    # VAWG: violence/public order AND (female victim OR domestic)
    assert themes.get("violence-against-women-and-girls").filter(f).index.tolist() == [0, 4, 5]
    # youth: victim or suspect aged 24 or under
    assert themes.get("youth").filter(f).index.tolist() == [1, 2, 4, 5]
    # substance misuse: drugs OR alcohol flag
    assert themes.get("substance-misuse").filter(f).index.tolist() == [0, 2]
    assert themes.get("reoffending").filter(f).index.tolist() == [3]


def test_untimed_rows_can_be_dropped(tmp_path: Path) -> None:
    p = tmp_path / "t.yaml"
    p.write_text(
        "version: 1\nthemes:\n  late:\n    hours: '20:00-04:00'\n    include_untimed: false\n"
        "    days: [Sat]\n",
        encoding="utf-8",
    )
    late = load_themes(p).get("late").filter(_frame())
    # Saturday 2020-01-04 02:00 and 21:00 only (row 0's midpoint is Sat 00:00 too)
    assert late.index.tolist() == [0, 3, 4]


def test_bad_theme_file_is_a_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("themes:\n  x:\n    categories: [Fraud]\n", encoding="utf-8")
    with pytest.raises(ThemeError, match=r"'Fraud' is not a police\.uk category"):
        load_themes(p)
    p.write_text("themes:\n  x:\n    colour: red\n", encoding="utf-8")
    with pytest.raises(ThemeError, match="unknown keys"):
        load_themes(p)


def test_missing_data_is_reported() -> None:
    themes = load_themes()
    f = _frame()
    assert themes.get("night-time-economy").missing_data(f) == []
    bare = f[["month", "category"]]
    assert themes.get("night-time-economy").missing_data(bare) == ["ward_name"]
    assert themes.get("youth").missing_data(bare) == ["victim_age or suspect_age"]
    assert themes.get("reoffending").missing_data(bare) == []
    # substance misuse: Drugs OR alcohol flag -> the Drugs alternative needs no extra data
    assert themes.get("substance-misuse").missing_data(bare) == []


def test_a_theme_of_some_hours_is_named_for_what_data_without_times_measures() -> None:
    """Issue 17: police.uk data has no times, so a night-time theme that keeps untimed incidents
    counts its area at every hour: it is named so, and its description says why."""
    from safercity.analytics.assessment.core import themes_without_times

    shipped = load_themes()
    renamed = themes_without_times(shipped)
    nte = renamed["night-time-economy"]
    assert nte.title == "Night-time economy area (all hours)"
    assert "no times" in nte.description and "20:00 to 04:00" in nte.description
    assert nte.condition is shipped["night-time-economy"].condition  # the same incidents
    untouched = [n for n in shipped if not shipped[n].hours]
    assert untouched and all(renamed[n] == shipped[n] for n in untouched)
    assert shipped["night-time-economy"].title == "Night-time economy"  # the file's own set
