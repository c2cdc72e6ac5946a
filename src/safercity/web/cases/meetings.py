"""Panel meetings: scheduled on the cohort's rule, agendas built by the agenda rule,
attendance by agency, minutes per case, actions per agency, and reminders of overdue actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from safercity.cases import agenda as agenda_rule
from safercity.cases import lifecycle
from safercity.web.accounts.models import Agency, User

from . import casework
from .models import Action, AgendaItem, Attendance, Case, Cohort, Meeting, Minute


def schedule(cohort: Cohort, start: dt.date, end: dt.date) -> list[Meeting]:
    """Create the cohort's meetings from ``start`` to ``end`` on its rule (idempotent)."""
    spec = cohort.spec
    rule = spec.meeting_rule
    if rule is None or spec.meetings is None:
        return []
    made = []
    for day in rule.dates(start, end):
        meeting, _ = Meeting.objects.get_or_create(
            cohort=cohort, date=day, defaults={"time": spec.meetings.time}
        )
        made.append(meeting)
    return made


def next_meeting(cohort: Cohort, today: dt.date | None = None) -> Meeting | None:
    today = today or timezone.localdate()
    return (
        cohort.meetings.filter(date__gte=today, status=Meeting.Status.SCHEDULED)
        .order_by("date")
        .first()
    )


def _pending_elsewhere(meeting: Meeting) -> set[Any]:
    """Cases on the agenda of another meeting of the cohort not yet held."""
    return set(
        AgendaItem.objects.filter(
            meeting__cohort=meeting.cohort,
            meeting__status=Meeting.Status.SCHEDULED,
            discussed=False,
        )
        .exclude(meeting=meeting)
        .values_list("case_id", flat=True)
    )


def proposed_agenda(meeting: Meeting) -> agenda_rule.Agenda:
    """The agenda the rule gives for ``meeting`` from the cohort's open cases."""
    spec = meeting.cohort.spec
    elsewhere = _pending_elsewhere(meeting)
    open_cases = Case.objects.filter(cohort=meeting.cohort, referred_on__lte=meeting.date).exclude(
        status__in=lifecycle.ENDS
    )
    # only what the rule can take: new referrals and reviews due by the meeting (indexed)
    rows = open_cases.filter(
        Q(status=lifecycle.REFERRED) | Q(next_review_on__lte=meeting.date)
    ).values_list("pk", "status", "referred_on", "next_review_on")
    cases = [
        agenda_rule.CaseForAgenda(str(pk), status, referred, review, pk in elsewhere)
        for pk, status, referred, review in rows
    ]
    return agenda_rule.build(
        meeting.date,
        cases,
        papers_days=spec.meetings.papers_days if spec.meetings else 0,
        capacity=spec.meetings.capacity if spec.meetings else None,
    )


@transaction.atomic
def build_agenda(meeting: Meeting) -> agenda_rule.Agenda:
    """Set the meeting's agenda from the rule (items not yet discussed are replaced)."""
    if meeting.status != Meeting.Status.SCHEDULED:
        raise casework.CaseRuleError("the agenda of a meeting held or cancelled is fixed")
    agenda = proposed_agenda(meeting)
    meeting.items.filter(discussed=False).delete()
    kept = set(meeting.items.values_list("case_id", flat=True))
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(meeting=meeting, case_id=item.case_id, reason=item.reason, position=i)
            for i, item in enumerate(agenda.items)
            if item.case_id not in {str(k) for k in kept}
        ]
    )
    return agenda


def record_attendance(meeting: Meeting, rows: list[tuple[Agency, str, bool]]) -> None:
    for agency, attendee, present in rows:
        Attendance.objects.update_or_create(
            meeting=meeting, agency=agency, defaults={"attendee": attendee, "present": present}
        )


@transaction.atomic
def record_minute(
    meeting: Meeting,
    case: Case,
    by: User,
    *,
    discussion: str,
    decisions: str = "",
    health_notes: str = "",
) -> Minute:
    """Minute one case at a meeting: marks its agenda item discussed and sets its next
    review."""
    if case.cohort_id != meeting.cohort_id:
        raise casework.CaseRuleError("the case is not in this meeting's cohort")
    minute = Minute.objects.create(
        meeting=meeting,
        case=case,
        discussion=discussion,
        decisions=decisions,
        health_notes=health_notes,
        recorded_by=by,
    )
    # a case raised at the meeting without being on its agenda joins the agenda's end
    item, created = AgendaItem.objects.get_or_create(
        meeting=meeting,
        case=case,
        defaults={
            "reason": "raised at the meeting",
            "position": meeting.items.count(),
            "discussed": True,
        },
    )
    if not created and not item.discussed:
        item.discussed = True
        item.save(update_fields=["discussed", "updated_at"])
    casework.reviewed(case, meeting.date)
    return minute


def add_action(
    case: Case,
    *,
    agency: Agency,
    description: str,
    due_on: dt.date,
    owner: User | None = None,
    meeting: Meeting | None = None,
    day: dt.date | None = None,
) -> Action:
    """An action for an agency: only one the cohort may share the case with."""
    casework.check_agency(case, agency, day, f"no action can go to {agency}")
    if owner is not None and owner.agency_id != agency.pk:
        raise casework.CaseRuleError("the owner must work for the agency the action is for")
    action = Action.objects.create(
        case=case,
        meeting=meeting,
        agency=agency,
        owner=owner,
        description=description,
        due_on=due_on,
    )
    if agency.pk != case.cohort.lead_agency_id:
        case.agencies.add(agency)
    return action


def complete_action(action: Action, on: dt.date | None = None) -> None:
    action.status = Action.Status.DONE
    action.completed_on = on or timezone.localdate()
    action.save(update_fields=["status", "completed_on", "updated_at"])


def overdue(actions: QuerySet[Action], today: dt.date | None = None) -> QuerySet[Action]:
    today = today or timezone.localdate()
    return actions.filter(status=Action.Status.OPEN, due_on__lt=today)


@dataclass(frozen=True)
class Reminder:
    action_id: str
    case_reference: str
    to: str


def remind(today: dt.date | None = None, *, dry_run: bool = False) -> list[Reminder]:
    """E-mail each owner of an overdue open action, at most once a week per action. The
    e-mail names the case by its reference and links to it: no personal details in mail."""
    today = today or timezone.localdate()
    week_ago = today - dt.timedelta(days=7)
    due = (
        overdue(Action.objects.all(), today)
        .exclude(reminded_on__gt=week_ago)
        .exclude(owner__isnull=True)
        .select_related("case", "owner")
    )
    sent = []
    for action in due:
        if not action.owner.email or not action.owner.is_active:  # type: ignore[union-attr]
            continue
        sent.append(Reminder(str(action.pk), action.case.reference, action.owner.email))  # type: ignore[union-attr]
        if dry_run:
            continue
        send_mail(
            subject=f"SaferCity: overdue action on case {action.case.reference}",
            message=(
                f"An action you own on case {action.case.reference} was due on "
                f"{action.due_on:%d %B %Y}.\n\nOpen it to record progress or completion: "
                f"{reverse('cases:action', kwargs={'pk': action.pk})}\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[action.owner.email],  # type: ignore[union-attr]
        )
        action.reminded_on = today
        action.save(update_fields=["reminded_on", "updated_at"])
    return sent
