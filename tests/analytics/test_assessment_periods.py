"""Periods of the Strategic Assessment: like with like, part years, dispersion, seasonality.

Every expected value is worked out by hand in the comments.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from safercity.analytics.assessment import periods as pr

D = dt.date


def test_a_month_is_compared_with_the_same_month_a_year_earlier() -> None:
    """Issue 12: July 2018 against July 2017, never against an empty June."""
    b = pr.Basis.like_with_like(D(2018, 7, 1), D(2018, 7, 1))
    assert b.prev_months == (D(2017, 7, 1),)
    assert b.year_on_year and b.offset == 12
    assert b.describe() == (
        "July 2018 is compared with the same month a year earlier (July 2017), so that "
        "seasonal variation does not count as change"
    )


def test_twelve_months_against_the_twelve_before_and_two_years_against_two() -> None:
    b = pr.Basis.like_with_like(D(2017, 7, 1), D(2018, 6, 1))
    assert (b.prev_start, b.prev_end) == (D(2016, 7, 1), D(2017, 6, 1))
    assert b.describe().startswith("July 2017 to June 2018 is compared with the 12 months")
    q = pr.Basis.like_with_like(D(2018, 1, 1), D(2018, 3, 1))
    assert q.prev_months == (D(2017, 1, 1), D(2017, 2, 1), D(2017, 3, 1))
    two = pr.Basis.like_with_like(D(2017, 1, 1), D(2018, 12, 1))
    assert (two.prev_start, two.prev_end, two.offset) == (D(2015, 1, 1), D(2016, 12, 1), 24)


def test_partial_years_are_annualised_with_a_mark_or_left_out() -> None:
    """Issue 17: Figure 1 plotted a five-month 'year' beside full ones. Windows of 12 months
    to June: Jul 2015 - Jun 2016 has 5 months of data (Jan-Jun 2016 without March): under
    half, so it is left out; Jul 2016 - Jun 2017 has 11 (one missing): estimated as
    1,100 x 12 / 11 = 1,200; Jul 2017 - Jun 2018 is complete."""
    have = {m for m in pr.month_range(D(2016, 1, 1), D(2018, 6, 1))} - {
        D(2016, 3, 1),
        D(2016, 12, 1),
    }
    counts = pd.Series({m: 100 for m in have})
    b = pr.Basis.like_with_like(D(2017, 7, 1), D(2018, 6, 1))
    t = pr.long_run_table(counts, have, b).set_index("year")
    assert list(t.index) == ["Jul 2015 – Jun 2016", "Jul 2016 – Jun 2017", "Jul 2017 – Jun 2018"]
    assert list(t["status"]) == ["left out", "estimated", "complete"]
    assert list(t["months_of_data"]) == [5, 11, 12]
    assert math.isnan(t.loc["Jul 2015 – Jun 2016", "value"])
    assert t.loc["Jul 2016 – Jun 2017", "crimes"] == 1100
    assert t.loc["Jul 2016 – Jun 2017", "value"] == pytest.approx(1200.0)
    # the change is between shown values only: 1,200 -> 1,200
    assert t.loc["Jul 2017 – Jun 2018", "pct_change_on_previous_year"] == pytest.approx(0.0)
    assert pd.isna(t.loc["Jul 2016 – Jun 2017", "pct_change_on_previous_year"])


def test_snapshot_data_gives_the_same_month_each_year() -> None:
    """The demo's data holds July of 2016, 2017 and 2018 only: Figure 1 holds those three
    Julys, each complete, not three 'years' of one month each."""
    have = {D(2016, 7, 1), D(2017, 7, 1), D(2018, 7, 1)}
    counts = pd.Series({D(2016, 7, 1): 6977, D(2017, 7, 1): 7664, D(2018, 7, 1): 8865})
    b = pr.Basis.like_with_like(D(2018, 7, 1), D(2018, 7, 1))
    t = pr.long_run_table(counts, have, b)
    assert list(t["year"]) == ["July 2016", "July 2017", "July 2018"]
    assert list(t["status"]) == ["complete"] * 3
    assert list(t["months_in_window"]) == [1, 1, 1]
    assert t["pct_change_on_previous_year"].iloc[2] == pytest.approx(100 * (8865 / 7664 - 1))


def test_complete_only_keeps_whole_years() -> None:
    have = set(pr.month_range(D(2010, 4, 1), D(2012, 12, 1)))
    counts = pd.Series({m: 10 for m in have})
    b = pr.Basis.like_with_like(D(2012, 1, 1), D(2012, 12, 1))
    t = pr.long_run_table(counts, have, b, complete_only=True)
    assert list(t["year"]) == ["Jan – Dec 2011", "Jan – Dec 2012"]


def test_dispersion_needs_enough_months() -> None:
    idx = pd.DatetimeIndex(["2017-07-01"])
    one = pd.Series([100.0], index=idx)
    assert pr.dispersion_of(one, pd.Series([120.0], index=pd.DatetimeIndex(["2018-07-01"]))) is None
    # two periods of 3 months, level per period: fitted means 10 and 20; Pearson X2 =
    # (8-10)^2/10 + 0 + (12-10)^2/10 + (15-20)^2/20 + 0 + (25-20)^2/20 = 0.8 + 2.5 = 3.3 on
    # 6 - 2 = 4 df -> 0.825, floored at 1
    last = pd.Series([8.0, 10.0, 12.0], index=pd.date_range("2017-01-01", periods=3, freq="MS"))
    this = pd.Series([15.0, 20.0, 25.0], index=pd.date_range("2018-01-01", periods=3, freq="MS"))
    assert pr.dispersion_of(last, this) == pytest.approx(1.0)
    # more spread: (0-10)^2/10 + (10-10)^2/10 + (20-10)^2/10 = 20, twice -> 40 / 4 = 10
    last2 = pd.Series([0.0, 10.0, 20.0], index=last.index)
    this2 = pd.Series([0.0, 10.0, 20.0], index=this.index)
    assert pr.dispersion_of(last2, this2) == pytest.approx(10.0)


def test_seasonality_by_hand_and_when_it_cannot_be_estimated() -> None:
    months = pr.month_range(D(2016, 1, 1), D(2017, 12, 1))
    # December 130, every other month 100 (both years): mean of monthly means = 102.5
    counts = pd.Series({m: 130 if m.month == 12 else 100 for m in months})
    s = pr.seasonality(counts, months)
    assert s["estimable"] and s["peak"] == "December"
    assert s["peak_pct"] == pytest.approx(100 * (130 / 102.5 - 1))
    assert s["low"] == "January" and s["low_pct"] == pytest.approx(100 * (100 / 102.5 - 1))
    julys = [D(2016, 7, 1), D(2017, 7, 1)]
    s2 = pr.seasonality(pd.Series({m: 5 for m in julys}), julys)
    assert not s2["estimable"] and "July only" in s2["reason"]
    assert np.isfinite(s["index"][6])
