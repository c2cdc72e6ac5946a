"""Wording helpers: every number in the report is phrased by these."""

from __future__ import annotations

import datetime as dt

import pytest

from safercity.analytics import wording as w


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (12.4, "12%"),
        (12.5, "12%"),  # round half to even, as Python's formatting does
        (9.96, "10%"),
        (9.94, "9.9%"),
        (3.44, "3.4%"),
        (5.0, "5%"),
        (0.04, "0%"),
        (-7.3, "-7.3%"),
        (float("nan"), "–"),
        (None, "–"),
    ],
)
def test_fmt_pct(value: float | None, text: str) -> None:
    assert w.fmt_pct(value) == text


def test_fmt_pct_signed() -> None:
    assert w.fmt_pct(4.26, signed=True) == "+4.3%"
    assert w.fmt_pct(-15.0, signed=True) == "-15%"
    assert w.fmt_pct(0.0, signed=True) == "0%"


def test_counts_and_numbers() -> None:
    assert w.fmt_int(1234567) == "1,234,567"
    assert w.fmt_int(12.6) == "13"
    assert w.fmt_int(float("nan")) == "–"
    assert w.fmt_num(1234.567, 2) == "1,234.57"
    assert w.fmt_num(-0.04, 1) == "0.0"


def test_change_phrase_significant_rise_and_fall() -> None:
    assert w.change_phrase(112, 100, 12.0, True) == "rose by 12% (significant)"
    assert w.change_phrase(88, 100, -12.0, True) == "fell by 12% (significant)"


def test_change_phrase_not_significant_never_says_rose_or_fell() -> None:
    text = w.change_phrase(103, 100, 3.0, False)
    assert text == "showed no significant change (up 3%)"
    assert "rose" not in text and "fell" not in text
    assert w.change_phrase(97, 100, -3.0, False) == "showed no significant change (down 3%)"


def test_change_phrase_edge_cases() -> None:
    assert w.change_phrase(100, 100, 0.0, False) == "was unchanged"
    # 60 in 12 months against 55 in 11 months of data: the same rate per month
    assert w.change_phrase(60, 55, 0.0, False) == "showed no change in the rate per month"
    assert w.change_phrase(5, 0, None, None).startswith("had no incidents in the previous")
    assert w.change_phrase(0, 0, None, None) == "had no incidents in either period"


def test_p_values_and_labels() -> None:
    assert w.fmt_p(0.0004) == "p < 0.001"
    assert w.fmt_p(0.04321) == "p = 0.0432"
    assert w.fmt_p(0.5) == "p = 0.5"
    assert w.significance_label(True) == "significant"
    assert w.significance_label(False) == "not significant"
    assert w.direction_label(12.0, True) == "significant rise"
    assert w.direction_label(-12.0, True) == "significant fall"
    assert w.direction_label(-12.0, False) == "no significant change"


def test_lists_ordinals_periods() -> None:
    assert w.join_list(["a"]) == "a"
    assert w.join_list(["a", "b", "c"]) == "a, b and c"
    assert [w.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
        "111th",
    ]
    assert w.plural(1, "month") == "1 month"
    assert w.plural(1200, "month") == "1,200 months"
    assert w.period_label(dt.date(2017, 7, 1), dt.date(2018, 6, 1)) == "July 2017 to June 2018"
    assert w.period_label(dt.date(2016, 3, 1), dt.date(2016, 3, 1)) == "March 2016"
    assert w.short_month(dt.date(2016, 3, 1)) == "Mar 2016"
    assert w.share_phrase(1, 4) == "25% (1 of 4)"
