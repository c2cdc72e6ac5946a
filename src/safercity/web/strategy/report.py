"""The quarterly performance report for the board (HTML and PDF), the measure chart and the
governance picture. Shared by the web pages and ``safercity strategy report``.

The report opens with the exceptions (what is overdue, at risk, off track, missed or over
budget), then the priorities at a glance against the quarter before, what changed since then
and what is due next quarter; then each priority's measures grouped under their lead, with the
outcome charts; the updates of the quarter; the budget (partnership money and external money
apart, spend as at the report's day, profile and forecast); and the board's own meetings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from safercity.analytics import charts
from safercity.analytics import monitoring as rules

from . import services
from .models import ActivityBody, Body, Strategy
from .progress import MeasureView, PriorityView


def quarter_of(day: dt.date) -> str:
    """The financial quarter a day falls in, e.g. "Quarter 1 2011/12" (April to June)."""
    fy = day.year if day.month >= 4 else day.year - 1
    q = ((day.month - 4) % 12) // 3 + 1
    return f"Quarter {q} {fy}/{(fy + 1) % 100:02d}"


def quarter_start(day: dt.date) -> dt.date:
    """First day of the financial quarter (April-June, July-September, ...) of ``day``."""
    fy = day.year if day.month >= 4 else day.year - 1
    month = 4 + 3 * (((day.month - 4) % 12) // 3)  # 4, 7, 10 or 13 (January next year)
    return dt.date(fy + (month > 12), (month - 1) % 12 + 1, 1)


def quarter_end(day: dt.date) -> dt.date:
    """Last day of the financial quarter of ``day``."""
    start = quarter_start(day)
    month = start.month + 3
    following = dt.date(start.year + (month > 12), (month - 1) % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def strategy_quarters(strategy: Strategy) -> list[tuple[dt.date, str]]:
    """The last day and name of each quarter of the strategy, first first."""
    out = []
    day = rules.strategy_start(strategy.period_start)
    end = rules.strategy_end(strategy.period_end)
    while day <= end:
        last = quarter_end(day)
        out.append((last, quarter_of(day)))
        day = last + dt.timedelta(days=1)
    return out


def updates_in_quarter(strategy: Strategy, day: dt.date) -> list[Any]:
    """Progress updates dated from the start of ``day``'s quarter up to ``day``, oldest first."""
    from django.db.models import Q

    from .models import ProgressUpdate

    where = (
        Q(activity__objective__priority__strategy=strategy)
        | Q(milestone__activity__objective__priority__strategy=strategy)
        | Q(milestone__priority__strategy=strategy)
        | Q(measure__activity__objective__priority__strategy=strategy)
        | Q(measure__outcome__priority__strategy=strategy)
    )
    return list(
        ProgressUpdate.objects.filter(where, date__gte=quarter_start(day), date__lte=day)
        .select_related(
            "activity", "milestone__activity", "milestone__priority", "measure__activity"
        )
        .order_by("date", "created_at")
    )


def measure_chart(
    view: MeasureView, *, width: int = 720, height: int = 300
) -> dict[str, Any] | None:
    """An SVG line chart of a measure's values with its target and baseline (no inline style,
    for the Content Security Policy); the same figures are in the page's table."""
    if not view.values:
        return None
    m = view.measure
    refs = []
    r = view.rating
    if r.target_value is not None:
        refs.append(charts.RefLine(f"Target {r.target_value:,.4g}", float(r.target_value)))
    if r.baseline is not None:
        refs.append(charts.RefLine(f"Baseline {r.baseline:,.4g}", float(r.baseline)))
    svg = charts.line_chart(
        f"measure-{m.key}",
        [d.strftime("%b %Y") for d, _ in view.values],
        [charts.Series(m.unit, [v for _, v in view.values])],
        title=f"{m.description}: values over time",
        desc="Line chart of the measure's values, with its target and baseline as dashed lines; "
        "the same figures are in the table beside it.",
        y_label=m.unit,
        ref_lines=refs,
        width=width,
        height=height,
    )
    svg = svg.replace(f' style="{charts.FONT}"', ' class="app-measure-chart"')
    svg = svg.replace(f' width="{width}" height="{height}"', "", 1)
    # built by charts.line_chart, which escapes every text it writes
    return {"svg": mark_safe(svg)}


def governance(strategy: Strategy) -> dict[str, Any]:
    """Bodies with their remit, chair, members and what each leads."""
    partnership = strategy.partnership
    bodies = list(partnership.bodies.select_related("parent").prefetch_related("account_agencies"))
    by_key = {b.key: b for b in bodies}
    leads: dict[Any, list[Any]] = {b.pk: [] for b in bodies}
    supports: dict[Any, int] = {b.pk: 0 for b in bodies}
    for ab in ActivityBody.objects.filter(
        activity__objective__priority__strategy=strategy
    ).select_related("activity__objective__priority"):
        if ab.role == ActivityBody.LEAD:
            leads[ab.body_id].append(ab.activity)
        else:
            supports[ab.body_id] += 1
    outcomes: dict[str, list[Any]] = {}
    priorities: dict[str, list[Any]] = {}
    for pr in strategy.priorities.prefetch_related("outcomes"):
        for key in pr.lead:
            priorities.setdefault(key, []).append(pr)
        for oc in pr.outcomes.all():
            for key in oc.lead:
                outcomes.setdefault(key, []).append(oc)
    rows = []
    for b in bodies:
        rows.append(
            {
                "body": b,
                "members": [by_key[k] for k in b.members if k in by_key],
                "leads": sorted(
                    leads[b.pk],
                    key=lambda a: (a.objective.priority.position, a.objective.position, a.position),
                ),
                "supports": supports[b.pk],
                "outcomes": outcomes.get(b.key, []),
                "priorities": priorities.get(b.key, []),
            }
        )
    return {
        "governance_rows": [r for r in rows if r["body"].category == Body.GOVERNANCE],
        "agency_rows": [r for r in rows if r["body"].category == Body.AGENCY],
    }


# --------------------------------------------------------------------------- the report

#: a commitment whose spend so far is this far from its profile to date is an exception
BUDGET_VARIANCE = 0.10


def _by_lead(p: PriorityView) -> list[tuple[str, list[MeasureView]]]:
    """The priority's measures grouped under their lead (outcome measures first)."""
    groups: dict[str, list[MeasureView]] = {}
    for mv in p.measures:
        name = ", ".join(b.name for b in mv.leads) or "No lead named"
        groups.setdefault(name, []).append(mv)
    return list(groups.items())


def _due_between(
    views: list[PriorityView], first: dt.date, last: dt.date, strategy: Strategy
) -> list[dict[str, Any]]:
    """Milestones, occurrences, starts and measures due from ``first`` to ``last``."""
    out: list[dict[str, Any]] = []
    for p in views:
        milestones = [(None, v) for v in p.plan_milestones] + [
            (a, v) for a in p.activities for v in a.milestones
        ]
        for activity, v in milestones:
            m = v.milestone
            when: list[dt.date] = []
            if v.kind == "deliverable" and m.due and first <= m.due <= last:
                when = [m.due]
            elif v.kind == "start" and m.start and first <= m.start <= last:
                when = [m.start]
            elif v.kind == "recurring":
                rec = rules.parse_recurrence(m.recurrence)
                assert rec is not None
                start = m.start if m.due is None else None
                if m.due is None and start is None:
                    start = rules.strategy_start(strategy.period_start)
                until = m.until or rules.strategy_end(strategy.period_end)
                when = [
                    due
                    for _, due in rules.occurrences(rec, first_due=m.due, start=start, until=until)
                    if first <= due <= last
                ]
            if when and v.status != rules.COMPLETE:
                out.append(
                    {
                        "priority": p.priority,
                        "activity": activity,
                        "what": m.text,
                        "kind": v.kind,
                        "dates": when,
                        "status": v.status,
                    }
                )
        for mv in p.measures:
            due = mv.measure.due
            if due and first <= due <= last:
                out.append(
                    {
                        "priority": p.priority,
                        "activity": mv.measure.activity,
                        "what": mv.measure.as_written,
                        "kind": "measure",
                        "dates": [due],
                        "status": None,
                    }
                )
    out.sort(key=lambda r: r["dates"][0])
    return out


def context(strategy: Strategy, today: dt.date) -> dict[str, Any]:
    from .meetings import cadence

    views = services.monitor(strategy, today)
    start = rules.strategy_start(strategy.period_start)
    previous_day = quarter_start(today) - dt.timedelta(days=1)
    before = services.monitor(strategy, previous_day) if previous_day >= start else []
    was_activity = {a.activity.pk: a.status for p in before for a in p.activities}
    was_priority = {p.priority.pk: p.rag for p in before}
    was_measure = {m.measure.pk: m.rating for p in before for m in p.measures}
    for p in views:
        for mv in p.measures:
            mv.previous = was_measure.get(mv.measure.pk)
    activities = [a for p in views for a in p.activities]
    statuses = [a.status for a in activities]
    order = {rules.OVERDUE: 0, rules.AT_RISK: 1}
    exceptions = sorted(
        ((p, a) for p in views for a in p.activities if a.status in (rules.OVERDUE, rules.AT_RISK)),
        key=lambda pa: (order[pa[1].status], pa[0].priority.position),
    )
    plan_exceptions = [
        (p, v)
        for p in views
        for v in p.plan_milestones
        if v.status in (rules.OVERDUE, rules.AT_RISK)
    ]
    measure_exceptions = [
        (p, m) for p in views for m in p.measures if m.rating.rag in ("red", "amber")
    ]
    missed = [(p, a, v) for p in views for a in p.activities for v in a.milestones if v.missed]
    changes = []
    if before:
        for p in views:
            for a in p.activities:
                was = was_activity.get(a.activity.pk)
                if was is not None and was != a.status:
                    changes.append({"priority": p.priority, "activity": a, "was": was})
    money = services.budget(strategy, today)
    budget_exceptions = [
        c
        for c in money["commitments"]
        if c["year"].has_profile
        and c["year"].profile_to_date
        and abs(c["year"].variance_to_date) > BUDGET_VARIANCE * c["year"].profile_to_date
    ]
    next_first = quarter_end(today) + dt.timedelta(days=1)
    next_last = quarter_end(next_first)
    governance_rows = cadence(strategy, today)
    outcome_charts = [
        {"view": mv, "chart": measure_chart(mv, width=560, height=240)}
        for p in views
        for mv in p.outcome_measures
        if mv.values
    ]
    return {
        "strategy": strategy,
        "as_at": today,
        "quarter": quarter_of(today),
        "previous_day": previous_day if before else None,
        "previous_quarter": quarter_of(previous_day) if before else "",
        "priorities": views,
        "was_priority": was_priority,
        "groups": [(p, _by_lead(p)) for p in views],
        "status_labels": rules.STATUS_LABELS,
        "rag_labels": rules.RAG_LABELS,
        "status_totals": {s: statuses.count(s) for s in rules.STATUS_LABELS},
        "activity_total": len(activities),
        "measures": [m for p in views for m in p.measures],
        "exceptions": exceptions,
        "plan_exceptions": plan_exceptions,
        "measure_exceptions": measure_exceptions,
        "missed": missed,
        "budget_exceptions": budget_exceptions,
        "overdue_actions": [a for g in governance_rows for a in g["overdue_actions"]],
        "exception_count": len(exceptions)
        + len(plan_exceptions)
        + len(measure_exceptions)
        + len(budget_exceptions)
        + sum(len(g["overdue_actions"]) for g in governance_rows),
        "changes": changes,
        "next_quarter": quarter_of(next_first),
        "next_first": next_first,
        "next_last": next_last,
        "due_next": _due_between(views, next_first, next_last, strategy),
        "outcome_charts": outcome_charts,
        "budget": money,
        "governance": [g for g in governance_rows if g["meetings"]],
        "quarter_start": quarter_start(today),
        "quarter_updates": updates_in_quarter(strategy, today),
        "rules": {
            "due_soon_days": rules.DUE_SOON_DAYS,
            "stale_days": rules.STALE_DAYS,
            "tolerance": f"{rules.TOLERANCE:.0%}",
            "alpha": rules.ALPHA,
            "budget_variance": f"{BUDGET_VARIANCE:.0%}",
        },
    }


def render_html(strategy: Strategy, today: dt.date, *, standalone: bool = True) -> str:
    """The board report: a whole HTML document (``standalone``) or its body for a page."""
    template = "strategy/report.html" if standalone else "strategy/_report_body.html"
    return render_to_string(template, context(strategy, today))


def render_pdf(strategy: Strategy, today: dt.date) -> bytes:
    return html_to_pdf(render_html(strategy, today))


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
