"""The Plackett-Luce model of rankings: each priority's worth, the chance it is ranked first and
in the top three, with bootstrap confidence intervals.

Under the model (Plackett 1975; Luce 1959) each item i has a worth :math:`\\gamma_i > 0` and a
respondent builds their ranking by choosing, from the items still on offer S, item i with
probability :math:`\\gamma_i / \\sum_{j \\in S} \\gamma_j`. Worths are scaled to sum to one, so
that an item's worth is the probability that it is ranked first of all the items.

The worths are the maximum-likelihood estimate, fitted by the MM algorithm of Hunter (2004,
section 5): with :math:`w_i` the (weighted) number of choices item i won,

.. math:: \\gamma_i \\leftarrow w_i \\Big/ \\sum_c \\frac{v_c\\,[i \\in S_c]}{\\sum_{j \\in S_c}
   \\gamma_j}

over the choices c (each a choice of one item from the set :math:`S_c`, with case weight
:math:`v_c`). The estimate exists when the items cannot be split into two groups with no item of
the second ever chosen over an item of the first (Hunter 2004, Assumption 1; Ford 1957): the
graph of "chosen over" is strongly connected. Items never chosen at all get worth 0 (the
likelihood's supremum is at the boundary) and are said so.

choix (Maystre) fits the same model; it is the reference in the tests. The fit here is a
vectorised form of the same MM update that also takes case weights (raking weights, bootstrap
counts), which choix does not: docs/adr/0004-consultation-statistics.md.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from safercity.consult.rankings import Choices, Patterns, Ranking, as_rankings


class NotEstimable(ValueError):
    """The rankings cannot give every item a finite worth (some group of items is never chosen
    over another group)."""


def fit_worths(
    choices: Choices,
    pattern_weights: np.ndarray,
    n_items: int,
    *,
    tol: float = 1e-10,
    max_iter: int = 100_000,
    start: np.ndarray | None = None,
    check: bool = True,
) -> tuple[np.ndarray, int]:
    """Weighted MM (Hunter 2004) for Plackett-Luce worths, summing to 1: (worths, iterations).

    Raises :class:`NotEstimable` when the choices with positive weight leave the items with
    any wins in more than one strongly connected group (``check=False`` skips the test, for
    a resample with the same patterns as a fit already checked).
    """
    v = pattern_weights[choices.pattern]
    keep = v > 0
    winner, offered, v = choices.winner[keep], choices.offered[keep], v[keep]
    wins = np.bincount(winner, weights=v, minlength=n_items)
    if not wins.any():
        raise NotEstimable("no ranking chooses anything: there is nothing to fit")
    active = wins > 0
    if check:
        _check_connected(winner, offered, active, n_items)
    return _mm(offered.astype(float), v, wins, active, start, tol, max_iter)


def _check_connected(
    winner: np.ndarray, offered: np.ndarray, active: np.ndarray, n_items: int
) -> None:
    # "chosen over": an edge from every other item on offer to the winner
    rows, cols = np.nonzero(offered)
    win_of = winner[rows]
    mask = (cols != win_of) & active[cols]
    graph = coo_matrix(
        (np.ones(int(mask.sum())), (cols[mask], win_of[mask])), shape=(n_items, n_items)
    )
    idx = np.flatnonzero(active)
    sub = graph.tocsr()[idx][:, idx]
    n_groups, _ = connected_components(sub, directed=True, connection="strong")
    if n_groups > 1:
        raise NotEstimable(
            "some priorities are never chosen over some others, so the model cannot give "
            "them a finite worth (Hunter 2004, Assumption 1); more responses are needed"
        )


def _mm(
    offered_f: np.ndarray,
    v: np.ndarray,
    wins: np.ndarray,
    active: np.ndarray,
    start: np.ndarray | None,
    tol: float,
    max_iter: int,
) -> tuple[np.ndarray, int]:
    gamma = np.where(active, 1.0 / active.sum(), 0.0) if start is None else start.copy()
    gamma = np.where(active, np.maximum(gamma, 1e-12), 0.0)
    gamma /= gamma.sum()
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is returned
        denom = offered_f @ gamma
        s = offered_f.T @ (v / denom)
        new = np.where(active, wins / np.where(s > 0, s, 1.0), 0.0)
        new /= new.sum()
        change = np.max(np.abs(new - gamma))
        gamma = new
        if change < tol:
            break
    return gamma, iterations


def p_top(worths: np.ndarray, k: int) -> np.ndarray:
    """P(item is among the first ``k`` of a full ranking) under Plackett-Luce, exactly (every
    ordered choice of k items; ``n!/(n-k)!`` of them)."""
    w = np.asarray(worths, dtype=float)
    n = len(w)
    k = min(k, n)
    out = np.zeros(n)
    if k == n:
        out[w > 0] = 1.0
        return out
    seqs = _sequences(n, k)
    picked = w[seqs]  # (sequences, k)
    left = w.sum() - np.cumsum(picked, axis=1) + picked  # worth still on offer at each step
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.prod(np.where(left > 0, picked / left, 0.0), axis=1)
    for j in range(k):
        out += np.bincount(seqs[:, j], weights=p, minlength=n)
    return out


@functools.lru_cache(maxsize=32)
def _sequences(n: int, k: int) -> np.ndarray:
    """Every ordered choice of k of n items, one row each."""
    return np.array(list(itertools.permutations(range(n), k)), dtype=np.int64).reshape(-1, k)


class PlackettLuce:
    """Plackett-Luce worths of the priorities, P(first), P(top 3) and bootstrap intervals.

    Parameters
    ----------
    rankings : sequence of Ranking or sequence of str, or Patterns
        Each respondent's ranking, first = most important (:class:`~.rankings.Ranking`: full,
        top-k or partial), or :class:`~.rankings.Patterns` already made.
    items : sequence of str
        Every priority offered (the order of the result tables).
    weights : array-like, optional
        Case weights, e.g. raking weights. Default 1 each. Responses with weight 0 or NaN are
        left out.
    top_k : bool, default True
        For plain sequences: whether each chose from all the items (see :class:`Ranking`).
    bootstrap : int, default 1000
        Bootstrap resamples of the respondents for the confidence intervals; 0 for none.
    seed : int, optional
        Seed of the bootstrap's random numbers (same seed, same intervals).
    confidence : float, default 0.95
        Level of the percentile intervals.
    top : int, default 3
        The k of ``p_top`` (P(ranked in the first k)).
    tol : float, default 1e-10
        Convergence: largest change of a worth in one MM step.

    Attributes
    ----------
    worth : Series
        Worths, summing to 1 (= P(ranked first of all the items)).
    p_first : Series
        Same as ``worth``, under the name readers look for.
    p_top : Series
        P(ranked in the first ``top``) of a full ranking, exactly from the worths.
    table : DataFrame
        Per item: worth, its interval (``worth_low``, ``worth_high``), ``p_first``,
        ``p_top`` and their intervals, sorted by worth, with ``rank``.
    n : int
        Rankings used (weight > 0).
    weighted_n : float
        Sum of their weights.
    iterations : int
        MM iterations of the main fit.
    log_likelihood : float
        Weighted log-likelihood at the estimate.
    bootstrap_failed : int
        Resamples in which some item could not be estimated (left out of the intervals).
    never_chosen : list of str
        Items no respondent ever chose (worth 0).

    References
    ----------
    Plackett, R. L. (1975). The analysis of permutations. *Applied Statistics* 24(2), 193-202.
    Luce, R. D. (1959). *Individual Choice Behavior*. Wiley.
    Hunter, D. R. (2004). MM algorithms for generalized Bradley-Terry models. *The Annals of
    Statistics* 32(1), 384-406.
    Efron, B. and Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*, ch. 13
    (percentile intervals).
    """

    def __init__(
        self,
        rankings: Sequence[Ranking | Sequence[str]] | Patterns,
        items: Sequence[str],
        *,
        weights: Sequence[float] | np.ndarray | None = None,
        top_k: bool = True,
        bootstrap: int = 1000,
        seed: int | None = None,
        confidence: float = 0.95,
        top: int = 3,
        tol: float = 1e-10,
    ) -> None:
        if not 0 < confidence < 1:
            raise ValueError("confidence must be between 0 and 1")
        items = list(items)
        if len(items) < 2:
            raise ValueError("a ranking needs at least two priorities")
        patterns = (
            rankings
            if isinstance(rankings, Patterns)
            else Patterns.of(as_rankings(rankings, top_k), items)
        )
        w = np.ones(len(patterns.index)) if weights is None else np.asarray(weights, float)
        if len(w) != len(patterns.index):
            raise ValueError("weights must have one value per ranking")
        w = np.where(np.isfinite(w) & (w > 0), w, 0.0)
        choices = Choices.of(patterns.rankings, items)
        n_items = len(items)
        pw = np.bincount(patterns.index, weights=w, minlength=len(patterns.rankings))
        gamma, self.iterations = fit_worths(choices, pw, n_items, tol=tol)
        self.items = items
        self.n = int((w > 0).sum())
        self.weighted_n = float(w.sum())
        self.log_likelihood = _log_likelihood(choices, pw, gamma)
        self.never_chosen = [items[i] for i in np.flatnonzero(gamma == 0)]
        index = pd.Index(items, name="item")
        self.worth = pd.Series(gamma, index=index, name="worth")
        self.p_first = self.worth.rename("p_first")
        self.p_top = pd.Series(p_top(gamma, top), index=index, name="p_top")
        self.top = top
        self.confidence = confidence
        self.bootstrap = bootstrap
        self.seed = seed
        self.bootstrap_failed = 0
        table = pd.DataFrame({"worth": gamma, "p_first": gamma, "p_top": self.p_top.to_numpy()})
        table.index = index
        if bootstrap > 0 and self.n > 0:
            rng = np.random.default_rng(seed)
            used = np.flatnonzero(w > 0)
            # respondents with the same ranking and weight are interchangeable: resampling
            # respondents is a multinomial draw over these groups (same distribution, faster
            # when there are few groups, as when unweighted)
            keys = np.stack([patterns.index[used].astype(float), w[used]], axis=1)
            groups, counts = np.unique(keys, axis=0, return_counts=True)
            few = len(groups) * 4 < len(used)
            if few:
                g_pattern = groups[:, 0].astype(np.int64)
                g_weight = groups[:, 1]
                chance = counts / counts.sum()
            else:
                g_pattern = patterns.index[used]
                g_weight = w[used]
            draws_w = []
            draws_t = []
            for _ in range(bootstrap):
                if few:
                    drawn = rng.multinomial(len(used), chance)
                    bpw = np.bincount(
                        g_pattern, weights=g_weight * drawn, minlength=len(patterns.rankings)
                    )
                else:
                    pick = rng.integers(0, len(used), len(used))
                    bpw = np.bincount(
                        g_pattern[pick], weights=g_weight[pick], minlength=len(patterns.rankings)
                    )
                try:
                    same = bool(np.all(bpw[pw > 0] > 0))  # same patterns: same graph
                    g, _ = fit_worths(choices, bpw, n_items, tol=1e-8, start=gamma, check=not same)
                except NotEstimable:
                    self.bootstrap_failed += 1
                    continue
                draws_w.append(g)
                draws_t.append(p_top(g, top))
            if draws_w:
                lo, hi = (1 - confidence) / 2 * 100, (1 + confidence) / 2 * 100
                dw, dt = np.asarray(draws_w), np.asarray(draws_t)
                table["worth_low"] = np.percentile(dw, lo, axis=0)
                table["worth_high"] = np.percentile(dw, hi, axis=0)
                table["p_top_low"] = np.percentile(dt, lo, axis=0)
                table["p_top_high"] = np.percentile(dt, hi, axis=0)
        table = table.sort_values("worth", ascending=False, kind="stable")
        table["rank"] = np.arange(1, len(table) + 1)
        self.table = table

    @property
    def order(self) -> list[str]:
        """Items by worth, highest first."""
        return [str(x) for x in self.table.index]


def _log_likelihood(choices: Choices, pw: np.ndarray, gamma: np.ndarray) -> float:
    v = pw[choices.pattern]
    keep = v > 0
    if not keep.any():
        return 0.0
    denom = choices.offered[keep].astype(float) @ gamma
    g = gamma[choices.winner[keep]]
    with np.errstate(divide="ignore"):
        return float(np.sum(v[keep] * (np.log(g) - np.log(denom))))
