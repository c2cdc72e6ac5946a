"""A cohort's figures from the database: the cases given (what a user may see, or all), plus
the anonymised statistics retention keeps, through :class:`safercity.cases.figures.CohortFigures`;
and by period, for a strategy measure of kind ``cases`` (:func:`measure_values`), always over
every case of the cohort.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Min, QuerySet
from django.utils import timezone

from safercity.cases import figures as rules
from safercity.cases import measures

from .models import Action, AgendaItem, Case, CaseStatistic, Cohort


def figures(
    cohort: Cohort, cases: QuerySet[Case] | None = None, day: dt.date | None = None
) -> rules.CohortFigures:
    day = day or timezone.localdate()
    cases = (Case.objects.all() if cases is None else cases).filter(cohort=cohort)
    facts, actions = _facts(cohort, cases)
    return rules.CohortFigures(facts, actions, day)


def measure_values(
    cohort_key: str, statistic: str, period: str, day: dt.date | None = None
) -> measures.CohortValues:
    """A cohort's ``statistic`` by ``period`` (:func:`safercity.cases.measures.cohort_values`)
    for a strategy measure: numbers only, counted over every case of the cohort (a partnership
    statistic, whoever is looking), so nothing is read that names anyone and nothing audited."""
    cohort = Cohort.objects.filter(key=cohort_key).first()
    if cohort is None:
        return measures.CohortValues(note=f"there is no cohort {cohort_key!r}")
    cases = Case.objects.filter(cohort=cohort)
    facts, actions = _facts(cohort, cases, panels=statistic == "reviewed")
    return measures.cohort_values(facts, actions, statistic, period, day or timezone.localdate())


def _facts(
    cohort: Cohort, cases: QuerySet[Case], *, panels: bool = False
) -> tuple[list[rules.CaseFacts], list[rules.ActionFacts]]:
    """The plain facts of the cases given and of the cohort's anonymised statistics; with
    ``panels``, each case's panel dates too."""
    first_panel = dict(
        cases.filter(agenda_items__discussed=True)
        .values("pk")
        .annotate(first=Min("agenda_items__meeting__date"))
        .values_list("pk", "first")
    )
    panel_dates: dict[object, set[dt.date]] = defaultdict(set)
    if panels:
        for pk, day in AgendaItem.objects.filter(case__in=cases, discussed=True).values_list(
            "case_id", "meeting__date"
        ):
            panel_dates[pk].add(day)
    facts = [
        rules.CaseFacts(
            c.referred_on,
            c.referring_agency.name,
            c.status,
            c.accepted_on,
            c.ended_on,
            c.outcome,
            first_panel.get(c.pk),
            tuple(sorted(panel_dates.get(c.pk, ()))),
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
    return facts, actions
