"""Review of last year's priorities from the strategy's monitoring.

The strategy (its priorities, activities, milestones, measures and progress updates) is read
from a strategy file - the worked example, or what ``safercity strategy export --from-db``
writes from the web app - and monitored as at the end of the assessment period with the same
rules as the web app's board report (:mod:`safercity.analytics.monitoring`): each activity's
status, each measure's RAG, each priority's RAG. Each priority is matched to a candidate of the
priority assessment (a theme or a crime category) by its name, so the assessment can say what
changed in the data and score the organisational position.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from safercity.analytics import monitoring as rules
from safercity.analytics.assessment.consultation import match_theme
from safercity.analytics.categories import normalise_category
from safercity.analytics.themes import ThemeSet
from safercity.strategy.model import OwnerEntered


@dataclass
class PriorityReview:
    """One of last year's priorities, as at the review date."""

    id: str
    title: str
    rag: str
    activities: dict[str, int]
    measures: list[tuple[str, str, str]]  # (description, RAG label, reason)
    candidate: str | None
    latest_update: str = ""


@dataclass
class StrategyReview:
    """Last year's strategy, monitored as at ``as_at``."""

    source: str
    title: str
    period: str
    as_at: dt.date
    priorities: list[PriorityReview] = field(default_factory=list)

    @property
    def rag_by_candidate(self) -> dict[str, str]:
        """Candidate key (theme name or category) -> the matching priority's RAG."""
        return {p.candidate: p.rag for p in self.priorities if p.candidate}

    def table(self) -> pd.DataFrame:
        rows = []
        for p in self.priorities:
            acts = p.activities
            rows.append(
                {
                    "priority": p.title,
                    "rag": rules.RAG_LABELS.get(p.rag, p.rag),
                    "activities": sum(acts.values()),
                    "complete": acts.get(rules.COMPLETE, 0),
                    "on_track": acts.get(rules.ON_TRACK, 0),
                    "at_risk": acts.get(rules.AT_RISK, 0),
                    "overdue": acts.get(rules.OVERDUE, 0),
                    "not_started": acts.get(rules.NOT_STARTED, 0),
                    "measures_rated": sum(1 for m in p.measures if m[1] != "No data"),
                    "measures": len(p.measures),
                    "candidate": p.candidate or "",
                }
            )
        return pd.DataFrame(
            rows,
            columns=[
                "priority",
                "rag",
                "activities",
                "complete",
                "on_track",
                "at_risk",
                "overdue",
                "not_started",
                "measures_rated",
                "measures",
                "candidate",
            ],
        )


def month_end(month: dt.date) -> dt.date:
    return dt.date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])


def _updates(items: Any) -> list[rules.Update]:
    return [rules.Update(u.date, u.status) for u in items]


def review_strategy(
    path: str | Path,
    as_at: dt.date,
    themes: ThemeSet,
    *,
    workspace: Any = None,
) -> StrategyReview:
    """Monitor the strategy file at ``path`` as at ``as_at`` (see the module docstring).

    Analytics measures are computed from ``workspace`` when given, else left unrated.
    """
    from safercity.strategy.io import load

    model = load(path)
    strategy = model.strategy
    deadline = rules.strategy_end(strategy.period_end)
    out = StrategyReview(
        source=str(path),
        title=strategy.title,
        period=f"{strategy.period_start}-{strategy.period_end}",
        as_at=as_at,
    )
    for pr in model.priorities:
        statuses: list[rules.Status] = []
        rags: list[str] = []
        measures: list[tuple[str, str, str]] = []
        latest: tuple[dt.date, str] | None = None
        plan = pr.action_plan
        for ob in plan.objectives if plan else []:
            for ac in ob.activities:
                ms = [
                    rules.milestone_status(_updates(m.updates), as_at, due=m.due)
                    for m in ac.milestones
                ]
                statuses.append(rules.activity_status(_updates(ac.updates), ms, as_at))
                for u in ac.updates:
                    if u.date <= as_at and (latest is None or u.date >= latest[0]):
                        latest = (u.date, u.narrative)
                for me in ac.measures:
                    src = me.data_source
                    values: list[tuple[dt.date, float]] = []
                    if isinstance(src, OwnerEntered):
                        values = [(v.date, v.value) for v in src.values]
                    elif workspace is not None:
                        values = rules.analytics_values(
                            workspace,
                            category=list(getattr(src, "category", []) or []),
                            theme=getattr(src, "theme", None),
                            area=getattr(src, "area", None),
                            period=getattr(src, "period", "rolling_12_months"),
                        )
                    base = me.baseline
                    rating = rules.MeasureRating(
                        values,
                        as_at,
                        direction=me.direction,
                        target=me.target,
                        target_upper=me.target_upper,
                        baseline=base.value if base else None,
                        baseline_date=base.date if base else None,
                        deadline=me.due or deadline,
                        unit=me.unit,
                    )
                    measures.append((me.description, rating.label, rating.reason))
                    rags.append(rating.rag)
        rag = rules.priority_rag(statuses, rags)
        counts = {s: sum(1 for x in statuses if x == s) for s in rules.STATUS_LABELS}
        out.priorities.append(
            PriorityReview(
                id=pr.id,
                title=pr.title,
                rag=rag,
                activities=counts,
                measures=measures,
                candidate=_candidate(pr.id, pr.title, themes),
                latest_update=latest[1] if latest else "",
            )
        )
    return out


def _candidate(pid: str, title: str, themes: ThemeSet) -> str | None:
    """The theme or category a priority is about: by id, then title (None when neither)."""
    for name in (pid, title):
        theme = match_theme(name, themes)
        if theme is not None:
            return theme
        cat = normalise_category(name)
        if cat is not None:
            return cat
    return None


__all__ = ["PriorityReview", "StrategyReview", "month_end", "review_strategy"]
