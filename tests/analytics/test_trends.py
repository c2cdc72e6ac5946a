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
    _long_run,
    by_period,
    comparison_dispersion,
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


# ---- secondary outputs pinned (issue 17: mutation testing killed 65%) ----------------------


def test_quasi_poisson_one_sided_and_unequal_exposures_by_hand() -> None:
    from scipy.stats import norm

    z = 20 / np.sqrt(4.0 * 220)  # 120 vs 100, equal exposures, phi 4
    larger = PoissonComparison(120, 100, dispersion=4.0, alternative="larger")
    smaller = PoissonComparison(120, 100, dispersion=4.0, alternative="smaller")
    assert larger.p_quasi_poisson == pytest.approx(norm.sf(z), abs=EXACT_TOL)
    assert smaller.p_quasi_poisson == pytest.approx(norm.cdf(z), abs=EXACT_TOL)
    # rates 120/12 = 10 and 50/6 = 8.333; pooled 170/18; se = sqrt(2 x 170/18 x (1/12 + 1/6))
    c = PoissonComparison(120, 50, exposure_this=12, exposure_last=6, dispersion=2.0)
    se = np.sqrt(2.0 * 170 / 18 * (1 / 12 + 1 / 6))
    assert c.p_quasi_poisson == pytest.approx(2 * norm.sf((10 - 50 / 6) / se), abs=EXACT_TOL)
    assert c.rate_ratio == pytest.approx(10 / (50 / 6), abs=EXACT_TOL)
    assert c.pct_change == pytest.approx(20.0, abs=EXACT_TOL)
    # nothing in either period: no quasi-Poisson p; a dispersion of 0 gives no spread: p = 1
    assert PoissonComparison(0, 0, dispersion=2.0).p_quasi_poisson is None
    assert PoissonComparison(5, 5, dispersion=0.0).p_quasi_poisson == pytest.approx(1.0)


def test_significance_is_strictly_below_alpha() -> None:
    # E-test p = 0.0554 for 129 against 100: not significant at the default 0.05, significant
    # at 0.06
    c = PoissonComparison(129, 100)
    assert c.p_etest == pytest.approx(0.0554, abs=1e-4)
    assert c.significant is False and c.alpha == 0.05
    assert PoissonComparison(129, 100, alpha=0.06).significant is True


def test_comparison_to_dict_is_pinned() -> None:
    c = PoissonComparison(103, 97, dispersion=1.5)
    d = c.to_dict()
    assert d["pct_change"] == round(100 * (103 / 97 - 1), 2) == 6.19
    assert d["rate_ratio"] == pytest.approx(103 / 97, abs=EXACT_TOL)
    assert (d["this_period"], d["last_period"], d["change"]) == (103, 97, 6)
    assert d["dispersion"] == 1.5 and d["p_quasi_poisson"] == c.p_quasi_poisson
    assert d["p_exact_conditional"] == c.p_exact and d["p_etest"] == c.p_etest
    assert (d["alternative"], d["alpha"], d["significant"]) == ("two-sided", 0.05, False)
    none = PoissonComparison(5, 0).to_dict()
    assert none["pct_change"] is None and none["rate_ratio"] is None


def test_statement_wording_including_changes_under_one_percent() -> None:
    small = PoissonComparison(1005, 1000)
    assert small.statement() == (
        f"1,005 crimes, up 0.5% on 1,000 (E-test p = {small.p_etest:.3g}: within normal "
        "variation at 0.05)"
    )
    assert PoissonComparison(100, 100).statement() == (
        f"100 crimes, unchanged on 100 (E-test p = {PoissonComparison(100, 100).p_etest:.3g}: "
        "within normal variation at 0.05)"
    )
    tiny = PoissonComparison(100_001, 100_000)
    assert tiny.statement("incidents").startswith("100,001 incidents, up 0.0% on 100,000")
    assert PoissonComparison(7, 0).statement() == "7 crimes (none in the previous period)"
    big = PoissonComparison(2000, 1000, dispersion=3.0)
    assert big.statement() == (
        "2,000 crimes, up 100.0% on 1,000 (E-test p < 1e-12: a real change at 0.05; allowing "
        "for overdispersion (phi = 3) p < 1e-12)"
    )
    rate = PoissonComparison(60, 55, exposure_this=12, exposure_last=11)
    assert "(a change in rate: exposures 12 and 11)" in rate.statement()
    assert "down 9.9%" in PoissonComparison(901, 1000).statement()


def test_long_run_slope_p_value_interval_and_dispersion_against_irls() -> None:
    """The long-run trend against an independent quasi-Poisson fit (iteratively reweighted
    least squares in numpy): the p-value is the slope's (not the intercept's), the interval
    uses 1.96, the dispersion is Pearson X2 / (n - 2)."""
    from scipy.stats import norm

    y = np.array([100, 104, 96, 101, 99, 103, 97, 100, 102, 98, 101, 99, 103, 95], dtype=float)
    t = np.arange(len(y)) / 12.0
    X = np.column_stack([np.ones_like(t), t])
    beta = np.array([np.log(y.mean()), 0.0])
    for _ in range(50):
        mu = np.exp(X @ beta)
        z = X @ beta + (y - mu) / mu
        beta = np.linalg.solve(X.T @ (mu[:, None] * X), X.T @ (mu * z))
    mu = np.exp(X @ beta)
    phi = float(np.sum((y - mu) ** 2 / mu) / (len(y) - 2))
    cov = phi * np.linalg.inv(X.T @ (mu[:, None] * X))
    se = float(np.sqrt(cov[1, 1]))
    monthly = pd.Series(y, index=pd.date_range("2019-01-01", periods=len(y), freq="MS"))
    lr = _long_run(monthly)
    assert lr is not None
    assert lr["annual_pct_change"] == pytest.approx(100 * (np.exp(beta[1]) - 1), abs=1e-6)
    assert lr["ci95"][0] == pytest.approx(100 * (np.exp(beta[1] - 1.96 * se) - 1), abs=1e-6)
    assert lr["ci95"][1] == pytest.approx(100 * (np.exp(beta[1] + 1.96 * se) - 1), abs=1e-6)
    assert lr["p_value"] == pytest.approx(2 * norm.sf(abs(beta[1]) / se), abs=1e-6)
    assert 0.05 < lr["p_value"] < 1  # the intercept's p-value would be ~0
    assert lr["dispersion"] == pytest.approx(phi, abs=1e-9)
    assert lr["months"] == 14
    # a missing month keeps the others' place in time, and is not counted
    gap = monthly.copy()
    gap.iloc[5] = np.nan
    assert _long_run(gap)["months"] == 13  # type: ignore[index]
    assert _long_run(monthly * 0) is None


def test_long_run_of_identical_months_uses_poisson_scale() -> None:
    lr = _long_run(pd.Series([50.0] * 24, index=pd.date_range("2019-01-01", periods=24, freq="MS")))
    assert lr is not None
    assert lr["annual_pct_change"] == pytest.approx(0.0, abs=1e-9)
    assert lr["dispersion"] == pytest.approx(1.0)
    # Poisson standard error of the slope at mu = 50 everywhere: 1 / sqrt(50 x sum (t - tbar)^2)
    t = np.arange(24) / 12.0
    se = 1 / np.sqrt(50 * np.sum((t - t.mean()) ** 2))
    assert lr["ci95"][1] == pytest.approx(100 * (np.exp(1.96 * se) - 1), abs=1e-6)


def test_xmr_screen_outliers_by_hand() -> None:
    # moving ranges 1,1,1,1,30,30,1,1,1: mean 67/9; screening drops those >= 3.267 x 67/9
    # (24.3): the two 30s, leaving mean moving range 1
    y = [10, 11, 10, 11, 10, 40, 10, 11, 10, 11]
    plain = XmR(y)
    screened = XmR(y, screen_outliers=True)
    assert plain.mean_moving_range == pytest.approx(67 / 9, abs=EXACT_TOL)
    assert screened.mean_moving_range == pytest.approx(1.0, abs=EXACT_TOL)
    assert screened.upper_limit == pytest.approx(13.4 + 2.66, abs=EXACT_TOL)
    assert plain.upper_limit == pytest.approx(13.4 + 2.66 * 67 / 9, abs=EXACT_TOL)
    # screened limits 13.4 -/+ 2.66 = 10.74 and 16.06: the 40 is above, every 10 below
    assert screened.lower_limit == pytest.approx(13.4 - 2.66, abs=EXACT_TOL)
    assert screened.table["beyond_limits"].tolist() == [v != 11 for v in y]
    # unscreened limits 13.4 -/+ 19.8: only the 40 is beyond
    assert plain.table["beyond_limits"].tolist() == [v == 40 for v in y]
    # nothing to screen (all ranges equal): unchanged
    assert XmR([1, 2, 1, 2], screen_outliers=True).mean_moving_range == pytest.approx(1.0)


def test_xmr_limits_are_strict_and_two_of_three_at_the_start() -> None:
    # a baseline of three equal points: mean 10, no variation, limits 10 and 10. A point on a
    # limit is not beyond it (the rules say "above" and "below"); 11 and 9 are
    x = XmR([10, 10, 10, 10, 11, 9], baseline=3)
    assert (x.lower_limit, x.upper_limit) == (10.0, 10.0)
    assert x.table["beyond_limits"].tolist() == [False, False, False, False, True, True]
    assert not x.table["two_of_three"].any()
    # the two-of-three pattern of test_xmr_two_of_three_near_limit, at the very start
    y = [13.5, 11.5, 13.5, 10.0] + [10.0, 11.0] * 10
    t = XmR(y).table
    assert t["two_of_three"].tolist() == [True, False, True] + [False] * 21
    assert XmR(y).near_lower == pytest.approx(
        XmR(y).mean - (2 / 3) * 2.66 * XmR(y).mean_moving_range, abs=EXACT_TOL
    )


def test_comparison_dispersion_by_hand() -> None:
    idx = pd.date_range("2019-01-01", periods=6, freq="MS")
    # periods of 3, levels 10 and 10: per period (0-10)^2/10 + 0 + (20-10)^2/10 = 20; twice
    # = 40 on 6 - 2 = 4 df -> 10
    assert comparison_dispersion(pd.Series([0.0, 10, 20, 0, 10, 20], index=idx), 3) == (
        pytest.approx(10.0)
    )
    # under-dispersed (X2 / df = 0.825) is floored at 1
    assert comparison_dispersion(pd.Series([8.0, 10, 12, 15, 20, 25], index=idx), 3) == 1.0
    # a missing month is left out: 5 points, 3 df; the second period's level is 15:
    # (0-10)^2/10 + 0 + (20-10)^2/10 + (10-15)^2/15 + (20-15)^2/15 = 23.33 -> 7.78
    gap = pd.Series([0.0, 10, 20, np.nan, 10, 20], index=idx)
    assert comparison_dispersion(gap, 3) == pytest.approx((10 + 10 + 25 / 15 + 25 / 15) / 3)
    assert comparison_dispersion(pd.Series([1.0, 2, 3], index=idx[:3]), 1) is None  # < 4
    assert comparison_dispersion(pd.Series([0.0] * 6, index=idx), 3) is None
    # four points, periods of 2, two parameters: 2 df; levels 12: X2 = 4 x 36 / 12 = 12 -> 6
    four = pd.Series([6.0, 18, 6, 18], index=idx[:4])
    assert comparison_dispersion(four, 2) == pytest.approx(6.0)


def test_trend_defaults_and_labels_are_pinned() -> None:
    counts = {f"{y}-{m:02d}": 10 + m % 3 for y in (2019, 2020) for m in range(1, 13)}
    tr = Trend(_incidents(counts))
    assert tr.period_months == 12
    assert tr.this_period_label == "2020-01 to 2020-12"
    assert tr.last_period_label == "2019-01 to 2019-12"
    assert tr.comparison is not None and tr.comparison.alpha == 0.05
    assert tr.comparison.alternative == "two-sided"
    assert tr.spc is not None and (tr.spc.shift_run, tr.spc.trend_run) == (7, 7)
    assert tr.long_run is not None and tr.long_run["months"] == 24
    # 23 months: no comparison; 11 months: no long-run trend
    short = Trend(_incidents(dict(list(counts.items())[1:])))
    assert short.comparison is None and short.this_period_label == ""
    assert short.long_run is not None
    assert Trend(_incidents(dict(list(counts.items())[:11]))).long_run is None
    assert Trend(_incidents(dict(list(counts.items())[:12]))).long_run is not None
    assert Trend(_incidents(dict(list(counts.items())[:1]))).spc is None
    d = Trend(_incidents(counts), by="year").to_dict()
    assert d["months_covered"] == {"2019": 12, "2020": 12}
    assert d["stl"] == {"skipped": "STL needs at least 3 years of months; the series has 24 months"}
    assert d["long_run"]["months"] == 24 and d["spc"]["mean"] == pytest.approx(11.0)
    assert "months_covered" not in Trend(_incidents(counts)).to_dict()


def test_trend_stl_at_three_years_and_a_wholly_missing_year() -> None:
    counts = {f"{y}-{m:02d}": 10 + m for y in (2018, 2019, 2020) for m in range(1, 13)}
    tr = Trend(_incidents(counts))
    assert tr.stl is not None and tr.stl_reason == ""
    have = [pd.Timestamp(m + "-01") for m in counts if not m.startswith("2019-06")]
    gap = Trend(_incidents(counts), months_with_data=have)
    assert gap.stl_reason == "months with no data were interpolated for STL only"
    assert Trend(_incidents(dict(list(counts.items())[1:]))).stl is None
    # a year with no data at all still has a row in months_covered, with 0
    no2019 = [pd.Timestamp(m + "-01") for m in counts if not m.startswith("2019")]
    yearly = Trend(_incidents(counts), by="year", months_with_data=no2019)
    assert yearly.months_covered.to_dict() == {"2018": 12, "2019": 0, "2020": 12}


def test_xmr_needs_two_values_uses_the_baseline_and_names_the_side() -> None:
    with pytest.raises(ValueError, match="at least two values"):
        XmR([5.0])
    assert XmR([5.0, 6.0]).mean == pytest.approx(5.5)
    # baseline: mean and limits from the first 4 points only
    x = XmR([10, 12, 11, 13, 30, 2], baseline=4)
    assert x.mean == pytest.approx(11.5) and x.mean_moving_range == pytest.approx(5 / 3)
    assert x.table["side"].tolist() == ["", "", "", "", "high", "low"]
    full = XmR([10, 12, 11, 13, 30, 2])
    assert full.mean == pytest.approx(78 / 6)
