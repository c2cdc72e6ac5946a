"""Cadences and meeting rules against dates checked on a calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from safercity.cases.schedule import Cadence, MeetingRule, ScheduleError, add_months, nth_weekday


@pytest.mark.parametrize(
    ("text", "n", "unit"),
    [
        ("6 weeks", 6, "weeks"),
        ("every 28 days", 28, "days"),
        ("1 month", 1, "months"),
        ("Monthly", 1, "months"),
        ("fortnightly", 2, "weeks"),
        ("quarterly", 3, "months"),
    ],
)
def test_cadence_reads_the_partnership_s_words(text: str, n: int, unit: str) -> None:
    assert Cadence.parse(text) == Cadence(n, unit)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["", "0 weeks", "six weeks", "2 years", "weekly-ish"])
def test_cadence_refuses_what_it_cannot_read(text: str) -> None:
    with pytest.raises(ScheduleError, match="not a cadence"):
        Cadence.parse(text)


def test_months_are_calendar_months_clipped_to_the_month_s_end() -> None:
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)
    assert add_months(dt.date(2026, 3, 31), -1) == dt.date(2026, 2, 28)
    # a monthly cadence steps from the first date, so 31 January, 28 February, 31 March
    rule = MeetingRule.parse("1 month", dt.date(2026, 1, 31))
    assert list(rule.dates(dt.date(2026, 1, 1), dt.date(2026, 4, 30))) == [
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 30),
    ]


def test_the_gangs_panel_meets_every_six_weeks() -> None:
    rule = MeetingRule.parse("6 weeks", dt.date(2026, 1, 7))
    dates = list(rule.dates(dt.date(2026, 1, 1), dt.date(2026, 6, 30)))
    assert dates == [
        dt.date(2026, 1, 7),
        dt.date(2026, 2, 18),
        dt.date(2026, 4, 1),
        dt.date(2026, 5, 13),
        dt.date(2026, 6, 24),
    ]
    assert rule.next_on_or_after(dt.date(2026, 2, 19)) == dt.date(2026, 4, 1)
    assert rule.next_on_or_after(dt.date(2026, 4, 1)) == dt.date(2026, 4, 1)


def test_second_tuesday_and_last_thursday_of_the_month() -> None:
    # January 2026 begins on a Thursday: Tuesdays 6, 13, 20, 27; Thursdays 1 ... 29
    assert nth_weekday(2026, 1, 1, 2) == dt.date(2026, 1, 13)
    assert nth_weekday(2026, 1, 3, -1) == dt.date(2026, 1, 29)
    marac = MeetingRule.parse("second Tuesday of the month")
    assert list(marac.dates(dt.date(2026, 1, 14), dt.date(2026, 3, 31))) == [
        dt.date(2026, 2, 10),
        dt.date(2026, 3, 10),
    ]
    assert marac.describe() == "the second Tuesday of each month"
    assert MeetingRule.parse("last thursday of each month").next_on_or_after(
        dt.date(2026, 1, 30)
    ) == dt.date(2026, 2, 26)


def test_a_cadence_meeting_needs_a_first_date() -> None:
    with pytest.raises(ScheduleError, match="first meeting"):
        MeetingRule.parse("6 weeks")
    with pytest.raises(ScheduleError, match="not a meeting rule"):
        MeetingRule.parse("fifth Friday of the month")
