"""Priorities from the evidence: a MoRiLE-style assessment of every candidate.

MoRiLE ("Management of Risk in Law Enforcement", National Police Chiefs' Council) scores each
candidate threat on its **impact** (harm to individuals, harm to the community), its
**likelihood**, the **organisation's position** (its capacity and current response) and the
**confidence** in the information, with stated rules, so a partnership can see why one
candidate outranks another. :class:`PriorityMatrix` does the same for a CSP, and the candidates
are not only the preset themes: **every police.uk crime category and anti-social behaviour
competes with the themes** (a theme that is one category only, such as anti-social behaviour,
is that category's candidate). Each dimension is scored 1 (low) to 5 (high) by these rules
(every threshold is a parameter):

======================  =====================================================================
dimension               rule
======================  =====================================================================
harm to individuals     mean harm per crime in days of custody (Cambridge Crime Harm Index,
                        :mod:`~.harm`): <2 -> 1, 2-10 -> 2, 10-50 -> 3, 50-200 -> 4,
                        >=200 -> 5. Anti-social behaviour has no harm weight (it is not a
                        crime) and is scored 2 by convention, with that reason
harm to the community   share of all incidents (crime and ASB) this period (%): <1 -> 1,
                        1-5 -> 2, 5-10 -> 3, 10-20 -> 4, >=20 -> 5
likelihood              the change against the comparison period, decided by the test that
                        allows for overdispersion when the dispersion can be estimated (else
                        the E-test): significant fall >=10% -> 1, other significant fall -> 2,
                        no significant change -> 3, significant rise -> 4, significant rise
                        >=10% -> 5
organisational          from last year's strategy monitoring (``previous``): a matching
position                priority rated red -> 4, amber -> 3, green -> 2; no matching priority
                        (no plan in place) -> 3; not scored without a strategy file
public concern          rank in a consultation: 1st -> 5, 2nd -> 4, 3rd -> 3, 4th -> 2, lower
                        or unranked -> 1; not scored without one
confidence              5, lowered to 4 when the change could not allow for overdispersion, to 3
                        for police-recorded violence (recording practice changed), ASB (depends
                        on how calls are classified), a mixed category and a theme whose hours
                        the data cannot show, to 2 for a proxy and for fewer than 50 incidents,
                        to 1 for fewer than 20
======================  =====================================================================

The **risk score** is the weighted mean of the scored dimensions (default weights: harm to
individuals 0.30, harm to the community 0.20, likelihood 0.20, organisational position 0.10,
public concern 0.20, re-normalised over the dimensions scored), and the **priority score** is
the risk score times the confidence factor ``0.5 + 0.1 x confidence`` (1.0 at confidence 5,
0.7 at 2), so a candidate the data measures poorly (a proxy) cannot top the list by artefact.
A theme the data cannot measure at all (it needs fields the data does not have) is not ranked:
it is an **intelligence gap** (:attr:`PriorityMatrix.gaps`) with what is missing.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from safercity.analytics.harm import HarmWeights, load_weights
from safercity.analytics.themes import Theme, ThemeSet, load_themes
from safercity.analytics.trends import PoissonComparison, comparison_dispersion
from safercity.analytics.wording import field_words

ASB = "Anti-social behaviour"

DIMENSIONS = (
    "harm_individual",
    "harm_community",
    "likelihood",
    "organisational",
    "public_concern",
)

DIMENSION_LABELS: dict[str, str] = {
    "harm_individual": "Harm to individuals",
    "harm_community": "Harm to the community",
    "likelihood": "Likelihood",
    "organisational": "Organisational position",
    "public_concern": "Public concern",
    "confidence": "Confidence",
}

DEFAULT_WEIGHTS: dict[str, float] = {
    "harm_individual": 0.30,
    "harm_community": 0.20,
    "likelihood": 0.20,
    "organisational": 0.10,
    "public_concern": 0.20,
}

#: lower bounds of scores 2..5
DEFAULT_THRESHOLDS: dict[str, tuple[float, float, float, float]] = {
    "harm_individual": (2.0, 10.0, 50.0, 200.0),
    "harm_community": (1.0, 5.0, 10.0, 20.0),
}

#: ASB's harm to individuals by convention (no CCHI weight: not a crime)
ASB_HARM_SCORE = 2
#: RAG of last year's matching priority -> organisational position score
RAG_SCORES: dict[str, int] = {"red": 4, "amber": 3, "green": 2, "grey": 3}
#: confidence below these counts of incidents this period
FEW_INCIDENTS = 50
VERY_FEW_INCIDENTS = 20
VIOLENCE = "Violence and sexual offences"
MIXED_CATEGORIES = frozenset({"Other crime", "Other theft"})

#: the Strategy 2011-14 consultation ranking (October 2010, over 100 responses)
WESTMINSTER_2010_CONSULTATION: tuple[str, ...] = (
    "night-time-economy",
    "reoffending",
    "youth",
    "substance-misuse",
    "violence-against-women-and-girls",
)


def score_by_thresholds(value: float, thresholds: Sequence[float]) -> int:
    """1 + the number of thresholds at or below ``value`` (so 1..5 for four thresholds)."""
    return 1 + bisect.bisect_right(list(thresholds), value)


def deciding_p(comparison: PoissonComparison) -> float:
    """The p-value that decides: the overdispersion-adjusted one when computed, else the
    E-test's."""
    p = comparison.p_quasi_poisson
    return comparison.p_etest if p is None else p


def trend_score(comparison: PoissonComparison | None, big_change_pct: float = 10.0) -> int:
    """Score a change (the likelihood rule in the module docstring)."""
    if comparison is None or np.isnan(comparison.pct_change):
        return 3
    if not deciding_p(comparison) < comparison.alpha:
        return 3
    if comparison.pct_change > 0:
        return 5 if comparison.pct_change >= big_change_pct else 4
    return 1 if comparison.pct_change <= -big_change_pct else 2


def concern_score(rank: int | None) -> int:
    """Consultation rank 1 -> 5, 2 -> 4, 3 -> 3, 4 -> 2, lower or unranked -> 1."""
    if rank is None or rank < 1:
        return 1
    return max(1, 6 - rank)


def confidence_factor(confidence: int) -> float:
    """The priority score's multiplier: 0.5 + 0.1 x confidence."""
    return 0.5 + 0.1 * confidence


@dataclass(frozen=True)
class Candidate:
    """One candidate priority: a crime category, anti-social behaviour or a theme."""

    key: str
    title: str
    kind: str  # "crime category" | "anti-social behaviour" | "theme"
    theme: Theme | None = None
    category: str | None = None

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        if self.theme is not None:
            return self.theme.condition.mask(frame)
        return (frame["category"] == self.category).to_numpy()

    @property
    def categories(self) -> set[str]:
        if self.category is not None:
            return {self.category}
        cats = self.theme.condition.categories if self.theme is not None else None
        return set(cats or [])


def single_category(theme: Theme) -> str | None:
    """The category a theme is, when it is exactly one category and nothing else."""
    cats = theme.spec.get("categories")
    filters = set(theme.spec) - {"title", "description", "applies_to", "proxy_for", "categories"}
    if isinstance(cats, list) and len(cats) == 1 and not filters:
        return theme.condition.categories[0] if theme.condition.categories else None
    return None


def candidates(
    themes: ThemeSet, categories: Sequence[str], area: str | None = None
) -> list[Candidate]:
    """Themes that apply to ``area`` and every category (a one-category theme stands for it)."""
    out: list[Candidate] = []
    taken: set[str] = set()
    for name in themes:
        theme = themes[name]
        if not theme.applies(area):
            continue
        cat = single_category(theme)
        kind = "anti-social behaviour" if cat == ASB else "theme"
        if cat is not None:
            taken.add(cat)
            kind = "anti-social behaviour" if cat == ASB else "crime category"
        out.append(Candidate(name, theme.title, kind, theme=theme, category=cat))
    for cat in sorted(set(categories) - taken):
        kind = "anti-social behaviour" if cat == ASB else "crime category"
        out.append(Candidate(_key(cat), cat, kind, category=cat))
    return out


def _key(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def _months(values: pd.Series) -> pd.Series:
    return pd.Series(
        pd.to_datetime(values).dt.to_period("M").dt.to_timestamp().to_numpy(),
        index=values.index,
    )


class PriorityMatrix:
    """Score and rank every candidate priority on the MoRiLE dimensions (module docstring).

    Parameters
    ----------
    incidents : DataFrame
        Incidents of the partnership area (store columns) covering both periods.
    themes : ThemeSet, optional
        Default None: the shipped themes (:func:`load_themes`).
    harm_weights : HarmWeights, optional
        Default None: the shipped CCHI table.
    consultation : sequence of str or mapping, optional
        Theme names (or categories) in the public's order of concern, or a mapping of candidate
        key or category to rank. Default None: public concern is not scored.
    previous : mapping, optional
        Candidate key (theme name) or category -> RAG ("red", "amber", "green", "grey") of the
        matching priority in last year's strategy monitoring. Default None: organisational
        position is not scored.
    weights : mapping, optional
        Dimension weights (non-negative; normalised). Default :data:`DEFAULT_WEIGHTS`.
    period_months : int, default 12
        Without ``this_months``: this period is the latest ``period_months`` months and the
        comparison period the ``period_months`` before.
    this_months, last_months : sequence of date, optional
        The months of this period and of the comparison period (e.g. the same month a year
        earlier), overriding ``period_months``.
    thresholds : mapping, optional
        Override :data:`DEFAULT_THRESHOLDS`.
    alpha : float, default 0.05
    area : str, optional
        The partnership's local authority: themes whose ``applies_to`` does not include it are
        not candidates.
    include_categories : bool, default True
        False: themes only (the matrix of earlier versions).

    Attributes
    ----------
    table : DataFrame
        One row per scored candidate, ranked: ``rank``, ``candidate``, ``title``, ``kind``,
        ``n`` (this period), each dimension's ``<dim>_value`` and ``<dim>_score``,
        ``confidence_score``, ``risk_score``, ``score`` and ``reasons`` (one per dimension,
        in ``<dim>_reason`` columns, joined in ``reasons``).
    gaps : DataFrame
        Themes that cannot be measured from this data: ``candidate``, ``title``, ``missing``
        (in words) and ``missing_fields`` (store field names).
    weights : dict
        Normalised weights actually used.
    """

    def __init__(
        self,
        incidents: pd.DataFrame,
        *,
        themes: ThemeSet | None = None,
        harm_weights: HarmWeights | None = None,
        consultation: Sequence[str] | Mapping[str, int] | None = None,
        previous: Mapping[str, str] | None = None,
        weights: Mapping[str, float] | None = None,
        period_months: int = 12,
        this_months: Sequence[dt.date] | None = None,
        last_months: Sequence[dt.date] | None = None,
        thresholds: Mapping[str, Sequence[float]] | None = None,
        alpha: float = 0.05,
        area: str | None = None,
        include_categories: bool = True,
    ) -> None:
        themes = themes if themes is not None else load_themes()
        hw = harm_weights if harm_weights is not None else load_weights()
        w = dict(DEFAULT_WEIGHTS)
        if weights:
            unknown = set(weights) - set(DIMENSIONS)
            if unknown:
                raise ValueError(f"unknown dimensions {sorted(unknown)}; use {DIMENSIONS}")
            w.update({k: float(v) for k, v in weights.items()})
        if any(v < 0 for v in w.values()):
            raise ValueError("weights must be non-negative")
        th: dict[str, tuple[float, ...]] = {k: tuple(v) for k, v in DEFAULT_THRESHOLDS.items()}
        for k, v in (thresholds or {}).items():
            if k not in th or len(v) != 4:
                raise ValueError(f"thresholds[{k!r}] must be four numbers ({', '.join(th)})")
            th[k] = tuple(float(x) for x in v)
        ranks: dict[str, int] = {}
        if isinstance(consultation, Mapping):
            ranks = {str(k): int(v) for k, v in consultation.items()}
        elif consultation is not None:
            for i, name in enumerate(consultation, start=1):
                key = themes.get(name).name if _is_theme(themes, name) else str(name)
                ranks.setdefault(key, i)
        scored_dims = [
            d
            for d in DIMENSIONS
            if (d != "public_concern" or consultation is not None)
            and (d != "organisational" or previous is not None)
        ]

        if incidents.empty or incidents["month"].isna().all():
            raise ValueError("cannot answer: no incident has a month")
        months = _months(incidents["month"])
        have = {ts.date() for ts in months.dropna().unique()}
        if this_months is None:
            last_month = max(have)
            end = pd.Timestamp(last_month)
            this_ts = pd.date_range(end - pd.DateOffset(months=period_months - 1), end, freq="MS")
            last_ts = pd.date_range(
                end - pd.DateOffset(months=2 * period_months - 1),
                end - pd.DateOffset(months=period_months),
                freq="MS",
            )
            this_months = [ts.date() for ts in this_ts]
            last_months = [ts.date() for ts in last_ts]
            if min(have) > last_months[0]:
                last_months = []  # under two periods of data: no comparison
        this_set, last_set = set(this_months), set(last_months or [])
        in_this = months.dt.date.isin(this_set).to_numpy()
        in_last = months.dt.date.isin(last_set).to_numpy()
        exp_this = sum(1 for m in this_set if m in have)
        exp_last = sum(1 for m in last_set if m in have)
        n_all = int(in_this.sum())
        has_times = bool(
            "occurred_from" in incidents.columns and incidents["occurred_from"].notna().any()
        )
        month_keys = [pd.Timestamp(m) for m in (list(last_months or []) + list(this_months))]

        cats = sorted(set(incidents.loc[in_this | in_last, "category"].dropna().astype(str)))
        if not include_categories:
            cands = [
                Candidate(n, themes[n].title, "theme", theme=themes[n])
                for n in themes
                if themes[n].applies(area)
            ]
        else:
            cands = candidates(themes, cats, area)
        rows: list[dict[str, Any]] = []
        gaps: list[dict[str, Any]] = []
        for cand in cands:
            if cand.theme is not None:
                missing = cand.theme.missing_data(incidents)
                if missing:
                    gaps.append(
                        {
                            "candidate": cand.key,
                            "title": cand.title,
                            "missing": field_words(", ".join(missing)),
                            "missing_fields": ", ".join(missing),
                        }
                    )
                    continue
            mask = cand.mask(incidents)
            this = incidents[mask & in_this]
            n = len(this)
            n_last = int((mask & in_last).sum())
            values: dict[str, Any] = {}
            scores: dict[str, int | None] = {}
            reasons: dict[str, str] = {}
            # harm to individuals
            cats_this = this["category"].astype(str)
            per = cats_this.map(lambda c: hw.weights.get(c))
            per = pd.to_numeric(per, errors="coerce")
            crimes = per.notna()
            if crimes.any():
                mean_harm = float(per[crimes].mean())
                values["harm_individual"] = mean_harm
                scores["harm_individual"] = score_by_thresholds(mean_harm, th["harm_individual"])
                reasons["harm_individual"] = (
                    f"{mean_harm:,.1f} days of custody per crime on average (CCHI)"
                )
            elif n and (cats_this == ASB).all():
                values["harm_individual"] = None
                scores["harm_individual"] = ASB_HARM_SCORE
                reasons["harm_individual"] = (
                    "anti-social behaviour has no crime harm weight; scored 2 by convention "
                    "(its harm to vulnerable and repeat victims needs council case data)"
                )
            else:
                values["harm_individual"] = None
                scores["harm_individual"] = None
                reasons["harm_individual"] = "no harm weight applies"
            # harm to the community: volume
            share = 100.0 * n / n_all if n_all else 0.0
            values["harm_community"] = share
            scores["harm_community"] = score_by_thresholds(share, th["harm_community"])
            reasons["harm_community"] = f"{n:,} incidents, {share:.1f}% of all this period"
            # likelihood: the change, overdispersion allowed for where it can be estimated
            comparison = None
            if exp_this and exp_last:
                sub_months = months[mask]
                counts = sub_months.value_counts()
                series = pd.Series(
                    [
                        float(counts.get(ts, 0)) if ts.date() in have else np.nan
                        for ts in month_keys
                    ],
                    index=pd.DatetimeIndex(month_keys),
                )
                dispersion = (
                    comparison_dispersion(series, len(this_months))
                    if int(series.notna().sum()) >= 4
                    else None
                )
                comparison = PoissonComparison(
                    n,
                    n_last,
                    exposure_this=exp_this,
                    exposure_last=exp_last,
                    alpha=alpha,
                    dispersion=dispersion,
                )
            values["likelihood"] = None if comparison is None else comparison.pct_change
            scores["likelihood"] = trend_score(comparison)
            reasons["likelihood"] = _likelihood_reason(comparison)
            # organisational position
            if previous is not None:
                rag = _previous_rag(previous, cand)
                values["organisational"] = rag
                scores["organisational"] = RAG_SCORES.get(rag or "", 3)
                reasons["organisational"] = (
                    f"last year's matching priority was rated {rag}"
                    if rag
                    else "not among last year's priorities: no plan in place"
                )
            else:
                values["organisational"] = None
                scores["organisational"] = None
                reasons["organisational"] = "not scored: no strategy monitoring given"
            # public concern
            if consultation is not None:
                rank = _rank(ranks, cand)
                values["public_concern"] = rank
                scores["public_concern"] = concern_score(rank)
                reasons["public_concern"] = (
                    f"ranked {rank} in the consultation"
                    if rank
                    else "not ranked in the consultation"
                )
            else:
                values["public_concern"] = None
                scores["public_concern"] = None
                reasons["public_concern"] = "not scored: no consultation results given"
            confidence, why = _confidence(cand, n, comparison, has_times)
            reasons["confidence"] = why
            used = {d: w[d] for d in scored_dims if scores.get(d) is not None}
            total_w = sum(used.values())
            risk = (
                sum(used[d] * float(scores[d] or 0) for d in used) / total_w
                if total_w > 0
                else float("nan")
            )
            row: dict[str, Any] = {
                "candidate": cand.key,
                "title": cand.title,
                "kind": cand.kind,
                "n": n,
                "n_previous": n_last,
                "proxy_for": cand.theme.proxy_for if cand.theme is not None else None,
            }
            for d in DIMENSIONS:
                row[f"{d}_value"] = values.get(d)
                row[f"{d}_score"] = scores.get(d)
            row["confidence_score"] = confidence
            row["risk_score"] = risk
            row["score"] = risk * confidence_factor(confidence)
            for d in (*DIMENSIONS, "confidence"):
                row[f"{d}_reason"] = reasons[d]
            row["reasons"] = "; ".join(
                f"{DIMENSION_LABELS[d].lower()}: {reasons[d]}" for d in (*DIMENSIONS, "confidence")
            )
            rows.append(row)
        table = pd.DataFrame(rows)
        if table.empty:
            table = pd.DataFrame(columns=["candidate", "title", "kind", "n", "score"])
        else:
            table = table.sort_values(
                ["score", "n", "title"], ascending=[False, False, True], kind="stable"
            )
        table.insert(0, "rank", np.arange(1, len(table) + 1))
        for col in ["n", "n_previous", *(f"{d}_score" for d in DIMENSIONS), "confidence_score"]:
            if col in table.columns:
                table[col] = table[col].astype("Int64")
        self.table = table.reset_index(drop=True)
        self.gaps = pd.DataFrame(gaps, columns=["candidate", "title", "missing", "missing_fields"])
        total = sum(w[d] for d in scored_dims)
        self.weights = {d: w[d] / total for d in scored_dims} if total else {}
        self.raw_weights = w
        self.scored_dims = scored_dims
        self.consultation = consultation
        self.thresholds = th

    def reranked(self, weights: Mapping[str, float]) -> pd.DataFrame:
        """The ranking under other weights (for a sensitivity note): candidate, score, rank."""
        t = self.table
        if t.empty:
            return pd.DataFrame(columns=["candidate", "title", "score", "rank"])
        used = [d for d in self.scored_dims if float(weights.get(d, 0.0)) > 0]
        scores = []
        for _i, r in t.iterrows():
            num = den = 0.0
            for d in used:
                s = r[f"{d}_score"]
                if s is pd.NA or s is None:
                    continue
                num += float(weights[d]) * float(s)
                den += float(weights[d])
            risk = num / den if den else float("nan")
            scores.append(risk * confidence_factor(int(r["confidence_score"])))
        out = pd.DataFrame({"candidate": t["candidate"], "title": t["title"], "score": scores})
        out = out.sort_values(["score", "title"], ascending=[False, True], kind="stable")
        out["rank"] = np.arange(1, len(out) + 1)
        return out.reset_index(drop=True)

    def rules(self) -> dict[str, str]:
        """Each dimension's rule in words (for the report and ``--json``)."""
        hi, co = self.thresholds["harm_individual"], self.thresholds["harm_community"]
        return {
            "harm_individual": "mean days of custody per crime (CCHI); "
            + _rule(hi)
            + "; anti-social behaviour 2 by convention",
            "harm_community": "% of all incidents this period; " + _rule(co),
            "likelihood": "change against the comparison period, significance allowing for "
            "overdispersion where it can be estimated (else the E-test): significant fall of "
            "10% or more 1, other significant fall 2, no significant change 3, significant "
            "rise 4, significant rise of 10% or more 5",
            "organisational": "last year's matching priority red 4, amber 3, green 2; none "
            "(no plan in place) 3",
            "public_concern": "consultation rank 1st 5, 2nd 4, 3rd 3, 4th 2, lower 1",
            "confidence": "5; 4 when overdispersion could not be allowed for; 3 for police-"
            "recorded violence, ASB, a mixed category or a theme whose hours the data cannot "
            "show; 2 for a proxy or under 50 incidents; 1 under 20. Priority score = risk "
            "score x (0.5 + 0.1 x confidence)",
        }

    def to_dict(self) -> dict[str, Any]:
        rows = []
        for _i, r in self.table.iterrows():
            row: dict[str, Any] = {}
            for k, v in r.items():
                if v is pd.NA or (isinstance(v, float) and np.isnan(v)):
                    v = None
                row[str(k)] = v.item() if hasattr(v, "item") else v
            rows.append(row)
        return {
            "weights": self.weights,
            "rules": self.rules(),
            "priorities": rows,
            "intelligence_gaps": self.gaps.to_dict(orient="records"),
        }


def _is_theme(themes: ThemeSet, name: str) -> bool:
    try:
        themes.get(name)
    except KeyError:
        return False
    return True


def _rank(ranks: Mapping[str, int], cand: Candidate) -> int | None:
    found = [ranks[k] for k in (cand.key, cand.category) if k is not None and k in ranks]
    return min(found) if found else None


def _previous_rag(previous: Mapping[str, str], cand: Candidate) -> str | None:
    for k in (cand.key, cand.category):
        if k is not None and k in previous:
            return str(previous[k])
    return None


def _likelihood_reason(comparison: PoissonComparison | None) -> str:
    if comparison is None:
        return "no comparison period with data"
    if np.isnan(comparison.pct_change):
        return f"{comparison.this_period:,} this period, none in the comparison period"
    pct = comparison.pct_change
    word = "up" if pct > 0 else "down" if pct < 0 else "unchanged"
    size = f" {abs(pct):.1f}%" if pct else ""
    p = deciding_p(comparison)
    p_text = "p < 0.001" if p < 0.001 else f"p = {p:.3g}"
    how = (
        f"allowing for overdispersion (dispersion {comparison.dispersion:.3g}), {p_text}"
        if comparison.p_quasi_poisson is not None and comparison.dispersion is not None
        else f"E-test {p_text}; overdispersion could not be estimated"
    )
    verdict = "significant" if p < comparison.alpha else "not significant"
    return (
        f"{comparison.this_period:,} against {comparison.last_period:,}, {word}{size} "
        f"({verdict}: {how})"
    )


def _confidence(
    cand: Candidate, n: int, comparison: PoissonComparison | None, has_times: bool
) -> tuple[int, str]:
    score = 5
    why: list[str] = []

    def cap(value: int, reason: str) -> None:
        nonlocal score
        score = min(score, value)
        why.append(reason)

    if comparison is not None and comparison.p_quasi_poisson is None:
        cap(4, "the change could not allow for overdispersion")
    cats = cand.categories
    if VIOLENCE in cats:
        cap(3, "police recording of violence has changed (ONS: not a reliable trend measure)")
    if cand.category == ASB:
        cap(3, "police-recorded ASB depends on how calls are classified")
    if cand.category in MIXED_CATEGORIES:
        cap(3, "a mixed category")
    if cand.theme is not None and cand.theme.hours and not has_times:
        cap(3, "the data has no times, so every hour is counted")
    if cand.theme is not None and cand.theme.proxy_for:
        cap(2, f"a proxy: it measures the offences, not {cand.theme.proxy_for}")
    if n < VERY_FEW_INCIDENTS:
        cap(1, f"fewer than {VERY_FEW_INCIDENTS} incidents")
    elif n < FEW_INCIDENTS:
        cap(2, f"fewer than {FEW_INCIDENTS} incidents")
    if not why:
        why.append("police-recorded crime, directly measured")
    return score, "; ".join(why)


def _rule(th: Sequence[float]) -> str:
    a, b, c, d = th
    return f"under {a:g} 1, {a:g}-{b:g} 2, {b:g}-{c:g} 3, {c:g}-{d:g} 4, {d:g} or more 5"


__all__ = [
    "DEFAULT_WEIGHTS",
    "DIMENSIONS",
    "DIMENSION_LABELS",
    "WESTMINSTER_2010_CONSULTATION",
    "Candidate",
    "PriorityMatrix",
    "candidates",
    "concern_score",
    "confidence_factor",
    "score_by_thresholds",
    "trend_score",
]
