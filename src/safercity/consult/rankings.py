"""Rankings as answered, the choices they imply, and the descriptive checks (mean rank, Borda).

A respondent's ranking lists priorities in order, first = most important. Two kinds:

* a **top-k** ranking (``top_k=True``) chose its items in order from *every* priority offered:
  the unranked ones come after the ranked ones, in no stated order ("choose and rank your top
  3"; a ranking of all the items is the case k = n);
* a **partial** ranking (``top_k=False``) ordered only the items it names, saying nothing about
  the others (a paper form that listed some of the priorities).

Under the Plackett-Luce model (Plackett 1975; Luce 1959) a ranking is a sequence of choices:
the first item is chosen from the set on offer, the second from what is left, and so on. A top-k
ranking ``(a, b, c)`` of n items is k choices from n, n-1, ..., n-k+1 items; a partial ranking of
m items is m-1 choices among those m only (Hunter 2004, section 5).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Ranking:
    """One respondent's ranking: ``order`` first = most important; see the module docstring."""

    order: tuple[str, ...]
    top_k: bool = True

    def __post_init__(self) -> None:
        if len(set(self.order)) != len(self.order):
            raise ValueError(f"a priority is ranked twice in {list(self.order)}")


def as_rankings(rankings: Sequence[Ranking | Sequence[str]], top_k: bool = True) -> list[Ranking]:
    """Rankings from :class:`Ranking` objects or plain sequences of item names (``top_k``)."""
    return [r if isinstance(r, Ranking) else Ranking(tuple(r), top_k) for r in rankings]


@dataclass
class Patterns:
    """Distinct rankings and, per respondent, the index of theirs (identical answers share one
    pattern, so a fit on 20,000 responses is a weighted fit on a few hundred patterns)."""

    rankings: list[Ranking]
    index: np.ndarray  # respondent -> pattern

    @classmethod
    def of(cls, rankings: Sequence[Ranking], items: Sequence[str]) -> Patterns:
        known = set(items)
        seen: dict[Ranking, int] = {}
        index = np.empty(len(rankings), dtype=np.int64)
        for k, r in enumerate(rankings):
            unknown = [x for x in r.order if x not in known]
            if unknown:
                raise ValueError(f"ranking {k + 1} names an unknown priority {unknown[0]!r}")
            index[k] = seen.setdefault(r, len(seen))
        return cls(list(seen), index)


@dataclass
class Choices:
    """The choices the patterns imply: for choice c, ``winner[c]`` was chosen from the items
    with ``offered[c]`` True; ``pattern[c]`` is the pattern it came from."""

    winner: np.ndarray
    offered: np.ndarray
    pattern: np.ndarray

    @classmethod
    def of(cls, patterns: Sequence[Ranking], items: Sequence[str]) -> Choices:
        pos = {name: i for i, name in enumerate(items)}
        n = len(items)
        winners: list[int] = []
        sets: list[np.ndarray] = []
        owner: list[int] = []
        for p, r in enumerate(patterns):
            idx = [pos[x] for x in r.order]
            if r.top_k:
                left = np.ones(n, dtype=bool)
            else:
                left = np.zeros(n, dtype=bool)
                left[idx] = True
            for i in idx:
                if left.sum() < 2:
                    break  # the last item left is no choice
                winners.append(i)
                sets.append(left.copy())
                owner.append(p)
                left[i] = False
        return cls(
            np.asarray(winners, dtype=np.int64),
            np.asarray(sets, dtype=bool).reshape(len(sets), n),
            np.asarray(owner, dtype=np.int64),
        )


class RankSummary:
    """Descriptive checks of rankings: mean rank, Borda count, first and top-3 shares.

    Parameters
    ----------
    rankings : sequence of Ranking or sequence of str, or Patterns
        Each respondent's ranking (first = most important), or :class:`Patterns` already made.
    items : sequence of str
        Every priority offered.
    weights : array-like, optional
        Case weights (e.g. from :class:`~safercity.consult.weighting.Raking`). Default 1 each.
    top_k : bool, default True
        For plain sequences: see :class:`Ranking`.

    Attributes
    ----------
    table : DataFrame
        One row per item (index: item), sorted by mean rank: ``ranked`` (weighted number of
        rankings that place it), ``first`` and ``top3`` (weighted shares of rankings placing it
        first / in the first three, among rankings that offered it), ``mean_rank`` (average
        position; in a top-k ranking the unranked items share the places left, each counted at
        their average ``(k + 1 + n) / 2``; a partial ranking counts only the items it names),
        ``borda`` (points: n - position for a ranked item of a top-k ranking of n items, 0 when
        unranked; m - position in a partial ranking of m items) and ``borda_share`` (of all
        points).
    n : int
        Number of rankings.

    Notes
    -----
    Mean rank and the Borda count are descriptive: they need no model, and they are the checks
    a reader can redo by hand. The Plackett-Luce worths (:class:`~.plackett_luce.PlackettLuce`)
    are the model-based ranking with confidence intervals.
    """

    def __init__(
        self,
        rankings: Sequence[Ranking | Sequence[str]] | Patterns,
        items: Sequence[str],
        *,
        weights: Sequence[float] | np.ndarray | None = None,
        top_k: bool = True,
    ) -> None:
        items = list(items)
        n_items = len(items)
        pos = {name: i for i, name in enumerate(items)}
        pats = (
            rankings
            if isinstance(rankings, Patterns)
            else Patterns.of(as_rankings(rankings, top_k), items)
        )
        w = np.ones(len(pats.index)) if weights is None else np.asarray(weights, dtype=float)
        if len(w) != len(pats.index):
            raise ValueError("weights must have one value per ranking")
        w = np.where(np.isfinite(w), w, 0.0)
        pw = np.bincount(pats.index, weights=w, minlength=len(pats.rankings))
        rank_sum = np.zeros(n_items)
        rank_w = np.zeros(n_items)
        ranked = np.zeros(n_items)
        offered = np.zeros(n_items)
        first = np.zeros(n_items)
        top3 = np.zeros(n_items)
        borda = np.zeros(n_items)
        for r, wt in zip(pats.rankings, pw, strict=True):  # each distinct ranking once
            idx = [pos[x] for x in r.order]
            if not idx or wt == 0:
                continue
            if r.top_k:
                k = len(idx)
                rest = [i for i in range(n_items) if i not in set(idx)]
                for p, i in enumerate(idx, start=1):
                    rank_sum[i] += wt * p
                    borda[i] += wt * (n_items - p)
                if rest:
                    mid = (k + 1 + n_items) / 2
                    rank_sum[rest] += wt * mid
                rank_w += wt
                offered += wt
            else:
                m = len(idx)
                for p, i in enumerate(idx, start=1):
                    rank_sum[i] += wt * p
                    rank_w[i] += wt
                    offered[i] += wt
                    borda[i] += wt * (m - p)
            ranked[idx] += wt
            first[idx[0]] += wt
            top3[idx[:3]] += wt
        with np.errstate(invalid="ignore", divide="ignore"):
            table = pd.DataFrame(
                {
                    "ranked": ranked,
                    "first": first / offered,
                    "top3": top3 / offered,
                    "mean_rank": rank_sum / rank_w,
                    "borda": borda,
                    "borda_share": borda / borda.sum() if borda.sum() > 0 else np.nan,
                },
                index=pd.Index(items, name="item"),
            )
        self.table = table.sort_values(["mean_rank", "borda"], ascending=[True, False])
        self.n = int((w > 0).sum())
        self.weighted_n = float(w.sum())


def mapping_order(mapping: Mapping[str, int | None]) -> tuple[str, ...]:
    """Rank numbers entered per item (``{"youth": 2, "drugs": 1, "asb": None}``) as an order,
    first = 1; blanks left out. Numbers must be 1, 2, ... with none repeated or skipped."""
    given = {k: v for k, v in mapping.items() if v is not None}
    numbers = sorted(given.values())
    if numbers != list(range(1, len(numbers) + 1)):
        raise ValueError("use each number once, from 1 upwards")
    return tuple(sorted(given, key=lambda k: given[k]))
