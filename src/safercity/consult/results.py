"""A consultation's results: the model, the checks, the weighting and the groups, and the ranking
file the Strategic Assessment reads.

:class:`ConsultationResults` takes one row per response and computes, on creation:

* unweighted: :class:`~.plackett_luce.PlackettLuce` (worths, P(first), P(top 3), bootstrap
  intervals) and :class:`~.rankings.RankSummary` (mean rank, Borda count);
* weighted, when population totals are given: :class:`~.weighting.Raking` (with its design
  effect, effective sample size and warnings) and the same two on the raked weights, side by
  side with the unweighted ones;
* by group (ward, age band, sex ...): mean rank, Borda and Plackett-Luce worths per group, and
  groups with fewer than ``min_group`` responses suppressed (counts shown as "fewer than N").

:meth:`ConsultationResults.ranking_file` writes the ranking in the format that ``safercity
assess --consultation`` and :func:`safercity.analytics.assessment.load_consultation` read
(``consultation: ranking: [...]``), so the consultation feeds the priority matrix's public
concern score directly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import yaml

from safercity.consult.plackett_luce import NotEstimable, PlackettLuce
from safercity.consult.rankings import Patterns, Ranking, RankSummary
from safercity.consult.weighting import Raking

#: groups with fewer responses than this are not shown (small-area suppression)
MIN_GROUP = 10
GROUP_COLUMNS = ("ward", "age_band", "sex", "connection", "disability", "ethnicity", "channel")


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def _table(frame: pd.DataFrame, titles: Mapping[str, str]) -> list[dict[str, Any]]:
    rows = []
    for item, r in frame.iterrows():
        row = {"item": str(item), "title": titles.get(str(item), str(item))}
        row.update({str(k): _clean(v) for k, v in r.items()})
        rows.append(row)
    return rows


class ConsultationResults:
    """Everything the results page, ``safercity consult results`` and the assessment need.

    Parameters
    ----------
    responses : DataFrame
        One row per response: ``ranking`` (a sequence of item keys, first = most important),
        optionally ``top_k`` (bool, default ``top_k``) and the group columns (``ward``,
        ``age_band``, ``sex`` ...).
    items : sequence of str
        The priorities offered (keys).
    titles : mapping, optional
        Key -> the title shown.
    targets : mapping, optional
        Population totals to rake to, ``{dimension: {category: population}}``; dimensions are
        columns of ``responses``. Default None: unweighted only.
    top_k : bool, default True
        Whether rankings chose from every priority (see :class:`~.rankings.Ranking`).
    bootstrap : int, default 1000
    seed : int, optional
    min_group : int, default :data:`MIN_GROUP`
        Groups with fewer responses are suppressed.
    group_by : sequence of str, optional
        Columns to break results down by (default: those of :data:`GROUP_COLUMNS` present).

    Attributes
    ----------
    n : int
        Responses with a ranking.
    model, summary : PlackettLuce, RankSummary
        Unweighted.
    raking : Raking or None
    weighted_model, weighted_summary : PlackettLuce or None, RankSummary or None
    groups : dict
        ``{column: [{"group", "n", "suppressed", "mean_rank": {...}, "worth": {...}}]}``.
    warnings : list of str
    """

    def __init__(
        self,
        responses: pd.DataFrame,
        items: Sequence[str],
        *,
        titles: Mapping[str, str] | None = None,
        targets: Mapping[str, Mapping[str, float]] | None = None,
        top_k: bool = True,
        bootstrap: int = 1000,
        seed: int | None = None,
        min_group: int = MIN_GROUP,
        group_by: Sequence[str] | None = None,
    ) -> None:
        self.items = list(items)
        self.titles = {k: (titles or {}).get(k, k) for k in self.items}
        self.min_group = min_group
        self.warnings: list[str] = []
        frame = responses.reset_index(drop=True)
        has = frame["ranking"].map(lambda r: r is not None and len(r) > 0)
        frame = frame[has].reset_index(drop=True)
        self.n = len(frame)
        self.responses = frame
        if self.n == 0:
            raise ValueError("there are no rankings to analyse yet")
        tk = frame["top_k"] if "top_k" in frame else pd.Series(top_k, index=frame.index)
        rankings = [Ranking(tuple(r), bool(t)) for r, t in zip(frame["ranking"], tk, strict=True)]
        self.patterns = Patterns.of(rankings, self.items)
        self.bootstrap = bootstrap
        self.seed = seed
        self.model = PlackettLuce(self.patterns, self.items, bootstrap=bootstrap, seed=seed)
        self.summary = RankSummary(self.patterns, self.items)
        self.raking: Raking | None = None
        self.weighted_model: PlackettLuce | None = None
        self.weighted_summary: RankSummary | None = None
        if targets:
            self.raking = Raking(frame, targets)
            self.warnings += self.raking.warnings
            w = self.raking.weights.fillna(0.0).to_numpy()
            try:
                self.weighted_model = PlackettLuce(
                    self.patterns, self.items, weights=w, bootstrap=bootstrap, seed=seed
                )
                self.weighted_summary = RankSummary(self.patterns, self.items, weights=w)
            except NotEstimable as exc:
                self.warnings.append(f"weighted model: {exc}")
        columns = [c for c in (group_by or GROUP_COLUMNS) if c in frame.columns]
        self.groups = {c: self._by(c) for c in columns}

    def _by(self, column: str) -> list[dict[str, Any]]:
        out = []
        values = self.responses[column]
        if values.map(lambda v: isinstance(v, list | tuple)).any():  # several answers each
            exploded = values.explode()
            keys = sorted({str(v) for v in exploded.dropna() if str(v)})
            members = {k: exploded.index[exploded.astype(str) == k].unique() for k in keys}
        else:
            keys = sorted({str(v) for v in values.dropna() if str(v)})
            members = {k: values.index[values.astype(str) == k] for k in keys}
        for key in keys:
            idx = list(members[key])
            n = len(idx)
            row: dict[str, Any] = {"group": key, "n": n, "suppressed": n < self.min_group}
            if n >= self.min_group:
                rs = Patterns(self.patterns.rankings, self.patterns.index[idx])
                s = RankSummary(rs, self.items)
                row["mean_rank"] = {str(k): _clean(v) for k, v in s.table["mean_rank"].items()}
                try:
                    m = PlackettLuce(rs, self.items, bootstrap=0)
                    row["worth"] = {str(k): float(v) for k, v in m.worth.items()}
                    row["order"] = m.order
                except NotEstimable:
                    row["worth"] = None
                    row["order"] = [str(k) for k in s.table.index]
            else:
                row["n"] = None  # the count itself is suppressed too
            out.append(row)
        return out

    @property
    def basis(self) -> str:
        """'weighted' when a weighted model was fitted, else 'unweighted'."""
        return "weighted" if self.weighted_model is not None else "unweighted"

    @property
    def order(self) -> list[str]:
        """Priorities by Plackett-Luce worth, highest first (weighted when weighted)."""
        model = self.weighted_model or self.model
        return model.order

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "responses": self.n,
            "items": [{"item": k, "title": self.titles[k]} for k in self.items],
            "basis": self.basis,
            "order": self.order,
            "unweighted": {
                "plackett_luce": _table(self.model.table, self.titles),
                "descriptive": _table(self.summary.table, self.titles),
                "iterations": self.model.iterations,
                "bootstrap": self.model.bootstrap,
                "bootstrap_failed": self.model.bootstrap_failed,
                "seed": self.seed,
                "never_chosen": self.model.never_chosen,
            },
            "weighted": None,
            "groups": self.groups,
            "min_group": self.min_group,
            "warnings": list(self.warnings),
            "method": (
                "Plackett-Luce worths by Hunter's (2004) MM algorithm; P(first) = worth; "
                f"P(top {self.model.top}) exact under the model; {self.model.confidence:.0%} "
                f"percentile intervals from {self.model.bootstrap} bootstrap resamples of the "
                "respondents; mean rank and Borda count as descriptive checks"
            ),
        }
        if self.raking is not None:
            r = self.raking
            out["weighted"] = {
                "dimensions": r.dimensions,
                "respondents_weighted": r.n,
                "respondents_not_weighted": r.excluded,
                "design_effect": _clean(r.design_effect),
                "effective_sample_size": _clean(r.effective_n),
                "converged": r.converged,
                "margins": _clean(r.margins.to_dict(orient="records")),
                "plackett_luce": _table(self.weighted_model.table, self.titles)
                if self.weighted_model
                else None,
                "descriptive": _table(self.weighted_summary.table, self.titles)
                if self.weighted_summary
                else None,
            }
        return out

    def ranking_file(self, *, name: str = "", when: str = "", fmt: str = "yaml") -> str:
        """The ranking as the Strategic Assessment reads it: ``fmt='yaml'`` (``consultation:
        ranking:`` with ``ranking_as_written``, ``when`` and ``responses``) or ``'csv'``
        (``rank,theme,title``)."""
        order = self.order
        if fmt == "csv":
            lines = ["rank,theme,title"]
            for i, k in enumerate(order, start=1):
                title = self.titles[k].replace('"', '""')
                lines.append(f'{i},{k},"{title}"')
            return "\n".join(lines) + "\n"
        if fmt != "yaml":
            raise ValueError("format must be yaml or csv")
        doc = {
            "consultation": {
                "name": name,
                "when": when,
                "responses": str(self.n),
                "method": f"SaferCity consultation results: Plackett-Luce worths ({self.basis})",
                "ranking": order,
                "ranking_as_written": [self.titles[k] for k in order],
            }
        }
        return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
