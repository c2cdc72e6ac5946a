"""The monitoring picture of a strategy as at a day: each milestone's and activity's status,
each measure's rating, each priority's RAG (the rules are :mod:`safercity.analytics.monitoring`,
written down in ``docs/monitoring.md``).

A refreshed version's carried-over activity, milestone or measure continues the one it was
carried from: its history (updates and values) includes its predecessors'.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from safercity.analytics import monitoring as rules
from safercity.strategy.outcomes import Computed

from .models import (
    Activity,
    ActivityBody,
    Body,
    Measure,
    Milestone,
    Outcome,
    Priority,
    ProgressUpdate,
    Strategy,
)


def _u(updates: Iterable[ProgressUpdate]) -> list[rules.Update]:
    return [rules.Update(u.date, u.status) for u in updates]


def history(obj: Activity | Milestone | Measure) -> list[ProgressUpdate]:
    """The updates of a part and of the parts it was carried from (oldest version first)."""
    chain: list[Any] = []
    seen: set[Any] = set()
    current: Any = obj
    while current is not None and current.pk not in seen:
        chain.append(current)
        seen.add(current.pk)
        current = current.carried_from
    out: list[ProgressUpdate] = []
    for part in reversed(chain):
        out.extend(part.updates.all())
    return out


# --------------------------------------------------------------------------- views


@dataclass
class MeasureView:
    measure: Measure
    values: list[tuple[dt.date, float]]
    rating: rules.MeasureRating
    note: str = ""
    """What a computed measure rests on, or why it has no values."""
    leads: list[Body] = field(default_factory=list)
    previous: rules.MeasureRating | None = None
    """The rating as at the end of the quarter before (set by the board report)."""


@dataclass
class MilestoneView:
    milestone: Milestone
    status: str
    kind: str
    next_due: dt.date | None = None
    missed: list[rules.Occurrence] = field(default_factory=list)
    occurrences: int = 0
    runs_until: dt.date | None = None

    def __iter__(self) -> Any:  # (milestone, status), as pages and tests unpack it
        return iter((self.milestone, self.status))


@dataclass
class ActivityView:
    activity: Activity
    status: str
    milestones: list[MilestoneView]
    measures: list[MeasureView]
    leads: list[Body]
    supports: list[Body]
    last_update: ProgressUpdate | None
    next_due: dt.date | None = None


@dataclass
class OutcomeView:
    outcome: Outcome
    measures: list[MeasureView]


@dataclass
class PriorityView:
    priority: Priority
    rag: str
    activities: list[ActivityView] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    plan_milestones: list[MilestoneView] = field(default_factory=list)
    outcomes: list[OutcomeView] = field(default_factory=list)
    leads: list[Body] = field(default_factory=list)
    committed: int = 0
    """The partnership's own money committed to the priority."""
    external: int = 0
    """Grants and other external money named for the priority."""
    spent: int = 0
    """Spend (all sources) as at the day."""

    @property
    def remaining(self) -> int:
        return self.committed + self.external - self.spent

    @property
    def measures(self) -> list[MeasureView]:
        return [m for o in self.outcomes for m in o.measures] + [
            m for a in self.activities for m in a.measures
        ]

    @property
    def outcome_measures(self) -> list[MeasureView]:
        return [m for o in self.outcomes for m in o.measures]


# --------------------------------------------------------------------------- milestones


def milestone_view(m: Milestone, today: dt.date, strategy: Strategy) -> MilestoneView:
    updates = _u(history(m))
    kind = rules.milestone_kind(m.recurrence or None, m.due, m.start)
    until = m.until or rules.strategy_end(strategy.period_end)
    if kind == "recurring":
        recurrence = rules.parse_recurrence(m.recurrence)
        assert recurrence is not None
        start = m.start if m.due is None else None
        if m.due is None and start is None:
            start = rules.strategy_start(strategy.period_start)
        rec = rules.RecurringStatus(
            updates, today, recurrence=recurrence, first_due=m.due, start=start, until=until
        )
        return MilestoneView(
            m,
            rec.status,
            kind,
            next_due=rec.upcoming.due if rec.upcoming else None,
            missed=rec.missed,
            occurrences=len(rec.occurrences),
            runs_until=until,
        )
    if kind == "start":
        assert m.start is not None
        return MilestoneView(
            m, rules.start_status(updates, today, start=m.start), kind, runs_until=until
        )
    if kind == "deliverable":
        status = rules.milestone_status(updates, today, due=m.due)
        return MilestoneView(m, status, kind, next_due=m.due if status != rules.COMPLETE else None)
    return MilestoneView(m, rules.milestone_status(updates, today), kind)


# --------------------------------------------------------------------------- measures


def computed_values(measure: Measure, today: dt.date | None = None) -> Computed:
    """The values of a measure computed from the store, worked out once per version of the
    store (so they refresh when data is imported) through the analysis pages' cache; or, for
    a measure of kind cases, from the cohort's case records (:func:`cohort_values`)."""
    if measure.source_kind == Measure.CASES:
        return cohort_values(measure, today)
    from safercity.strategy import outcomes
    from safercity.web.analysis import services as analysis

    query = measure.query or {}
    key = json.dumps(query, sort_keys=True)

    def compute() -> Computed:
        with analysis.store() as con:
            return outcomes.compute(con, query)

    try:
        result: Computed = analysis.cached("strategy-measure", compute, key)
    except analysis.WorkspaceUnavailable:
        return Computed(note="the workspace's data cannot be read just now (or none is loaded)")
    return result


def cohort_values(measure: Measure, today: dt.date | None = None) -> Computed:
    """A measure of kind cases: the cohort's statistic by period, counted afresh from every
    case of the cohort each time (numbers only; not limited to what the viewer may see), up to
    the periods that have ended by today. Values after the monitoring day are left out by the
    rating, as for any measure."""
    from django.apps import apps
    from django.utils import timezone

    if not apps.is_installed("safercity.web.cases"):
        return Computed(note="case work is not installed")
    from safercity.web.cases import reporting

    query = measure.query or {}
    cohort, statistic = query.get("cohort") or "", query.get("statistic") or ""
    try:
        got = reporting.measure_values(
            cohort, statistic, query.get("period") or "quarter", today or timezone.localdate()
        )
    except ValueError as exc:  # an unknown statistic or period (a hand-edited query)
        return Computed(note=str(exc))
    return Computed(values=got.values, counts=got.counts, note=got.note)


def _chain(measure: Measure) -> list[Measure]:
    out, seen, current = [], set(), measure
    while current is not None and current.pk not in seen:
        out.append(current)
        seen.add(current.pk)
        current = current.carried_from
    return out


def measure_values(measure: Measure) -> list[tuple[dt.date, float]]:
    """The owner's values (its predecessors' too), or the values computed from the store."""
    if measure.source_kind == Measure.OWNER_ENTERED:
        return [(v.date, v.value) for m in reversed(_chain(measure)) for v in m.values.all()]
    return computed_values(measure).values


def targets_of(measure: Measure, strategy: Strategy) -> list[rules.Target]:
    """The measure's targets: one per year of the strategy given, then the whole one."""
    first = rules.strategy_start(strategy.period_start)
    end = measure.due or rules.strategy_end(strategy.period_end)
    out = []
    for t in measure.targets or []:
        year = int(t["year"])
        rel = t.get("target_relative") or {}
        out.append(
            rules.Target(
                value=t.get("target"),
                upper=t.get("target_upper"),
                times=rel.get("times"),
                percent=rel.get("percent"),
                start=dt.date(year, 4, 1),
                end=dt.date(year + 1, 3, 31),
                label=rules.financial_year_label(year),
            )
        )
    rel = measure.target_relative or {}
    if measure.target is not None or rel:
        out.append(
            rules.Target(
                value=measure.target,
                upper=measure.target_upper,
                times=rel.get("times"),
                percent=rel.get("percent"),
                start=first,
                end=end,
                label="by " + f"{end.day} {end:%B %Y}",
            )
        )
    return out


def rate_measure(
    measure: Measure, today: dt.date, strategy: Strategy, leads: list[Body] | None = None
) -> MeasureView:
    if measure.source_kind in Measure.COMPUTED:
        computed = computed_values(measure)
        values, counts, note = computed.values, computed.counts, computed.note
    else:
        values, counts, note = measure_values(measure), None, ""
    base = measure.baseline or {}
    base_date = base.get("date")
    rating = rules.MeasureRating(
        values,
        today,
        direction=measure.direction or None,
        targets=targets_of(measure, strategy),
        baseline=base.get("value"),
        baseline_date=dt.date.fromisoformat(base_date) if base_date else None,
        deadline=measure.due or rules.strategy_end(strategy.period_end),
        basis=measure.values_are,
        unit=measure.unit,
        counts=counts,
    )
    return MeasureView(measure, values, rating, note=note, leads=leads or [])


# --------------------------------------------------------------------------- the picture


def monitor(strategy: Strategy, today: dt.date | None = None) -> list[PriorityView]:
    """The whole monitoring picture, as at ``today`` (default: the strategy's default day)."""
    from .budgeting import money_by_priority

    if today is None:
        from .services import default_as_at

        today = default_as_at(strategy)
    bodies = {b.key: b for b in strategy.partnership.bodies.all()}
    money = money_by_priority(strategy, today)
    out = []
    for pr in strategy.priorities.prefetch_related(
        "objectives__activities__roles__body",
        "objectives__activities__updates",
        "objectives__activities__milestones__updates",
        "objectives__activities__measures__values",
        "objectives__activities__measures__updates",
        "outcomes__measures__values",
        "plan_milestones__updates",
    ):
        priority_leads = [bodies[k] for k in pr.lead if k in bodies]
        views = []
        for ob in pr.objectives.all():
            for ac in ob.activities.all():
                ms = [milestone_view(m, today, strategy) for m in ac.milestones.all()]
                updates = history(ac)
                status = rules.activity_status(_u(updates), [v.status for v in ms], today)
                roles = sorted(ac.roles.all(), key=lambda r: r.position)
                leads = [r.body for r in roles if r.role == ActivityBody.LEAD]
                due = [v.next_due for v in ms if v.next_due is not None]
                known = [u for u in updates if u.date <= today]
                views.append(
                    ActivityView(
                        activity=ac,
                        status=status,
                        milestones=ms,
                        measures=[
                            rate_measure(m, today, strategy, leads) for m in ac.measures.all()
                        ],
                        leads=leads,
                        supports=[r.body for r in roles if r.role == ActivityBody.SUPPORT],
                        last_update=max(known, key=lambda u: (u.date, u.position))
                        if known
                        else None,
                        next_due=min(due) if due else None,
                    )
                )
        plan = [milestone_view(m, today, strategy) for m in pr.plan_milestones.all()]
        outcome_views = []
        for oc in pr.outcomes.all():
            leads = [bodies[k] for k in oc.lead if k in bodies] or priority_leads
            outcome_views.append(
                OutcomeView(
                    oc, [rate_measure(m, today, strategy, leads) for m in oc.measures.all()]
                )
            )
        statuses = [v.status for v in views]
        measure_rags = [m.rating.rag for v in views for m in v.measures] + [
            m.rating.rag for o in outcome_views for m in o.measures
        ]
        rag = rules.priority_rag([*statuses, *(v.status for v in plan)], measure_rags)
        counts = {s: statuses.count(s) for s in rules.STATUS_LABELS}
        partnership, external, spent = money.get(pr.pk, (0, 0, 0))
        out.append(
            PriorityView(
                priority=pr,
                rag=rag,
                activities=views,
                counts=counts,
                plan_milestones=plan,
                outcomes=outcome_views,
                leads=priority_leads,
                committed=partnership,
                external=external,
                spent=spent,
            )
        )
    return out
