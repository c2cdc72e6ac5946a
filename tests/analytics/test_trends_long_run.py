"""The long-run trend of a series with one far-off month: no OverflowError, no ValueError.

A workspace whose incidents are two years of months and one row decades later gives a monthly
series of zeros between them. The quasi-Poisson fit of such a series either diverges (statsmodels
raises "NaN, inf or invalid value detected in weights") or has an interval so wide that
``math.exp`` overflows; both made the trend page and ``/api/v1/trend`` answer 500 (issue 15,
item 11). The long-run trend is then not stated (None), and the rest of the Trend stands.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from safercity.analytics.trends import Trend


def _series(per_month: int, far: str) -> pd.Series:
    """``per_month`` incidents in each month of 2016-2017, none after, one in ``far``."""
    index = pd.date_range("2016-01-01", far, freq="MS", name="month")
    counts = np.zeros(len(index), dtype=np.int64)
    counts[:24] = per_month
    counts[-1] = 1
    return pd.Series(counts, index=index, name="count")


@pytest.mark.parametrize(
    ("per_month", "far"),
    [
        (5, "2062-01-01"),  # was OverflowError: math range error (exp of the upper bound)
        (2, "2080-01-01"),  # the same
        (50, "2080-01-01"),  # was ValueError from statsmodels (the fit diverged)
    ],
)
def test_one_far_off_month_leaves_the_long_run_unstated(per_month: int, far: str) -> None:
    trend = Trend(monthly=_series(per_month, far))
    assert trend.long_run is None
    # everything else is still there and finite
    assert int(trend.monthly.sum()) == 24 * per_month + 1
    assert trend.comparison is not None and trend.spc is not None
    assert math.isfinite(trend.spc.upper_limit)


def test_an_ordinary_series_keeps_its_long_run() -> None:
    # counts doubling over one year: +100% a year (checked by hand: slope ln 2 per year)
    index = pd.date_range("2016-01-01", periods=24, freq="MS", name="month")
    counts = pd.Series(np.round(100 * 2 ** (np.arange(24) / 12)), index=index)
    long_run = Trend(monthly=counts).long_run
    assert long_run is not None
    assert long_run["annual_pct_change"] == pytest.approx(100.0, abs=1.0)
    low, high = long_run["ci95"]
    assert low < long_run["annual_pct_change"] < high
