"""Weighting responses to the population: raking (iterative proportional fitting) with the
effective sample size and design effect, and warnings for groups too thin to weight.

Raking (Deming and Stephan 1940) adjusts each respondent's weight so that the weighted sample
matches the population's totals on each dimension in turn (age band, sex, ward ...), repeating
until every margin matches. The cross-classified table of the sample is fitted with ipfn (a
well-kept implementation of iterative proportional fitting); a respondent's weight is their
cell's fitted total over the cell's sample total, so respondents in one cell share one weight.

Unequal weights cost precision. Kish's (1965, section 11.7) design effect due to weighting is

.. math:: \\mathrm{deff} = n \\sum w_i^2 \\Big/ \\Big(\\sum w_i\\Big)^2 = 1 + \\mathrm{CV}^2(w)

and the effective sample size is :math:`n / \\mathrm{deff} = (\\sum w_i)^2 / \\sum w_i^2`.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from ipfn import ipfn

#: fewer respondents than this in a category of a weighting dimension draws a warning
MIN_GROUP = 20


def kish(weights: Sequence[float] | np.ndarray) -> tuple[float, float]:
    """(design effect, effective sample size) of ``weights`` (Kish 1965): positive weights
    only."""
    w = np.asarray(weights, dtype=float)
    w = w[np.isfinite(w) & (w > 0)]
    if not len(w):
        return float("nan"), 0.0
    s, s2 = w.sum(), np.square(w).sum()
    return float(len(w) * s2 / s**2), float(s**2 / s2)


class Raking:
    """Rake respondents to population totals on several dimensions.

    Parameters
    ----------
    sample : DataFrame
        One row per respondent, one column per weighting dimension (its category, e.g.
        ``age_band="30-44"``); other columns are ignored.
    targets : mapping
        ``{dimension: {category: population}}``, e.g. from the census. Each dimension's totals
        are scaled to shares, so dimensions of different totals may be mixed.
    base_weights : array-like, optional
        Starting weights (default 1).
    min_group : int, default :data:`MIN_GROUP`
        A category with fewer respondents draws a thin-group warning.
    tol : float, default 1e-8
        Convergence: largest relative difference between a weighted margin and its target.
    max_iter : int, default 1000

    Attributes
    ----------
    weights : Series
        Each respondent's weight (same index as ``sample``), scaled to average 1 over the
        respondents weighted; NaN for respondents who could not be weighted (a dimension
        unanswered, or a category outside the population weighted to, such as "prefer not to
        say").
    used : Series of bool
        Respondents weighted.
    n : int
        Respondents weighted.
    excluded : int
        Respondents not weighted.
    design_effect, effective_n : float
        Kish's design effect due to weighting and the effective sample size.
    margins : DataFrame
        Per dimension and category: population share, sample share (unweighted) and weighted
        share, and respondents.
    warnings : list of str
        Thin groups, groups with no respondents (left out of the weighting, the other
        categories' shares scaled up), no convergence, large weights.
    converged : bool

    References
    ----------
    Deming, W. E. and Stephan, F. F. (1940). On a least squares adjustment of a sampled
    frequency table when the expected marginal totals are known. *Annals of Mathematical
    Statistics* 11(4), 427-444.
    Kish, L. (1965). *Survey Sampling*. Wiley. Section 11.7.
    """

    def __init__(
        self,
        sample: pd.DataFrame,
        targets: Mapping[str, Mapping[str, float]],
        *,
        base_weights: Sequence[float] | np.ndarray | None = None,
        min_group: int = MIN_GROUP,
        tol: float = 1e-8,
        max_iter: int = 1000,
    ) -> None:
        dims = list(targets)
        if not dims:
            raise ValueError("give at least one dimension to weight to")
        missing = [d for d in dims if d not in sample.columns]
        if missing:
            raise ValueError(f"the responses have no {', '.join(missing)}")
        base = (
            np.ones(len(sample)) if base_weights is None else np.asarray(base_weights, dtype=float)
        )
        self.warnings: list[str] = []
        cats: dict[str, list[str]] = {}
        shares: dict[str, np.ndarray] = {}
        for d in dims:
            t = {str(k): float(v) for k, v in targets[d].items() if float(v) > 0}
            if not t:
                raise ValueError(f"the population for {d} has no positive totals")
            cats[d] = list(t)
            shares[d] = np.array(list(t.values()))
        values = {d: sample[d].astype("string") for d in dims}
        used = np.ones(len(sample), dtype=bool)
        for d in dims:
            used &= values[d].isin(cats[d]).fillna(False).to_numpy()
        used &= np.isfinite(base) & (base > 0)
        # categories with no respondents cannot be weighted up: leave them out, say so
        for d in dims:
            counts = values[d][used].value_counts()
            keep = []
            for c in cats[d]:
                got = int(counts.get(c, 0))
                if got == 0:
                    self.warnings.append(
                        f"{d} {c}: no respondents, so the weighted results do not represent "
                        "this group (left out of the weighting)"
                    )
                else:
                    keep.append(c)
                    if got < min_group:
                        self.warnings.append(
                            f"{d} {c}: only {got} respondent{'s' if got != 1 else ''} (fewer "
                            f"than {min_group}): too thin to weight reliably"
                        )
            if not keep:
                raise ValueError(f"no respondent answered {d} with a category weighted to")
            sel = [cats[d].index(c) for c in keep]
            cats[d] = keep
            shares[d] = shares[d][sel]
        codes = [
            pd.Categorical(values[d][used], categories=cats[d]).codes.astype(np.int64) for d in dims
        ]
        shape = tuple(len(cats[d]) for d in dims)
        flat = np.ravel_multi_index(tuple(codes), shape) if codes else np.array([], int)
        bu = base[used]
        table = np.bincount(flat, weights=bu, minlength=int(np.prod(shape))).reshape(shape)
        total = float(bu.sum())
        aggregates = [shares[d] / shares[d].sum() * total for d in dims]
        fitted = table
        if table.sum() > 0:
            with contextlib.redirect_stdout(io.StringIO()):  # ipfn prints its progress
                fitted = ipfn.ipfn(
                    table.astype(float),
                    [a.copy() for a in aggregates],
                    [[k] for k in range(len(dims))],
                    convergence_rate=tol,
                    max_iteration=max_iter,
                    rate_tolerance=0.0,
                ).iteration()
        worst = 0.0
        for k, a in enumerate(aggregates):
            other = tuple(j for j in range(len(dims)) if j != k)
            fit_margin = fitted.sum(axis=other) if other else fitted
            worst = max(worst, float(np.max(np.abs(fit_margin / a - 1))))
        self.converged = worst <= max(tol * 10, 1e-6)
        if not self.converged:
            self.warnings.append(
                "the weights do not match every population total (largest difference "
                f"{worst:.1%}): the groups answered too unevenly to rake"
            )
        with np.errstate(invalid="ignore", divide="ignore"):
            factor = np.where(table > 0, fitted / table, np.nan)
        w_used = bu * factor.reshape(-1)[flat]
        w_used = w_used / w_used.mean() if len(w_used) else w_used
        weights = np.full(len(sample), np.nan)
        weights[used] = w_used
        self.weights = pd.Series(weights, index=sample.index, name="weight")
        self.used = pd.Series(used, index=sample.index, name="used")
        self.n = int(used.sum())
        self.excluded = int(len(sample) - self.n)
        self.design_effect, self.effective_n = kish(w_used)
        self.dimensions = dims
        if len(w_used) and w_used.max() > 5:
            self.warnings.append(
                f"the largest weight is {w_used.max():.1f} times the average: a few "
                "respondents carry a group"
            )
        rows = []
        for k, d in enumerate(dims):
            code = codes[k]
            n_c = np.bincount(code, minlength=len(cats[d]))
            uw = np.bincount(code, weights=bu, minlength=len(cats[d]))
            ww = np.bincount(code, weights=w_used, minlength=len(cats[d]))
            for j, c in enumerate(cats[d]):
                rows.append(
                    {
                        "dimension": d,
                        "category": c,
                        "population_share": float(shares[d][j] / shares[d].sum()),
                        "sample_share": float(uw[j] / uw.sum()) if uw.sum() else np.nan,
                        "weighted_share": float(ww[j] / ww.sum()) if ww.sum() else np.nan,
                        "respondents": int(n_c[j]),
                    }
                )
        self.margins = pd.DataFrame(rows)
