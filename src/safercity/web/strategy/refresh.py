"""The annual refresh: a new version of the strategy for the next year.

The partnership reviews its strategy every year ("an annual review ... to develop and refresh a
three year strategy"). A refresh copies the strategy into a new version whose ``previous`` is the
old one, which is kept exactly as it was (its updates, values and spend stay with it):

* priorities, outcomes (and their measures), objectives, funding sources and commitments (with
  their profiles) are copied;
* **open** activities are carried over: every activity not complete on the day of the refresh,
  with its roles, its milestones not yet complete and its measures; each carried part points
  back to the one it continues (``carried_from``), so its history (updates, values, and the
  occurrences of a recurring milestone) still counts and shows;
* activities, milestones and plan milestones already complete are not carried: they stay, done,
  in the old version;
* the refresh records what changed and why: what the partnership writes (each change with its
  reason, and its "you said, we did" answers to consultation, each with an optional reference
  to the consultation finding it answers), and what the refresh itself did (activities carried,
  activities and milestones closed).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from safercity.analytics import monitoring as rules

from .models import (
    Activity,
    ActivityBody,
    BudgetCommitment,
    FundingSource,
    Measure,
    Milestone,
    Objective,
    Outcome,
    Priority,
    Strategy,
)
from .progress import monitor


def _copy(obj: Any, **changes: Any) -> Any:
    """A new row with ``obj``'s fields (no id, no timestamps) and ``changes``."""
    data = {
        f.name: getattr(obj, f.name)
        for f in obj._meta.concrete_fields
        if f.name not in ("id", "created_at", "updated_at") and not f.primary_key
    }
    data.update(changes)
    new = type(obj)(**data)
    new.save()
    return new


def refresh_title(strategy: Strategy, year: int) -> str:
    """The first version's title and the year: "... 2011 – 14 (refreshed for 2012/13)"."""
    first = versions(strategy)[-1]
    return f"{first.title} (refreshed for {rules.financial_year_label(year)})"


@transaction.atomic
def refresh(
    strategy: Strategy,
    *,
    year: int,
    on: dt.date,
    changes: list[dict[str, str]],
    you_said_we_did: list[dict[str, str]],
    title: str | None = None,
) -> Strategy:
    """Make the version of ``strategy`` for financial ``year`` (refreshed on ``on``)."""
    picture = {a.activity.pk: a for p in monitor(strategy, on) for a in p.activities}
    new = _copy(
        strategy,
        title=title or refresh_title(strategy, year),
        previous=strategy,
        refresh=None,
    )
    carried, closed, closed_milestones = [], [], []
    sources = {
        fs.pk: _copy(fs, strategy=new) for fs in FundingSource.objects.filter(strategy=strategy)
    }
    for pr in strategy.priorities.all():
        new_pr = _copy(pr, strategy=new)
        for oc in Outcome.objects.filter(priority=pr):
            new_oc = _copy(oc, priority=new_pr)
            for me in Measure.objects.filter(outcome=oc):
                _copy(me, outcome=new_oc, activity=None, carried_from=me)
        plan_views = {v.milestone.pk: v for v in _plan(strategy, pr, on)}
        for mi in Milestone.objects.filter(priority=pr):
            if plan_views[mi.pk].status == rules.COMPLETE:
                closed_milestones.append(mi.text)
                continue
            _copy(mi, priority=new_pr, activity=None, carried_from=mi)
        for ob in Objective.objects.filter(priority=pr):
            new_ob = _copy(ob, priority=new_pr)
            for ac in Activity.objects.filter(objective=ob):
                view = picture[ac.pk]
                if view.status == rules.COMPLETE:
                    closed.append(ac)
                    continue
                new_ac = _copy(ac, objective=new_ob, carried_from=ac)
                carried.append(ac)
                for role in ActivityBody.objects.filter(activity=ac):
                    _copy(role, activity=new_ac)
                done = {v.milestone.pk for v in view.milestones if v.status == rules.COMPLETE}
                for mi in Milestone.objects.filter(activity=ac):
                    if mi.pk in done:
                        closed_milestones.append(mi.text)
                        continue
                    _copy(mi, activity=new_ac, priority=None, carried_from=mi)
                for me in Measure.objects.filter(activity=ac):
                    _copy(me, activity=new_ac, outcome=None, carried_from=me)
        for bc in BudgetCommitment.objects.filter(strategy=strategy, priority=pr):
            _copy(bc, strategy=new, priority=new_pr, funding_source=sources[bc.funding_source_id])
    for bc in BudgetCommitment.objects.filter(strategy=strategy, priority__isnull=True):
        _copy(bc, strategy=new, funding_source=sources[bc.funding_source_id])
    done_by_refresh = [
        {
            "what": f"{len(carried)} open activit{'y' if len(carried) == 1 else 'ies'} carried "
            f"over from {strategy.title}",
            "why": f"not complete on {on.day} {on:%B %Y}",
        }
    ]
    if closed:
        done_by_refresh.append(
            {
                "what": "Closed, not carried over (complete): "
                + "; ".join(a.title for a in closed),
                "why": "reported complete",
            }
        )
    if closed_milestones:
        done_by_refresh.append(
            {
                "what": f"{len(closed_milestones)} completed milestone"
                f"{'' if len(closed_milestones) == 1 else 's'} not carried over",
                "why": "reported complete",
            }
        )
    new.refresh = {
        "previous": strategy.title,
        "year": year,
        "date": on.isoformat(),
        "changes": [_clean(c, ("what", "why")) for c in [*changes, *done_by_refresh]],
        "you_said_we_did": [
            _clean(y, ("you_said", "we_did", "consultation")) for y in you_said_we_did
        ],
    }
    new.save()
    from .editing import _check

    _check(new)
    return new


def _plan(strategy: Strategy, priority: Priority, on: dt.date) -> list[Any]:
    from .progress import milestone_view

    return [milestone_view(m, on, strategy) for m in priority.plan_milestones.all()]


def _clean(item: dict[str, str], keys: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k in keys:
        value = (item.get(k) or "").strip()
        out[k] = value or None
    return out


def versions(strategy: Strategy) -> list[Strategy]:
    """The versions of a strategy, newest first: it, the one it refreshed, and so on, and the
    versions made from it."""
    chain: list[Strategy] = []
    seen: set[Any] = set()
    current: Strategy | None = strategy
    while current is not None and current.pk not in seen:
        chain.append(current)
        seen.add(current.pk)
        current = current.previous
    later = list(Strategy.objects.filter(previous=strategy))
    return [*reversed(sorted(later, key=lambda s: s.created_at)), *chain]
