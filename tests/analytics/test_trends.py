"""Trends: two-Poisson tests against published worked examples, XmR rules by hand, real Met data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from safercity.analytics.store import Workspace
from safercity.analytics.trends import (
    PoissonComparison,
    Trend,
    XmR,
    by_period,
    etest,
    exact_conditional_test,
    monthly_counts,
    period_table,
    recorded_crime_monthly,
)

#: published p-values are printed to 3-4 significant figures
PUBLISHED_P_TOL = 5e-4
#: statistics printed to 4 decimals
PUBLISHED_STAT_TOL = 1e-4
#: hand arithmetic
EXACT_TOL = 1e-9


# ---- two Poisson counts: published worked examples --------------------------------------------


def test_etest_krishnamoorthy_thomson_dodder_example() -> None:
    # K&T (2004)'s illustration from Przyborowski & Wilenski (1940): dodder seeds in two 100 g
    # samples of clover seed, 0 and 3. E-test: T = -1.732, two-sided p = 0.0884 (as reproduced in
    # SciPy's poisson_means_test documentation: 0.08837900929...). The C-test is 0.25.
    t, p = etest(0, 3, 100, 100)
    assert t == pytest.approx(-1.7320508075688772, abs=1e-12)
    assert p == pytest.approx(0.08837900929018157, abs=1e-8)
    assert exact_conditional_test(0, 3, 100, 100) == pytest.approx(0.25, abs=EXACT_TOL)


def test_etest_agrees_with_scipy_peer() -> None:
    # SciPy's scipy.stats.poisson_means_test implements K&T's E-test (two-sided, difference form)
    from scipy.stats import poisson_means_test

    rng = np.random.default_rng(11)
    for _ in range(10):
        k1, k2 = (int(v) for v in rng.integers(0, 200, size=2))
        n1, n2 = (float(v) for v in rng.uniform(1, 50, size=2))
        ours = etest(k1, k2, n1, n2)
        peer = poisson_means_test(k1, n1, k2, n2)
        assert ours[0] == pytest.approx(peer.statistic, abs=1e-12)
        assert ours[1] == pytest.approx(peer.pvalue, abs=1e-8)


def test_conditional_test_gu_2008_example_1() -> None:
    # Gu, Ng, Tang & Schucany (2008), Biometrical Journal 50: example 1 (60 events in 51,477.5
    # person-years vs 30 in 54,308.7), H1 ratio > 1: C-test p = 0.000428, E-test p = 0.000298.
    p_c = exact_conditional_test(60, 30, 51477.5, 54308.7, alternative="larger")
    _, p_e = etest(60, 30, 51477.5, 54308.7, alternative="larger")
    assert p_c == pytest.approx(0.000428, abs=PUBLISHED_P_TOL / 10)
    assert p_e == pytest.approx(0.000298, abs=PUBLISHED_P_TOL / 10)


def test_gu_2008_example_2_ratio_1_5() -> None:
    # Gu et al. (2008) example 2 (breast cancer: 41 in 28,010 vs 15 in 19,017), H0 ratio = 1.5,
    # H1 larger: C-test 0.2913, E-test 0.2453.
    p_c = exact_conditional_test(41, 15, 28010, 19017, ratio=1.5, alternative="larger")
    _, p_e = etest(41, 15, 28010, 19017, ratio=1.5, alternative="larger")
    assert p_c == pytest.approx(0.2913, abs=PUBLISHED_P_TOL)
    assert p_e == pytest.approx(0.2453, abs=PUBLISHED_P_TOL)


def test_etest_ng_2007_difference_example() -> None:
    # Ng, Gu & Tang (2007), CSDA 51: 41/28,010 vs 15/19,017, H0 equal rates, H1 larger:
    # Krishnamoorthy-Thomson E-test with the Wald statistic T = 2.2047, p = 0.0184.
    t, p = etest(41, 15, 28010, 19017, alternative="larger")
    assert t == pytest.approx(2.2047, abs=PUBLISHED_STAT_TOL)
    assert p == pytest.approx(0.0184, abs=PUBLISHED_P_TOL)


def test_score_etest_gu_2008_and_unequal_exposures() -> None:
    # Gu et al. (2008): the score-statistic E-test gives the same published p-values
    _, p1 = etest(60, 30, 51477.5, 54308.7, alternative="larger", statistic="score")
    _, p2 = etest(41, 15, 28010, 19017, ratio=1.5, alternative="larger", statistic="score")
    assert p1 == pytest.approx(0.000298, abs=PUBLISHED_P_TOL / 10)
    assert p2 == pytest.approx(0.2453, abs=PUBLISHED_P_TOL)
    # 30 in 10,000 residents vs 20 in 40,000: a six-fold rate. The Wald E-test (p ~ 7e-4) is far
    # less powerful than the exact conditional test (7e-10) here; the score form agrees with it.
    _, p_wald = etest(30, 20, 10_000, 40_000)
    _, p_score = etest(30, 20, 10_000, 40_000, statistic="score")
    assert 1e-4 < p_wald < 1e-3
    assert p_score < 1e-8
    assert exact_conditional_test(30, 20, 10_000, 40_000) < 1e-8


def test_conditional_test_by_hand() -> None:
    # 5 vs 0 with equal exposure: X1 | n=5 ~ Bin(5, 1/2); P(X1 = 5) = 1/32, two-sided doubles it.
    assert exact_conditional_test(5, 0) == pytest.approx(2 / 32, abs=EXACT_TOL)
    assert exact_conditional_test(5, 0, alternative="larger") == pytest.approx(1 / 32)
    assert exact_conditional_test(0, 0) == 1.0


def test_etest_by_hand_tiny() -> None:
    # 1 vs 0, equal exposure: pooled mean 0.5 each. T(1,0) = 1; |T| >= 1 at every (k1,k2) except
    # (0,0), and T = 0 only on the diagonal k1 = k2 >= 1 ... hand sum over the Poisson(0.5)^2 grid.
    t, p = etest(1, 0)
    assert t == pytest.approx(1.0, abs=EXACT_TOL)
    k = np.arange(0, 60)
    from scipy.stats import poisson

    pmf = poisson.pmf(k, 0.5)
    k1, k2 = np.meshgrid(k, k, indexing="ij")
    var = k1 + k2
    T = np.where(var > 0, (k1 - k2) / np.sqrt(np.where(var > 0, var, 1)), 0.0)
    expected = float((np.outer(pmf, pmf) * (np.abs(T) >= 1 - 1e-12)).sum())
    assert p == pytest.approx(expected, abs=1e-9)


def _brute_etest(k1: int, k2: int, e1: float, e2: float, alternative: str) -> float:
    """The E-test as K&T define it: the full double sum over a generous grid."""
    from scipy.stats import poisson

    rate2 = (k1 + k2) / (e1 + e2)
    g1 = np.arange(0, int(rate2 * e1 + 12 * np.sqrt(rate2 * e1 + 1) + 20))
    g2 = np.arange(0, int(rate2 * e2 + 12 * np.sqrt(rate2 * e2 + 1) + 20))
    a, b = np.meshgrid(g1, g2, indexing="ij")
    var = a / e1**2 + b / e2**2
    T = np.where(var > 0, (a / e1 - b / e2) / np.sqrt(np.where(var > 0, var, 1)), 0.0)
    var0 = k1 / e1**2 + k2 / e2**2
    t0 = (k1 / e1 - k2 / e2) / np.sqrt(var0) if var0 > 0 else 0.0
    tol = 1e-10 * max(1.0, abs(t0))
    hit = {
        "larger": t0 - tol <= T,
        "smaller": t0 + tol >= T,
        "two-sided": np.abs(T) >= abs(t0) - tol,
    }[alternative]
    w = np.outer(poisson.pmf(g1, rate2 * e1), poisson.pmf(g2, rate2 * e2))
    return float((w * hit).sum())


@pytest.mark.parametrize("alternative", ["two-sided", "larger", "smaller"])
def test_etest_bisection_equals_full_double_sum(alternative: str) -> None:
    rng = np.random.default_rng(7)
    for _ in range(15):
        k1, k2 = (int(v) for v in rng.integers(0, 60, size=2))
        e1, e2 = (float(v) for v in rng.uniform(0.5, 3.0, size=2))
        _, p = etest(k1, k2, e1, e2, alternative=alternative)  # type: ignore[arg-type]
        assert p == pytest.approx(_brute_etest(k1, k2, e1, e2, alternative), abs=1e-9)


def test_etest_handles_borough_sized_counts_quickly() -> None:
    # Westminster's 2011 vs 2012 totals (Met series): ~60,000 a year, far apart -> p tiny.
    t, p = etest(64039, 61548)
    assert t == pytest.approx((64039 - 61548) / np.sqrt(64039 + 61548), rel=1e-12)
    assert p < 1e-10
    assert exact_conditional_test(64039, 61548) < 1e-10


def test_quasi_poisson_comparison_by_hand() -> None:
    from scipy.stats import norm

    # 120 vs 100, equal exposure: z = 20 / sqrt(phi x 220)
    c1 = PoissonComparison(120, 100, dispersion=1.0)
    assert c1.p_quasi_poisson == pytest.approx(2 * norm.sf(20 / np.sqrt(220)), abs=EXACT_TOL)
    c4 = PoissonComparison(120, 100, dispersion=4.0)
    assert c4.p_quasi_poisson == pytest.approx(2 * norm.sf(20 / np.sqrt(880)), abs=EXACT_TOL)
    assert c4.p_quasi_poisson > c1.p_quasi_poisson
    assert "overdispersion (phi = 4)" in c4.statement()
    assert PoissonComparison(120, 100).p_quasi_poisson is None


def test_trend_reports_overdispersed_comparison() -> None:
    # irregular month-to-month noise far beyond Poisson (negative binomial, fixed seed), second
    # year 10% up; then the same means with Poisson noise
    rng = np.random.default_rng(5)
    months = pd.date_range("2019-01-01", periods=24, freq="MS")
    mean = np.where(np.arange(24) >= 12, 110.0, 100.0)
    noisy = rng.negative_binomial(n=5, p=5 / (5 + mean))  # variance = mean + mean^2 / 5
    tr = Trend(
        _incidents({m.strftime("%Y-%m"): int(v) for m, v in zip(months, noisy, strict=True)})
    )
    c = tr.comparison
    assert c is not None and c.dispersion is not None
    assert c.dispersion > 5
    assert c.p_quasi_poisson is not None and c.p_quasi_poisson > c.p_etest
    # a pure seasonal pattern is not overdispersion: month-of-year effects absorb it
    seasonal = {m.strftime("%Y-%m"): (150 if m.month % 2 else 50) for m in months}
    cs = Trend(_incidents(seasonal)).comparison
    assert cs is not None and cs.dispersion == pytest.approx(1.0)


def test_poisson_comparison_statement() -> None:
    c = PoissonComparison(90, 100)
    assert c.change == -10
    assert c.pct_change == pytest.approx(-10.0, abs=EXACT_TOL)
    assert not c.significant
    assert "down 10.0%" in c.statement()


# ---- XmR ----------------------------------------------------------------------------------


def test_xmr_limits_by_hand() -> None:
    # values 10, 12, 11, 13: mean 11.5, moving ranges 2, 1, 2 -> mean MR 5/3,
    # limits 11.5 ± 2.66 * 5/3 = 11.5 ± 4.4333...
    x = XmR([10, 12, 11, 13])
    assert x.mean == pytest.approx(11.5, abs=EXACT_TOL)
    assert x.mean_moving_range == pytest.approx(5 / 3, abs=EXACT_TOL)
    assert x.upper_limit == pytest.approx(11.5 + 2.66 * 5 / 3, abs=EXACT_TOL)
    assert x.lower_limit == pytest.approx(11.5 - 2.66 * 5 / 3, abs=EXACT_TOL)
    assert x.signals["special_cause"] == 0


def test_xmr_matches_nhsrplotthedots_snapshot() -> None:
    # NHSRplotthedots (NHS-R implementation of Making Data Count), tests/testthat/_snaps/
    # ptd_spc_standard.md: y = R's rnorm(20) with set.seed(123) -> mean 0.142, lpl -3.01, upl 3.29.
    y = [
        -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621,
        -1.26506123, -0.68685285, -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272,
        -0.55584113, 1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
    ]  # fmt: skip
    x = XmR(y)
    assert round(x.mean, 3) == 0.142
    assert round(x.lower_limit, 2) == -3.01
    assert round(x.upper_limit, 2) == 3.29
    assert x.signals["special_cause"] == 0


def test_xmr_point_beyond_limits() -> None:
    x = XmR([10, 11, 10, 11, 10, 11, 10, 30, 10, 11])
    assert bool(x.table["beyond_limits"].iloc[7])
    assert x.signals["beyond_limits"] == 1


def test_xmr_shift_of_seven() -> None:
    # six below then seven above the mean: the seven are a shift, the six are not
    y = [1, 2, 1, 2, 1, 2, 5, 6, 5, 6, 5, 6, 5]
    x = XmR(y)
    assert x.table["shift"].tolist() == [False] * 6 + [True] * 7
    x8 = XmR(y, shift_run=8)
    assert not x8.table["shift"].any()


def test_xmr_trend_of_seven_points() -> None:
    y = [5, 4, 5, 4, 1, 2, 3, 4, 5, 6, 7, 4, 5]  # 1..7 rising: seven points
    x = XmR(y)
    assert x.table["trend"].tolist() == [False] * 4 + [True] * 7 + [False] * 2
    # an equal value breaks the trend: 1,2,3,3,4,5,6 is not seven rising points
    assert not XmR([5, 4, 5, 1, 2, 3, 3, 4, 5, 6, 4]).table["trend"].any()
    # six points are a trend only with trend_run=6
    y6 = [5, 4, 1, 2, 3, 4, 5, 6, 4, 5]
    assert not XmR(y6).table["trend"].any()
    assert XmR(y6, trend_run=6).table["trend"].sum() == 6


def test_xmr_two_of_three_near_limit() -> None:
    # 20 points alternating 10, 11 then 13.5, 11.5, 13.5, 10. By hand: mean = 258.5/24,
    # moving ranges 19 x 1 then 2.5, 2, 2, 3.5 -> mean MR 29/23; near-limit line
    # mean + (2/3)(2.66)(29/23) = 13.0068 < 13.5 < limit 14.1247. Both 13.5s are within one window
    # of three, all above the mean, so both are flagged; 11.5 (not near a limit) is not.
    y = [10.0, 11.0] * 10 + [13.5, 11.5, 13.5, 10.0]
    x = XmR(y)
    assert x.mean == pytest.approx(258.5 / 24, abs=EXACT_TOL)
    assert x.mean_moving_range == pytest.approx(29 / 23, abs=EXACT_TOL)
    assert x.near_upper == pytest.approx(258.5 / 24 + (2 / 3) * 2.66 * 29 / 23, abs=EXACT_TOL)
    assert x.table["two_of_three"].tolist() == [False] * 20 + [True, False, True, False]
    assert x.signals == {
        "beyond_limits": 0,
        "shift": 0,
        "trend": 0,
        "two_of_three": 2,
        "special_cause": 2,
    }
    # with the 11.5 below the mean, the three are not on one side: no signal
    assert not XmR([10.0, 11.0] * 10 + [13.5, 10.0, 13.5, 10.0]).table["two_of_three"].any()


# ---- Trend on incidents ---------------------------------------------------------------------


def _incidents(counts: dict[str, int], category: str = "Burglary") -> pd.DataFrame:
    rows = []
    for month, n in counts.items():
        rows += [{"month": dt.date.fromisoformat(month + "-01"), "category": category}] * n
    return pd.DataFrame(rows)


def test_monthly_counts_fill_gaps() -> None:
    inc = _incidents({"2020-01": 3, "2020-03": 2})
    m = monthly_counts(inc)
    assert m.tolist() == [3, 0, 2]
    assert by_period(m, "month").to_dict() == {"2020-01": 3, "2020-02": 0, "2020-03": 2}
    assert by_period(m, "year").to_dict() == {"2020": 5}


def test_period_table_fills_gaps() -> None:
    inc = pd.concat([_incidents({"2020-01": 2, "2020-03": 1}), _incidents({"2020-03": 4}, "Drugs")])
    t = period_table(inc.reset_index(drop=True))
    assert t.index.tolist() == ["2020-01", "2020-02", "2020-03"]
    assert t["Burglary"].tolist() == [2, 0, 1]
    assert t["Drugs"].tolist() == [0, 0, 4]
    assert period_table(inc.reset_index(drop=True), by="year").to_dict("index") == {
        "2020": {"Burglary": 3, "Drugs": 4}
    }


def test_trend_year_on_year_and_rolling() -> None:
    counts = {f"{y}-{m:02d}": (10 if y == 2020 else 8) for y in (2020, 2021) for m in range(1, 13)}
    tr = Trend(_incidents(counts), by="year")
    assert tr.series.to_dict() == {"2020": 120, "2021": 96}
    assert tr.comparison is not None
    assert tr.comparison.this_period == 96 and tr.comparison.last_period == 120
    assert tr.comparison.pct_change == pytest.approx(-20.0, abs=EXACT_TOL)
    assert tr.rolling_12.iloc[-1] == 96
    assert np.isnan(tr.rolling_12.iloc[10])
    assert tr.stl is None and "3 years" in tr.stl_reason
    assert tr.by_category is not None and tr.by_category.loc["2021", "Burglary"] == 96
    d = tr.to_dict()
    assert d["series"] == {"2020": 120, "2021": 96}
    assert d["comparison"]["this_period_months"] == "2021-01 to 2021-12"
    assert d["comparison"]["this_period"] == 96


def test_missing_months_are_not_zeros() -> None:
    # 24 months of 10 a month, but the source has no file for 2021-03 (as police.uk lacks
    # 2016-03 for the Met): that month is missing, not zero.
    counts = {f"{y}-{m:02d}": 10 for y in (2020, 2021) for m in range(1, 13) if (y, m) != (2021, 3)}
    inc = _incidents(counts)
    naive = Trend(inc, by="year")
    assert naive.comparison is not None and naive.comparison.pct_change < -8  # 110 vs 120
    have = [pd.Timestamp(m + "-01") for m in counts]
    tr = Trend(inc, by="year", months_with_data=have)
    assert tr.missing_months == ["2021-03"]
    assert np.isnan(tr.monthly.loc["2021-03-01"])
    assert tr.series.to_dict() == {"2020": 120, "2021": 110}
    assert tr.months_covered.to_dict() == {"2020": 12, "2021": 11}
    c = tr.comparison
    assert c is not None and c.exposure_this == 11 and c.exposure_last == 12
    assert c.pct_change == pytest.approx(0.0, abs=EXACT_TOL)  # 10 a month both years
    assert tr.spc is not None and len(tr.spc.table) == 23
    assert "2021-03" not in tr.spc.table.index
    assert tr.to_dict()["missing_months"] == ["2021-03"]


def test_trend_stl_recovers_seasonal_pattern() -> None:
    # 4 years of a pure seasonal pattern (+10 in July, -10 in January around 100)
    counts = {}
    for y in range(2016, 2020):
        for m in range(1, 13):
            counts[f"{y}-{m:02d}"] = 100 + (10 if m == 7 else -10 if m == 1 else 0)
    tr = Trend(_incidents(counts))
    assert tr.stl is not None
    seasonal = tr.stl["seasonal"]
    july = seasonal[[ts.month == 7 for ts in seasonal.index]].mean()
    jan = seasonal[[ts.month == 1 for ts in seasonal.index]].mean()
    assert july > 5 and jan < -5
    assert tr.long_run is not None
    assert abs(tr.long_run["annual_pct_change"]) < 1.0


# ---- real data: the Met borough series --------------------------------------------------------


def load_met_borough(ws: Workspace, csv: Path, boroughs: list[str]) -> pd.DataFrame:
    """Melt the wide Met table (one column per YYYYMM) into ``recorded_crime`` rows."""
    wide = pd.read_csv(csv)
    wide = wide[wide["BoroughName"].isin(boroughs)]
    long = wide.melt(
        id_vars=["MajorText", "MinorText", "BoroughName"], var_name="yyyymm", value_name="count"
    )
    long["month"] = pd.to_datetime(long["yyyymm"], format="%Y%m").dt.date
    frame = pd.DataFrame(
        {
            "source_id": "test-met",
            "area_type": "borough",
            "area_code": None,
            "area_name": long["BoroughName"],
            "major_category": long["MajorText"],
            "minor_category": long["MinorText"],
            "month": long["month"],
            "count": long["count"].astype("int64"),
        }
    )
    ws.con.register("met_frame", frame)
    ws.con.execute("INSERT INTO recorded_crime SELECT * FROM met_frame")
    ws.con.unregister("met_frame")
    return wide


@pytest.mark.shared_data
def test_westminster_yearly_totals_from_met_series(shared_data: Path, tmp_path: Path) -> None:
    csv = shared_data / "mps" / "borough-level-crime-historical.csv"
    with Workspace(tmp_path / "ws") as ws:
        wide = load_met_borough(ws, csv, ["Westminster"])
        monthly = recorded_crime_monthly(ws, "westminster")
    month_cols = [c for c in wide.columns if c.isdigit()]
    expected = wide[month_cols].sum()
    expected_years = expected.groupby(expected.index.str[:4]).sum()
    tr = Trend(monthly=monthly, by="year")
    assert tr.series.to_dict() == {k: int(v) for k, v in expected_years.items()}
    # the series runs 2010-04..2023-09: 2010 and 2023 are part years and say so
    assert tr.months_covered["2010"] == 9 and tr.months_covered["2023"] == 9
    assert tr.months_covered["2011"] == 12
    # 2011 is the Strategy's first year: "around 63,000 offences" a year at the time
    assert 60_000 < tr.series["2011"] < 66_000
    assert tr.stl is not None
    assert tr.spc is not None and tr.spc.signals["special_cause"] > 0  # 2020 lockdown at least
    assert tr.spc.table.loc["2020-04", "beyond_limits"] or tr.spc.table.loc["2020-04", "shift"]
