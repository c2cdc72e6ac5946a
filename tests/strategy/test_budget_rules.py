"""Budget rules (strategy/budget.py) on hand-checked figures."""

from __future__ import annotations

import datetime as dt

import pytest

from safercity.strategy import budget as b

D = dt.date
S = b.SpendLine


def test_spend_as_at_counts_the_day_itself_and_not_later() -> None:
    """Issue 16: a Q1 2011/12 report included money spent in November 2011."""
    spend = [S(D(2011, 6, 30), 4_000), S(D(2011, 11, 15), 9_000), S(D(2011, 12, 1), -1_000)]
    assert b.spent_as_at(spend, D(2011, 6, 29)) == 0
    assert b.spent_as_at(spend, D(2011, 6, 30)) == 4_000
    assert b.spent_as_at(spend, D(2011, 11, 30)) == 13_000
    # an adjustment counts from its own date: the earlier report does not change
    assert b.spent_as_at(spend, D(2011, 12, 1)) == 12_000


@pytest.mark.parametrize(
    ("as_at", "ended"),
    [
        (D(2011, 3, 31), 0),
        (D(2011, 4, 1), 0),
        (D(2011, 4, 29), 0),
        (D(2011, 4, 30), 1),
        (D(2011, 6, 30), 3),
        (D(2011, 7, 1), 3),
        (D(2012, 2, 29), 11),
        (D(2012, 3, 30), 11),
        (D(2012, 3, 31), 12),
        (D(2013, 1, 1), 12),
    ],
)
def test_months_ended(as_at: dt.date, ended: int) -> None:
    assert b.months_ended(2011, as_at) == ended


def test_profile_by_month() -> None:
    assert b.Profile(2011, 12_000).by_month() == [1_000.0] * 12
    assert b.Profile(2011, 9_000, [3_000, 0, 6_000, 0]).by_month() == [
        1_000.0,
        1_000.0,
        1_000.0,
        0.0,
        0.0,
        0.0,
        2_000.0,
        2_000.0,
        2_000.0,
        0.0,
        0.0,
        0.0,
    ]


def test_year_position_profile_and_forecast() -> None:
    """£39,000 profiled evenly (£3,250 a month). As at 30 September 2011 (six months ended):
    profile to date £19,500; spent £15,000 in the year (the March 2011 spend is last year's,
    the October spend is later); forecast = £15,000 + six months to come (£19,500) = £34,500,
    £4,500 under the year's profile; at the current rate £15,000 x 12 / 6 = £30,000."""
    spend = [
        S(D(2011, 3, 31), 2_000),
        S(D(2011, 5, 10), 6_000),
        S(D(2011, 9, 30), 9_000),
        S(D(2011, 10, 1), 5_000),
    ]
    p = b.year_position(spend, b.Profile(2011, 39_000), D(2011, 9, 30))
    assert (p.year, p.profiled, p.has_profile) == (2011, 39_000, True)
    assert (p.profile_to_date, p.spent_to_date) == (19_500, 15_000)
    assert (p.variance_to_date, p.forecast, p.forecast_variance) == (-4_500, 34_500, -4_500)
    assert p.run_rate_forecast == 30_000
    # by quarter: all the money in Q3 (October to December)
    q3 = b.Profile(2011, 39_000, [0, 0, 39_000, 0])
    p = b.year_position(spend, q3, D(2011, 9, 30))
    assert (p.profile_to_date, p.forecast) == (0, 15_000 + 39_000)
    # no profile: spend still counted, no forecast of the profile
    p = b.year_position(spend, None, D(2011, 9, 30))
    assert (p.has_profile, p.profile_to_date, p.forecast, p.spent_to_date) == (
        False,
        0,
        15_000,
        15_000,
    )
    # before a month has ended there is no run rate
    assert b.year_position(spend, q3, D(2011, 4, 15)).run_rate_forecast is None
    # a past year as at a later day: all of it
    p = b.year_position(spend, b.Profile(2011, 39_000), D(2013, 1, 1), year=2011)
    assert (p.profile_to_date, p.spent_to_date, p.forecast) == (39_000, 20_000, 20_000)
