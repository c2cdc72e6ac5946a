"""Meetings of the partnership's governance bodies: dates, papers (the board report attached as
it was on the day), decisions and actions, so the board's own cadence is tracked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .models import Body, Meeting, MeetingAction, MeetingPaper, Strategy
from .services import new_key


def _position(qs: Any) -> int:
    top = qs.aggregate(m=models.Max("position"))["m"]
    return 0 if top is None else top + 1


@transaction.atomic
def add_meeting(body: Body, *, date: dt.date, title: str = "", decisions: list[str]) -> Meeting:
    return Meeting.objects.create(
        body=body, key=new_key("meeting"), date=date, title=title, decisions=decisions
    )


@transaction.atomic
def add_decisions(meeting: Meeting, decisions: list[str]) -> Meeting:
    meeting.decisions = [*meeting.decisions, *decisions]
    meeting.save()
    return meeting


@transaction.atomic
def attach_board_report(meeting: Meeting, strategy: Strategy, as_at: dt.date) -> MeetingPaper:
    """Attach the board report as at a day, kept as it is now (a paper does not change after
    the meeting, even if updates or spend are later entered for earlier days)."""
    from . import report

    return MeetingPaper.objects.create(
        meeting=meeting,
        title=f"Board performance report: {report.quarter_of(as_at)}",
        board_report_as_at=as_at,
        html=report.render_html(strategy, as_at),
        position=_position(meeting.papers.all()),
    )


@transaction.atomic
def add_paper(meeting: Meeting, *, title: str, link: str = "") -> MeetingPaper:
    return MeetingPaper.objects.create(
        meeting=meeting, title=title, link=link, position=_position(meeting.papers.all())
    )


@transaction.atomic
def add_action(
    meeting: Meeting, *, text: str, owner: Body | None, due: dt.date | None
) -> MeetingAction:
    return MeetingAction.objects.create(
        meeting=meeting,
        text=text,
        owner=owner,
        due=due,
        position=_position(meeting.actions.all()),
    )


@transaction.atomic
def action_done(action: MeetingAction, on: dt.date | None = None) -> MeetingAction:
    action.done = on or timezone.localdate()
    action.save()
    return action


def cadence(strategy: Strategy, as_at: dt.date) -> list[dict[str, Any]]:
    """For each governance body: its meetings up to the day, the last and next, and its
    actions still open (those past their due date first)."""
    out = []
    for body in strategy.partnership.bodies.filter(category=Body.GOVERNANCE).prefetch_related(
        "meetings__actions__owner", "meetings__papers"
    ):
        meetings = sorted(body.meetings.all(), key=lambda m: m.date)
        held = [m for m in meetings if m.date <= as_at]
        upcoming = [m for m in meetings if m.date > as_at]
        open_actions = [
            a for m in held for a in m.actions.all() if a.done is None or a.done > as_at
        ]
        open_actions.sort(key=lambda a: (a.due is None, a.due or dt.date.max))
        out.append(
            {
                "body": body,
                "meetings": list(reversed(meetings)),
                "last": held[-1] if held else None,
                "next": upcoming[0] if upcoming else None,
                "open_actions": open_actions,
                "overdue_actions": [a for a in open_actions if a.due and a.due < as_at],
            }
        )
    return out
