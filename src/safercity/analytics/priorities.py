"""Priorities: a transparent, MoRiLE-style scoring matrix over the themes.

MoRiLE ("Management of Risk in Law Enforcement", National Police Chiefs' Council / College of
Policing) scores each candidate priority on harm, likelihood and organisational factors with
stated rules and combines them with stated weights, so that a partnership can see *why* one
theme outranks another. :class:`PriorityMatrix` does the same for a CSP's themes
(:mod:`safercity.analytics.themes`) with five dimensions, each scored 1 (low) to 5 (high):

========================  ===================================================================
dimension                 rule (defaults; every threshold is a parameter)
========================  ===================================================================
harm                      mean harm per incident in CCHI days (:mod:`~.harm`):
                          <2 -> 1, 2-10 -> 2, 10-50 -> 3, 50-200 -> 4, >=200 -> 5
volume                    theme's share of all incidents in the period (%):
                          <1 -> 1, 1-5 -> 2, 5-10 -> 3, 10-20 -> 4, >=20 -> 5
trend                     latest 12 months against the 12 before (quasi-Poisson test allowing
                          for overdispersion, see :class:`~.trends.Trend`; E-test when no
                          dispersion can be estimated; alpha 0.05):
                          significant fall >=10% -> 1, other significant fall -> 2, no
                          significant change (or under 24 months) -> 3, significant rise -> 4,
                          significant rise >=10% -> 5
vulnerability / repeats   % of incidents that are repeats within 365 days against the same
                          victim (``victim_id``): <10 -> 1, 10-20 -> 2, 20-30 -> 3, 30-40 -> 4,
                          >=40 -> 5; not scored without victim ids
public concern            rank in a consultation (the Strategy's "Respondents ranked night time
                          economy as the number one priority followed by re-offending, young
                          people, drugs, and violence against women"): 1st -> 5, 2nd -> 4,
                          3rd -> 3, 4th -> 2, lower or unranked -> 1; not scored without one
========================  ===================================================================

The overall score is the weighted mean of the scored dimensions (weights re-normalised over the
dimensions that could be scored, default weights harm 0.30, volume 0.20, trend 0.15,
vulnerability 0.20, public concern 0.15), and the ranked table gives each theme's reasons.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from safercity.analytics.harm import HarmWeights, load_weights, weights_per_incident
from safercity.analytics.repeats import RepeatVictimisation
from safercity.analytics.themes import ThemeSet, load_themes
from safercity.analytics.trends import PoissonComparison, comparison_dispersion, monthly_counts

DIMENSIONS = ("harm", "volume", "trend", "vulnerability", "public_concern")

DEFAULT_WEIGHTS: dict[str, float] = {
    "harm": 0.30,
    "volume": 0.20,
    "trend": 0.15,
    "vulnerability": 0.20,
    "public_concern": 0.15,
}

#: lower bounds of scores 2..5
DEFAULT_THRESHOLDS: dict[str, tuple[float, float, float, float]] = {
    "harm": (2.0, 10.0, 50.0, 200.0),
    "volume": (1.0, 5.0, 10.0, 20.0),
    "vulnerability": (10.0, 20.0, 30.0, 40.0),
}

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


def trend_score(comparison: PoissonComparison | None, big_change_pct: float = 10.0) -> int:
    """Score the year-on-year change (rule in the module docstring).

    Significance is the quasi-Poisson test's when the comparison carries a dispersion
    (overdispersion allowed for), else the E-test's.
    """
    if comparison is None or np.isnan(comparison.pct_change):
        return 3
    p = comparison.p_quasi_poisson
    significant = comparison.significant if p is None else p < comparison.alpha
    if not significant:
        return 3
    if comparison.pct_change > 0:
        return 5 if comparison.pct_change >= big_change_pct else 4
    return 1 if comparison.pct_change <= -big_change_pct else 2


def concern_score(rank: int | None) -> int:
    """Consultation rank 1 -> 5, 2 -> 4, 3 -> 3, 4 -> 2, lower or unranked -> 1."""
    if rank is None or rank < 1:
        return 1
    return max(1, 6 - rank)


class PriorityMatrix:
    """Score and rank themes on harm, volume, trend, vulnerability and public concern.

    Parameters
    ----------
    incidents : DataFrame
        All incidents of the partnership area (store columns).
    themes : ThemeSet, optional
        Default None: the shipped themes (:func:`load_themes`).
    harm_weights : HarmWeights, optional
        Default None: the shipped CCHI table.
    consultation : sequence of str, optional
        Theme names in the public's order of priority (first = most concern). Default None:
        public concern is not scored. :data:`WESTMINSTER_2010_CONSULTATION` is the Strategy's.
    weights : mapping, optional
        Dimension weights (any non-negative numbers; normalised). Default
        :data:`DEFAULT_WEIGHTS`.
    period_months : int, default 12
        Volume, harm and vulnerability use the latest ``period_months`` months; trend compares
        them with the ``period_months`` before.
    thresholds : mapping, optional
        Override :data:`DEFAULT_THRESHOLDS` for harm, volume or vulnerability.
    alpha : float, default 0.05
        Significance level for the trend score.

    Attributes
    ----------
    table : DataFrame
        One row per theme, ranked: n, each dimension's value and score, ``score`` (weighted
        mean, 1-5), ``rank`` and ``reasons``. A theme whose definition needs fields the data
        does not have at all (:meth:`Theme.missing_data`, e.g. wards or victim ages) is not
        scored: its score is NaN, it is ranked last and its reason says what is missing.
    weights : dict
        Normalised weights actually used.
    """

    def __init__(
        self,
        incidents: pd.DataFrame,
        *,
        themes: ThemeSet | None = None,
        harm_weights: HarmWeights | None = None,
        consultation: Sequence[str] | None = None,
        weights: Mapping[str, float] | None = None,
        period_months: int = 12,
        thresholds: Mapping[str, Sequence[float]] | None = None,
        alpha: float = 0.05,
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
                raise ValueError(f"thresholds[{k!r}] must be four numbers (harm/volume/vuln.)")
            th[k] = tuple(float(x) for x in v)
        ranks: dict[str, int] = {}
        if consultation is not None:
            for i, name in enumerate(consultation, start=1):
                ranks[themes.get(name).name] = i
        scored_dims = [d for d in DIMENSIONS if d != "public_concern" or consultation is not None]

        months = pd.Series(
            pd.to_datetime(incidents["month"]).dt.to_period("M").dt.to_timestamp(),
            index=incidents.index,
        )
        if months.isna().all():
            raise ValueError("cannot answer: no incident has a month")
        months_with_data = pd.DatetimeIndex(months.dropna().unique())
        first_month = pd.Timestamp(months.min())
        last_month = pd.Timestamp(months.max())
        start = last_month - pd.DateOffset(months=period_months - 1)
        in_period = (months >= start).to_numpy()
        n_all = int(in_period.sum())
        has_victims = "victim_id" in incidents.columns and incidents["victim_id"].notna().any()

        rows = []
        for name in themes:
            theme = themes[name]
            missing = theme.missing_data(incidents)
            if missing:
                # the data cannot answer for this theme: say so rather than score it as no crime
                row_na: dict[str, Any] = {"theme": name, "title": theme.title, "n": None}
                for d in DIMENSIONS:
                    row_na[f"{d}_value"] = None
                    row_na[f"{d}_score"] = None
                row_na["score"] = float("nan")
                row_na["reasons"] = "cannot assess: the data has no " + ", ".join(missing)
                rows.append(row_na)
                continue
            sub = theme.filter(incidents)
            sub_months = months.loc[sub.index]
            recent = sub[(sub_months >= start).to_numpy()]
            n = len(recent)
            values: dict[str, Any] = {}
            scores: dict[str, int | None] = {}
            reasons: list[str] = []
            # harm: mean CCHI days per weighted incident
            per = pd.Series(weights_per_incident(recent["category"], hw))
            mean_harm = float(per.mean()) if per.notna().any() else float("nan")
            values["harm"] = mean_harm
            scores["harm"] = (
                None if np.isnan(mean_harm) else score_by_thresholds(mean_harm, th["harm"])
            )
            reasons.append(
                f"harm: {mean_harm:.1f} days per incident" if scores["harm"] else "harm: no weight"
            )
            # volume
            share = 100.0 * n / n_all if n_all else 0.0
            values["volume"] = share
            scores["volume"] = score_by_thresholds(share, th["volume"])
            reasons.append(f"volume: {n:,} incidents, {share:.1f}% of all")
            # trend
            comparison = None
            if len(sub):
                monthly = monthly_counts(
                    sub, start=first_month.date(), end=last_month.date()
                ).astype(float)
                # a month with no incident of any kind is missing data, not zero: compare
                # rates per month of data (as trends.Trend does)
                monthly[~monthly.index.isin(months_with_data)] = np.nan
                if len(monthly) >= 2 * period_months:
                    now = monthly.iloc[-period_months:]
                    before = monthly.iloc[-2 * period_months : -period_months]
                    if now.notna().any() and before.notna().any():
                        dispersion = comparison_dispersion(
                            monthly.iloc[-2 * period_months :], period_months
                        )
                        comparison = PoissonComparison(
                            int(np.nansum(now)),
                            int(np.nansum(before)),
                            exposure_this=float(now.notna().sum()),
                            exposure_last=float(before.notna().sum()),
                            alpha=alpha,
                            dispersion=dispersion,
                        )
            values["trend"] = None if comparison is None else comparison.pct_change
            scores["trend"] = trend_score(comparison)
            reasons.append(
                "trend: under 24 months of data"
                if comparison is None
                else "trend: " + comparison.statement("incidents")
            )
            # vulnerability: repeats within 365 days
            scores["vulnerability"] = None
            values["vulnerability"] = None
            if has_victims and recent["victim_id"].notna().any():
                rv = RepeatVictimisation(sub[sub["victim_id"].notna()], key="victim_id")
                values["vulnerability"] = rv.share_incidents_repeat_window
                scores["vulnerability"] = score_by_thresholds(
                    rv.share_incidents_repeat_window, th["vulnerability"]
                )
                reasons.append(
                    f"repeats: {rv.share_incidents_repeat_window:.0f}% of incidents within 365 days"
                )
            else:
                reasons.append("repeats: no victim ids, not scored")
            # public concern
            if consultation is not None:
                rank = ranks.get(name)
                values["public_concern"] = rank
                scores["public_concern"] = concern_score(rank)
                reasons.append(
                    f"public concern: ranked {rank} in consultation"
                    if rank
                    else "public concern: not ranked in consultation"
                )
            else:
                values["public_concern"] = None
                scores["public_concern"] = None
            used = {d: w[d] for d in scored_dims if scores.get(d) is not None}
            total_w = sum(used.values())
            overall = (
                sum(used[d] * float(scores[d] or 0) for d in used) / total_w
                if total_w > 0
                else float("nan")
            )
            row: dict[str, Any] = {"theme": name, "title": theme.title, "n": n}
            for d in DIMENSIONS:
                row[f"{d}_value"] = values.get(d)
                row[f"{d}_score"] = scores.get(d)
            row["score"] = overall
            row["reasons"] = "; ".join(reasons)
            rows.append(row)
        table = pd.DataFrame(rows).set_index("theme")
        table = table.sort_values(
            ["score", "n"], ascending=False, kind="stable", na_position="last"
        )
        table["rank"] = np.arange(1, len(table) + 1)
        for col in ["n", *(f"{d}_score" for d in DIMENSIONS)]:
            table[col] = table[col].astype("Int64")
        self.table = table
        total = sum(w[d] for d in scored_dims)
        self.weights = {d: w[d] / total for d in scored_dims} if total else {}
        self.consultation = list(consultation) if consultation is not None else None
        self.thresholds = th

    def to_dict(self) -> dict[str, Any]:
        rows = []
        for theme, r in self.table.iterrows():
            row: dict[str, Any] = {"theme": str(theme)}
            for k, v in r.items():
                if isinstance(v, float) and np.isnan(v):
                    v = None
                row[str(k)] = v.item() if hasattr(v, "item") else v
            rows.append(row)
        return {
            "weights": self.weights,
            "consultation": self.consultation,
            "rules": {
                "harm": "mean CCHI days per incident; " + _rule(self.thresholds["harm"]),
                "volume": "% of all incidents; " + _rule(self.thresholds["volume"]),
                "trend": "12 months vs previous 12, quasi-Poisson test (E-test if no dispersion): "
                "sig. fall>=10%:1, sig. fall:2, "
                "no sig. change:3, sig. rise:4, sig. rise>=10%:5",
                "vulnerability": "% repeats within 365 days; "
                + _rule(self.thresholds["vulnerability"]),
                "public_concern": "consultation rank 1:5, 2:4, 3:3, 4:2, lower:1",
            },
            "priorities": rows,
        }


def _rule(th: Sequence[float]) -> str:
    a, b, c, d = th
    return f"<{a:g}:1, {a:g}-{b:g}:2, {b:g}-{c:g}:3, {c:g}-{d:g}:4, >={d:g}:5"
