"""The quarterly performance report for the board (HTML and PDF), the measure chart and the
governance picture. Shared by the web pages and ``safercity strategy report``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from safercity.analytics import charts
from safercity.analytics import monitoring as rules

from . import services
from .models import ActivityBody, Body, Strategy


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


def updates_in_quarter(strategy: Strategy, day: dt.date) -> list[Any]:
    """Progress updates dated from the start of ``day``'s quarter up to ``day``, oldest first."""
    from django.db.models import Q

    from .models import ProgressUpdate

    where = (
        Q(activity__objective__priority__strategy=strategy)
        | Q(milestone__activity__objective__priority__strategy=strategy)
        | Q(measure__activity__objective__priority__strategy=strategy)
    )
    return list(
        ProgressUpdate.objects.filter(where, date__gte=quarter_start(day), date__lte=day)
        .select_related("activity", "milestone__activity", "measure__activity")
        .order_by("date", "created_at")
    )


def measure_chart(view: services.MeasureView) -> dict[str, Any] | None:
    """An SVG line chart of a measure's values with its target and baseline (no inline style,
    for the Content Security Policy); the same figures are in the page's table."""
    if not view.values:
        return None
    m = view.measure
    refs = []
    if m.target is not None:
        refs.append(charts.RefLine(f"Target {m.target:g}", float(m.target)))
    if view.rating.baseline is not None:
        refs.append(charts.RefLine(f"Baseline {view.rating.baseline:g}", view.rating.baseline))
    svg = charts.line_chart(
        f"measure-{m.key}",
        [d.strftime("%b %Y") for d, _ in view.values],
        [charts.Series(m.unit, [v for _, v in view.values])],
        title=f"{m.description}: values over time",
        desc="Line chart of the measure's values, with its target and baseline as dashed lines; "
        "the same figures are in the table below.",
        y_label=m.unit,
        ref_lines=refs,
        width=720,
        height=300,
    )
    svg = svg.replace(f' style="{charts.FONT}"', ' class="app-measure-chart"')
    svg = svg.replace(' width="720" height="300"', "", 1)
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
    for pr in strategy.priorities.prefetch_related("outcomes"):
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
            }
        )
    return {
        "governance_rows": [r for r in rows if r["body"].category == Body.GOVERNANCE],
        "agency_rows": [r for r in rows if r["body"].category == Body.AGENCY],
    }


def context(strategy: Strategy, today: dt.date) -> dict[str, Any]:
    views = services.monitor(strategy, today)
    activities = [a for p in views for a in p.activities]
    statuses = [a.status for a in activities]
    measures = [m for p in views for m in p.measures]
    exceptions = [a for a in activities if a.status in (rules.OVERDUE, rules.AT_RISK)]
    return {
        "strategy": strategy,
        "as_at": today,
        "quarter": quarter_of(today),
        "priorities": views,
        "status_labels": rules.STATUS_LABELS,
        "rag_labels": rules.RAG_LABELS,
        "status_totals": {s: statuses.count(s) for s in rules.STATUS_LABELS},
        "activity_total": len(activities),
        "measures": measures,
        "exceptions": exceptions,
        "budget": services.budget(strategy),
        "quarter_start": quarter_start(today),
        "quarter_updates": updates_in_quarter(strategy, today),
        "rules": {
            "due_soon_days": rules.DUE_SOON_DAYS,
            "stale_days": rules.STALE_DAYS,
            "tolerance": f"{rules.TOLERANCE:.0%}",
            "alpha": rules.ALPHA,
        },
    }


def render_html(strategy: Strategy, today: dt.date, *, standalone: bool = True) -> str:
    """The board report: a whole HTML document (``standalone``) or its body for a page."""
    template = "strategy/report.html" if standalone else "strategy/_report_body.html"
    return render_to_string(template, context(strategy, today))


def render_pdf(strategy: Strategy, today: dt.date) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=render_html(strategy, today)).write_pdf()
    return pdf
