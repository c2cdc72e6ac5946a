"""Strategy pages: overview, priority, activity, measure, governance, budget, board report.

Every page shows the monitoring as at a day: ``?as_at=YYYY-MM-DD`` (or the GOV.UK date boxes),
by default today while the strategy runs and its own last day once it has ended. A date that is
not a real date is an error on the page (status 400), never silently today.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from safercity.analytics import monitoring as rules

from . import report as board_report
from . import services
from .forms import (
    AdjustmentForm,
    AsAtForm,
    LinkAgencyForm,
    QuarterForm,
    SpendForm,
    UpdateForm,
    ValueForm,
)
from .models import Activity, Measure, Milestone, Priority, Spend, Strategy
from .permissions import view_strategy

SUBNAV = (
    "Overview|strategy:overview",
    "Board report|strategy:report",
    "Budget|strategy:budget",
    "Governance|strategy:governance",
    "Versions|strategy:versions",
)


class _BadDate(Exception):
    def __init__(self, form: AsAtForm) -> None:
        self.form = form


def _as_at(request: HttpRequest, strategy: Strategy) -> tuple[dt.date, AsAtForm]:
    """The day asked for (``as_at`` as one ISO date or as GOV.UK day, month and year boxes),
    or the strategy's default day. Raises :class:`_BadDate` for a date that is not real."""
    asked = any(k in request.GET for k in ("as_at", "as_at_day", "as_at_month", "as_at_year"))
    form = AsAtForm(request.GET if asked else None)
    if asked:
        if not form.is_valid():
            raise _BadDate(form)
        day = form.cleaned_data.get("as_at")
        if day is not None:
            return day, form
    day = services.default_as_at(strategy)
    form = AsAtForm(initial={"as_at": day})
    return day, form


def _bad_date(request: HttpRequest, strategy: Strategy, exc: _BadDate, title: str) -> HttpResponse:
    return render(
        request,
        "strategy/bad_date.html",
        {
            "strategy": strategy,
            "form": exc.form,
            "page_title": title,
            "subnav": SUBNAV,
            "breadcrumbs": _crumbs((title, None)),
        },
        status=400,
    )


def _crumbs(*more: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("Home", "/"), ("Strategy", reverse("strategy:overview")), *more]


def _context(
    request: HttpRequest, strategy: Strategy, today: dt.date, **extra: Any
) -> dict[str, Any]:
    query = f"?as_at={today.isoformat()}" if today != services.default_as_at(strategy) else ""
    return {
        "strategy": strategy,
        "as_at": today,
        "as_at_query": query,
        "sub_navigation_query": query,
        "subnav": SUBNAV,
        "is_admin": services.is_admin(request.user),
        "status_labels": rules.STATUS_LABELS,
        "rag_labels": rules.RAG_LABELS,
        **extra,
    }


def _strategy() -> Strategy:
    strategy = services.current_strategy()
    if strategy is None:
        raise Http404
    return strategy


@view_strategy
def overview(request: HttpRequest) -> HttpResponse:
    strategy = services.current_strategy()
    if strategy is None:
        return render(
            request,
            "strategy/empty.html",
            {"breadcrumbs": [("Home", "/"), ("Strategy", None)]},
        )
    try:
        today, form = _as_at(request, strategy)
    except _BadDate as exc:
        return _bad_date(request, strategy, exc, strategy.title)
    views = services.monitor(strategy, today)
    mine = services.led_by_me(request.user, strategy)
    my_activities = [(p, a) for p in views for a in p.activities if a.activity.pk in mine]
    order = {rules.OVERDUE: 0, rules.AT_RISK: 1, rules.NOT_STARTED: 2, rules.ON_TRACK: 3}
    my_activities.sort(key=lambda pa: (order.get(pa[1].status, 4), pa[1].next_due or dt.date.max))
    return render(
        request,
        "strategy/overview.html",
        _context(
            request,
            strategy,
            today,
            form=form,
            priorities=views,
            my_activities=my_activities if not services.is_admin(request.user) else [],
            led=services.led_priorities(request.user, strategy),
            budget=services.budget(strategy, today),
            default_day=services.default_as_at(strategy),
            strategy_ended=services.default_as_at(strategy) < timezone.localdate(),
            strategy_not_started=services.default_as_at(strategy) > timezone.localdate(),
            breadcrumbs=[("Home", "/"), ("Strategy", None)],
        ),
    )


def _save_update(
    request: HttpRequest, form: UpdateForm, target: Any, page: str, pk: Any
) -> HttpResponse:
    services.post_update(
        request.user,
        target,
        status=form.cleaned_data["status"],
        narrative=form.cleaned_data["narrative"],
        evidence=form.cleaned_data["evidence"],
        date=form.cleaned_data["date"],
    )
    messages.success(request, "Your update has been saved")
    return redirect(page, pk=pk)


def _priority_view(strategy: Strategy, priority: Priority, today: dt.date) -> Any:
    for view in services.monitor(strategy, today):
        if view.priority.pk == priority.pk:
            return view
    raise Http404


@view_strategy
@require_http_methods(["GET", "POST"])
def priority(request: HttpRequest, pk: UUID) -> HttpResponse:
    obj = get_object_or_404(Priority.objects.select_related("strategy__partnership"), pk=pk)
    strategy = obj.strategy
    can_edit = services.can_edit_priority(request.user, obj)
    plan = list(obj.plan_milestones.all())
    form = UpdateForm(request.POST or None, milestones=plan) if can_edit and plan else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            target = get_object_or_404(
                Milestone, pk=form.cleaned_data["target"].split(":", 1)[1], priority=obj
            )
            return _save_update(request, form, target, "strategy:priority", obj.pk)
    try:
        today, _ = _as_at(request, strategy)
    except _BadDate as exc:
        return _bad_date(request, strategy, exc, obj.title)
    view = _priority_view(strategy, obj, today)
    return render(
        request,
        "strategy/priority.html",
        _context(
            request,
            strategy,
            today,
            view=view,
            priority=obj,
            can_edit=can_edit,
            form=form,
            groups=[
                (ob, [a for a in view.activities if a.activity.objective_id == ob.pk])
                for ob in obj.objectives.all()
            ],
            breadcrumbs=_crumbs((obj.title, None)),
        ),
    )


@view_strategy
@require_http_methods(["GET", "POST"])
def activity(request: HttpRequest, pk: UUID) -> HttpResponse:
    obj = get_object_or_404(
        Activity.objects.select_related("objective__priority__strategy__partnership"), pk=pk
    )
    strategy = obj.objective.priority.strategy
    allowed = services.can_update_activity(request.user, obj)
    form = UpdateForm(request.POST or None, activity=obj) if allowed else None
    if request.method == "POST":
        if not allowed or form is None:
            raise PermissionDenied
        if form.is_valid():
            target: Activity | Milestone = obj
            choice = form.cleaned_data["target"]
            if choice.startswith("milestone:"):
                target = get_object_or_404(Milestone, pk=choice.split(":", 1)[1], activity=obj)
            return _save_update(request, form, target, "strategy:activity", obj.pk)
    priority_obj = obj.objective.priority
    try:
        today, _ = _as_at(request, strategy)
    except _BadDate as exc:
        return _bad_date(request, strategy, exc, obj.title)
    view = next(
        a
        for a in _priority_view(strategy, priority_obj, today).activities
        if a.activity.pk == obj.pk
    )
    from .progress import history

    updates = [*history(obj), *(u for m in obj.milestones.all() for u in history(m))]
    updates.sort(key=lambda u: (u.date, u.created_at), reverse=True)
    return render(
        request,
        "strategy/activity.html",
        _context(
            request,
            strategy,
            today,
            view=view,
            activity=obj,
            form=form,
            can_edit=services.can_edit_priority(request.user, priority_obj),
            history=updates,
            spend=obj.spend.filter(date__lte=today).order_by("date"),
            breadcrumbs=_crumbs(
                (priority_obj.title, reverse("strategy:priority", args=[priority_obj.pk])),
                (obj.title, None),
            ),
        ),
    )


@view_strategy
@require_http_methods(["GET", "POST"])
def measure(request: HttpRequest, pk: UUID) -> HttpResponse:
    obj = get_object_or_404(
        Measure.objects.select_related(
            "activity__objective__priority__strategy", "outcome__priority__strategy", "owner"
        ),
        pk=pk,
    )
    priority_obj = obj.owner_priority
    strategy = priority_obj.strategy
    allowed = services.can_enter_values(request.user, obj)
    form = ValueForm(request.POST or None) if allowed else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            services.enter_value(
                request.user,
                obj,
                date=form.cleaned_data["date"],
                value=form.cleaned_data["value"],
                evidence=form.cleaned_data["evidence"],
            )
            messages.success(request, "The value has been saved")
            return redirect("strategy:measure", pk=obj.pk)
    try:
        today, _ = _as_at(request, strategy)
    except _BadDate as exc:
        return _bad_date(request, strategy, exc, obj.description)
    view = services.rate_measure(obj, today, strategy)
    crumbs = [(priority_obj.title, reverse("strategy:priority", args=[priority_obj.pk]))]
    if obj.activity is not None:
        crumbs.append((obj.activity.title, reverse("strategy:activity", args=[obj.activity.pk])))
    return render(
        request,
        "strategy/measure.html",
        _context(
            request,
            strategy,
            today,
            view=view,
            measure=obj,
            form=form,
            can_edit=services.can_edit_priority(request.user, priority_obj),
            chart=board_report.measure_chart(view),
            entered=list(obj.values.all()) if obj.source_kind == Measure.OWNER_ENTERED else [],
            breadcrumbs=_crumbs(*crumbs, (obj.description[:60], None)),
        ),
    )


@view_strategy
@require_http_methods(["GET", "POST"])
def governance(request: HttpRequest) -> HttpResponse:
    from .meetings import cadence

    strategy = _strategy()
    admin = services.is_admin(request.user)
    form = LinkAgencyForm(request.POST or None, partnership=strategy.partnership) if admin else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            body, agency = form.cleaned_data["body"], form.cleaned_data["agency"]
            linked = form.cleaned_data["link"] == "link"
            services.link_agency(request, body, agency, linked=linked)
            messages.success(
                request,
                f"{agency.name} {'now acts' if linked else 'no longer acts'} for {body.name}",
            )
            return redirect("strategy:governance")
    try:
        today, _ = _as_at(request, strategy)
    except _BadDate as exc:
        return _bad_date(request, strategy, exc, "Governance")
    meetings = {g["body"].pk: g for g in cadence(strategy, today)}
    picture = board_report.governance(strategy)
    for row in picture["governance_rows"]:
        row["cadence"] = meetings.get(row["body"].pk)
    return render(
        request,
        "strategy/governance.html",
        _context(
            request,
            strategy,
            today,
            **picture,
            form=form,
            breadcrumbs=_crumbs(("Governance", None)),
        ),
    )


@view_strategy
@require_http_methods(["GET", "POST"])
def budget(request: HttpRequest) -> HttpResponse:
    strategy = _strategy()
    admin = services.is_admin(request.user)
    form = SpendForm(request.POST or None, strategy=strategy) if admin else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            services.record_spend(
                request.user,
                form.cleaned_data["commitment"],
                date=form.cleaned_data["date"],
                amount_gbp=form.cleaned_data["amount_gbp"],
                description=form.cleaned_data["description"],
                activity=form.cleaned_data["activity"],
            )
            messages.success(request, "The spend has been recorded")
            return redirect("strategy:budget")
    try:
        today, as_at_form = _as_at(request, strategy)
    except _BadDate as exc:
        return _bad_date(request, strategy, exc, "Budget")
    money = services.budget(strategy, today)
    for row in money["commitments"]:
        priority_obj = row["commitment"].priority
        row["can_edit"] = admin or (
            priority_obj is not None and services.can_edit_priority(request.user, priority_obj)
        )
    return render(
        request,
        "strategy/budget.html",
        _context(
            request,
            strategy,
            today,
            budget=money,
            as_at_form=as_at_form,
            edit_links=True,
            form=form,
            breadcrumbs=_crumbs(("Budget", None)),
        ),
    )


@view_strategy
@require_http_methods(["GET", "POST"])
def spend_adjust(request: HttpRequest, pk: UUID) -> HttpResponse:
    entry = get_object_or_404(
        Spend.objects.select_related("commitment__strategy", "commitment__priority", "activity"),
        pk=pk,
    )
    if not services.is_admin(request.user):
        raise PermissionDenied
    strategy = entry.commitment.strategy
    form = AdjustmentForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.adjust_spend(
                request.user,
                entry,
                date=form.cleaned_data["date"],
                amount_gbp=form.cleaned_data["amount_gbp"],
                reason=form.cleaned_data["reason"],
            )
        except ValueError as exc:
            form.add_error("amount_gbp", f"Adjustment: {exc}")
        else:
            messages.success(request, "The adjustment has been recorded")
            return redirect("strategy:budget")
    return render(
        request,
        "strategy/spend_adjust.html",
        {
            "strategy": strategy,
            "entry": entry,
            "adjustments": entry.adjustments.all(),
            "form": form,
            "breadcrumbs": _crumbs(("Budget", reverse("strategy:budget")), ("Adjust", None)),
        },
    )


@view_strategy
def report(request: HttpRequest) -> HttpResponse:
    strategy = _strategy()
    quarters = board_report.strategy_quarters(strategy)
    if "quarter" in request.GET and request.GET.get("quarter"):
        picked = QuarterForm(request.GET, quarters=quarters)
        if not picked.is_valid():
            return _bad_date(request, strategy, _BadDate(picked), "Board report")  # type: ignore[arg-type]
        day = dt.date.fromisoformat(picked.cleaned_data["quarter"])
        return redirect(reverse("strategy:report") + f"?as_at={day.isoformat()}")
    try:
        today, as_at_form = _as_at(request, strategy)
    except _BadDate as exc:
        return _bad_date(request, strategy, exc, "Board report")
    end = board_report.quarter_end(today)
    quarter_form = QuarterForm(initial={"quarter": end.isoformat()}, quarters=quarters)
    html = board_report.render_html(strategy, today, standalone=False)
    return render(
        request,
        "strategy/report_page.html",
        _context(
            request,
            strategy,
            today,
            report_html=html,
            quarter_form=quarter_form,
            as_at_form=as_at_form,
            breadcrumbs=_crumbs(("Board report", None)),
        ),
    )


@view_strategy
def report_pdf(request: HttpRequest) -> HttpResponse:
    strategy = _strategy()
    try:
        today, _ = _as_at(request, strategy)
    except _BadDate as exc:
        return _bad_date(request, strategy, exc, "Board report")
    pdf = board_report.render_pdf(strategy, today)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="board-report-{today.isoformat()}.pdf"'
    return response
