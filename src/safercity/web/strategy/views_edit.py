"""Changing the strategy in the browser: the plan (objectives, activities, milestones, measures)
and the budget by administrators and priority leads; the annual refresh and the governance
bodies' meetings by administrators. Every change is audited (model saves) and checked against
the file format (:mod:`.editing`)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from . import editing, meetings, refresh, services
from .forms import (
    ActivityForm,
    BoardReportPaperForm,
    CommitmentForm,
    MeasureForm,
    MeetingActionForm,
    MeetingForm,
    MilestoneForm,
    ObjectiveForm,
    RefreshForm,
)
from .models import (
    Activity,
    ActivityBody,
    Body,
    BudgetCommitment,
    Measure,
    Meeting,
    MeetingAction,
    MeetingPaper,
    Milestone,
    Objective,
    Outcome,
    Priority,
)
from .permissions import view_strategy
from .views import SUBNAV, _crumbs

#: a board report kept as a paper is a whole document with its own print styles: nothing else
PAPER_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def _may_edit(request: HttpRequest, priority: Priority) -> None:
    if not services.can_edit_priority(request.user, priority):
        raise PermissionDenied


def _form_page(
    request: HttpRequest,
    *,
    title: str,
    form: Any,
    priority: Priority | None,
    back: str,
    template: str = "strategy/edit_form.html",
    **extra: Any,
) -> HttpResponse:
    crumbs: list[tuple[str, str | None]] = []
    if priority is not None:
        crumbs.append((priority.title, reverse("strategy:priority", args=[priority.pk])))
    return render(
        request,
        template,
        {
            "page_title": title,
            "form": form,
            "back": back,
            "priority": priority,
            "breadcrumbs": _crumbs(*crumbs, (title, None)),
            **extra,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _refused(form: Any, exc: editing.EditRefused) -> None:
    for problem in exc.problems:
        form.add_error(None, f"The strategy would not be valid: {problem}")


# --------------------------------------------------------------------------- objectives


@view_strategy
@require_http_methods(["GET", "POST"])
def objective_add(request: HttpRequest, pk: UUID) -> HttpResponse:
    priority = get_object_or_404(Priority.objects.select_related("strategy"), pk=pk)
    _may_edit(request, priority)
    form = ObjectiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            editing.save_objective(priority, title=form.cleaned_data["title"])
        except editing.EditRefused as exc:
            _refused(form, exc)
        else:
            messages.success(request, "The objective has been added")
            return redirect("strategy:priority", pk=priority.pk)
    return _form_page(
        request,
        title="Add an objective",
        form=form,
        priority=priority,
        back=reverse("strategy:priority", args=[priority.pk]),
    )


@view_strategy
@require_http_methods(["GET", "POST"])
def objective_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    obj = get_object_or_404(Objective.objects.select_related("priority__strategy"), pk=pk)
    _may_edit(request, obj.priority)
    form = ObjectiveForm(request.POST or None, initial={"title": obj.title})
    if request.method == "POST" and form.is_valid():
        try:
            editing.save_objective(obj.priority, title=form.cleaned_data["title"], objective=obj)
        except editing.EditRefused as exc:
            _refused(form, exc)
        else:
            messages.success(request, "The objective has been changed")
            return redirect("strategy:priority", pk=obj.priority.pk)
    return _form_page(
        request,
        title="Change the objective",
        form=form,
        priority=obj.priority,
        back=reverse("strategy:priority", args=[obj.priority.pk]),
    )


# --------------------------------------------------------------------------- activities


@view_strategy
@require_http_methods(["GET", "POST"])
def activity_add(request: HttpRequest, pk: UUID) -> HttpResponse:
    objective = get_object_or_404(
        Objective.objects.select_related("priority__strategy__partnership"), pk=pk
    )
    _may_edit(request, objective.priority)
    partnership = objective.priority.strategy.partnership
    form = ActivityForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            activity = editing.save_activity(
                objective,
                text=form.cleaned_data["text"],
                leads=list(form.cleaned_data["lead"]),
                supports=list(form.cleaned_data["support"]),
            )
        except editing.EditRefused as exc:
            _refused(form, exc)
        else:
            messages.success(request, "The activity has been added")
            return redirect("strategy:activity", pk=activity.pk)
    return _form_page(
        request,
        title="Add an activity",
        form=form,
        priority=objective.priority,
        back=reverse("strategy:priority", args=[objective.priority.pk]),
        caption=objective.title,
    )


@view_strategy
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    obj = get_object_or_404(
        Activity.objects.select_related("objective__priority__strategy__partnership"), pk=pk
    )
    priority = obj.objective.priority
    _may_edit(request, priority)
    roles = sorted(obj.roles.all(), key=lambda r: r.position)
    initial = {
        "text": obj.text,
        "lead": [r.body_id for r in roles if r.role == ActivityBody.LEAD],
        "support": [r.body_id for r in roles if r.role == ActivityBody.SUPPORT],
    }
    form = ActivityForm(
        request.POST or None, initial=initial, partnership=priority.strategy.partnership
    )
    if request.method == "POST" and form.is_valid():
        try:
            editing.save_activity(
                obj.objective,
                text=form.cleaned_data["text"],
                leads=list(form.cleaned_data["lead"]),
                supports=list(form.cleaned_data["support"]),
                activity=obj,
            )
        except editing.EditRefused as exc:
            _refused(form, exc)
        else:
            messages.success(request, "The activity has been changed")
            return redirect("strategy:activity", pk=obj.pk)
    return _form_page(
        request,
        title="Change the activity",
        form=form,
        priority=priority,
        back=reverse("strategy:activity", args=[obj.pk]),
        caption=obj.title,
    )


# --------------------------------------------------------------------------- milestones


def _milestone_initial(m: Milestone) -> dict[str, Any]:
    from safercity.analytics import monitoring as rules

    return {
        "text": m.text,
        "kind": rules.milestone_kind(m.recurrence or None, m.due, m.start),
        "due": m.due,
        "start": m.start,
        "until": m.until,
        "recurrence": "" if m.recurrence == "ongoing" else m.recurrence,
    }


@view_strategy
@require_http_methods(["GET", "POST"])
def milestone_add(request: HttpRequest, pk: UUID) -> HttpResponse:
    """A milestone of an activity (``pk`` an activity) or of a priority's plan (``pk`` a
    priority with ``?plan=1``)."""
    activity = (
        Activity.objects.select_related("objective__priority__strategy").filter(pk=pk).first()
    )
    priority = activity.objective.priority if activity else Priority.objects.filter(pk=pk).first()
    if priority is None:
        raise Http404
    _may_edit(request, priority)
    form = MilestoneForm(request.POST or None, initial={"kind": "deliverable"})
    back = (
        reverse("strategy:activity", args=[activity.pk])
        if activity
        else reverse("strategy:priority", args=[priority.pk])
    )
    if request.method == "POST" and form.is_valid():
        try:
            editing.save_milestone(
                activity=activity,
                priority=None if activity else priority,
                **form.fields_for_service(),
            )
        except editing.EditRefused as exc:
            _refused(form, exc)
        else:
            messages.success(request, "The milestone has been added")
            return redirect(back)
    return _form_page(
        request,
        title="Add a milestone" if activity else "Add a milestone of the action plan",
        form=form,
        priority=priority,
        back=back,
        template="strategy/milestone_form.html",
        caption=activity.title if activity else priority.title,
    )


@view_strategy
@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    obj = get_object_or_404(
        Milestone.objects.select_related("activity__objective__priority__strategy", "priority"),
        pk=pk,
    )
    priority = obj.owner_priority
    _may_edit(request, priority)
    form = MilestoneForm(request.POST or None, initial=_milestone_initial(obj))
    back = (
        reverse("strategy:activity", args=[obj.activity_id])
        if obj.activity_id
        else reverse("strategy:priority", args=[priority.pk])
    )
    if request.method == "POST" and form.is_valid():
        try:
            editing.save_milestone(milestone=obj, **form.fields_for_service())
        except editing.EditRefused as exc:
            _refused(form, exc)
        else:
            messages.success(request, "The milestone has been changed")
            return redirect(back)
    return _form_page(
        request,
        title="Change the milestone",
        form=form,
        priority=priority,
        back=back,
        template="strategy/milestone_form.html",
        caption=obj.text,
    )


# --------------------------------------------------------------------------- measures


def _measure_page(
    request: HttpRequest,
    *,
    priority: Priority,
    measure: Measure | None,
    parent: dict[str, Any],
    back: str,
    caption: str,
) -> HttpResponse:
    strategy = priority.strategy
    initial = MeasureForm.initial_for(measure) if measure else {"target_kind": "none"}
    form = MeasureForm(request.POST or None, initial=initial, strategy=strategy)
    if request.method == "POST" and form.is_valid():
        try:
            saved = editing.save_measure(
                measure=measure, **parent, **form.fields_for_service(measure)
            )
        except editing.EditRefused as exc:
            _refused(form, exc)
        else:
            messages.success(request, "The measure has been " + ("changed" if measure else "added"))
            return redirect("strategy:measure", pk=saved.pk)
    return _form_page(
        request,
        title="Change the measure" if measure else "Add a measure",
        form=form,
        priority=priority,
        back=back,
        template="strategy/measure_form.html",
        caption=caption,
        years=[(y, form[f"target_{y}"]) for y in form.years],
    )


@view_strategy
@require_http_methods(["GET", "POST"])
def measure_add(request: HttpRequest, pk: UUID) -> HttpResponse:
    """A measure of an activity (``pk`` an activity) or of an outcome (``pk`` an outcome)."""
    activity = (
        Activity.objects.select_related("objective__priority__strategy").filter(pk=pk).first()
    )
    outcome = (
        None
        if activity
        else Outcome.objects.select_related("priority__strategy").filter(pk=pk).first()
    )
    if activity is None and outcome is None:
        raise Http404
    priority = activity.objective.priority if activity else outcome.priority  # type: ignore[union-attr]
    _may_edit(request, priority)
    back = (
        reverse("strategy:activity", args=[activity.pk])
        if activity
        else reverse("strategy:priority", args=[priority.pk])
    )
    return _measure_page(
        request,
        priority=priority,
        measure=None,
        parent={"activity": activity} if activity else {"outcome": outcome},
        back=back,
        caption=activity.title if activity else f"Outcome: {outcome.text}",  # type: ignore[union-attr]
    )


@view_strategy
@require_http_methods(["GET", "POST"])
def measure_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    obj = get_object_or_404(
        Measure.objects.select_related(
            "activity__objective__priority__strategy", "outcome__priority__strategy"
        ),
        pk=pk,
    )
    priority = obj.owner_priority
    _may_edit(request, priority)
    return _measure_page(
        request,
        priority=priority,
        measure=obj,
        parent={},
        back=reverse("strategy:measure", args=[obj.pk]),
        caption=obj.description,
    )


# --------------------------------------------------------------------------- budget


@view_strategy
@require_http_methods(["GET", "POST"])
def commitment_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    obj = get_object_or_404(
        BudgetCommitment.objects.select_related("strategy", "priority", "funding_source"), pk=pk
    )
    if not (
        services.is_admin(request.user)
        or (obj.priority is not None and services.can_edit_priority(request.user, obj.priority))
    ):
        raise PermissionDenied
    form = CommitmentForm(
        request.POST or None, initial=CommitmentForm.initial_for(obj), strategy=obj.strategy
    )
    if request.method == "POST" and form.is_valid():
        try:
            editing.save_commitment(
                obj.strategy,
                commitment=obj,
                amount_gbp=form.cleaned_data["amount_gbp"],
                purpose=form.cleaned_data["purpose"],
                at_least=obj.at_least,
                profile=form.profile(),
            )
        except editing.EditRefused as exc:
            _refused(form, exc)
        else:
            messages.success(request, "The commitment and its profile have been saved")
            return redirect("strategy:budget")
    return _form_page(
        request,
        title="Change the commitment and its profile",
        form=form,
        priority=None,
        back=reverse("strategy:budget"),
        template="strategy/commitment_form.html",
        caption=f"{obj.priority.title if obj.priority else 'No priority'}: "
        f"{obj.funding_source.name}",
        years=[(form[f"profile_{y}"], form[f"quarters_{y}"]) for y in form.years],
    )


# --------------------------------------------------------------------------- refresh


@view_strategy
def versions(request: HttpRequest) -> HttpResponse:
    strategy = services.current_strategy()
    if strategy is None:
        raise Http404
    return render(
        request,
        "strategy/versions.html",
        {
            "strategy": strategy,
            "versions": refresh.versions(strategy),
            "subnav": SUBNAV,
            "is_admin": services.is_admin(request.user),
            "breadcrumbs": _crumbs(("Versions", None)),
        },
    )


@view_strategy
@require_http_methods(["GET", "POST"])
def refresh_strategy(request: HttpRequest) -> HttpResponse:
    strategy = services.current_strategy()
    if strategy is None:
        raise Http404
    if not services.is_admin(request.user):
        raise PermissionDenied
    form = RefreshForm(request.POST or None, strategy=strategy)
    if not form.fields["year"].choices:
        form = None  # type: ignore[assignment]
    if request.method == "POST" and form is not None and form.is_valid():
        changes, answers = form.parsed()
        try:
            new = refresh.refresh(
                strategy,
                year=int(form.cleaned_data["year"]),
                on=timezone.localdate(),
                changes=changes,
                you_said_we_did=answers,
            )
        except editing.EditRefused as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"{new.title} has been made; the old version is kept")
            return redirect("strategy:versions")
    return render(
        request,
        "strategy/refresh.html",
        {
            "strategy": strategy,
            "form": form,
            "answers": [
                (form[f"you_said_{n}"], form[f"we_did_{n}"], form[f"consultation_{n}"])
                for n in range(1, form.rows + 1)
            ]
            if form
            else [],
            "breadcrumbs": _crumbs(("Versions", reverse("strategy:versions")), ("Refresh", None)),
        },
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


# --------------------------------------------------------------------------- meetings


def _admin(request: HttpRequest) -> None:
    if not services.is_admin(request.user):
        raise PermissionDenied


@view_strategy
@require_http_methods(["GET", "POST"])
def meeting_add(request: HttpRequest, pk: UUID) -> HttpResponse:
    body = get_object_or_404(Body, pk=pk, category=Body.GOVERNANCE)
    _admin(request)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meeting = meetings.add_meeting(
            body,
            date=form.cleaned_data["date"],
            title=form.cleaned_data["title"],
            decisions=form.decision_list(),
        )
        messages.success(request, "The meeting has been added")
        return redirect("strategy:meeting", pk=meeting.pk)
    return _form_page(
        request,
        title=f"Add a meeting of {body.name}",
        form=form,
        priority=None,
        back=reverse("strategy:governance"),
    )


@view_strategy
@require_http_methods(["GET", "POST"])
def meeting(request: HttpRequest, pk: UUID) -> HttpResponse:
    obj = get_object_or_404(Meeting.objects.select_related("body__partnership"), pk=pk)
    admin = services.is_admin(request.user)
    strategy = services.current_strategy()
    forms_: dict[str, Any] = {}
    if admin:
        forms_ = {
            "decision": MeetingForm(
                initial={"date": obj.date, "title": obj.title}, prefix="decision"
            ),
            "paper": BoardReportPaperForm(initial={"as_at": obj.date}, prefix="paper"),
            "action": MeetingActionForm(partnership=obj.body.partnership, prefix="action"),
        }
    if request.method == "POST":
        if not admin or strategy is None:
            raise PermissionDenied
        what = request.POST.get("what")
        if what == "paper":
            form = BoardReportPaperForm(request.POST, prefix="paper")
            if form.is_valid():
                meetings.attach_board_report(obj, strategy, form.cleaned_data["as_at"])
                messages.success(request, "The board report has been attached")
                return redirect("strategy:meeting", pk=obj.pk)
            forms_["paper"] = form
        elif what == "action":
            form = MeetingActionForm(
                request.POST, partnership=obj.body.partnership, prefix="action"
            )
            if form.is_valid():
                meetings.add_action(
                    obj,
                    text=form.cleaned_data["text"],
                    owner=form.cleaned_data["owner"],
                    due=form.cleaned_data["due"],
                )
                messages.success(request, "The action has been added")
                return redirect("strategy:meeting", pk=obj.pk)
            forms_["action"] = form
        elif what == "decisions":
            form = MeetingForm(request.POST, prefix="decision")
            if form.is_valid():
                meetings.add_decisions(obj, form.decision_list())
                messages.success(request, "The decisions have been added")
                return redirect("strategy:meeting", pk=obj.pk)
            forms_["decision"] = form
        elif what == "done":
            action = get_object_or_404(MeetingAction, pk=request.POST.get("action"), meeting=obj)
            meetings.action_done(action)
            messages.success(request, "The action is marked done")
            return redirect("strategy:meeting", pk=obj.pk)
        else:
            raise Http404
    bad = any(f.is_bound and f.errors for f in forms_.values())
    return render(
        request,
        "strategy/meeting.html",
        {
            "meeting": obj,
            "strategy": strategy,
            "forms": forms_,
            "is_admin": admin,
            "breadcrumbs": _crumbs(
                ("Governance", reverse("strategy:governance")), (str(obj), None)
            ),
        },
        status=400 if bad else 200,
    )


@view_strategy
def paper(request: HttpRequest, pk: UUID) -> HttpResponse:
    """A board report as it was attached to a meeting (HTML), or as PDF (``?pdf=1``)."""
    obj = get_object_or_404(MeetingPaper.objects.select_related("meeting__body"), pk=pk)
    if not obj.html:
        raise Http404
    if request.GET.get("pdf"):
        from .report import html_to_pdf

        response = HttpResponse(html_to_pdf(obj.html), content_type="application/pdf")
        name = f"board-report-{obj.board_report_as_at or obj.meeting.date}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    response = HttpResponse(obj.html, content_type="text/html; charset=utf-8")
    # the snapshot is a whole document with its own print styles
    response["Content-Security-Policy"] = PAPER_CSP
    return response
