"""The case worker's panels for the home page: their first questions answered.

``panels(user)`` gives, for a user in a case-work cohort: my cases due for review, my overdue
actions and the next panel meetings of my cohorts, each a
:class:`~safercity.web.core.home.Panel`. Only what the user may see (:mod:`.access`), and no
names: cases are named by their references, so the home page discloses no personal details
(and needs no audit row)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from safercity.web.core.home import Item, Panel
from safercity.web.core.templatetags.govuk import format_date

from . import access, meetings
from .models import Action, Meeting

MAX_ITEMS = 5


def panels(user: Any) -> list[Panel]:
    acc = access.for_user(user)
    if not acc.cohorts:
        return []
    today = timezone.localdate()
    seen = access.cases(acc)
    due = (
        seen.filter(owner=user, cohort_id__in=acc.cohorts, next_review_on__lte=today)
        .exclude(status__in=("closed", "declined"))
        .select_related("cohort")
        .order_by("next_review_on")
    )
    overdue = (
        meetings.overdue(Action.objects.filter(owner=user, case__in=seen), today)
        .select_related("case")
        .order_by("due_on")
    )
    upcoming = (
        Meeting.objects.filter(
            cohort_id__in=acc.cohorts, date__gte=today, status=Meeting.Status.SCHEDULED
        )
        .select_related("cohort")
        .order_by("date")
    )
    home = reverse("cases:home")
    tags = {"overdue": ("Overdue", "red"), "due": ("Due", "yellow"), "scheduled": ("", "")}

    def item(text: str, url: str, status: str) -> Item:
        tag, colour = tags[status]
        return Item(text=text, url=url, tag=tag, tag_colour=colour)

    return [
        Panel(
            title="My cases due for review",
            summary=f"{due.count()} due or overdue.",
            items=[
                item(
                    f"{c.reference} ({c.cohort.short_name}): review due "
                    f"{format_date(c.next_review_on)}",
                    reverse("cases:case", kwargs={"pk": c.pk}),
                    "overdue" if c.next_review_on and c.next_review_on < today else "due",
                )
                for c in due[:MAX_ITEMS]
            ],
            empty="None of your cases is due for review.",
            link_text="All my cases",
            link_url=home,
            order=10,
        ),
        Panel(
            title="My overdue actions",
            summary=f"{overdue.count()} overdue.",
            items=[
                item(
                    f"{a.case.reference}: due {format_date(a.due_on)}",
                    reverse("cases:action", kwargs={"pk": a.pk}),
                    "overdue",
                )
                for a in overdue[:MAX_ITEMS]
            ],
            empty="You have no overdue actions.",
            order=11,
        ),
        Panel(
            title="Next panel meetings",
            items=[
                item(
                    f"{m.cohort.short_name}: {format_date(m.date)}",
                    reverse("cases:meeting", kwargs={"pk": m.pk}),
                    "scheduled",
                )
                for m in upcoming[:MAX_ITEMS]
            ],
            empty="No meetings are scheduled.",
            order=12,
        ),
    ]
