"""A cohort's figures from the database: the cases given (what a user may see, or all), plus
the anonymised statistics retention keeps, through :class:`safercity.cases.figures.CohortFigures`.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Min, QuerySet
from django.utils import timezone

from safercity.cases import figures as rules

from .models import Action, Case, CaseStatistic, Cohort


def figures(
    cohort: Cohort, cases: QuerySet[Case] | None = None, day: dt.date | None = None
) -> rules.CohortFigures:
    day = day or timezone.localdate()
    cases = (Case.objects.all() if cases is None else cases).filter(cohort=cohort)
    first_panel = dict(
        cases.filter(agenda_items__discussed=True)
        .values("pk")
        .annotate(first=Min("agenda_items__meeting__date"))
        .values_list("pk", "first")
    )
    facts = [
        rules.CaseFacts(
            c.referred_on,
            c.referring_agency.name,
            c.status,
            c.accepted_on,
            c.ended_on,
            c.outcome,
            first_panel.get(c.pk),
        )
        for c in cases.select_related("referring_agency")
    ]
    facts += [
        rules.CaseFacts(
            s.referred_month,
            s.referring_agency,
            s.status,
            s.accepted_month,
            s.ended_month,
            s.outcome,
            s.referred_month + dt.timedelta(days=s.days_to_first_panel)
            if s.days_to_first_panel is not None
            else None,
        )
        for s in CaseStatistic.objects.filter(cohort=cohort)
    ]
    actions = [
        rules.ActionFacts(a.due_on, a.completed_on if a.status == Action.Status.DONE else None)
        for a in Action.objects.filter(case__in=cases).exclude(status=Action.Status.CANCELLED)
    ]
    return rules.CohortFigures(facts, actions, day)
