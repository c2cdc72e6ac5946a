"""Trends: monthly and yearly counts, this year against last, SPC charts and seasonality.

The Strategic Assessment asks how crime has changed: the Safer Westminster Partnership's Strategy
2011-14 reports "around 63,000 offences reported in the 12-months to December 2010, a fall of a
little over 1%" and draws "Figure 1: Crime in Westminster 2000-11" from MPS recorded crime.
This module makes those statements computable and tells real change from noise:

* :func:`monthly_counts` / :func:`recorded_crime_monthly` - a complete monthly series (months with
  no incidents are zeros, not gaps) from the ``incidents`` table or the Met ``recorded_crime``
  table;
* :class:`PoissonComparison` - this period against the last with two tests for two Poisson
  counts: the exact conditional (binomial) test (Przyborowski & Wilenski 1940) and the E-test of
  Krishnamoorthy & Thomson (2004);
* :class:`XmR` - an XmR (individuals) chart with the NHS England "Making Data Count" rules;
* :class:`Trend` - all of the above for one series, plus the rolling 12-month total, the long-run
  change per year (quasi-Poisson regression) and an STL seasonal decomposition when there are at
  least three years of months.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import warnings
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

if TYPE_CHECKING:
    from safercity.analytics.store import Workspace

Alternative = Literal["two-sided", "larger", "smaller"]

#: tolerance for ties when comparing test statistics in the E-test (relative)
ETEST_TIE_TOLERANCE = 1e-10
#: each Poisson tail dropped from the E-test's double sum carries at most this probability
ETEST_TAIL = 1e-15


# --------------------------------------------------------------------------------------------
# Series
# --------------------------------------------------------------------------------------------


def _months64(values: pd.Series) -> np.ndarray:
    """Dates -> numpy datetime64[M] (NaT kept)."""
    return np.asarray(pd.to_datetime(values).to_numpy(dtype="datetime64[ns]")).astype(
        "datetime64[M]"
    )


def _month_index(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    return pd.date_range(start, end, freq="MS", name="month")


def monthly_counts(
    incidents: pd.DataFrame,
    *,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    weights: pd.Series | None = None,
) -> pd.Series:
    """Count incidents per calendar month, with zero for months that have none.

    Parameters
    ----------
    incidents : DataFrame
        Incidents with a ``month`` column (first day of the month, as in the store).
    start, end : str or date, optional
        First and last month of the series (``"YYYY-MM"`` or a date). Default: the first and last
        month present in ``incidents``.
    weights : Series, optional
        A weight per incident (aligned with ``incidents``) to sum instead of counting, e.g. harm
        days. Default None: each incident counts 1.

    Returns
    -------
    Series
        Indexed by month (``DatetimeIndex`` of month starts, name ``month``), named ``count``.
    """
    m64 = _months64(incidents["month"])
    ok = ~np.isnat(m64)
    values = np.ones(len(m64)) if weights is None else weights.to_numpy(dtype=float)
    codes = m64[ok].astype(np.int64)  # months since 1970-01
    if len(codes):
        base = int(codes.min())
        sums = np.bincount(codes - base, weights=values[ok])
        present = np.flatnonzero(np.bincount(codes - base))
        idx = (np.arange(base, base + len(sums))).astype("datetime64[M]")
        counts = pd.Series(sums[present], index=pd.DatetimeIndex(idx[present]))
    else:
        counts = pd.Series(dtype=float, index=pd.DatetimeIndex([]))
    if counts.empty and (start is None or end is None):
        return pd.Series(dtype=float, name="count", index=pd.DatetimeIndex([], name="month"))
    lo = pd.Timestamp(start) if start is not None else counts.index.min()
    hi = pd.Timestamp(end) if end is not None else counts.index.max()
    lo = lo.to_period("M").to_timestamp()
    hi = hi.to_period("M").to_timestamp()
    series = counts.reindex(_month_index(lo, hi), fill_value=0.0)
    series.name = "count"
    if weights is None:
        return series.astype("int64")
    return series


def recorded_crime_monthly(
    workspace: Workspace,
    area: str,
    *,
    category: str | None = None,
    area_type: str = "borough",
) -> pd.Series:
    """Monthly totals for one area from the Met ``recorded_crime`` table.

    Parameters
    ----------
    workspace : Workspace
        An open workspace.
    area : str
        Area name (``area_name``), e.g. ``"Westminster"``, or code; case-insensitive.
    category : str, optional
        A Met major or minor category (e.g. ``"BURGLARY"``), case-insensitive. Default None: all.
    area_type : str, default "borough"
        ``"borough"`` or ``"ward"``.
    """
    sql = (
        "SELECT month, sum(count) AS n FROM recorded_crime WHERE area_type = ? "
        "AND (lower(area_name) = lower(?) OR lower(area_code) = lower(?))"
    )
    params: list[Any] = [area_type, area, area]
    if category:
        sql += " AND (lower(major_category) = lower(?) OR lower(minor_category) = lower(?))"
        params += [category, category]
    sql += " GROUP BY month ORDER BY month"
    frame = workspace.con.execute(sql, params).df()
    if frame.empty:
        return pd.Series(dtype="int64", name="count", index=pd.DatetimeIndex([], name="month"))
    idx = pd.to_datetime(frame["month"]).dt.to_period("M").dt.to_timestamp()
    series = pd.Series(frame["n"].astype("int64").to_numpy(), index=pd.DatetimeIndex(idx))
    series = series.reindex(_month_index(series.index.min(), series.index.max()), fill_value=0)
    series.name = "count"
    return series


def by_period(monthly: pd.Series, by: Literal["month", "year"] = "month") -> pd.Series:
    """Re-key a monthly series as ``"YYYY-MM"`` (``by="month"``) or sum it to ``"YYYY"``."""
    if by == "month":
        out = monthly.copy()
        out.index = pd.Index([ts.strftime("%Y-%m") for ts in monthly.index], name="month")
        return out
    if by == "year":
        years = [str(ts.year) for ts in monthly.index]
        out = monthly.groupby(years).sum(min_count=1)
        out.index.name = "year"
        return out
    raise ValueError(f"by must be 'month' or 'year', not {by!r}")


def period_table(
    incidents: pd.DataFrame,
    column: str = "category",
    by: Literal["month", "year"] = "month",
) -> pd.DataFrame:
    """Counts by period (rows, ``"YYYY-MM"`` or ``"YYYY"``, every period present, zeros filled)
    and the values of ``column`` (columns), e.g. category, ward_name or lsoa_code.

    Parameters
    ----------
    incidents : DataFrame
        Incidents with ``month`` and ``column``.
    column : str, default "category"
        What to split by; incidents with no value are counted under ``"(none)"``.
    by : {"month", "year"}, default "month"
    """
    m64 = _months64(incidents["month"])
    unit = "datetime64[M]" if by == "month" else "datetime64[Y]"
    codes = m64.astype(unit).astype(np.int64)
    values = incidents[column].astype("string").fillna("(none)")
    table = pd.crosstab(pd.Series(codes, index=incidents.index), values)
    if len(table):
        table = table.reindex(range(int(codes.min()), int(codes.max()) + 1), fill_value=0)
    labels = [
        f"{int(v) // 12 + 1970}-{int(v) % 12 + 1:02d}" if by == "month" else str(int(v) + 1970)
        for v in table.index
    ]
    table.index = pd.Index(labels, name=by)
    table.columns.name = column
    return table


def months_covered(monthly: pd.Series) -> pd.Series:
    """Number of months of data in each calendar year of a monthly series (12 = a full year)."""
    years = [str(ts.year) for ts in monthly.index]
    out = pd.Series(1, index=monthly.index).groupby(years).sum()
    out.index.name = "year"
    return out.astype("int64")


# --------------------------------------------------------------------------------------------
# Two Poisson counts
# --------------------------------------------------------------------------------------------


def exact_conditional_test(
    count1: int,
    count2: int,
    exposure1: float = 1.0,
    exposure2: float = 1.0,
    *,
    ratio: float = 1.0,
    alternative: Alternative = "two-sided",
) -> float:
    """Exact conditional (C-) test of two Poisson rates: H0 rate1 / rate2 = ``ratio``.

    Given the total ``n = count1 + count2``, ``count1`` is Binomial(n, p0) under H0 with
    ``p0 = ratio * exposure1 / (ratio * exposure1 + exposure2)`` (Przyborowski & Wilenski 1940).
    The two-sided p-value sums the binomial probabilities no larger than that of the observed
    count (the "minimum likelihood" rule of R's ``binom.test``/``poisson.test``).

    Parameters
    ----------
    count1, count2 : int
        The two counts (e.g. this year, last year).
    exposure1, exposure2 : float, default 1.0
        Their exposures (e.g. months, or population); equal by default.
    ratio : float, default 1.0
        Rate ratio under the null hypothesis.
    alternative : {"two-sided", "larger", "smaller"}, default "two-sided"
        "larger": rate1 / rate2 > ``ratio``.

    Returns
    -------
    float
        The p-value.

    References
    ----------
    Przyborowski, J. & Wilenski, H. (1940). Homogeneity of results in testing samples from
    Poisson series. Biometrika 31, 313-323.
    """
    n = int(count1) + int(count2)
    if n == 0:
        return 1.0
    p0 = ratio * exposure1 / (ratio * exposure1 + exposure2)
    if alternative == "larger":
        return float(stats.binom.sf(int(count1) - 1, n, p0))
    if alternative == "smaller":
        return float(stats.binom.cdf(int(count1), n, p0))
    return float(stats.binomtest(int(count1), n, p0, alternative="two-sided").pvalue)


def _etest_stat(
    k1: np.ndarray,
    k2: np.ndarray,
    e1: float,
    e2: float,
    ratio: float,
    statistic: Literal["wald", "score"] = "wald",
) -> np.ndarray:
    """E-test statistic for H0 rate1 = ratio * rate2: K&T's Wald form, or the score form."""
    diff = k1 / e1 - ratio * k2 / e2
    if statistic == "wald":
        var = k1 / e1**2 + ratio**2 * k2 / e2**2
    else:  # score: variance at the restricted MLE rate2 = (k1 + k2) / (e2 + ratio e1)
        rate2 = (k1 + k2) / (e2 + ratio * e1)
        var = ratio * rate2 / e1 + ratio**2 * rate2 / e2
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(var > 0, diff / np.sqrt(np.where(var > 0, var, 1.0)), 0.0)
    return np.asarray(t, dtype=float)


def etest(
    count1: int,
    count2: int,
    exposure1: float = 1.0,
    exposure2: float = 1.0,
    *,
    ratio: float = 1.0,
    alternative: Alternative = "two-sided",
    statistic: Literal["wald", "score"] = "wald",
) -> tuple[float, float]:
    """E-test of two Poisson rates (Krishnamoorthy & Thomson 2004): H0 rate1 = ``ratio`` * rate2.

    The statistic is the standardised difference
    ``T = (k1/e1 - r k2/e2) / sqrt(k1/e1**2 + r**2 k2/e2**2)`` (``T = 0`` when both counts are 0).
    The p-value is the probability, under Poisson distributions whose means are the restricted
    maximum likelihood estimates ``rate2 = (k1 + k2) / (e2 + r e1)``, ``rate1 = r rate2``, that the
    statistic is at least as extreme as observed (a parametric bootstrap computed exactly by a
    double sum; each Poisson tail beyond probability ``ETEST_TAIL`` is dropped). With ``r = 1``
    this is K&T's test of equal means; the ratio form is that of Gu, Ng, Tang & Schucany (2008).

    Parameters
    ----------
    count1, count2 : int
        The two counts.
    exposure1, exposure2 : float, default 1.0
        Their exposures.
    ratio : float, default 1.0
        Rate ratio under the null hypothesis.
    alternative : {"two-sided", "larger", "smaller"}, default "two-sided"
    statistic : {"wald", "score"}, default "wald"
        ``"wald"``: K&T's standardised difference above. ``"score"``: the same difference over
        its standard error at the restricted estimates (Gu et al. 2008), which keeps more power
        when the exposures are very unequal (e.g. a small area against the rest of a borough).

    Returns
    -------
    (statistic, p-value) : tuple of float

    References
    ----------
    Krishnamoorthy, K. & Thomson, J. (2004). A more powerful test for comparing two Poisson means.
    Journal of Statistical Planning and Inference 119, 23-35.
    Gu, K., Ng, H. K. T., Tang, M. L. & Schucany, W. R. (2008). Testing the ratio of two Poisson
    rates. Biometrical Journal 50, 283-298.
    """
    k1, k2 = int(count1), int(count2)
    e1, e2 = float(exposure1), float(exposure2)
    t_obs = float(
        _etest_stat(np.array([k1], float), np.array([k2], float), e1, e2, ratio, statistic)[0]
    )
    rate2 = (k1 + k2) / (e2 + ratio * e1)
    mu1, mu2 = ratio * rate2 * e1, rate2 * e2
    if mu1 == 0 and mu2 == 0:
        return t_obs, 1.0

    def support(mu: float) -> tuple[np.ndarray, np.ndarray]:
        if mu == 0:
            return np.array([0.0]), np.array([1.0])
        lo = int(stats.poisson.ppf(ETEST_TAIL, mu))
        hi = int(stats.poisson.isf(ETEST_TAIL, mu)) + 1
        k = np.arange(max(lo, 0), hi + 1, dtype=float)
        return k, stats.poisson.pmf(k, mu)

    x1, p1 = support(mu1)
    x2, p2 = support(mu2)
    tol = ETEST_TIE_TOLERANCE * max(1.0, abs(t_obs))
    # For fixed k1 both statistics fall as k2 rises (d T / d k2 <= 0), so {k2 : T >= c} is a
    # prefix of the sorted support: find its length per k1 by vectorised bisection (O(n1 log n2)
    # instead of the full n1 x n2 grid) and sum the prefix probabilities.
    cum2 = np.concatenate([[0.0], np.cumsum(p2)])

    def prefix_ge(threshold: float) -> np.ndarray:
        lo = np.zeros(len(x1), dtype=np.int64)
        hi = np.full(len(x1), len(x2), dtype=np.int64)
        while True:
            active = lo < hi
            if not active.any():
                return lo
            mid = (lo + hi) // 2
            t = _etest_stat(x1, x2[np.minimum(mid, len(x2) - 1)], e1, e2, ratio, statistic)
            ok = active & (t >= threshold)
            lo = np.where(ok, mid + 1, lo)
            hi = np.where(active & ~ok, mid, hi)

    if alternative == "larger":
        total = float(p1 @ cum2[prefix_ge(t_obs - tol)])
    elif alternative == "smaller":
        # T <= t_obs + tol  <=>  not (T > t_obs + tol): the suffix after the strict prefix
        strict = prefix_ge(np.nextafter(t_obs + tol, np.inf))
        total = float(p1 @ (cum2[-1] - cum2[strict]))
    else:
        c = abs(t_obs) - tol
        upper = prefix_ge(c)  # T >= c
        lower_start = prefix_ge(np.nextafter(-c, np.inf))  # first index with T <= -c
        lower = cum2[-1] - cum2[np.maximum(lower_start, upper)]
        total = float(p1 @ (cum2[upper] + lower))
    return t_obs, min(1.0, total)


class PoissonComparison:
    """This period against the last: change, % change and two tests for two Poisson counts.

    Parameters
    ----------
    this_period : int
        Count in the current period (e.g. the latest 12 months).
    last_period : int
        Count in the comparison period (e.g. the 12 months before).
    exposure_this, exposure_last : float, default 1.0
        Lengths (or populations) of the two periods; equal by default.
    alternative : {"two-sided", "larger", "smaller"}, default "two-sided"
    alpha : float, default 0.05
        Significance level used for ``significant``.
    dispersion : float, optional
        Overdispersion factor phi (variance / mean) of the counts, e.g. the quasi-Poisson
        dispersion of the monthly series (:class:`Trend` passes it). Crime counts are usually
        overdispersed, which makes both Poisson tests too ready to call a change real; with
        ``dispersion`` a quasi-Poisson z-test ``z = (r1 - r2) / sqrt(phi r (1/e1 + 1/e2))``
        (pooled rate r) is reported as ``p_quasi_poisson``. Default None: not computed.

    Attributes
    ----------
    change : int
        ``this_period - last_period``.
    pct_change : float
        Percentage change in the rate (NaN when the last period's count is 0).
    rate_ratio : float
    p_exact : float
        Exact conditional (binomial) test p-value, :func:`exact_conditional_test`.
    etest_statistic, p_etest : float
        Krishnamoorthy & Thomson (2004) E-test, :func:`etest`.
    significant : bool
        ``p_etest < alpha`` (the E-test is the more powerful of the two, K&T 2004).
    p_quasi_poisson : float or None
        Two-sided quasi-Poisson z-test p-value when ``dispersion`` is given
        (McCullagh & Nelder 1989, section 4.5); None otherwise.
    """

    def __init__(
        self,
        this_period: int,
        last_period: int,
        *,
        exposure_this: float = 1.0,
        exposure_last: float = 1.0,
        alternative: Alternative = "two-sided",
        alpha: float = 0.05,
        dispersion: float | None = None,
    ) -> None:
        self.this_period = int(this_period)
        self.last_period = int(last_period)
        self.exposure_this = float(exposure_this)
        self.exposure_last = float(exposure_last)
        self.alternative: Alternative = alternative
        self.alpha = alpha
        self.change = self.this_period - self.last_period
        rate_this = self.this_period / self.exposure_this
        rate_last = self.last_period / self.exposure_last
        self.rate_ratio = rate_this / rate_last if rate_last > 0 else math.nan
        self.pct_change = 100.0 * (self.rate_ratio - 1.0) if rate_last > 0 else math.nan
        self.p_exact = exact_conditional_test(
            self.this_period,
            self.last_period,
            self.exposure_this,
            self.exposure_last,
            alternative=alternative,
        )
        self.etest_statistic, self.p_etest = etest(
            self.this_period,
            self.last_period,
            self.exposure_this,
            self.exposure_last,
            alternative=alternative,
        )
        self.significant = bool(self.p_etest < alpha)
        self.dispersion = dispersion
        self.p_quasi_poisson: float | None = None
        if dispersion is not None and self.this_period + self.last_period > 0:
            e1, e2 = self.exposure_this, self.exposure_last
            pooled = (self.this_period + self.last_period) / (e1 + e2)
            se = math.sqrt(max(dispersion, 0.0) * pooled * (1.0 / e1 + 1.0 / e2))
            z = (rate_this - rate_last) / se if se > 0 else 0.0
            if alternative == "larger":
                self.p_quasi_poisson = float(stats.norm.sf(z))
            elif alternative == "smaller":
                self.p_quasi_poisson = float(stats.norm.cdf(z))
            else:
                self.p_quasi_poisson = float(2.0 * stats.norm.sf(abs(z)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "dispersion": self.dispersion,
            "p_quasi_poisson": self.p_quasi_poisson,
            "this_period": self.this_period,
            "last_period": self.last_period,
            "change": self.change,
            "pct_change": None if math.isnan(self.pct_change) else round(self.pct_change, 2),
            "rate_ratio": None if math.isnan(self.rate_ratio) else self.rate_ratio,
            "p_exact_conditional": self.p_exact,
            "p_etest": self.p_etest,
            "etest_statistic": self.etest_statistic,
            "alternative": self.alternative,
            "significant": self.significant,
            "alpha": self.alpha,
        }

    def statement(self, what: str = "crimes") -> str:
        """A sentence such as "12,400 crimes, down 3.1% on 12,800 (E-test p = 0.011)"."""
        if math.isnan(self.pct_change):
            return f"{self.this_period:,} {what} (none in the previous period)"
        up = self.pct_change > 0
        word = "up" if up else "down" if self.pct_change < 0 else "unchanged"
        pct = f" {abs(self.pct_change):.1f}%" if self.pct_change else ""
        verdict = "a real change" if self.significant else "within normal variation"
        basis = ""
        if self.exposure_this != self.exposure_last:
            basis = (
                f" (a change in rate: exposures {self.exposure_this:g} and {self.exposure_last:g})"
            )
        p_text = "< 1e-12" if self.p_etest < 1e-12 else f"= {self.p_etest:.3g}"
        quasi = ""
        if self.p_quasi_poisson is not None and self.dispersion is not None:
            q = self.p_quasi_poisson
            q_text = "< 1e-12" if q < 1e-12 else f"= {q:.3g}"
            quasi = f"; allowing for overdispersion (phi = {self.dispersion:.3g}) p {q_text}"
        return (
            f"{self.this_period:,} {what}, {word}{pct} on {self.last_period:,}{basis} "
            f"(E-test p {p_text}: {verdict} at {self.alpha:g}{quasi})"
        )


# --------------------------------------------------------------------------------------------
# SPC: XmR chart with the NHS "Making Data Count" rules
# --------------------------------------------------------------------------------------------

#: XmR constant: 3 / d2 with d2 = 1.128 for moving ranges of two (Wheeler 1993)
XMR_LIMIT = 2.66
#: moving-range screening constant (upper range limit 3.267 x mean moving range)
MR_SCREEN = 3.267


def _runs(labels: np.ndarray, length: int) -> np.ndarray:
    """True where a point belongs to a run of >= ``length`` equal non-zero labels."""
    out = np.zeros(len(labels), dtype=bool)
    i = 0
    while i < len(labels):
        j = i
        while j + 1 < len(labels) and labels[j + 1] == labels[i]:
            j += 1
        if labels[i] != 0 and j - i + 1 >= length:
            out[i : j + 1] = True
        i = j + 1
    return out


def _trend_points(values: np.ndarray, length: int) -> np.ndarray:
    """True where a point belongs to >= ``length`` consecutive points all rising or all falling."""
    n = len(values)
    out = np.zeros(n, dtype=bool)
    if n < 2:
        return out
    steps = np.sign(np.diff(values))  # step k joins point k and k+1
    i = 0
    while i < len(steps):
        j = i
        while j + 1 < len(steps) and steps[j + 1] == steps[i]:
            j += 1
        n_points = j - i + 2
        if steps[i] != 0 and n_points >= length:
            out[i : j + 2] = True
        i = j + 1
    return out


class XmR:
    """XmR (individuals and moving range) chart with the NHS "Making Data Count" rules.

    Centre line the mean; process limits ``mean ± 2.66 x mean moving range`` (``2.66 = 3/1.128``,
    Wheeler 1993). Special-cause rules, as in NHS England / Improvement's *Making Data Count*
    (2019) and its reference implementation NHSRplotthedots:

    1. **beyond limits** - a point above the upper or below the lower process limit;
    2. **shift** - a run of ``shift_run`` (default 7) or more consecutive points on the same side
       of the mean (a point exactly on the mean breaks the run);
    3. **trend** - ``trend_run`` (default 7) or more consecutive points each higher (or each lower)
       than the one before (an equal value breaks the run);
    4. **two of three** - two of three consecutive points close to a limit (beyond two thirds of
       the distance from mean to limit, i.e. beyond 2 sigma, but not beyond the limit) with all
       three on the same side of the mean; the points close to the limit are flagged.

    Parameters
    ----------
    values : array-like
        The series in time order (e.g. monthly counts); no missing values.
    index : array-like, optional
        Labels (e.g. months) for the table. Default: 0..n-1.
    shift_run : int, default 7
        Points in a run on one side of the mean that signal a shift (Making Data Count: 7).
    trend_run : int, default 7
        Points in a run of increases or decreases that signal a trend (Making Data Count: 7;
        some guidance uses 6).
    baseline : int, optional
        Compute mean and limits from the first ``baseline`` points only ("fix after n points").
        Default None: all points.
    screen_outliers : bool, default False
        Drop moving ranges above ``3.267 x`` the mean moving range before recomputing it (as
        NHSRplotthedots' ``screen_outliers``).

    Attributes
    ----------
    mean, mean_moving_range, upper_limit, lower_limit : float
    near_upper, near_lower : float
        ``mean ± (2/3) x 2.66 x mean moving range``.
    table : DataFrame
        One row per point: value, moving_range, mean, limits, the four rule flags,
        ``special_cause`` and ``side`` ("high"/"low"/"").
    signals : dict
        Number of points flagged by each rule.

    References
    ----------
    NHS England and NHS Improvement (2019). Making Data Count: Strategic Guidance / Getting
    Started. https://www.england.nhs.uk/publication/making-data-count/
    Wheeler, D. J. (1993). Understanding Variation: The Key to Managing Chaos. SPC Press.
    NHS-R Community. NHSRplotthedots (R package), ``ptd_spc``.
    """

    def __init__(
        self,
        values: Any,
        index: Any = None,
        *,
        shift_run: int = 7,
        trend_run: int = 7,
        baseline: int | None = None,
        screen_outliers: bool = False,
    ) -> None:
        y = np.asarray(values, dtype=float)
        if y.ndim != 1 or len(y) < 2:
            raise ValueError("an XmR chart needs at least two values")
        if np.isnan(y).any():
            raise ValueError("an XmR chart needs a complete series (no missing values)")
        self.shift_run = shift_run
        self.trend_run = trend_run
        base = y if baseline is None else y[:baseline]
        mr = np.abs(np.diff(base))
        amr = float(mr.mean())
        if screen_outliers:
            kept = mr[mr < MR_SCREEN * amr]
            amr = float(kept.mean()) if len(kept) else amr
        self.mean = float(base.mean())
        self.mean_moving_range = amr
        self.upper_limit = self.mean + XMR_LIMIT * amr
        self.lower_limit = self.mean - XMR_LIMIT * amr
        self.near_upper = self.mean + (2.0 / 3.0) * XMR_LIMIT * amr
        self.near_lower = self.mean - (2.0 / 3.0) * XMR_LIMIT * amr
        side = np.sign(y - self.mean).astype(int)
        beyond = (y > self.upper_limit) | (y < self.lower_limit)
        close = ~beyond & ((y > self.near_upper) | (y < self.near_lower))
        shift = _runs(side, shift_run)
        trend = _trend_points(y, trend_run)
        two3 = np.zeros(len(y), dtype=bool)
        for start in range(0, max(len(y) - 2, 0)):
            w = slice(start, start + 3)
            if close[w].sum() >= 2 and abs(int(side[w].sum())) == 3:
                two3[w] |= close[w]
        special = beyond | shift | trend | two3
        labels = list(range(len(y))) if index is None else list(index)
        self.table = pd.DataFrame(
            {
                "value": y,
                "moving_range": np.concatenate([[np.nan], np.abs(np.diff(y))]),
                "mean": self.mean,
                "lower_limit": self.lower_limit,
                "upper_limit": self.upper_limit,
                "beyond_limits": beyond,
                "shift": shift,
                "trend": trend,
                "two_of_three": two3,
                "special_cause": special,
                "side": np.where(special, np.where(side > 0, "high", "low"), ""),
            },
            index=pd.Index(labels),
        )
        self.signals = {
            "beyond_limits": int(beyond.sum()),
            "shift": int(shift.sum()),
            "trend": int(trend.sum()),
            "two_of_three": int(two3.sum()),
            "special_cause": int(special.sum()),
        }

    def to_dict(self) -> dict[str, Any]:
        flagged = self.table[self.table["special_cause"]]
        return {
            "mean": self.mean,
            "mean_moving_range": self.mean_moving_range,
            "upper_limit": self.upper_limit,
            "lower_limit": self.lower_limit,
            "rules": {
                "beyond_limits": "a point outside mean ± 2.66 x mean moving range",
                "shift": f"{self.shift_run} or more consecutive points on one side of the mean",
                "trend": f"{self.trend_run} or more consecutive points all rising or all falling",
                "two_of_three": "2 of 3 consecutive points beyond 2 sigma, same side",
            },
            "signals": self.signals,
            "special_cause_points": {
                str(k): [
                    rule
                    for rule in ("beyond_limits", "shift", "trend", "two_of_three")
                    if bool(row[rule])
                ]
                for k, row in flagged.iterrows()
            },
        }


# --------------------------------------------------------------------------------------------
# Trend: everything for one series
# --------------------------------------------------------------------------------------------


class Trend:
    """The trend of one monthly series: totals, rolling year, year on year, SPC, seasonality.

    Parameters
    ----------
    incidents : DataFrame, optional
        Incidents (store columns; needs ``month``, and ``category`` for ``by_category``).
    monthly : Series, optional
        A complete monthly series instead of incidents (e.g. :func:`recorded_crime_monthly`).
        Exactly one of ``incidents`` and ``monthly`` must be given.
    by : {"month", "year"}, default "month"
        Key of ``series``: ``"YYYY-MM"`` or ``"YYYY"`` (calendar years; see ``months_covered``
        for part years).
    period_months : int, default 12
        Length of the "this period" / "last period" comparison: the latest ``period_months``
        months against the ``period_months`` before them (12: this year against last, rolling).
    alternative : {"two-sided", "larger", "smaller"}, default "two-sided"
    alpha : float, default 0.05
    shift_run, trend_run : int, default 7
        Making Data Count run lengths for the SPC chart (see :class:`XmR`).
    stl_min_years : int, default 3
        STL decomposition only with at least this many years of months.
    months_with_data : iterable of dates, optional
        The months the source has data for (e.g. every month with any incident in the area).
        Months of the series outside it are *missing*, not zero (police.uk once skipped
        2016-03 for the Met): they are NaN in ``monthly``, left out of ``months_covered``, of
        the comparison (whose exposures become months of data), of SPC and of the long-run
        trend, and interpolated for STL only. Default None: every month in range has data.

    Attributes
    ----------
    monthly : Series
        Complete monthly counts (zeros filled; NaN for missing months, see
        ``months_with_data``).
    missing_months : list of str
        ``"YYYY-MM"`` of months with no data.
    series : Series
        Counts keyed by ``by``.
    months_covered : Series
        Months of data in each calendar year.
    rolling_12 : Series
        Rolling 12-month total (NaN for the first 11 months).
    comparison : PoissonComparison or None
        Latest ``period_months`` against the previous; None if the series is too short. Also
        carries a quasi-Poisson p-value: monthly crime counts are often more variable than
        Poisson. The dispersion is the Pearson X^2/df of a Poisson model of the compared months
        with a level for each period and, for 12-month periods, a month-of-year effect
        (so seasonality is not mistaken for noise); floored at 1.
    spc : XmR or None
        XmR chart of the monthly counts (None with fewer than 2 months).
    long_run : dict or None
        Quasi-Poisson regression of monthly counts on time (McCullagh & Nelder 1989):
        ``annual_pct_change`` with a 95% interval and p-value; None with fewer than 12 months,
        or when the fit fails or its interval has no finite bounds (e.g. a series of zeros
        with one far-off month).
    stl : DataFrame or None
        STL decomposition (Cleveland et al. 1990; statsmodels ``STL``, period 12, robust) with
        columns observed/trend/seasonal/resid; None (see ``stl_reason``) with under 3 years.
    by_category : DataFrame or None
        Counts by ``by`` (rows) and category (columns), when incidents are given.
    """

    def __init__(
        self,
        incidents: pd.DataFrame | None = None,
        *,
        monthly: pd.Series | None = None,
        by: Literal["month", "year"] = "month",
        period_months: int = 12,
        alternative: Alternative = "two-sided",
        alpha: float = 0.05,
        shift_run: int = 7,
        trend_run: int = 7,
        stl_min_years: int = 3,
        months_with_data: Any = None,
    ) -> None:
        if (incidents is None) == (monthly is None):
            raise ValueError("give exactly one of incidents= and monthly=")
        self.by = by
        self.period_months = period_months
        if monthly is None:
            assert incidents is not None
            monthly = monthly_counts(incidents)
        self.missing_months: list[str] = []
        if months_with_data is not None and len(monthly):
            have = {pd.Timestamp(m).to_period("M").to_timestamp() for m in months_with_data}
            gaps = [ts for ts in monthly.index if ts not in have]
            if gaps:
                monthly = monthly.astype(float)
                monthly.loc[gaps] = np.nan
                self.missing_months = [ts.strftime("%Y-%m") for ts in gaps]
        self.monthly = monthly.astype(float) if monthly.dtype.kind == "f" else monthly
        known = self.monthly.dropna()
        self.series = by_period(self.monthly, by)
        self.months_covered = months_covered(known) if len(known) else months_covered(monthly)
        if self.missing_months:
            self.months_covered = self.months_covered.reindex(self.series.index, fill_value=0)
        self.rolling_12 = self.monthly.rolling(12).sum()
        n = len(self.monthly)
        self.long_run = _long_run(self.monthly) if len(known) >= 12 else None
        self.comparison: PoissonComparison | None = None
        self.this_period_label = self.last_period_label = ""
        if n >= 2 * period_months:
            this = self.monthly.iloc[-period_months:]
            last = self.monthly.iloc[-2 * period_months : -period_months]
            self.this_period_label = _label(this.index)
            self.last_period_label = _label(last.index)
            n_this, n_last = int(this.notna().sum()), int(last.notna().sum())
            dispersion = comparison_dispersion(
                self.monthly.iloc[-2 * period_months :], period_months
            )
            if n_this and n_last:
                # months with no data are left out: the comparison is of monthly rates, with the
                # number of months of data as the exposure of each period
                self.comparison = PoissonComparison(
                    round(float(this.sum())),
                    round(float(last.sum())),
                    exposure_this=n_this,
                    exposure_last=n_last,
                    alternative=alternative,
                    alpha=alpha,
                    dispersion=dispersion,
                )
        self.spc: XmR | None = None
        if len(known) >= 2:
            self.spc = XmR(
                known.to_numpy(dtype=float),
                [ts.strftime("%Y-%m") for ts in known.index],
                shift_run=shift_run,
                trend_run=trend_run,
            )
        self.stl: pd.DataFrame | None = None
        self.stl_reason = ""
        if n >= 12 * stl_min_years:
            from statsmodels.tsa.seasonal import STL

            filled = self.monthly.astype(float).interpolate(limit_direction="both")
            res = STL(filled, period=12, robust=True).fit()
            self.stl = pd.DataFrame(
                {
                    "observed": self.monthly.astype(float),
                    "trend": res.trend,
                    "seasonal": res.seasonal,
                    "resid": res.resid,
                }
            )
            if self.missing_months:
                self.stl_reason = "months with no data were interpolated for STL only"
        else:
            self.stl_reason = (
                f"STL needs at least {stl_min_years} years of months; the series has {n} months"
            )
        self.by_category: pd.DataFrame | None = None
        if incidents is not None and "category" in incidents.columns and len(incidents):
            table = period_table(incidents, "category", by)
            self.by_category = table

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"series": {"2011": n, ...}, "comparison": ..., "spc": ..., ...}``."""
        out: dict[str, Any] = {
            "series": {str(k): _num(v) for k, v in self.series.items()},
            "by": self.by,
            "missing_months": self.missing_months,
        }
        if self.by == "year":
            out["months_covered"] = {str(k): int(v) for k, v in self.months_covered.items()}
        out["comparison"] = None
        if self.comparison is not None:
            out["comparison"] = {
                "this_period_months": self.this_period_label,
                "last_period_months": self.last_period_label,
                **self.comparison.to_dict(),
                "statement": self.comparison.statement(),
            }
        out["spc"] = self.spc.to_dict() if self.spc is not None else None
        out["long_run"] = self.long_run
        out["stl"] = (
            {"seasonal_by_month": _seasonal_profile(self.stl)}
            if self.stl is not None
            else {"skipped": self.stl_reason}
        )
        return out


def _num(v: Any) -> int | float | None:
    f = float(v)
    if math.isnan(f):
        return None
    return int(f) if f.is_integer() else f


def _label(index: pd.Index) -> str:
    return f"{index[0].strftime('%Y-%m')} to {index[-1].strftime('%Y-%m')}"


def _seasonal_profile(stl: pd.DataFrame) -> dict[str, float]:
    month = [ts.month for ts in stl.index]
    prof = stl["seasonal"].groupby(month).mean()
    return {str(m).zfill(2): round(float(v), 3) for m, v in prof.items()}


def comparison_dispersion(months: pd.Series, period_months: int) -> float | None:
    """Pearson X^2 / df of log mu = period level (+ month of year when periods are 12 months)."""
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    y_all = months.to_numpy(dtype=float)
    ok = ~np.isnan(y_all)
    if ok.sum() < 4 or y_all[ok].sum() == 0:
        return None
    period = (np.arange(len(y_all)) >= len(y_all) - period_months).astype(float)
    cols = [np.ones(len(y_all)), period]
    if period_months == 12:
        moy = np.array([ts.month for ts in months.index])
        cols += [(moy == m).astype(float) for m in range(2, 13)]
    X = np.column_stack(cols)[ok]
    y = y_all[ok]
    if X.shape[0] - np.linalg.matrix_rank(X) <= 0:
        return None
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = GLM(y, X, family=families.Poisson()).fit()
        except (ValueError, np.linalg.LinAlgError):
            return None
        df = X.shape[0] - np.linalg.matrix_rank(X)
        x2 = float(np.sum((y - fit.mu) ** 2 / np.where(fit.mu > 0, fit.mu, 1.0)))
    phi = x2 / df
    return max(1.0, phi) if np.isfinite(phi) else None


#: the largest x for which math.exp(x) is a finite float
_MAX_EXP = math.log(sys.float_info.max)


def _long_run(monthly: pd.Series) -> dict[str, Any] | None:
    """Quasi-Poisson log-linear trend of monthly counts: % change per year."""
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    y_all = monthly.to_numpy(dtype=float)
    ok = ~np.isnan(y_all)
    y = y_all[ok]
    if y.sum() == 0:
        return None
    t = np.arange(len(y_all))[ok] / 12.0
    X = np.column_stack([np.ones_like(t), t])
    model = GLM(y, X, family=families.Poisson())
    with np.errstate(all="ignore"), warnings.catch_warnings():
        # a perfect fit (e.g. identical counts every month) has no Pearson dispersion:
        # statsmodels then fails or warns, and Poisson's scale 1 is used instead
        warnings.simplefilter("ignore")
        try:
            fit = model.fit(scale="X2")
            perfect = not np.isfinite(fit.scale) or fit.scale <= 0
        except ValueError:
            perfect = True
        if perfect:
            try:
                fit = model.fit(scale=1.0)
            except ValueError:  # IRLS diverged (fitted means collapse to 0): no trend to state
                return None
    slope = float(fit.params[1])
    se = float(fit.bse[1])
    if not all(math.isfinite(b) and b < _MAX_EXP for b in (slope - 1.96 * se, slope + 1.96 * se)):
        return None  # math.exp would overflow: the interval is unbounded
    return {
        "method": "quasi-Poisson regression of monthly counts on time (scale = Pearson X2/df)",
        "annual_pct_change": 100.0 * (math.exp(slope) - 1.0),
        "ci95": [
            100.0 * (math.exp(slope - 1.96 * se) - 1.0),
            100.0 * (math.exp(slope + 1.96 * se) - 1.0),
        ],
        "p_value": float(fit.pvalues[1]),
        "dispersion": float(fit.scale),
        "months": len(y),
    }
