"""The budget as at a day: the partnership's own money and external grants apart, spend dated
on or before the day (adjustments included), spend by activity, and each commitment's annual
profile and forecast to year end (the rules: :mod:`safercity.strategy.budget`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from safercity.analytics import monitoring as rules
from safercity.strategy import budget as money_rules
from safercity.strategy.io import MONEY_KINDS

from .models import BudgetCommitment, Spend, Strategy

MONEY_LABELS = {
    "partnership": "Partnership money",
    "external": "External grants and funding",
    "core": "Partners' core resources",
}


def _lines(spend: list[Spend]) -> list[money_rules.SpendLine]:
    return [money_rules.SpendLine(s.date, s.amount_gbp) for s in spend]


def _profile(commitment: BudgetCommitment, year: int) -> money_rules.Profile | None:
    for p in commitment.profile or []:
        if int(p["year"]) == year:
            return money_rules.Profile(int(p["year"]), int(p["amount_gbp"]), p.get("quarters"))
    return None


def money_by_priority(strategy: Strategy, as_at: dt.date) -> dict[Any, tuple[int, int, int]]:
    """Priority id -> (partnership money committed, external money, spent as at the day)."""
    out: dict[Any, list[int]] = {}
    for c in strategy.commitments.select_related("funding_source").prefetch_related("spend"):
        row = out.setdefault(c.priority_id, [0, 0, 0])
        kind = MONEY_KINDS.get(c.funding_source.kind, "external")
        if kind == "partnership":
            row[0] += c.amount_gbp
        elif kind == "external":
            row[1] += c.amount_gbp
        row[2] += money_rules.spent_as_at(_lines(list(c.spend.all())), as_at)
    return {k: (v[0], v[1], v[2]) for k, v in out.items()}


def budget(strategy: Strategy, as_at: dt.date | None = None) -> dict[str, Any]:
    """Committed (partnership money and external money apart), spent as at ``as_at`` and
    remaining, per priority, funding source, commitment and activity; each commitment's
    position in the financial year of ``as_at`` (profile, profile to date, forecast)."""
    if as_at is None:
        from .services import default_as_at

        as_at = default_as_at(strategy)
    fy = rules.financial_year(as_at)
    by_priority: dict[str, dict[str, Any]] = {
        pr.key: {"name": pr.title, "partnership": 0, "external": 0, "core": 0, "spent": 0}
        for pr in strategy.priorities.all()
    }
    by_source: dict[str, dict[str, Any]] = {}
    for fs in strategy.funding_sources.all():
        kind = MONEY_KINDS.get(fs.kind, "external")
        by_source[fs.key] = {
            "name": fs.name,
            "kind": kind,
            "kind_label": MONEY_LABELS[kind],
            "committed": 0,
            "spent": 0,
        }
    unassigned = {"name": "Not assigned to a priority", "partnership": 0, "external": 0}
    unassigned |= {"core": 0, "spent": 0}
    totals = {kind: {"committed": 0, "spent": 0} for kind in MONEY_LABELS}
    commitments = []
    by_activity: dict[Any, dict[str, Any]] = {}
    entries = []
    for c in (
        strategy.commitments.select_related("priority", "funding_source")
        .prefetch_related("spend__activity", "spend__corrects")
        .order_by("position")
    ):
        kind = MONEY_KINDS.get(c.funding_source.kind, "external")
        known = [s for s in c.spend.all() if s.date <= as_at]
        spent = sum(s.amount_gbp for s in known)
        row = by_priority[c.priority.key] if c.priority else unassigned
        row[kind] += c.amount_gbp
        row["spent"] += spent
        by_source[c.funding_source.key]["committed"] += c.amount_gbp
        by_source[c.funding_source.key]["spent"] += spent
        totals[kind]["committed"] += c.amount_gbp
        totals[kind]["spent"] += spent
        position = money_rules.year_position(_lines(known), _profile(c, fy), as_at)
        commitments.append(
            {
                "commitment": c,
                "kind": kind,
                "kind_label": MONEY_LABELS[kind],
                "spent": spent,
                "remaining": c.amount_gbp - spent,
                "year": position,
                "year_label": rules.financial_year_label(fy),
                "profiled_years": [int(p["year"]) for p in c.profile or []],
            }
        )
        for s in known:
            entries.append(s)
            if s.activity_id is not None:
                act = by_activity.setdefault(
                    s.activity_id, {"activity": s.activity, "spent": 0, "priority": c.priority}
                )
                act["spent"] += s.amount_gbp
    if any(unassigned[k] for k in ("partnership", "external", "core", "spent")):
        by_priority[""] = unassigned
    for r in by_priority.values():
        r["remaining"] = r["partnership"] + r["external"] + r["core"] - r["spent"]
    for r in by_source.values():
        r["remaining"] = r["committed"] - r["spent"]
    for t in totals.values():
        t["remaining"] = t["committed"] - t["spent"]
    entries.sort(key=lambda s: (s.date, s.created_at))
    return {
        "as_at": as_at,
        "year": fy,
        "year_label": rules.financial_year_label(fy),
        "by_priority": by_priority,
        "by_funding_source": by_source,
        "totals": totals,
        "partnership": totals["partnership"],
        "external": totals["external"],
        "commitments": commitments,
        "by_activity": sorted(
            by_activity.values(),
            key=lambda r: (r["priority"].position if r["priority"] else -1, r["activity"].key),
        ),
        "entries": entries,
        "later_entries": Spend.objects.filter(
            commitment__strategy=strategy, date__gt=as_at
        ).count(),
        "money_labels": MONEY_LABELS,
    }
