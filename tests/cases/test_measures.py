"""A cohort's figures by period (strategy measures of kind cases), worked by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from safercity.cases.figures import ActionFacts, CaseFacts
from safercity.cases.measures import (
    PERIODS,
    STATISTICS,
    cohort_values,
    period_start,
    periods,
)

D = dt.date

# referred, agency, status, accepted, ended, outcome, first panel, panel dates
CASES = [
    # open from 10 Jan; discussed in January and in March
    CaseFacts(
        D(2026, 1, 5),
        "Police",
        "active",
        D(2026, 1, 10),
        first_panel_on=D(2026, 1, 20),
        panel_dates=(D(2026, 1, 20), D(2026, 3, 3)),
    ),
    # open 1 Feb to 15 Mar; discussed twice in February
    CaseFacts(
        D(2026, 1, 25),
        "Council",
        "closed",
        D(2026, 2, 1),
        D(2026, 3, 15),
        "Risk reduced",
        D(2026, 2, 3),
        (D(2026, 2, 3), D(2026, 2, 17)),
    ),
    # declined: never open
    CaseFacts(D(2026, 2, 10), "Police", "declined", None, D(2026, 2, 20)),
    # open from 1 April (the second quarter)
    CaseFacts(D(2026, 3, 30), "YOT", "accepted", D(2026, 4, 1)),
    # an anonymised case: only its first panel is kept
    CaseFacts(D(2026, 2, 1), "Police", "closed", D(2026, 2, 1), D(2026, 3, 1), "", D(2026, 3, 1)),
    # referred after the day: not counted
    CaseFacts(D(2026, 6, 1), "Police", "referred"),
]
ACTIONS = [
    ActionFacts(D(2026, 1, 31), D(2026, 1, 30)),  # January: on time
    ActionFacts(D(2026, 1, 31), D(2026, 2, 2)),  # January: late
    ActionFacts(D(2026, 3, 10), D(2026, 3, 10)),  # March: on time (on the day)
    ActionFacts(D(2026, 3, 20)),  # March: still open, late
    ActionFacts(D(2026, 3, 25), D(2026, 3, 20)),  # March: on time
    ActionFacts(D(2026, 6, 1)),  # due after the day
]
DAY = D(2026, 4, 30)


def values(statistic: str, period: str, day: dt.date = DAY) -> list[tuple[dt.date, float]]:
    return cohort_values(CASES, ACTIONS, statistic, period, day).values


def test_period_start_and_periods() -> None:
    assert period_start(D(2026, 2, 14), "month") == D(2026, 2, 1)
    assert period_start(D(2026, 5, 14), "quarter") == D(2026, 4, 1)
    assert period_start(D(2026, 12, 31), "quarter") == D(2026, 10, 1)
    assert period_start(D(2026, 3, 31), "financial_year") == D(2025, 4, 1)
    assert period_start(D(2026, 4, 1), "financial_year") == D(2026, 4, 1)
    assert periods(D(2026, 1, 5), D(2026, 3, 31), "month") == [
        (D(2026, 1, 1), D(2026, 1, 31)),
        (D(2026, 2, 1), D(2026, 2, 28)),
        (D(2026, 3, 1), D(2026, 3, 31)),
    ]
    # the period in progress is left out until it ends
    assert periods(D(2026, 1, 5), D(2026, 3, 30), "quarter") == []
    assert periods(D(2025, 11, 5), D(2026, 4, 30), "quarter") == [
        (D(2025, 10, 1), D(2025, 12, 31)),
        (D(2026, 1, 1), D(2026, 3, 31)),
    ]
    assert periods(D(2024, 6, 1), D(2026, 4, 30), "financial_year") == [
        (D(2024, 4, 1), D(2025, 3, 31)),
        (D(2025, 4, 1), D(2026, 3, 31)),
    ]
    with pytest.raises(ValueError, match="period"):
        period_start(DAY, "rolling_12_months")


def test_size_by_month_and_quarter() -> None:
    # 31 Jan: case 1; 28 Feb: cases 1, 2 and the anonymised one; 31 Mar: case 1 (2 closed on
    # 15 March, the anonymised one on 1 March); 30 Apr: cases 1 and 4
    assert values("size", "month") == [
        (D(2026, 1, 1), 1.0),
        (D(2026, 2, 1), 3.0),
        (D(2026, 3, 1), 1.0),
        (D(2026, 4, 1), 2.0),
    ]
    assert values("size", "quarter") == [(D(2026, 1, 1), 1.0)]
    assert values("size", "financial_year", D(2026, 3, 31)) == [(D(2025, 4, 1), 1.0)]


def test_referrals() -> None:
    assert values("referrals", "month") == [
        (D(2026, 1, 1), 2.0),
        (D(2026, 2, 1), 2.0),
        (D(2026, 3, 1), 1.0),
        (D(2026, 4, 1), 0.0),
    ]
    assert values("referrals", "quarter") == [(D(2026, 1, 1), 5.0)]
    assert values("referrals", "financial_year", D(2026, 3, 31)) == [(D(2025, 4, 1), 5.0)]


def test_reviewed_counts_each_case_once_a_period() -> None:
    # January: case 1; February: case 2 (twice, once); March: case 1 and the anonymised case
    assert values("reviewed", "month") == [
        (D(2026, 1, 1), 1.0),
        (D(2026, 2, 1), 1.0),
        (D(2026, 3, 1), 2.0),
        (D(2026, 4, 1), 0.0),
    ]
    # the quarter: cases 1, 2 and the anonymised one
    assert values("reviewed", "quarter") == [(D(2026, 1, 1), 3.0)]
    assert values("reviewed", "financial_year", D(2026, 3, 31)) == [(D(2025, 4, 1), 3.0)]


def test_actions_on_time() -> None:
    got = cohort_values(CASES, ACTIONS, "actions_on_time", "month", DAY)
    # January 1 of 2; February none due (no value); March 2 of 3; April none due
    assert got.values == [(D(2026, 1, 1), 50.0), (D(2026, 3, 1), pytest.approx(200 / 3))]
    assert got.counts == {D(2026, 1, 1): (1.0, 2.0), D(2026, 3, 1): (2.0, 3.0)}
    quarter = cohort_values(CASES, ACTIONS, "actions_on_time", "quarter", DAY)
    assert quarter.values == [(D(2026, 1, 1), 60.0)]
    assert quarter.counts == {D(2026, 1, 1): (3.0, 5.0)}
    year = cohort_values(CASES, ACTIONS, "actions_on_time", "financial_year", D(2026, 3, 31))
    assert year.values == [(D(2025, 4, 1), 60.0)]


def test_no_cases_or_no_period_ended() -> None:
    empty = cohort_values([], [], "size", "month", DAY)
    assert empty.values == [] and "no cases" in empty.note
    early = cohort_values(CASES, ACTIONS, "referrals", "quarter", D(2026, 3, 30))
    assert early.values == [] and "no period has ended" in early.note
    with pytest.raises(ValueError, match="statistic"):
        cohort_values(CASES, ACTIONS, "people", "month", DAY)


def test_statistics_and_periods_match_the_strategy_file() -> None:
    from typing import get_args

    from safercity.strategy.model import CasesQuery

    fields = CasesQuery.model_fields
    assert set(get_args(fields["statistic"].annotation)) == set(STATISTICS)
    assert set(get_args(fields["period"].annotation)) == set(PERIODS)
