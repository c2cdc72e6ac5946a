"""Strategy pages: overview, priority, activity, measure, governance, budget, board report."""

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
from .forms import LinkAgencyForm, SpendForm, UpdateForm, ValueForm
from .models import Activity, Measure, Milestone, Priority, Strategy
from .permissions import view_strategy


def _as_at(request: HttpRequest) -> dt.date:
    """``?as_at=YYYY-MM-DD`` shows the monitoring as at that day (default today)."""
    text = request.GET.get("as_at", "")
    try:
        return dt.date.fromisoformat(text) if text else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def _crumbs(strategy: Strategy, *more: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("Home", "/"), ("Strategy", reverse("strategy:overview")), *more]


def _context(request: HttpRequest, strategy: Strategy, **extra: Any) -> dict[str, Any]:
    today = _as_at(request)
    return {
        "strategy": strategy,
        "as_at": today,
        "as_at_query": f"?as_at={today.isoformat()}" if request.GET.get("as_at") else "",
        "status_labels": rules.STATUS_LABELS,
        "rag_labels": rules.RAG_LABELS,
        **extra,
    }


@view_strategy
def overview(request: HttpRequest) -> HttpResponse:
    strategy = services.current_strategy()
    if strategy is None:
        return render(
            request,
            "strategy/empty.html",
            {"breadcrumbs": [("Home", "/"), ("Strategy", None)]},
        )
    today = _as_at(request)
    views = services.monitor(strategy, today)
    mine = services.led_by_me(request.user, strategy)
    my_activities = [a for p in views for a in p.activities if a.activity.pk in mine]
    return render(
        request,
        "strategy/overview.html",
        _context(
            request,
            strategy,
            priorities=views,
            my_activities=my_activities if not services.is_admin(request.user) else [],
            budget=services.budget(strategy),
            breadcrumbs=[("Home", "/"), ("Strategy", None)],
        ),
    )


def _priority_view(strategy: Strategy, priority: Priority, today: dt.date) -> Any:
    for view in services.monitor(strategy, today):
        if view.priority.pk == priority.pk:
            return view
    raise Http404


@view_strategy
def priority(request: HttpRequest, pk: UUID) -> HttpResponse:
    obj = get_object_or_404(Priority.objects.select_related("strategy__partnership"), pk=pk)
    view = _priority_view(obj.strategy, obj, _as_at(request))
    return render(
        request,
        "strategy/priority.html",
        _context(
            request,
            obj.strategy,
            view=view,
            priority=obj,
            outcomes=list(obj.outcomes.all()),
            groups=[
                (ob, [a for a in view.activities if a.activity.objective_id == ob.pk])
                for ob in obj.objectives.all()
            ],
            breadcrumbs=_crumbs(obj.strategy, (obj.title, None)),
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
    form = None
    if allowed:
        form = UpdateForm(request.POST or None, activity=obj)
    if request.method == "POST":
        if not allowed or form is None:
            raise PermissionDenied
        if form.is_valid():
            target: Activity | Milestone = obj
            choice = form.cleaned_data["target"]
            if choice.startswith("milestone:"):
                target = get_object_or_404(Milestone, pk=choice.split(":", 1)[1], activity=obj)
            services.post_update(
                request.user,
                target,
                status=form.cleaned_data["status"],
                narrative=form.cleaned_data["narrative"],
                evidence=form.cleaned_data["evidence"],
                date=form.cleaned_data["date"],
            )
            messages.success(request, "Your update has been saved")
            return redirect("strategy:activity", pk=obj.pk)
    view = next(
        a
        for a in _priority_view(strategy, obj.objective.priority, _as_at(request)).activities
        if a.activity.pk == obj.pk
    )
    history = sorted(
        [*obj.updates.all(), *[u for m in obj.milestones.all() for u in m.updates.all()]],
        key=lambda u: (u.date, u.created_at),
        reverse=True,
    )
    priority_obj = obj.objective.priority
    return render(
        request,
        "strategy/activity.html",
        _context(
            request,
            strategy,
            view=view,
            activity=obj,
            form=form,
            history=history,
            breadcrumbs=_crumbs(
                strategy,
                (priority_obj.title, reverse("strategy:priority", args=[priority_obj.pk])),
                (f"Activity {obj.key}", None),
            ),
        ),
    )


@view_strategy
@require_http_methods(["GET", "POST"])
def measure(request: HttpRequest, pk: UUID) -> HttpResponse:
    obj = get_object_or_404(
        Measure.objects.select_related("activity__objective__priority__strategy", "owner"), pk=pk
    )
    strategy = obj.activity.objective.priority.strategy
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
    today = _as_at(request)
    view = services.rate_measure(obj, today, strategy)
    priority_obj = obj.activity.objective.priority
    return render(
        request,
        "strategy/measure.html",
        _context(
            request,
            strategy,
            view=view,
            measure=obj,
            form=form,
            chart=board_report.measure_chart(view),
            entered=list(obj.values.all()) if obj.source_kind == Measure.OWNER_ENTERED else [],
            breadcrumbs=_crumbs(
                strategy,
                (priority_obj.title, reverse("strategy:priority", args=[priority_obj.pk])),
                (
                    f"Activity {obj.activity.key}",
                    reverse("strategy:activity", args=[obj.activity.pk]),
                ),
                (obj.description[:60], None),
            ),
        ),
    )


@view_strategy
@require_http_methods(["GET", "POST"])
def governance(request: HttpRequest) -> HttpResponse:
    strategy = services.current_strategy()
    if strategy is None:
        raise Http404
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
    return render(
        request,
        "strategy/governance.html",
        _context(
            request,
            strategy,
            **board_report.governance(strategy),
            form=form,
            breadcrumbs=_crumbs(strategy, ("Governance", None)),
        ),
    )


@view_strategy
@require_http_methods(["GET", "POST"])
def budget(request: HttpRequest) -> HttpResponse:
    strategy = services.current_strategy()
    if strategy is None:
        raise Http404
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
            )
            messages.success(request, "The spend has been recorded")
            return redirect("strategy:budget")
    from .models import Spend

    return render(
        request,
        "strategy/budget.html",
        _context(
            request,
            strategy,
            budget=services.budget(strategy),
            spend=Spend.objects.filter(commitment__strategy=strategy).select_related(
                "commitment__priority", "commitment__funding_source", "entered_by"
            ),
            form=form,
            breadcrumbs=_crumbs(strategy, ("Budget", None)),
        ),
    )


@view_strategy
def report(request: HttpRequest) -> HttpResponse:
    strategy = services.current_strategy()
    if strategy is None:
        raise Http404
    html = board_report.render_html(strategy, _as_at(request), standalone=False)
    return render(
        request,
        "strategy/report_page.html",
        _context(
            request, strategy, report_html=html, breadcrumbs=_crumbs(strategy, ("Report", None))
        ),
    )


@view_strategy
def report_pdf(request: HttpRequest) -> HttpResponse:
    strategy = services.current_strategy()
    if strategy is None:
        raise Http404
    today = _as_at(request)
    pdf = board_report.render_pdf(strategy, today)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="board-report-{today.isoformat()}.pdf"'
    return response
